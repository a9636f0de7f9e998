package exec

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// Stage implements LocalFS: r is written to ".cloudsync-<random>.part" in p's folder,
// hashed, fsynced and closed. On any error (including ctx ending) the temp file is removed.
func (o *OSFS) Stage(ctx context.Context, p string, r io.Reader) (Staged, error) {
	if p == "" {
		return nil, pathErr("stage", p, fs.ErrInvalid)
	}
	full, err := o.resolve("stage", p)
	if err != nil {
		return nil, err
	}
	f, tmp, err := createTemp(filepath.Dir(full))
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), memCtxReader{ctx, r})
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("stage %s: %w", p, err)
	}
	return &osStaged{o: o, p: p, tmp: tmp, hash: hex.EncodeToString(h.Sum(nil)), size: n}, nil
}

// RemoveStaged implements LocalFS: it removes the regular files of folder dir named
// ".cloudsync-<16 hex digits>.part" (createTemp's names), and fsyncs the folder.
func (o *OSFS) RemoveStaged(dir string) (int, error) {
	full, err := o.resolve("remove staged", dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, err
	}
	entries, err := os.ReadDir(full)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if !isStagedName(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(full, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		n++
	}
	if n > 0 {
		syncDir(full)
	}
	return n, nil
}

// createTemp creates a new, empty temp file in dir whose name Ignored covers.
func createTemp(dir string) (*os.File, string, error) {
	for range 10 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, "", err
		}
		tmp := filepath.Join(dir, tempPrefix+hex.EncodeToString(b[:])+tempSuffix)
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, tmp, err
	}
	return nil, "", fmt.Errorf("no free temporary file name in %s", dir)
}

type osStaged struct {
	o    *OSFS
	p    string
	tmp  string
	hash string
	size int64

	mu   sync.Mutex
	done bool // committed, or the temp file removed
}

func (s *osStaged) Hash() string { return s.hash }
func (s *osStaged) Size() int64  { return s.size }

// Commit implements Staged. The order is: re-check the target; set mtime on the temp file;
// hard-link (or copy) the target to backup; re-check again; rename the temp over the target
// (for a new file with a no-replace rename, so a file created meanwhile is never replaced);
// fsync the folder. Any failure removes the temp file (Discard is then a no-op) and a backup
// made by this call; nothing else is touched. The node returned is the committed file's, as
// read before the rename (a rename keeps the inode, size and mtime), so it is what was
// written even if another program changes the file right after.
func (s *osStaged) Commit(expect *plan.Node, backup string, mtime time.Time) (plan.Node, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return plan.Node{}, pathErr("commit", s.p, fs.ErrClosed)
	}
	s.done = true
	committed := false
	defer func() {
		if !committed {
			os.Remove(s.tmp)
		}
	}()
	full, err := s.o.resolve("commit", s.p)
	if err != nil {
		return plan.Node{}, err
	}
	if err := recheck(s.p, full, expect); err != nil {
		return plan.Node{}, err
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(s.tmp, mtime, mtime); err != nil {
			return plan.Node{}, err
		}
	}
	tfi, err := os.Lstat(s.tmp)
	if err != nil {
		return plan.Node{}, err
	}
	node, err := describe(s.p, s.tmp, tfi, nil)
	if err != nil {
		return plan.Node{}, err
	}
	if backup != "" && expect != nil {
		bfull, err := s.o.resolve("backup", backup)
		if err != nil {
			return plan.Node{}, err
		}
		if err := linkOrCopy(full, bfull); err != nil {
			return plan.Node{}, err
		}
		if err := recheck(s.p, full, expect); err != nil {
			os.Remove(bfull) // made by this call; the target still holds the user's content
			return plan.Node{}, err
		}
		if filepath.Dir(bfull) != filepath.Dir(full) {
			syncDir(filepath.Dir(bfull))
		}
	}
	if s.o.beforeRename != nil {
		s.o.beforeRename(s.p)
	}
	if expect == nil {
		err = renameNoReplace(s.tmp, full)
		if errors.Is(err, fs.ErrExist) {
			return plan.Node{}, fmt.Errorf("commit %s: created meanwhile: %w", s.p, ErrLocalChanged)
		}
	} else {
		err = os.Rename(s.tmp, full)
	}
	if err != nil {
		return plan.Node{}, err
	}
	committed = true
	syncDir(filepath.Dir(full))
	return node, nil
}

// recheck returns ErrLocalChanged unless full is still what expect describes (nil: absent).
func recheck(p, full string, expect *plan.Node) error {
	fi, err := os.Lstat(full)
	if expect == nil {
		switch {
		case err == nil:
			return fmt.Errorf("commit %s: created meanwhile: %w", p, ErrLocalChanged)
		case errors.Is(err, fs.ErrNotExist):
			return nil
		}
		return err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("commit %s: %w: %w", p, ErrLocalChanged, err)
	}
	if err != nil {
		return err
	}
	cur, err := describe(p, full, fi, nil)
	if err != nil {
		return err
	}
	if cur.IsDir || cur.Unsupported || cur.ID != expect.ID || cur.Version != expect.Version {
		return fmt.Errorf("commit %s: %w", p, ErrLocalChanged)
	}
	return nil
}

// linkOrCopy makes dst a hard link of src, or, where the file system has no hard links, a
// fsynced copy with src's mtime. An existing dst is never replaced (ErrExist).
func linkOrCopy(src, dst string) error {
	err := os.Link(src, dst)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return &os.LinkError{Op: "backup", Old: src, New: dst, Err: ErrExist}
	case errors.Is(err, fs.ErrNotExist):
		return err
	}
	in, err := openNoFollow(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if errors.Is(err, fs.ErrExist) {
		return &os.LinkError{Op: "backup", Old: src, New: dst, Err: ErrExist}
	}
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(dst, fi.ModTime(), fi.ModTime())
	}
	if err != nil {
		os.Remove(dst)
		return fmt.Errorf("backup copy of %s: %w", src, err)
	}
	return nil
}

// Discard implements Staged: it removes the temp file unless Commit already ran.
func (s *osStaged) Discard() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil
	}
	s.done = true
	if err := os.Remove(s.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
