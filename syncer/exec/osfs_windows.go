//go:build windows

package exec

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// fileID returns "volume:file index" of the file (from the open file f when given, else by
// opening full without following a reparse point).
func fileID(full string, _ fs.FileInfo, f *os.File) (string, error) {
	var h syscall.Handle
	if f != nil {
		h = syscall.Handle(f.Fd())
	} else {
		p, err := syscall.UTF16PtrFromString(full)
		if err != nil {
			return "", &fs.PathError{Op: "id", Path: full, Err: err}
		}
		h, err = syscall.CreateFile(p, 0,
			syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE, nil,
			syscall.OPEN_EXISTING, syscall.FILE_FLAG_BACKUP_SEMANTICS|syscall.FILE_FLAG_OPEN_REPARSE_POINT, 0)
		if err != nil {
			return "", &fs.PathError{Op: "id", Path: full, Err: err}
		}
		defer syscall.CloseHandle(h)
	}
	var d syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(h, &d); err != nil {
		return "", &fs.PathError{Op: "id", Path: full, Err: err}
	}
	return fmt.Sprintf("%d:%d", d.VolumeSerialNumber, uint64(d.FileIndexHigh)<<32|uint64(d.FileIndexLow)), nil
}

// deviceOf is not available from a Windows FileInfo.
func deviceOf(fs.FileInfo) (uint64, bool) { return 0, false }

// openNoFollow opens full for reading, refusing a symlink or reparse point, and checks the
// opened file is the one checked (Windows has no O_NOFOLLOW).
func openNoFollow(full string) (*os.File, error) {
	fi, err := os.Lstat(full)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return nil, &fs.PathError{Op: "open", Path: full, Err: errSymlink}
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, err
	}
	if ofi, err := f.Stat(); err != nil || !os.SameFile(fi, ofi) {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: full, Err: ErrLocalChanged}
	}
	return f, nil
}

// syncDir does nothing: Windows cannot fsync a folder; NTFS journals renames.
func syncDir(string) {}

// renameExcl renames from to to unless to exists (fs.ErrExist): MoveFile never replaces.
func renameExcl(from, to string) error {
	f, err := syscall.UTF16PtrFromString(from)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	t, err := syscall.UTF16PtrFromString(to)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	if err := syscall.MoveFile(f, t); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// trashUnsupported: the Windows recycle bin is not implemented.
func trashUnsupported() error {
	return fmt.Errorf("moving to the Recycle Bin is not supported yet: %w", errNoTrash)
}

// ownerOf is not available from this system's FileInfo.
func ownerOf(fs.FileInfo) (int, bool) { return 0, false }
