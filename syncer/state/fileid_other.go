//go:build !unix

package state

import "io/fs"

// fileID falls back to the marker's creation-time stamp where there are no inodes.
func fileID(fi fs.FileInfo) string { return fi.ModTime().UTC().String() }
