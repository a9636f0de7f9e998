module github.com/cloudsync/cloudsync

go 1.26
