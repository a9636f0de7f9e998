package exec

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// OSFS is the LocalFS of a folder on the operating system's file system.
//
// Every set-relative path is checked before use: it must be canonical (no "", "." or ".."
// element, no leading slash, no NUL) and every folder on the way to it must be a real folder,
// not a symlink, so no operation reaches outside the root. Symlinks and special files are
// reported by Scan as Unsupported and never opened, written or changed through.
//
// Node.ID is "dev:ino" (Windows: "volume:file index"); a file's Version is
// "<size>:<mtime in unix nanoseconds>", so an edit that keeps the size within the file
// system's timestamp granularity is not seen (as with every size+mtime scanner). Downloads
// are staged in ".cloudsync-<random>.part" beside their target (see Ignored).
//
// OSFS keeps no state besides its root and is safe for concurrent use; concurrent
// operations on the same path race as they would for any two programs.
type OSFS struct {
	root string
	// trashHome, when set, is the home trash instead of $XDG_DATA_HOME/Trash.
	trashHome string
	// beforeRename, when set (tests only), is called by Staged.Commit for p after its last
	// re-check, just before the rename, to act in the window no re-check can close.
	beforeRename func(p string)
}

// NewOSFS returns the LocalFS of the folder root (an absolute OS path). It does not touch
// the disk; RootOK checks the root.
func NewOSFS(root string) *OSFS {
	return &OSFS{root: filepath.Clean(root)}
}

// NewOSFSWithTrash is NewOSFS with the home trash at homeTrash instead of
// $XDG_DATA_HOME/Trash, for engines that share one process but not one desktop (tests that
// run in parallel, each with its own trash).
func NewOSFSWithTrash(root, homeTrash string) *OSFS {
	return &OSFS{root: filepath.Clean(root), trashHome: filepath.Clean(homeTrash)}
}

var _ LocalFS = (*OSFS)(nil)

var (
	// errOutsideRoot is wrapped for a path that is not canonical or would leave the root.
	errOutsideRoot = fmt.Errorf("path is not a canonical path inside the sync root: %w", remote.ErrInvalidName)
	// errSymlink is wrapped when a path runs into a symlink or a special file.
	errSymlink = fmt.Errorf("symbolic link or special file: %w", remote.ErrUnsupported)
	// errNoExclRename is returned by renameExcl when the system has no atomic no-replace rename.
	errNoExclRename = errors.New("no atomic no-replace rename")
	// errNoTrash is wrapped when no desktop trash can take an item.
	errNoTrash = errors.New("no usable trash")
)

func pathErr(op, p string, err error) error { return &fs.PathError{Op: op, Path: p, Err: err} }

// checkRel refuses set-relative paths that are not canonical or could leave the root.
func checkRel(op, p string) error {
	if p == "" {
		return nil
	}
	for _, el := range strings.Split(p, "/") {
		if el == "" || el == "." || el == ".." || strings.ContainsRune(el, 0) ||
			runtime.GOOS == "windows" && strings.ContainsAny(el, `\:`) {
			return pathErr(op, p, errOutsideRoot)
		}
	}
	return nil
}

// resolve returns the OS path of p after checking p (checkRel) and that every folder on
// the way to p is a real folder (not a symlink): fs.ErrNotExist when one is missing or is a
// file, errSymlink when one is a symlink. p itself is not checked.
func (o *OSFS) resolve(op, p string) (string, error) {
	if err := checkRel(op, p); err != nil {
		return "", err
	}
	if p == "" {
		return o.root, nil
	}
	els := strings.Split(p, "/")
	cur := o.root
	for i, el := range els[:len(els)-1] {
		cur = filepath.Join(cur, el)
		fi, err := os.Lstat(cur)
		switch {
		case err != nil:
			return "", err
		case fi.Mode()&fs.ModeSymlink != 0:
			return "", pathErr(op, p, fmt.Errorf("%s: %w", path.Join(els[:i+1]...), errSymlink))
		case !fi.IsDir():
			return "", pathErr(op, p, fmt.Errorf("%s is not a folder: %w", path.Join(els[:i+1]...), fs.ErrNotExist))
		}
	}
	return filepath.Join(cur, els[len(els)-1]), nil
}

// version is a file's Version: size and mtime (ns).
func version(fi fs.FileInfo) string {
	return fmt.Sprintf("%d:%d", fi.Size(), fi.ModTime().UnixNano())
}

// describe turns an Lstat (or the Stat of open file f) of full into the Node of p.
func describe(p, full string, fi fs.FileInfo, f *os.File) (plan.Node, error) {
	id, err := fileID(full, fi, f)
	if err != nil {
		return plan.Node{}, err
	}
	n := plan.Node{Path: p, IsDir: fi.IsDir(), ID: id}
	if !n.IsDir {
		n.Version, n.Size, n.ModTime, n.Unsupported = version(fi), fi.Size(), fi.ModTime(), !fi.Mode().IsRegular()
	}
	return n, nil
}

// RootOK implements LocalFS. A missing root gives an error wrapping fs.ErrNotExist; a
// root that is empty while the base has items gives an error saying it may be unmounted
// (an unmounted share or disk leaves an empty mount point), so the engine stops the set
// instead of reading every item as deleted. Any entry, even an ignored one, makes the root
// non-empty.
func (o *OSFS) RootOK(hadItems bool) error {
	fi, err := os.Stat(o.root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sync folder %s is missing (deleted, renamed or not mounted): %w", o.root, err)
	case err != nil:
		return fmt.Errorf("sync folder %s cannot be read: %w", o.root, err)
	case !fi.IsDir():
		return fmt.Errorf("sync folder %s is not a folder", o.root)
	case !hadItems:
		return nil
	}
	d, err := os.Open(o.root)
	if err != nil {
		return fmt.Errorf("sync folder %s cannot be read: %w", o.root, err)
	}
	defer d.Close()
	names, err := d.Readdirnames(1)
	if len(names) > 0 {
		return nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("sync folder %s cannot be read: %w", o.root, err)
	}
	return fmt.Errorf("sync folder %s is empty although it had synced items: possibly unmounted; "+
		"stopping so nothing is deleted in the cloud", o.root)
}

// Stat implements LocalFS. The root ("") is described by following a symlink (the root
// itself is the user's choice); every other path by Lstat.
func (o *OSFS) Stat(p string) (plan.Node, error) {
	full, err := o.resolve("stat", p)
	if err != nil {
		return plan.Node{}, err
	}
	var fi fs.FileInfo
	if p == "" {
		fi, err = os.Stat(full)
	} else {
		fi, err = os.Lstat(full)
	}
	if err != nil {
		return plan.Node{}, err
	}
	return describe(p, full, fi, nil)
}

// Open implements LocalFS. It refuses symlinks, folders and special files; the node is
// the open file's.
func (o *OSFS) Open(p string) (rc io.ReadCloser, n plan.Node, err error) {
	full, err := o.resolve("open", p)
	if err != nil {
		return nil, plan.Node{}, err
	}
	if p == "" {
		return nil, plan.Node{}, pathErr("open", p, errors.New("not a regular file"))
	}
	f, err := openNoFollow(full)
	if err != nil {
		return nil, plan.Node{}, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = pathErr("open", p, fmt.Errorf("not a regular file: %w", remote.ErrUnsupported))
	}
	if err == nil {
		n, err = describe(p, full, fi, f)
	}
	if err != nil {
		f.Close()
		return nil, plan.Node{}, err
	}
	return f, n, nil
}

// Mkdir implements LocalFS. The parent folder is fsynced.
func (o *OSFS) Mkdir(p string) (plan.Node, error) {
	if p == "" {
		return plan.Node{}, pathErr("mkdir", p, fs.ErrInvalid)
	}
	full, err := o.resolve("mkdir", p)
	if err != nil {
		return plan.Node{}, err
	}
	err = os.Mkdir(full, 0o777)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return plan.Node{}, err
	}
	fi, lerr := os.Lstat(full)
	switch {
	case lerr != nil:
		return plan.Node{}, lerr
	case !fi.IsDir():
		return plan.Node{}, pathErr("mkdir", p, ErrExist)
	}
	if err == nil {
		syncDir(filepath.Dir(full))
	}
	return describe(p, full, fi, nil)
}

// Rename implements LocalFS. It never replaces an existing to: renameat2 RENAME_NOREPLACE
// on Linux (renamex_np RENAME_EXCL on macOS, MoveFile on Windows); where the file system
// lacks that, a file is hard-linked under to (which fails if to exists) and then unlinked
// from, and a folder is renamed after checking to is absent. A case-only rename on a
// case-insensitive file system, where to names from itself, works. Both folders are fsynced.
func (o *OSFS) Rename(from, to string) (plan.Node, error) {
	if from == "" || to == "" {
		return plan.Node{}, &os.LinkError{Op: "rename", Old: from, New: to, Err: fs.ErrInvalid}
	}
	ffull, err := o.resolve("rename", from)
	if err != nil {
		return plan.Node{}, err
	}
	tfull, err := o.resolve("rename", to)
	if err != nil {
		return plan.Node{}, err
	}
	fi, err := os.Lstat(ffull)
	switch {
	case err != nil:
		return plan.Node{}, err
	case from == to:
		return describe(to, tfull, fi, nil)
	case strings.HasPrefix(to, from+"/"):
		return plan.Node{}, &os.LinkError{Op: "rename", Old: from, New: to, Err: fs.ErrInvalid}
	}
	err = renameNoReplace(ffull, tfull)
	if errors.Is(err, fs.ErrExist) && caseOnlyRename(ffull, tfull) {
		err = os.Rename(ffull, tfull)
	}
	if errors.Is(err, fs.ErrExist) {
		return plan.Node{}, &os.LinkError{Op: "rename", Old: from, New: to, Err: ErrExist}
	}
	if err != nil {
		return plan.Node{}, err
	}
	syncDir(filepath.Dir(tfull))
	if filepath.Dir(ffull) != filepath.Dir(tfull) {
		syncDir(filepath.Dir(ffull))
	}
	nfi, err := os.Lstat(tfull)
	if err != nil {
		return plan.Node{}, err
	}
	return describe(to, tfull, nfi, nil)
}

// renameNoReplace renames from to to unless to exists (an error wrapping fs.ErrExist).
func renameNoReplace(from, to string) error {
	err := renameExcl(from, to)
	if !errors.Is(err, errNoExclRename) {
		return err
	}
	return renameChecked(from, to)
}

// renameChecked is renameNoReplace for file systems without an atomic no-replace rename:
// a file is hard-linked under to (atomic: fails when to exists) and unlinked from; a folder,
// or a file where hard links fail, is renamed after checking that to is absent.
func renameChecked(from, to string) error {
	fi, err := os.Lstat(from)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		lerr := os.Link(from, to) // atomic: fails when to exists
		switch {
		case lerr == nil:
			return os.Remove(from)
		case errors.Is(lerr, fs.ErrExist):
			return lerr
		} // no hard links here: fall back to a checked rename
	}
	if _, err := os.Lstat(to); err == nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: fs.ErrExist}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.Rename(from, to)
}

// caseOnlyRename reports whether from → to only changes the case of the name and to names
// from itself (a case-insensitive file system), so replacing "to" loses nothing.
func caseOnlyRename(from, to string) bool {
	fb, tb := filepath.Base(from), filepath.Base(to)
	if filepath.Dir(from) != filepath.Dir(to) || fb == tb || !strings.EqualFold(fb, tb) {
		return false
	}
	ffi, err1 := os.Lstat(from)
	tfi, err2 := os.Lstat(to)
	if err1 != nil || err2 != nil || !os.SameFile(ffi, tfi) {
		return false
	}
	// Two hard links that differ in case on a case-sensitive file system look the same;
	// only a folder without an entry named exactly tb is a case-folding one.
	names, err := readNames(filepath.Dir(to))
	if err != nil {
		return false
	}
	for _, n := range names {
		if n == tb {
			return false
		}
	}
	return true
}

func readNames(dir string) ([]string, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Readdirnames(-1)
}

// FreeName implements LocalFS, naming as MemFS does: "<stem> (conflict copy <date
// time>)<ext>", then " 2", " 3"… after the time. A folder or a name that is all extension
// (".profile") keeps no extension. A name whose check fails for another reason than absence
// is returned as free: the no-replace operation that uses it then fails safely.
func (o *OSFS) FreeName(p string, now time.Time) string {
	dir, base := path.Dir(p), path.Base(p)
	if dir == "." {
		dir = ""
	}
	ext := path.Ext(base)
	if ext == base {
		ext = ""
	} else if full, err := o.resolve("stat", p); err == nil {
		if fi, err := os.Lstat(full); err == nil && fi.IsDir() {
			ext = ""
		}
	}
	stem := strings.TrimSuffix(base, ext)
	tag := now.Format("2006-01-02 150405")
	for i := 1; ; i++ {
		t := tag
		if i > 1 {
			t += fmt.Sprintf(" %d", i)
		}
		c := remote.Join(dir, fmt.Sprintf("%s (conflict copy %s)%s", stem, t, ext))
		full, err := o.resolve("stat", c)
		if err != nil {
			return c
		}
		if _, err := os.Lstat(full); err != nil {
			return c
		}
	}
}

// SetReadOnly implements LocalFS for p alone (the engine walks a locked tree): ro clears
// the write bits and returns the previous permission bits (with setuid, setgid and sticky
// as 0o4000, 0o2000, 0o1000); ro false sets mode. Symlinks and special files are refused,
// and the mode is changed through an open file where possible so a symlink swapped in after
// the check is not followed. On Windows only the read-only attribute is changed.
func (o *OSFS) SetReadOnly(p string, ro bool, mode uint32) (uint32, error) {
	full, err := o.resolve("chmod", p)
	if err != nil {
		return 0, err
	}
	fi, err := os.Lstat(full)
	if err != nil {
		return 0, err
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		return 0, pathErr("chmod", p, errSymlink)
	}
	prev := unixMode(fi.Mode())
	next := mode
	if ro {
		next = prev &^ 0o222
	}
	if f, err := openNoFollow(full); err == nil {
		defer f.Close()
		ofi, err := f.Stat()
		if err != nil {
			return prev, err
		}
		if !os.SameFile(fi, ofi) {
			return prev, pathErr("chmod", p, ErrLocalChanged)
		}
		return prev, f.Chmod(fileMode(next))
	}
	// Not readable (a write-only file): change it by name; it was checked just above.
	return prev, os.Chmod(full, fileMode(next))
}

// unixMode and fileMode convert between fs.FileMode and Unix permission bits.
func unixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}

func fileMode(u uint32) fs.FileMode {
	m := fs.FileMode(u & 0o777)
	if u&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if u&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if u&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}
