package control

import "github.com/cloudsync/cloudsync/syncer"

var _ API = (*syncer.Engine)(nil)
