//go:build linux

package watcher

import "golang.org/x/sys/unix"

// networkFS reports whether statfs says root is on a network or FUSE file system.
func networkFS(root string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err != nil {
		return false
	}
	// f_type is a 32-bit magic number; the field's Go type differs by architecture.
	return networkMagic(uint32(st.Type))
}
