package exec

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// MemFS is an in-memory LocalFS for tests and simulations. It keeps the OS implementation's
// contract: ids ("mem:N") are stable across renames and in-place writes, every write gives a
// new Version, Rename and Mkdir never overwrite, Commit and Trash re-check their target and
// return ErrLocalChanged, and a committed download gets a new id (the temp file's, as a
// rename over the target does on disk) while a conflict backup keeps the old one (a hard
// link). Deleted items go to a trash list that tests can read.
//
// The hook fields let a test act at precise moments; set them before use. MemFS is safe for
// concurrent use; hooks are called without its lock held, so they may call its methods.
type MemFS struct {
	// BeforeCommit is called by Staged.Commit for target p before the re-check, so a test
	// can change the target between Stage and Commit.
	BeforeCommit func(p string)
	// OnRead is called by a reader from Open after each Read of p, with the bytes read so
	// far, so a test can change the file while it is being uploaded.
	OnRead func(p string, off int64)
	// Fault is consulted by each operation with its name ("scan", "stat", "open", "read",
	// "stage", "commit", "mkdir", "rename" and "rename-to" with both paths, "trash") and
	// path; a non-nil error is returned.
	// A scan asks it for "" (the whole scan fails) and, when its ScanOptions.Unreadable is
	// set, for every folder (reported unreadable, left out with its content).
	Fault func(op, p string) error

	mu       sync.Mutex
	nodes    map[string]*memNode // by set-relative path; the root "" is implicit
	seq      int64
	trash    []MemTrashed
	temps    map[*memStaged]bool // staged, neither committed nor discarded
	rootGone bool
	noMeta   error // why items' metadata is not kept (SetMetaSupport); nil: kept
}

type memNode struct {
	id      string
	dir     bool
	special bool
	data    []byte
	version string
	mtime   time.Time
	mode    uint32
	meta    remote.Meta // title, description, author (memfs_meta.go)
}

// MemTrashed is an item MemFS.Trash moved to the trash: Files maps the paths below it
// (relative to Path; "" for a trashed file itself) to their content.
type MemTrashed struct {
	Path  string
	ID    string
	IsDir bool
	Files map[string][]byte
}

// NewMemFS returns an empty MemFS whose root exists.
func NewMemFS() *MemFS {
	return &MemFS{nodes: map[string]*memNode{}, temps: map[*memStaged]bool{}}
}

var _ LocalFS = (*MemFS)(nil)

func memErr(op, p string, err error) error { return &fs.PathError{Op: op, Path: p, Err: err} }

// fault runs the Fault hook; it must be called without m.mu held.
func (m *MemFS) fault(op, p string) error {
	if m.Fault == nil {
		return nil
	}
	return m.Fault(op, p)
}

// bump returns a fresh sequence number; m.mu must be held.
func (m *MemFS) bump() int64 { m.seq++; return m.seq }

func (m *MemFS) newNode(dir bool, data []byte) *memNode {
	n := &memNode{id: fmt.Sprintf("mem:%d", m.bump()), dir: dir, mode: 0o755}
	if !dir {
		n.mode = 0o644
		m.write(n, data)
	}
	return n
}

// write replaces n's content and gives it a new version and mtime; m.mu must be held.
func (m *MemFS) write(n *memNode, data []byte) {
	s := m.bump()
	n.data = bytes.Clone(data)
	n.mtime = time.Unix(1_700_000_000+s, 0)
	n.version = fmt.Sprintf("%d:%d", len(data), s)
}

func (m *MemFS) describe(p string, n *memNode) plan.Node {
	out := plan.Node{Path: p, IsDir: n.dir, ID: n.id, Unsupported: n.special}
	if !n.dir {
		out.Version, out.Size, out.ModTime = n.version, int64(len(n.data)), n.mtime
	}
	return out
}

// dirExists reports whether p is the root or a folder; m.mu must be held.
func (m *MemFS) dirExists(p string) bool {
	if p == "" || p == "." {
		return true
	}
	n := m.nodes[p]
	return n != nil && n.dir
}

func memParent(p string) string {
	if d := path.Dir(p); d != "." {
		return d
	}
	return ""
}

// RootOK implements LocalFS. SetRootMissing simulates an unmounted root.
func (m *MemFS) RootOK(hadItems bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.rootGone:
		return memErr("root", "", fs.ErrNotExist)
	case hadItems && len(m.nodes) == 0:
		return errors.New("memfs: the sync root is empty although the base has items (unmounted?)")
	}
	return nil
}

// SetRootMissing makes RootOK fail as for a vanished or unmounted root.
func (m *MemFS) SetRootMissing(gone bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rootGone = gone
}

// Scan implements LocalFS.
func (m *MemFS) Scan(ctx context.Context, opts ScanOptions) ([]plan.Node, error) {
	if err := m.fault("scan", ""); err != nil {
		return nil, err
	}
	// Snapshot under the lock, then consult opts.Known without it: Known belongs to the
	// caller and may call back into the file system. Contents are replaced on write, never
	// mutated, so the data slices stay valid after unlocking.
	type snap struct {
		d    plan.Node
		data []byte
		file bool
	}
	roots := onlyRoots(opts.Only)
	m.mu.Lock()
	var snaps []snap
	var zero *remote.Meta // shared by the nodes without metadata, as OSFS's scan shares one
	for _, p := range m.sortedPaths("") {
		if err := ctx.Err(); err != nil {
			m.mu.Unlock()
			return nil, err
		}
		n := m.nodes[p]
		if memIgnoredPath(p) || !opts.IncludeSubfolders && (strings.Contains(p, "/") || n.dir) || !m.underRoots(p, roots) {
			continue
		}
		d := m.scanned(p, n, opts)
		if d.Meta != nil && d.Meta.IsZero() {
			if zero == nil {
				zero = d.Meta
			}
			d.Meta = zero
		}
		snaps = append(snaps, snap{d: d, data: n.data, file: !n.dir && !n.special})
	}
	m.mu.Unlock()
	out := make([]plan.Node, 0, len(snaps))
	var pruned []string // folders left out with their content: unreadable, or refused by Select
	for _, sn := range snaps {
		d := sn.d
		if memBelowAny(d.Path, pruned) {
			continue
		}
		if opts.Select != nil && !opts.Select(d) {
			if d.IsDir {
				pruned = append(pruned, d.Path)
			}
			continue
		}
		if d.IsDir && opts.Unreadable != nil { // listing the folder: the Fault hook may refuse it
			if err := m.fault("scan", d.Path); err != nil {
				opts.Unreadable(d.Path, err)
				pruned = append(pruned, d.Path)
			}
		}
		if !opts.keep(d) {
			continue
		}
		if sn.file {
			if v, h, ok := memKnown(opts, d.ID); ok && v == d.Version {
				d.Hash = h
			} else if opts.Hash == nil || opts.Hash(d) {
				d.Hash = memHash(sn.data)
			}
		}
		if opts.Emit != nil {
			opts.Emit(d)
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

// memBelowAny reports whether p lies below one of the folders dirs.
func memBelowAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// underRoots reports whether p is one of roots or below one (every path when roots is
// empty) and every folder above it, up to that root, is a real folder (a special node
// stands for a symlink: a scan does not go below it). m.mu must be held.
func (m *MemFS) underRoots(p string, roots []string) bool {
	if len(roots) == 0 {
		return true
	}
	for _, r := range roots {
		if p != r && r != "" && !strings.HasPrefix(p, r+"/") {
			continue
		}
		for q := path.Dir(p); q != "." && (r == "" || len(q) >= len(r)); q = path.Dir(q) {
			if a, ok := m.nodes[q]; !ok || !a.dir {
				return false
			}
		}
		for q := path.Dir(r); q != "." && r != ""; q = path.Dir(q) {
			if a, ok := m.nodes[q]; !ok || !a.dir {
				return false
			}
		}
		return true
	}
	return false
}

func memKnown(opts ScanOptions, id string) (string, string, bool) {
	if opts.Known == nil {
		return "", "", false
	}
	return opts.Known(id)
}

// memIgnoredPath reports whether an element of p is an ignored name (see Ignored).
func memIgnoredPath(p string) bool {
	for _, name := range strings.Split(p, "/") {
		if Ignored(name) {
			return true
		}
	}
	return false
}

func memHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sortedPaths lists the paths at and below p (all paths for ""); m.mu must be held.
func (m *MemFS) sortedPaths(p string) []string {
	var out []string
	for k := range m.nodes {
		if p == "" || k == p || strings.HasPrefix(k, p+"/") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Stat implements LocalFS.
func (m *MemFS) Stat(p string) (plan.Node, error) {
	if err := m.fault("stat", p); err != nil {
		return plan.Node{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if p == "" {
		return plan.Node{IsDir: true, ID: "mem:root"}, nil
	}
	n := m.nodes[p]
	if n == nil {
		return plan.Node{}, memErr("stat", p, fs.ErrNotExist)
	}
	return m.describe(p, n), nil
}

// Open implements LocalFS. The reader sees the content as it was when opened.
func (m *MemFS) Open(p string) (io.ReadCloser, plan.Node, error) {
	if err := m.fault("open", p); err != nil {
		return nil, plan.Node{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	switch {
	case n == nil:
		return nil, plan.Node{}, memErr("open", p, fs.ErrNotExist)
	case n.dir, n.special:
		return nil, plan.Node{}, memErr("open", p, errors.New("not a regular file"))
	}
	return &memReader{m: m, p: p, data: n.data}, m.describe(p, n), nil
}

type memReader struct {
	m    *MemFS
	p    string
	data []byte
	off  int64
}

func (r *memReader) Read(b []byte) (int, error) {
	if err := r.m.fault("read", r.p); err != nil {
		return 0, err
	}
	if r.off >= int64(len(r.data)) {
		return 0, io.EOF
	}
	n := copy(b, r.data[r.off:])
	r.off += int64(n)
	if r.m.OnRead != nil {
		r.m.OnRead(r.p, r.off)
	}
	return n, nil
}

func (r *memReader) Close() error { return nil }

// Stage implements LocalFS.
func (m *MemFS) Stage(ctx context.Context, p string, r io.Reader) (Staged, error) {
	if err := m.fault("stage", p); err != nil {
		return nil, err
	}
	m.mu.Lock()
	ok := m.dirExists(memParent(p))
	m.mu.Unlock()
	if !ok {
		return nil, memErr("stage", p, fs.ErrNotExist)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, memCtxReader{ctx, r}); err != nil {
		return nil, fmt.Errorf("stage %s: %w", p, err)
	}
	st := &memStaged{m: m, p: p, data: buf.Bytes(), hash: memHash(buf.Bytes())}
	m.mu.Lock()
	m.temps[st] = true
	m.mu.Unlock()
	return st, nil
}

// RemoveStaged implements LocalFS: it drops the staged files of folder dir; committing one
// afterwards fails as for a temp file removed on disk.
func (m *MemFS) RemoveStaged(dir string) (int, error) {
	if err := m.fault("remove-staged", dir); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for st := range m.temps {
		if memParent(st.p) == dir {
			delete(m.temps, st)
			st.done, st.removed = true, true
			n++
		}
	}
	return n, nil
}

type memCtxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c memCtxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

type memStaged struct {
	m    *MemFS
	p    string
	data []byte
	hash string
	meta remote.Meta // the committed file's metadata (MetaStaged); guarded by m.mu
	done bool        // committed or discarded; guarded by m.mu
	// removed: RemoveStaged took the temp file away; guarded by m.mu
	removed bool
}

func (s *memStaged) Hash() string { return s.hash }
func (s *memStaged) Size() int64  { return int64(len(s.data)) }

// Commit implements Staged.
func (s *memStaged) Commit(expect *plan.Node, backup string, mtime time.Time) (plan.Node, error) {
	m := s.m
	if m.BeforeCommit != nil {
		m.BeforeCommit(s.p)
	}
	if err := m.fault("commit", s.p); err != nil {
		return plan.Node{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.removed {
		return plan.Node{}, memErr("commit", s.p, fs.ErrNotExist)
	}
	if s.done {
		return plan.Node{}, memErr("commit", s.p, fs.ErrClosed)
	}
	if !m.dirExists(memParent(s.p)) {
		return plan.Node{}, memErr("commit", s.p, fs.ErrNotExist)
	}
	cur := m.nodes[s.p]
	if expect == nil && cur != nil ||
		expect != nil && (cur == nil || cur.dir || cur.id != expect.ID || cur.version != expect.Version) {
		s.done = true
		delete(m.temps, s)
		return plan.Node{}, fmt.Errorf("commit %s: %w", s.p, ErrLocalChanged)
	}
	if backup != "" && cur != nil {
		if m.nodes[backup] != nil || !m.dirExists(memParent(backup)) {
			return plan.Node{}, memErr("link", backup, ErrExist)
		}
		m.nodes[backup] = cur // a hard link: the backup keeps the old file's id
	}
	n := m.newNode(false, s.data)
	n.meta = s.meta
	if !mtime.IsZero() {
		n.mtime = mtime
	}
	m.nodes[s.p] = n
	s.done = true
	delete(m.temps, s)
	return m.describe(s.p, n), nil
}

// Discard implements Staged.
func (s *memStaged) Discard() error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if !s.done {
		s.done = true
		delete(s.m.temps, s)
	}
	return nil
}

// Mkdir implements LocalFS.
func (m *MemFS) Mkdir(p string) (plan.Node, error) {
	if err := m.fault("mkdir", p); err != nil {
		return plan.Node{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := m.nodes[p]; n != nil {
		if n.dir {
			return m.describe(p, n), nil
		}
		return plan.Node{}, memErr("mkdir", p, ErrExist)
	}
	if p == "" || !m.dirExists(memParent(p)) {
		return plan.Node{}, memErr("mkdir", p, fs.ErrNotExist)
	}
	n := m.newNode(true, nil)
	m.nodes[p] = n
	return m.describe(p, n), nil
}

// Rename implements LocalFS. Ids and versions are kept, for a folder's whole subtree.
func (m *MemFS) Rename(from, to string) (plan.Node, error) {
	if err := m.fault("rename", from); err != nil {
		return plan.Node{}, err
	}
	if err := m.fault("rename-to", to); err != nil {
		return plan.Node{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[from]
	switch {
	case n == nil:
		return plan.Node{}, memErr("rename", from, fs.ErrNotExist)
	case from == to:
		return m.describe(to, n), nil
	case m.nodes[to] != nil:
		return plan.Node{}, memErr("rename", to, ErrExist)
	case to == "" || !m.dirExists(memParent(to)):
		return plan.Node{}, memErr("rename", to, fs.ErrNotExist)
	case strings.HasPrefix(to, from+"/"):
		return plan.Node{}, memErr("rename", to, fs.ErrInvalid)
	}
	for _, k := range m.sortedPaths(from) {
		m.nodes[to+strings.TrimPrefix(k, from)] = m.nodes[k]
		delete(m.nodes, k)
	}
	return m.describe(to, n), nil
}

// Trash implements LocalFS: p (with its subtree) moves to the trash list.
func (m *MemFS) Trash(p string, expect plan.Node) error {
	if err := m.fault("trash", p); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	switch {
	case n == nil:
		return memErr("trash", p, fs.ErrNotExist)
	case n.id != expect.ID || n.dir != expect.IsDir || !n.dir && n.version != expect.Version:
		return fmt.Errorf("trash %s: %w", p, ErrLocalChanged)
	}
	t := MemTrashed{Path: p, ID: n.id, IsDir: n.dir, Files: map[string][]byte{}}
	for _, k := range m.sortedPaths(p) {
		if c := m.nodes[k]; !c.dir {
			t.Files[strings.TrimPrefix(strings.TrimPrefix(k, p), "/")] = c.data
		}
		delete(m.nodes, k)
	}
	m.trash = append(m.trash, t)
	return nil
}

// FreeName implements LocalFS.
func (m *MemFS) FreeName(p string, now time.Time) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base := memParent(p), path.Base(p)
	ext := path.Ext(base)
	if ext == base || m.dirExists(p) {
		ext = "" // ".profile", or a folder
	}
	stem := strings.TrimSuffix(base, ext)
	for i := 1; ; i++ {
		tag := now.Format("2006-01-02 150405")
		if i > 1 {
			tag += fmt.Sprintf(" %d", i)
		}
		c := remote.Join(dir, fmt.Sprintf("%s (conflict copy %s)%s", stem, tag, ext))
		if m.nodes[c] == nil {
			return c
		}
	}
}

// SetReadOnly implements LocalFS (only the mode bits are kept; writes are not refused).
func (m *MemFS) SetReadOnly(p string, ro bool, mode uint32) (uint32, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	if n == nil {
		return 0, memErr("chmod", p, fs.ErrNotExist)
	}
	prev := n.mode
	if ro {
		n.mode = prev &^ 0o222
	} else {
		n.mode = mode
	}
	return prev, nil
}
