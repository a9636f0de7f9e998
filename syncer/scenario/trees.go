package scenario

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/webdav"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
)

// DirTree is a Tree over a real directory: the local folder, or the folder a WebDAV server
// serves (then it acts as another client of the cloud writing on the server).
type DirTree struct {
	T    testing.TB
	Root string
	// Adopt, when set, is called for every file and folder the tree creates or renames (a
	// server's folder: hands it to the user the server runs as, see davtest.Server.Adopt).
	Adopt func(abs string) error
}

func (d DirTree) abs(p string) string { return filepath.Join(d.Root, filepath.FromSlash(p)) }

// adopt calls Adopt for p and each of its parents below Root.
func (d DirTree) adopt(p string) {
	d.T.Helper()
	if d.Adopt == nil {
		return
	}
	for q := filepath.ToSlash(p); q != "." && q != ""; q = path.Dir(q) {
		if err := d.Adopt(d.abs(q)); err != nil {
			d.T.Fatal(err)
		}
	}
	if err := d.Adopt(d.Root); err != nil {
		d.T.Fatal(err)
	}
}

func (d DirTree) Write(p, data string) {
	d.T.Helper()
	if err := os.MkdirAll(filepath.Dir(d.abs(p)), 0o755); err != nil {
		d.T.Fatal(err)
	}
	// Write in place (same inode), as an editor saving without safe save does.
	f, err := os.OpenFile(d.abs(p), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err == nil {
		_, err = f.WriteString(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		d.T.Fatal(err)
	}
	d.adopt(p)
}

func (d DirTree) Read(p string) (string, bool) {
	b, err := os.ReadFile(d.abs(p))
	return string(b), err == nil
}

func (d DirTree) Mkdir(p string) {
	d.T.Helper()
	if err := os.MkdirAll(d.abs(p), 0o755); err != nil {
		d.T.Fatal(err)
	}
	d.adopt(p)
}

func (d DirTree) Rename(from, to string) {
	d.T.Helper()
	if err := os.MkdirAll(filepath.Dir(d.abs(to)), 0o755); err != nil {
		d.T.Fatal(err)
	}
	if err := os.Rename(d.abs(from), d.abs(to)); err != nil {
		d.T.Fatal(err)
	}
	d.adopt(to)
}

func (d DirTree) Remove(p string) {
	d.T.Helper()
	if err := os.RemoveAll(d.abs(p)); err != nil {
		d.T.Fatal(err)
	}
}

func (d DirTree) Files() map[string]string {
	out := map[string]string{}
	_ = filepath.WalkDir(d.Root, func(p string, de fs.DirEntry, err error) error {
		if err != nil || p == d.Root {
			return nil
		}
		rel, _ := filepath.Rel(d.Root, p)
		rel = filepath.ToSlash(rel)
		switch {
		case de.IsDir():
			out[rel] = "/"
		case de.Type()&fs.ModeSymlink != 0:
			out[rel] = "symlink"
		default:
			b, _ := os.ReadFile(p)
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

func (d DirTree) ID(p string) string {
	fi, err := os.Lstat(d.abs(p))
	if err != nil {
		return ""
	}
	return fileID(fi)
}

// MemTree is a Tree over an exec.MemFS (the local side of the in-memory environment).
type MemTree struct {
	T  testing.TB
	FS *exec.MemFS
}

func (m MemTree) Write(p, data string) {
	m.T.Helper()
	if err := m.FS.WriteFile(p, []byte(data)); err != nil {
		m.T.Fatal(err)
	}
}

func (m MemTree) Read(p string) (string, bool) {
	b, err := m.FS.ReadFile(p)
	return string(b), err == nil
}

func (m MemTree) Mkdir(p string) {
	m.T.Helper()
	if err := m.FS.MkdirAll(p); err != nil {
		m.T.Fatal(err)
	}
}

func (m MemTree) Rename(from, to string) {
	m.T.Helper()
	if d := filepath.Dir(to); d != "." {
		m.Mkdir(d)
	}
	if _, err := m.FS.Rename(from, to); err != nil {
		m.T.Fatal(err)
	}
}

func (m MemTree) Remove(p string) {
	m.T.Helper()
	if err := m.FS.Remove(p); err != nil {
		m.T.Fatal(err)
	}
}

func (m MemTree) Files() map[string]string {
	out := map[string]string{}
	for p, v := range m.FS.Tree() {
		if d, ok := strings.CutSuffix(p, "/"); ok {
			out[d] = "/"
		} else {
			out[p] = v
		}
	}
	return out
}

func (m MemTree) ID(p string) string {
	n, err := m.FS.Stat(p)
	if err != nil {
		return ""
	}
	return n.ID
}

// RemoteTree is a Tree over a memremote folder (the cloud side of the in-memory
// environment), acting as another client.
type RemoteTree struct {
	R      *memremote.Remote
	Folder string
}

func (r RemoteTree) p(p string) string {
	if p == "" {
		return r.Folder
	}
	return r.Folder + "/" + p
}

func (r RemoteTree) Write(p, data string)         { r.R.Put(r.p(p), []byte(data)) }
func (r RemoteTree) Mkdir(p string)               { r.R.MkdirAll(r.p(p)) }
func (r RemoteTree) Rename(from, to string)       { r.R.Rename(r.p(from), r.p(to)) }
func (r RemoteTree) Remove(p string)              { r.R.Remove(r.p(p)) }
func (r RemoteTree) Files() map[string]string     { return r.R.Tree(r.Folder) }
func (r RemoteTree) ID(p string) string           { return r.R.ID(r.p(p)) }
func (r RemoteTree) Read(p string) (string, bool) { b, ok := r.R.Get(r.p(p)); return string(b), ok }

// FSTree is a Tree over the folder Root of an x/net/webdav file system: the cloud side of
// an in-process server whose tree lives in memory (the ownCloud-like one), changed directly
// as another client of that server would. IDOf gives a node's server id.
type FSTree struct {
	T    testing.TB
	FS   webdav.FileSystem
	Root string // "/"-rooted
	IDOf func(name string) string
}

func (f FSTree) name(p string) string { return path.Join(f.Root, p) }

func (f FSTree) mkdirAll(name string) {
	f.T.Helper()
	ctx := context.Background()
	if name == "/" || name == "." {
		return
	}
	if fi, err := f.FS.Stat(ctx, name); err == nil && fi.IsDir() {
		return
	}
	f.mkdirAll(path.Dir(name))
	if err := f.FS.Mkdir(ctx, name, 0o755); err != nil {
		f.T.Fatal(err)
	}
}

func (f FSTree) Write(p, data string) {
	f.T.Helper()
	f.mkdirAll(path.Dir(f.name(p)))
	w, err := f.FS.OpenFile(context.Background(), f.name(p), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err == nil {
		_, err = io.WriteString(w, data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		f.T.Fatal(err)
	}
}

func (f FSTree) Read(p string) (string, bool) {
	r, err := f.FS.OpenFile(context.Background(), f.name(p), os.O_RDONLY, 0)
	if err != nil {
		return "", false
	}
	defer r.Close()
	if fi, err := r.Stat(); err != nil || fi.IsDir() {
		return "", false
	}
	b, err := io.ReadAll(r)
	return string(b), err == nil
}

func (f FSTree) Mkdir(p string) { f.T.Helper(); f.mkdirAll(f.name(p)) }

func (f FSTree) Rename(from, to string) {
	f.T.Helper()
	f.mkdirAll(path.Dir(f.name(to)))
	if err := f.FS.Rename(context.Background(), f.name(from), f.name(to)); err != nil {
		f.T.Fatal(err)
	}
}

func (f FSTree) Remove(p string) {
	f.T.Helper()
	if err := f.FS.RemoveAll(context.Background(), f.name(p)); err != nil {
		f.T.Fatal(err)
	}
}

func (f FSTree) Files() map[string]string {
	out := map[string]string{}
	var walk func(rel string)
	walk = func(rel string) {
		d, err := f.FS.OpenFile(context.Background(), f.name(rel), os.O_RDONLY, 0)
		if err != nil {
			return
		}
		infos, _ := d.Readdir(0)
		d.Close()
		for _, fi := range infos {
			p := path.Join(rel, fi.Name())
			if fi.IsDir() {
				out[p] = "/"
				walk(p)
			} else {
				out[p], _ = f.Read(p)
			}
		}
	}
	walk("")
	return out
}

func (f FSTree) ID(p string) string {
	if _, err := f.FS.Stat(context.Background(), f.name(p)); err != nil {
		return ""
	}
	return f.IDOf(f.name(p))
}
