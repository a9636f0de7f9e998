//go:build darwin

package exec

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// renameExcl renames from to to atomically unless to exists (fs.ErrExist), with
// renamex_np RENAME_EXCL; errNoExclRename when the file system does not support it.
func renameExcl(from, to string) error {
	err := unix.RenameatxNp(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_EXCL)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOTSUP), errors.Is(err, unix.ENOSYS):
		return errNoExclRename
	}
	return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
}
