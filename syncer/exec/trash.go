package exec

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// maxTrashTries bounds the search for a free name in a trash folder.
const maxTrashTries = 10000

// Trash implements LocalFS with the freedesktop.org Trash specification (1.0), so the item
// shows up in the desktop's trash and can be restored from there. After the re-check, the
// trash is chosen as the spec says: the home trash ($XDG_DATA_HOME/Trash, by default
// ~/.local/share/Trash) when it is on p's device (and takes p); else, at the top folder of
// p's mounted file system, ".Trash/<uid>" when ".Trash" is a real folder with the sticky bit, or
// ".Trash-<uid>". The info file info/<name>.trashinfo is created first (O_EXCL), then p is
// renamed to files/<name> without replacing anything; name is p's name, made unique with
// " (2)", " (3)"… Nothing is ever deleted: when no trash can take p, Trash returns an error
// wrapping errNoTrash and p stays. Not supported on Windows and macOS (an error).
func (o *OSFS) Trash(p string, expect plan.Node) error {
	if p == "" {
		return pathErr("trash", p, fs.ErrInvalid)
	}
	if err := trashUnsupported(); err != nil {
		return pathErr("trash", p, err)
	}
	full, err := o.resolve("trash", p)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(full)
	if err != nil {
		return err
	}
	cur, err := describe(p, full, fi, nil)
	if err != nil {
		return err
	}
	if cur.ID != expect.ID || cur.IsDir != expect.IsDir || !cur.IsDir && cur.Version != expect.Version {
		return fmt.Errorf("trash %s: %w", p, ErrLocalChanged)
	}
	abs, err := filepath.Abs(full)
	if err != nil {
		return err
	}
	dev, ok := deviceOf(fi)
	if !ok {
		return fmt.Errorf("trash %s: device unknown: %w", p, errNoTrash)
	}
	// The home trash, then the mount's; a trash that fails (a rename across a bind mount
	// gives EXDEV although the device matches) leaves nothing behind, so the next is tried.
	var why []string
	for _, pick := range []func() (trashDir, error){
		func() (trashDir, error) { return o.homeTrash(dev) },
		func() (trashDir, error) { return topdirTrash(topdirOf(filepath.Dir(abs), dev)) },
	} {
		t, err := pick()
		if err == nil {
			if err = t.put(abs, fi.IsDir(), time.Now()); err == nil {
				return nil
			}
			if _, lerr := os.Lstat(abs); errors.Is(lerr, fs.ErrNotExist) {
				return fmt.Errorf("trash %s: %w", p, lerr) // removed meanwhile
			}
		}
		why = append(why, err.Error())
	}
	return fmt.Errorf("trash %s: %w: %s", p, errNoTrash, strings.Join(why, "; "))
}

// trashDir is one trash folder (holding files/ and info/). topdir is "" for the home trash,
// whose info files hold absolute paths; else the mount's top folder, which the paths in
// its info files are relative to.
type trashDir struct {
	dir    string
	topdir string
}

// homeTrashDir returns the home trash: $XDG_DATA_HOME/Trash, or ~/.local/share/Trash when
// XDG_DATA_HOME is unset or not absolute (as the XDG base directory spec says); the one
// NewOSFSWithTrash named.
func (o *OSFS) homeTrashDir() (string, error) {
	if o.trashHome != "" {
		return o.trashHome, nil
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" || !filepath.IsAbs(data) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(filepath.Clean(data), "Trash"), nil
}

// homeTrash returns the home trash, created if missing, when it is on device dev.
func (o *OSFS) homeTrash(dev uint64) (trashDir, error) {
	home, err := o.homeTrashDir()
	if err != nil {
		return trashDir{}, err
	}
	if hdev, ok := nearestDevice(home); !ok || hdev != dev {
		return trashDir{}, fmt.Errorf("the home trash %s is on another file system", home)
	}
	if err := makeTrashDirs(home, true); err != nil {
		return trashDir{}, err
	}
	return trashDir{dir: home}, nil
}

// nearestDevice returns the device of p, or of its nearest existing ancestor.
func nearestDevice(p string) (uint64, bool) {
	for {
		if fi, err := os.Stat(p); err == nil {
			return deviceOf(fi)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return 0, false
		}
		p = parent
	}
}

// topdirOf returns the top folder of the mounted file system (device dev) holding dir.
func topdirOf(dir string, dev uint64) string {
	for {
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		fi, err := os.Stat(parent)
		if err != nil {
			return dir
		}
		if pdev, ok := deviceOf(fi); !ok || pdev != dev {
			return dir
		}
		dir = parent
	}
}

// topdirTrash returns the trash at topdir: $topdir/.Trash/$uid when $topdir/.Trash is a
// folder (not a symlink) with the sticky bit, else $topdir/.Trash-$uid; each is created
// (mode 0700) when missing and refused when it is a symlink, not a folder, or owned by
// another user.
func topdirTrash(topdir string) (trashDir, error) {
	uid := strconv.Itoa(os.Getuid())
	var why []string
	shared := filepath.Join(topdir, ".Trash")
	if fi, err := os.Lstat(shared); err == nil {
		if fi.IsDir() && fi.Mode()&fs.ModeSticky != 0 {
			dir := filepath.Join(shared, uid)
			if err := makeTrashDirs(dir, false); err == nil {
				return trashDir{dir: dir, topdir: topdir}, nil
			} else {
				why = append(why, err.Error())
			}
		} else {
			why = append(why, shared+" is not a folder with the sticky bit: not used")
		}
	}
	dir := filepath.Join(topdir, ".Trash-"+uid)
	if err := makeTrashDirs(dir, false); err != nil {
		return trashDir{}, errors.New(strings.Join(append(why, err.Error()), "; "))
	}
	return trashDir{dir: dir, topdir: topdir}, nil
}

// makeTrashDirs creates trash folder dir (parents too when home) and its files/ and info/,
// mode 0700, and checks each is a real folder owned by this user.
func makeTrashDirs(dir string, home bool) error {
	if home {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	for _, d := range []string{dir, filepath.Join(dir, "files"), filepath.Join(dir, "info")} {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		fi, err := os.Lstat(d)
		if err != nil {
			return err
		}
		if d == dir && home && fi.Mode()&fs.ModeSymlink != 0 {
			if fi, err = os.Stat(d); err != nil { // a symlinked home trash is the user's choice
				return err
			}
		}
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a folder (or is a symbolic link)", d)
		}
		if uid, ok := ownerOf(fi); ok && uid != os.Getuid() {
			return fmt.Errorf("%s belongs to another user", d)
		}
	}
	return nil
}

// put moves the item at abs into t, writing its info file first.
func (t trashDir) put(abs string, isDir bool, now time.Time) error {
	where := abs
	if t.topdir != "" {
		rel, err := filepath.Rel(t.topdir, abs)
		if err != nil {
			return err
		}
		where = rel
	}
	info := "[Trash Info]\nPath=" + escapeTrashPath(filepath.ToSlash(where)) +
		"\nDeletionDate=" + now.Format("2006-01-02T15:04:05") + "\n"
	infoDir, filesDir := filepath.Join(t.dir, "info"), filepath.Join(t.dir, "files")
	for i := 1; i <= maxTrashTries; i++ {
		name := trashName(filepath.Base(abs), isDir, i)
		infoPath := filepath.Join(infoDir, name+".trashinfo")
		f, err := os.OpenFile(infoPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		_, err = f.WriteString(info)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = renameNoReplace(abs, filepath.Join(filesDir, name))
		}
		if err != nil {
			os.Remove(infoPath) // ours, just created
			if errors.Is(err, fs.ErrExist) {
				continue // files/name left by another program without its info file
			}
			return err
		}
		syncDir(infoDir)
		syncDir(filesDir)
		syncDir(filepath.Dir(abs))
		return nil
	}
	return fmt.Errorf("%w: no free name in %s", errNoTrash, t.dir)
}

// trashName is the i-th candidate name in the trash for an item named base: base itself,
// then "stem (i)ext"; cut so that name + ".trashinfo" fits in 255 bytes.
func trashName(base string, isDir bool, i int) string {
	ext := path.Ext(base)
	if isDir || ext == base || len(ext) > 32 {
		ext = ""
	}
	stem, suffix := strings.TrimSuffix(base, ext), ext
	if i > 1 {
		suffix = fmt.Sprintf(" (%d)%s", i, ext)
	}
	limit := 255 - len(".trashinfo") - len(suffix)
	for len(stem) > limit && stem != "" {
		_, size := utf8.DecodeLastRuneInString(stem)
		stem = stem[:len(stem)-size]
	}
	return stem + suffix
}

// escapeTrashPath escapes a slash-separated path for the Path key as in URLs (RFC 2396):
// every byte outside the unreserved set is %-escaped, slashes are kept.
func escapeTrashPath(p string) string {
	els := strings.Split(p, "/")
	for i, el := range els {
		els[i] = url.PathEscape(el)
	}
	return strings.Join(els, "/")
}
