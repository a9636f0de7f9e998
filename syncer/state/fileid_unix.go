//go:build unix

package state

import (
	"fmt"
	"io/fs"
	"syscall"
)

// fileID is "dev:ino" of a file.
func fileID(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d:%d", uint64(st.Dev), uint64(st.Ino))
	}
	return fi.ModTime().String()
}
