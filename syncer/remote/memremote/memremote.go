// Package memremote is an in-memory remote.Remote: a cloud for the engine's unit,
// scenario and simulation tests. It keeps a real tree with stable ids (or path ids, like a
// WebDAV server without oc:fileid), bumps versions on every write, keeps deleted content in
// a trash (so a test oracle can find every byte ever written), counts calls by operation and
// lets a test inject faults. It is a test double, used in addition to the real WebDAV
// servers, never instead of them.
//
// It may import syncer/remote of this module.
package memremote

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Remote is an in-memory cloud. The zero value is not usable; call New.
// Paths are account-relative in the canonical remote.Clean form. It is safe for concurrent use.
type Remote struct {
	// Fault, when set, is called at the start of every call with the operation name
	// ("stat", "readdir", "list", "open", "upload", "mkdir", "move", "delete") and path;
	// a non-nil error is returned as the call's result. Set it before concurrent use or
	// through SetFault.
	fault func(op, p string) error

	mu      sync.Mutex
	pathIDs bool
	items   map[string]*item
	seq     int
	calls   map[string]int
	trash   []Trashed
	clock   time.Time
	noMeta  bool // keeps no metadata (NoMeta)
	bumps   bool // a metadata change makes a new version (MetaBumpsVersion)
}

type item struct {
	id      string
	dir     bool
	data    []byte
	version string
	mtime   time.Time
	meta    remote.Meta // meta.go
}

// Trashed is an item Delete (or an overwrite by Upload) put aside: its path then and content.
type Trashed struct {
	Path string
	Data []byte
}

// Option configures New.
type Option func(*Remote)

// PathIDs makes entries' ids their paths (IDIsPath), like a WebDAV server without
// oc:fileid: a move then looks like delete + create to the engine.
func PathIDs() Option { return func(r *Remote) { r.pathIDs = true } }

// New returns an empty remote whose root exists.
func New(opts ...Option) *Remote {
	r := &Remote{items: map[string]*item{}, calls: map[string]int{}, clock: time.Unix(1_700_000_000, 0)}
	for _, o := range opts {
		o(r)
	}
	return r
}

var _ remote.Remote = (*Remote)(nil)

// SetFault installs (or with nil removes) the fault hook.
func (r *Remote) SetFault(f func(op, p string) error) {
	r.mu.Lock()
	r.fault = f
	r.mu.Unlock()
}

// Calls returns how many calls of op ("upload", "move", …) were made so far.
func (r *Remote) Calls(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[op]
}

// Mutations returns the number of calls that change the tree.
func (r *Remote) Mutations() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls["upload"] + r.calls["mkdir"] + r.calls["move"] + r.calls["delete"]
}

func (r *Remote) enter(ctx context.Context, op, p string) error {
	r.mu.Lock()
	r.calls[op]++
	f := r.fault
	r.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if f != nil {
		return f(op, p)
	}
	return nil
}

func errOf(kind error, op, p string) error { return &remote.Error{Kind: kind, Op: op, Path: p} }

// newItem and write must be called with r.mu held.
func (r *Remote) newItem(dir bool, data []byte) *item {
	r.seq++
	it := &item{id: fmt.Sprintf("mr:%d", r.seq), dir: dir}
	r.write(it, data)
	return it
}

func (r *Remote) write(it *item, data []byte) {
	r.seq++
	it.data = bytes.Clone(data)
	it.version = fmt.Sprintf("v%d", r.seq)
	it.mtime = r.clock.Add(time.Duration(r.seq) * time.Second)
}

func (r *Remote) entry(p string, it *item) remote.Entry {
	e := remote.Entry{ID: it.id, Path: p, IsDir: it.dir, Version: it.version, ModTime: it.mtime}
	if r.pathIDs {
		e.ID, e.IDIsPath = p, true
	}
	if !it.dir {
		e.Size = int64(len(it.data))
		s := sha256.Sum256(it.data)
		e.Hash = "sha256:" + hex.EncodeToString(s[:])
	}
	if !it.meta.IsZero() && !r.noMeta {
		m := it.meta
		e.Meta = &m
	}
	return e
}

func (r *Remote) parentOK(p string) bool {
	d := parent(p)
	if d == "" {
		return true
	}
	it := r.items[d]
	return it != nil && it.dir
}

func parent(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}

// under lists p and the paths below it, sorted.
func (r *Remote) under(p string) []string {
	var out []string
	for k := range r.items {
		if p == "" || k == p || strings.HasPrefix(k, p+"/") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// matches reports whether e still names item it at its path.
func (r *Remote) matches(e remote.Entry, it *item) bool {
	return e.IDIsPath || r.pathIDs || e.ID == "" || e.ID == it.id
}

func (r *Remote) Stat(ctx context.Context, p string) (remote.Entry, error) {
	p = remote.Clean(p)
	if err := r.enter(ctx, "stat", p); err != nil {
		return remote.Entry{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p == "" {
		return remote.Entry{ID: "mr:root", IsDir: true, Version: "root"}, nil
	}
	it := r.items[p]
	if it == nil {
		return remote.Entry{}, errOf(remote.ErrNotFound, "stat", p)
	}
	return r.entry(p, it), nil
}

func (r *Remote) ReadDir(ctx context.Context, p string) ([]remote.Entry, error) {
	p = remote.Clean(p)
	if err := r.enter(ctx, "readdir", p); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if it := r.items[p]; p != "" && (it == nil || !it.dir) {
		return nil, errOf(remote.ErrNotFound, "readdir", p)
	}
	var out []remote.Entry
	for _, k := range r.under(p) {
		if k != p && parent(k) == p {
			out = append(out, r.entry(k, r.items[k]))
		}
	}
	return out, nil
}

func (r *Remote) List(ctx context.Context, root string, prev []remote.Entry) ([]remote.Entry, error) {
	root = remote.Clean(root)
	if err := r.enter(ctx, "list", root); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if it := r.items[root]; root != "" && (it == nil || !it.dir) {
		return nil, errOf(remote.ErrNotFound, "list", root)
	}
	var out []remote.Entry
	for _, k := range r.under(root) {
		if k == root {
			continue
		}
		e := r.entry(k, r.items[k])
		if root != "" {
			e.Path = strings.TrimPrefix(k, root+"/")
			if r.pathIDs {
				e.ID = k
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func (r *Remote) Open(ctx context.Context, e remote.Entry, offset int64) (io.ReadCloser, error) {
	p := remote.Clean(e.Path)
	if err := r.enter(ctx, "open", p); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	it := r.items[p]
	if it == nil || it.dir || !r.matches(e, it) {
		return nil, errOf(remote.ErrNotFound, "open", p)
	}
	data := it.data[min(max(offset, 0), int64(len(it.data))):]
	return io.NopCloser(bytes.NewReader(bytes.Clone(data))), nil
}

func (r *Remote) Upload(ctx context.Context, p string, replace *remote.Entry, body io.Reader, size int64) (remote.Entry, error) {
	p = remote.Clean(p)
	if err := r.enter(ctx, "upload", p); err != nil {
		return remote.Entry{}, err
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNetwork, Op: "upload", Path: p, Err: err}
	}
	if int64(len(data)) != size {
		return remote.Entry{}, errOf(remote.ErrNetwork, "upload: short body", p)
	}
	if err := remote.ValidateRemoteName(path.Base(p)); err != nil || p == "" {
		return remote.Entry{}, errOf(remote.ErrInvalidName, "upload", p)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	it := r.items[p]
	switch {
	case !r.parentOK(p):
		return remote.Entry{}, errOf(remote.ErrNotFound, "upload", p)
	case replace == nil && it != nil:
		return remote.Entry{}, errOf(remote.ErrNameClash, "upload", p)
	case replace != nil && it == nil:
		return remote.Entry{}, errOf(remote.ErrNotFound, "upload", p)
	case replace != nil && (it.dir || !r.matches(*replace, it) || replace.Version != "" && replace.Version != it.version):
		return remote.Entry{}, errOf(remote.ErrChanged, "upload", p)
	case it == nil:
		it = r.newItem(false, data)
		r.items[p] = it
	default:
		r.trash = append(r.trash, Trashed{Path: p, Data: it.data}) // version history
		r.write(it, data)
	}
	return r.entry(p, it), nil
}

func (r *Remote) Mkdir(ctx context.Context, p string) (remote.Entry, error) {
	p = remote.Clean(p)
	if err := r.enter(ctx, "mkdir", p); err != nil {
		return remote.Entry{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case p == "" || r.items[p] != nil:
		return remote.Entry{}, errOf(remote.ErrNameClash, "mkdir", p)
	case !r.parentOK(p):
		return remote.Entry{}, errOf(remote.ErrNotFound, "mkdir", p)
	}
	it := r.newItem(true, nil)
	r.items[p] = it
	return r.entry(p, it), nil
}

func (r *Remote) Move(ctx context.Context, e remote.Entry, newPath string) (remote.Entry, error) {
	from, to := remote.Clean(e.Path), remote.Clean(newPath)
	if err := r.enter(ctx, "move", from); err != nil {
		return remote.Entry{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	it := r.items[from]
	switch {
	case it == nil || !r.matches(e, it):
		return remote.Entry{}, errOf(remote.ErrNotFound, "move", from)
	case !r.parentOK(to):
		return remote.Entry{}, errOf(remote.ErrNotFound, "move", to)
	case r.items[to] != nil && to != from:
		return remote.Entry{}, errOf(remote.ErrNameClash, "move", to)
	case to == from || strings.HasPrefix(to, from+"/"):
		return remote.Entry{}, errOf(remote.ErrInvalidName, "move", to)
	}
	r.moveTree(from, to)
	return r.entry(to, it), nil
}

func (r *Remote) Delete(ctx context.Context, e remote.Entry) error {
	p := remote.Clean(e.Path)
	if err := r.enter(ctx, "delete", p); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	it := r.items[p]
	if it == nil || p == "" || !r.matches(e, it) {
		return errOf(remote.ErrNotFound, "delete", p)
	}
	for _, k := range r.under(p) {
		if d := r.items[k]; !d.dir {
			r.trash = append(r.trash, Trashed{Path: k, Data: d.data})
		}
		delete(r.items, k)
	}
	return nil
}

// WebURL names a page for e, as a server with a web UI would (View in Cloud).
func (r *Remote) WebURL(e remote.Entry) string {
	return "https://cloud.invalid/files/" + remote.Clean(e.Path)
}

var _ remote.WebURLer = (*Remote)(nil)
