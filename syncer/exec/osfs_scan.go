package exec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// hashAttempts bounds how often Scan re-reads a file that changes while it is hashed.
const hashAttempts = 3

// Scan implements LocalFS. It walks the tree without following symlinks and returns the
// nodes sorted by path. Left out: Ignored names and everything below them, and the trash
// and lost+found folders at the top of a mounted file system inside the root (the trash
// this OSFS moves deleted items to must not sync back), and the home trash if the root
// contains it.
//
// A folder that cannot be listed fails the whole scan (reading it as empty would look like
// deletions), unless opts.Unreadable takes the report: then the folder is returned without
// its content and the scan goes on. A file that vanishes during the scan is left out. A file that cannot be read
// (permission denied) or that kept changing while it was hashed is returned without Hash;
// a later upload reads it again and fails or retries there.
func (o *OSFS) Scan(ctx context.Context, opts ScanOptions) ([]plan.Node, error) {
	rfi, err := os.Stat(o.root)
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	if !rfi.IsDir() {
		return nil, fmt.Errorf("scan: sync folder %s is not a folder", o.root)
	}
	s := &scanner{ctx: ctx, opts: opts}
	if home, err := o.homeTrashDir(); err == nil {
		s.homeTrash = home
	}
	dev, _ := deviceOf(rfi)
	top := isMountTop(o.root, rfi)
	if len(opts.Only) == 0 {
		if err := s.walk("", o.root, dev, top); err != nil {
			return nil, err
		}
	} else {
		for _, r := range onlyRoots(opts.Only) {
			if err := s.scanRoot(o, r, dev, top); err != nil {
				return nil, err
			}
		}
	}
	sort.Slice(s.out, func(i, j int) bool { return s.out[i].Path < s.out[j].Path })
	return s.out, nil
}

// scanRoot scans Only path r (see ScanOptions.Only): it is skipped when it does not exist,
// lies below a symlink or a file, or would be left out by a full scan (an ignored name, a
// folder when subfolders are off, a file system's trash, the home trash).
func (s *scanner) scanRoot(o *OSFS, r string, rootDev uint64, rootTop bool) error {
	if r == "" {
		return s.walk("", o.root, rootDev, rootTop)
	}
	full, err := o.resolve("scan", r)
	if errors.Is(err, errSymlink) {
		return nil
	}
	if err != nil {
		return s.entryFailed(r, err)
	}
	if s.homeTrash != "" && strings.HasPrefix(full, s.homeTrash+string(filepath.Separator)) {
		return nil
	}
	els := strings.Split(r, "/")
	if !s.opts.IncludeSubfolders && len(els) > 1 {
		return nil
	}
	dir, dev, top := o.root, rootDev, rootTop
	for i, el := range els {
		if Ignored(el) || top && topdirReserved(el) {
			return nil
		}
		if i == len(els)-1 {
			break
		}
		// el is a folder (resolve checked): is it the top of another file system?
		dir = filepath.Join(dir, el)
		fi, err := os.Lstat(dir)
		if err != nil {
			return nil // gone meanwhile
		}
		cdev, _ := deviceOf(fi)
		top, dev = cdev != dev, cdev
	}
	fi, err := os.Lstat(full)
	if err != nil {
		return s.entryFailed(r, err)
	}
	return s.visit(r, full, fi, dev)
}

type scanner struct {
	ctx       context.Context
	opts      ScanOptions
	homeTrash string
	out       []plan.Node
	zero      *remote.Meta // shared by the nodes without metadata (opts.Meta)
}

// entryFailed decides about an entry that could not be read: one gone meanwhile and one
// reported unreadable (opts.Unreadable) are left out (nil); otherwise the scan fails.
func (s *scanner) entryFailed(p string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case s.opts.Unreadable != nil:
		s.opts.Unreadable(p, err)
		return nil
	}
	return fmt.Errorf("scan: %w", err)
}

// walk lists folder dir (set-relative rel, device dev); top says dir is the top of a
// mounted file system.
func (s *scanner) walk(rel, dir string, dev uint64, top bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if rel != "" && s.opts.Unreadable != nil && s.ctx.Err() == nil {
			s.opts.Unreadable(rel, err)
			return nil
		}
		return fmt.Errorf("scan: folder %q cannot be listed, so its content is unknown: %w", rel, err)
	}
	for _, e := range entries {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		if Ignored(name) || top && topdirReserved(name) {
			continue
		}
		p, full := name, filepath.Join(dir, name)
		if rel != "" {
			p = rel + "/" + name
		}
		fi, err := e.Info() // an Lstat
		if err != nil {
			if err := s.entryFailed(p, err); err != nil {
				return err
			}
			continue
		}
		if err := s.visit(p, full, fi, dev); err != nil {
			return err
		}
	}
	return nil
}

// visit adds the node at set-relative p (full path full, Lstat fi, in a folder on device
// dev) and, for a folder, walks its content.
func (s *scanner) visit(p, full string, fi fs.FileInfo, dev uint64) error {
	if fi.IsDir() && (!s.opts.IncludeSubfolders || full == s.homeTrash) {
		return nil
	}
	n, err := describe(p, full, fi, nil)
	if err != nil {
		return s.entryFailed(p, err)
	}
	if s.opts.Select != nil && !s.opts.Select(n) {
		return nil
	}
	s.metaOf(&n, full) // before Keep: a changed title is a change
	if fi.IsDir() {
		if s.opts.keep(n) {
			s.add(n)
		}
		cdev, _ := deviceOf(fi)
		return s.walk(p, full, cdev, cdev != dev)
	}
	if !s.opts.keep(n) {
		return nil
	}
	if !n.Unsupported {
		meta := n.Meta
		var gone bool
		if n, gone, err = s.hash(n, full); err != nil {
			return err
		} else if gone {
			return nil
		}
		n.Meta = meta
	}
	s.add(n)
	return nil
}

// add returns n from the scan, or hands it to opts.Emit.
func (s *scanner) add(n plan.Node) {
	if s.opts.Emit != nil {
		s.opts.Emit(n)
		return
	}
	s.out = append(s.out, n)
}

// hash fills n.Hash from opts.Known when it knows n's (ID, Version), else by reading the
// file. The node returned describes the content hashed (it is re-read from the open file).
// gone: the file vanished.
func (s *scanner) hash(n plan.Node, full string) (plan.Node, bool, error) {
	if s.opts.Known != nil {
		if v, h, ok := s.opts.Known(n.ID); ok && v == n.Version {
			n.Hash = h
			return n, false, nil
		}
	}
	if s.opts.Hash != nil && !s.opts.Hash(n) {
		return n, false, nil
	}
	for range hashAttempts {
		f, err := openNoFollow(full)
		if errors.Is(err, fs.ErrNotExist) {
			return n, true, nil
		}
		if err != nil {
			return n, false, nil // unreadable: no hash (see Scan)
		}
		before, h, after, err := hashOpen(s.ctx, n.Path, full, f)
		f.Close()
		if cerr := s.ctx.Err(); cerr != nil {
			return n, false, cerr
		}
		if err != nil {
			return n, false, nil
		}
		if before.ID == after.ID && before.Version == after.Version && !before.Unsupported {
			before.Hash = h
			return before, false, nil
		}
		n = after
	}
	n.Hash = "" // kept changing
	return n, false, nil
}

// hashOpen reads open file f and returns its node before and after the read, and the hash.
func hashOpen(ctx context.Context, p, full string, f *os.File) (before plan.Node, sum string, after plan.Node, err error) {
	fi, err := f.Stat()
	if err != nil {
		return
	}
	if before, err = describe(p, full, fi, f); err != nil {
		return
	}
	h := sha256.New()
	if _, err = io.Copy(h, memCtxReader{ctx, f}); err != nil {
		return
	}
	if fi, err = f.Stat(); err != nil {
		return
	}
	after, err = describe(p, full, fi, f)
	return before, hex.EncodeToString(h.Sum(nil)), after, err
}

// topdirReserved reports whether name, directly inside the top of a mounted file system,
// is the file system's trash (".Trash", ".Trash-<uid>") or lost+found: never synced.
func topdirReserved(name string) bool {
	if name == ".Trash" || name == "lost+found" {
		return true
	}
	uid, ok := strings.CutPrefix(name, ".Trash-")
	if !ok || uid == "" {
		return false
	}
	for _, c := range uid {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isMountTop reports whether folder dir (described by fi) is the top of a mounted file
// system: its parent is on another device, or it is the file system root.
func isMountTop(dir string, fi fs.FileInfo) bool {
	dev, ok := deviceOf(fi)
	if !ok {
		return false
	}
	parent := filepath.Dir(dir)
	if parent == dir {
		return true
	}
	pfi, err := os.Stat(parent)
	if err != nil {
		return false
	}
	pdev, ok := deviceOf(pfi)
	return ok && pdev != dev
}
