package exec

import (
	"bufio"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// TrashFinder is implemented by local file systems that can tell whether an item was moved
// to the desktop trash, by the user's file manager or by cloudsync. A documents set tells a
// deleted document (deleted in the cloud too) from one moved out of its folder (kept in the
// cloud) by it (SPEC §1); a file system without it knows of no deletion.
type TrashFinder interface {
	// WasTrashed reports whether set-relative p, no longer there, was moved to a trash at
	// or after since (an older deletion of another file of that name does not count).
	WasTrashed(p string, since time.Time) bool
}

var (
	_ TrashFinder = (*OSFS)(nil)
	_ TrashFinder = (*MemFS)(nil)
)

// WasTrashed implements TrashFinder with the freedesktop.org Trash specification: an info
// file of the home trash, or of a trash at the top of the root's file system, whose Path
// names p and whose DeletionDate (local time, whole seconds) is not before since. Only info
// files named like p (as Trash names them) are read.
func (o *OSFS) WasTrashed(p string, since time.Time) bool {
	abs := filepath.Join(o.root, filepath.FromSlash(p))
	type trash struct{ dir, topdir string }
	var trashes []trash
	if home, err := o.homeTrashDir(); err == nil {
		trashes = append(trashes, trash{dir: home})
	}
	if fi, err := os.Stat(o.root); err == nil {
		if dev, ok := deviceOf(fi); ok {
			top, uid := topdirOf(o.root, dev), strconv.Itoa(os.Getuid())
			trashes = append(trashes, trash{filepath.Join(top, ".Trash", uid), top}, trash{filepath.Join(top, ".Trash-"+uid), top})
		}
	}
	base := filepath.Base(abs)
	stem := strings.TrimSuffix(base, path.Ext(base))
	for _, t := range trashes {
		infos, err := os.ReadDir(filepath.Join(t.dir, "info"))
		if err != nil {
			continue
		}
		for _, e := range infos {
			if !strings.HasPrefix(e.Name(), stem) || !strings.HasSuffix(e.Name(), ".trashinfo") {
				continue
			}
			where, when, ok := readTrashInfo(filepath.Join(t.dir, "info", e.Name()))
			if !ok || when.Before(since.Truncate(time.Second)) {
				continue
			}
			if !filepath.IsAbs(where) {
				where = filepath.Join(t.topdir, where)
			}
			if filepath.Clean(where) == abs {
				return true
			}
		}
	}
	return false
}

// readTrashInfo reads the Path (unescaped) and DeletionDate keys of a .trashinfo file.
func readTrashInfo(name string) (string, time.Time, bool) {
	f, err := os.Open(name)
	if err != nil {
		return "", time.Time{}, false
	}
	defer f.Close()
	var where string
	var when time.Time
	okPath, okDate := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Path="); ok {
			p, err := url.PathUnescape(v)
			where, okPath = filepath.FromSlash(p), err == nil
		}
		if v, ok := strings.CutPrefix(sc.Text(), "DeletionDate="); ok {
			t, err := time.ParseInLocation("2006-01-02T15:04:05", v, time.Local)
			when, okDate = t, err == nil
		}
	}
	return where, when, okPath && okDate
}

// WasTrashed implements TrashFinder: p was moved to MemFS's trash (Trash); MemFS keeps no
// deletion dates, so since is not checked.
func (m *MemFS) WasTrashed(p string, since time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.trash {
		if t.Path == p {
			return true
		}
	}
	return false
}
