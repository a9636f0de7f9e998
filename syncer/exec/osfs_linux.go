//go:build linux

package exec

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// renameExcl renames from to to atomically unless to exists (fs.ErrExist). It returns
// errNoExclRename when the file system cannot do that (renameat2 RENAME_NOREPLACE is
// missing on some network and FUSE file systems); the caller then falls back.
func renameExcl(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		return errNoExclRename
	}
	return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
}
