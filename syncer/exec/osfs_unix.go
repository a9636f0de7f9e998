//go:build unix

package exec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"syscall"
)

// fileID returns "dev:ino" of the file fi describes (f, the open file, is not needed here).
func fileID(full string, fi fs.FileInfo, _ *os.File) (string, error) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", fmt.Errorf("%s: the file system gives no device and inode number", full)
	}
	return fmt.Sprintf("%d:%d", uint64(st.Dev), uint64(st.Ino)), nil
}

// deviceOf returns the device number of the file fi describes.
func deviceOf(fi fs.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Dev), true
}

// openNoFollow opens full for reading without following a symlink in its last element
// (ELOOP instead) and without blocking on a FIFO swapped in after a check.
func openNoFollow(full string) (*os.File, error) {
	f, err := os.OpenFile(full, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, &fs.PathError{Op: "open", Path: full, Err: errSymlink}
	}
	return f, err
}

// syncDir fsyncs folder dir so a rename or create in it survives a crash. It is best
// effort: some file systems (network, FUSE) refuse fsync on folders, and a lost rename only
// brings the previous content back, which the next pass handles.
func syncDir(dir string) {
	f, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = f.Sync()
	_ = f.Close()
}

// trashUnsupported says why the freedesktop.org trash cannot be used on this system, or nil.
func trashUnsupported() error {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return fmt.Errorf("moving to the trash is not supported on %s yet: %w", runtime.GOOS, errNoTrash)
	}
	return nil
}

// ownerOf returns the uid owning the file fi describes.
func ownerOf(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
