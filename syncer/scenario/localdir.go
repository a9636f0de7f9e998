package scenario

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/exec"
)

// LocalDir fills e's local side for a real folder root: the Tree, and the abilities a real
// disk has (hiding the root as an unmount does, the desktop trash under xdgData, symlinks,
// permission bits). Every environment over the real file system uses it.
func LocalDir(e *Env, t testing.TB, root, xdgData string) {
	e.Local, e.Root = DirTree{T: t, Root: root}, root
	hidden := root + ".unmounted"
	e.HideLocalRoot = func(hide bool) {
		from, to := root, hidden
		if !hide {
			from, to = hidden, root
		}
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	e.LocalTrash = func() []string { return FileContents(filepath.Join(xdgData, "Trash", "files")) }
	e.Symlink = func(p, target string) {
		if err := os.Symlink(target, filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	elsewhere := root + ".elsewhere" // a sibling folder of the set's folder
	away := func(p string) string { return filepath.Join(elsewhere, filepath.Base(filepath.FromSlash(p))) }
	e.MoveOut = func(p string) {
		if err := os.MkdirAll(elsewhere, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(root, filepath.FromSlash(p)), away(p)); err != nil {
			t.Fatal(err)
		}
	}
	e.MoveBack = func(p string) {
		if err := os.Rename(away(p), filepath.Join(root, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	e.TrashLocal = func(p string) {
		fs := exec.NewOSFSWithTrash(root, filepath.Join(xdgData, "Trash"))
		n, err := fs.Stat(p)
		if err == nil {
			err = fs.Trash(p, n)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	e.CutLocal = func(p string, size int64) {
		full := filepath.Join(root, filepath.FromSlash(p))
		fi, err := os.Stat(full)
		if err == nil {
			err = os.Truncate(full, size)
		}
		if err == nil {
			err = os.Chtimes(full, fi.ModTime(), fi.ModTime())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	e.Mode = func(p string) uint32 {
		fi, err := os.Lstat(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return uint32(fi.Mode().Perm())
	}
}

// FileContents returns the contents of the regular files under dir.
func FileContents(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, err := os.ReadFile(p); err == nil {
				out = append(out, string(b))
			}
		}
		return nil
	})
	return out
}

// MakeWritable gives every regular file under dir write permission back (files locked by
// the lock option), so that a test's temporary folder can be removed.
func MakeWritable(dir string) {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			_ = os.Chmod(p, 0o644)
		}
		return nil
	})
}
