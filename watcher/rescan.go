package watcher

import "time"

const (
	// DefaultRescan is the periodic full-rescan interval used when none is given.
	DefaultRescan = 10 * time.Minute
	// networkRescan caps the rescan interval on network file systems, where change
	// notifications made on other machines are never delivered.
	networkRescan = time.Minute
)

// RescanInterval returns the periodic full-rescan interval for root: base (DefaultRescan
// when 0 or negative), shortened to at most one minute when root lives on a network or
// userspace file system (NFS, SMB/CIFS, FUSE, 9P) whose changes inotify cannot see. The
// detection uses statfs and exists on Linux only; elsewhere base is returned.
func RescanInterval(root string, base time.Duration) time.Duration {
	if base <= 0 {
		base = DefaultRescan
	}
	if networkFS(root) && base > networkRescan {
		return networkRescan
	}
	return base
}

// networkMagic reports whether a statfs f_type magic number names a file system whose
// changes may happen without local notifications.
func networkMagic(t uint32) bool {
	switch t {
	case 0x6969, // NFS
		0xFF534D42, // CIFS
		0x517B,     // SMB
		0xFE534D42, // SMB2
		0x65735546, // FUSE
		0x01021997: // 9P (v9fs)
		return true
	}
	return false
}
