package exec

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// fakeRemote is a small in-memory remote.Remote for exec's tests (ids "r:N", versions bump
// on every write), instrumented to count concurrent calls and to inject faults, delays and
// broken streams. Paths are account-relative.
type fakeRemote struct {
	mu    sync.Mutex
	items map[string]*fakeItem
	seq   int

	inflight, maxInflight int
	calls                 []string // "op path", in call order

	// fault, when set, runs at the start of every call; a non-nil error is returned.
	fault func(op, p string) error
	// delay makes every call take that long (honouring ctx).
	delay time.Duration
	// block, when set, makes Open wait until ctx is done.
	block bool
	// breakAt, when > 0, makes the next breaks streams from Open fail with a network
	// error after that many bytes.
	breakAt int64
	breaks  int
	// afterUploadRead runs after Upload has read the whole body, before it stores it.
	afterUploadRead func(p string)
	// onCall, when set, sees every call's context, op and path.
	onCall func(ctx context.Context, op, p string)
	// endless makes Open's streams go on past the file's content without end; endlessRead
	// counts the bytes read from that part.
	endless     bool
	endlessRead int64
}

type fakeItem struct {
	id      string
	dir     bool
	data    []byte
	version string
	meta    remote.Meta // see meta_test.go
}

func newFakeRemote() *fakeRemote { return &fakeRemote{items: map[string]*fakeItem{}} }

var _ remote.Remote = (*fakeRemote)(nil)

func fakeErr(kind error, op, p string) error { return &remote.Error{Kind: kind, Op: op, Path: p} }

func (f *fakeRemote) enter(ctx context.Context, op, p string) error {
	if f.onCall != nil {
		f.onCall(ctx, op, p)
	}
	f.mu.Lock()
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	f.calls = append(f.calls, op+" "+p)
	fault := f.fault
	f.mu.Unlock()
	if fault != nil {
		if err := fault(op, p); err != nil {
			return err
		}
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ctx.Err()
}

func (f *fakeRemote) exit() {
	f.mu.Lock()
	f.inflight--
	f.mu.Unlock()
}

func (f *fakeRemote) bump(it *fakeItem, data []byte) {
	f.seq++
	it.data = bytes.Clone(data)
	it.version = fmt.Sprintf("etag-%d", f.seq)
}

func (f *fakeRemote) newItem(dir bool, data []byte) *fakeItem {
	f.seq++
	it := &fakeItem{id: fmt.Sprintf("r:%d", f.seq), dir: dir}
	f.bump(it, data)
	return it
}

func (f *fakeRemote) entryOf(p string, it *fakeItem) remote.Entry {
	e := remote.Entry{ID: it.id, Path: p, IsDir: it.dir, Size: int64(len(it.data)), Version: it.version}
	if !it.meta.IsZero() {
		m := it.meta
		e.Meta = &m
	}
	return e
}

func (f *fakeRemote) parentOK(p string) bool {
	d := path.Dir(p)
	if d == "." {
		return true
	}
	it := f.items[d]
	return it != nil && it.dir
}

// put writes file p (and its missing folders) directly, as another client would.
func (f *fakeRemote) put(p string, data string) remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		if f.items[d] == nil {
			f.items[d] = f.newItem(true, nil)
		}
	}
	it := f.items[p]
	if it == nil {
		it = f.newItem(false, []byte(data))
		f.items[p] = it
	} else {
		f.bump(it, []byte(data))
	}
	return f.entryOf(p, it)
}

func (f *fakeRemote) mkdirAll(p string) remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range []string{path.Dir(p), p} {
		if d != "." && f.items[d] == nil {
			f.items[d] = f.newItem(true, nil)
		}
	}
	return f.entryOf(p, f.items[p])
}

func (f *fakeRemote) content(p string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.items[p]
	if it == nil || it.dir {
		return "", false
	}
	return string(it.data), true
}

func (f *fakeRemote) remove(p string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.items {
		if k == p || strings.HasPrefix(k, p+"/") {
			delete(f.items, k)
		}
	}
}

func (f *fakeRemote) callCount(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if strings.HasPrefix(c, op+" ") {
			n++
		}
	}
	return n
}

func (f *fakeRemote) Stat(ctx context.Context, p string) (remote.Entry, error) {
	if err := f.enter(ctx, "stat", p); err != nil {
		f.exit()
		return remote.Entry{}, err
	}
	defer f.exit()
	f.mu.Lock()
	defer f.mu.Unlock()
	if p == "" {
		return remote.Entry{ID: "r:root", IsDir: true}, nil
	}
	it := f.items[p]
	if it == nil {
		return remote.Entry{}, fakeErr(remote.ErrNotFound, "stat", p)
	}
	return f.entryOf(p, it), nil
}

func (f *fakeRemote) ReadDir(ctx context.Context, p string) ([]remote.Entry, error) {
	return nil, fakeErr(remote.ErrUnsupported, "readdir", p)
}

func (f *fakeRemote) List(ctx context.Context, root string, prev []remote.Entry) ([]remote.Entry, error) {
	return nil, fakeErr(remote.ErrUnsupported, "list", root)
}

func (f *fakeRemote) Open(ctx context.Context, e remote.Entry, offset int64) (io.ReadCloser, error) {
	if err := f.enter(ctx, "open", e.Path); err != nil {
		f.exit()
		return nil, err
	}
	defer f.exit()
	if f.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.items[e.Path]
	if it == nil || it.dir {
		return nil, fakeErr(remote.ErrNotFound, "open", e.Path)
	}
	data := it.data[min(offset, int64(len(it.data))):]
	var r io.Reader = bytes.NewReader(data)
	if f.breakAt > 0 && f.breaks > 0 && int64(len(data)) > f.breakAt {
		f.breaks--
		r = io.MultiReader(bytes.NewReader(data[:f.breakAt]), errReader{fakeErr(remote.ErrNetwork, "read", e.Path)})
	}
	if f.endless {
		r = io.MultiReader(r, &endlessReader{n: &f.endlessRead})
	}
	return io.NopCloser(r), nil
}

// endlessReader never ends; it counts what it gave.
type endlessReader struct{ n *int64 }

func (e *endlessReader) Read(p []byte) (int, error) {
	clear(p)
	*e.n += int64(len(p))
	return len(p), nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func (f *fakeRemote) Upload(ctx context.Context, p string, replace *remote.Entry, r io.Reader, size int64) (remote.Entry, error) {
	if err := f.enter(ctx, "upload", p); err != nil {
		f.exit()
		return remote.Entry{}, err
	}
	defer f.exit()
	data, err := io.ReadAll(r)
	if err != nil {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNetwork, Op: "upload", Path: p, Err: err}
	}
	if int64(len(data)) != size {
		return remote.Entry{}, fakeErr(remote.ErrNetwork, "upload: short body", p)
	}
	if f.afterUploadRead != nil {
		f.afterUploadRead(p)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.items[p]
	switch {
	case !f.parentOK(p):
		return remote.Entry{}, fakeErr(remote.ErrNotFound, "upload", p)
	case replace == nil && it != nil:
		return remote.Entry{}, fakeErr(remote.ErrNameClash, "upload", p)
	case replace != nil && it == nil:
		return remote.Entry{}, fakeErr(remote.ErrNotFound, "upload", p)
	case replace != nil && (it.id != replace.ID || it.version != replace.Version):
		return remote.Entry{}, fakeErr(remote.ErrChanged, "upload", p)
	case it == nil:
		it = f.newItem(false, data)
		f.items[p] = it
	default:
		f.bump(it, data)
	}
	return f.entryOf(p, it), nil
}

func (f *fakeRemote) Mkdir(ctx context.Context, p string) (remote.Entry, error) {
	if err := f.enter(ctx, "mkdir", p); err != nil {
		f.exit()
		return remote.Entry{}, err
	}
	defer f.exit()
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case !f.parentOK(p):
		return remote.Entry{}, fakeErr(remote.ErrNotFound, "mkdir", p)
	case f.items[p] != nil:
		return remote.Entry{}, fakeErr(remote.ErrNameClash, "mkdir", p)
	}
	it := f.newItem(true, nil)
	f.items[p] = it
	return f.entryOf(p, it), nil
}

func (f *fakeRemote) Move(ctx context.Context, e remote.Entry, newPath string) (remote.Entry, error) {
	if err := f.enter(ctx, "move", e.Path); err != nil {
		f.exit()
		return remote.Entry{}, err
	}
	defer f.exit()
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.items[e.Path]
	switch {
	case it == nil || it.id != e.ID:
		return remote.Entry{}, fakeErr(remote.ErrNotFound, "move", e.Path)
	case !f.parentOK(newPath):
		return remote.Entry{}, fakeErr(remote.ErrNotFound, "move", newPath)
	case f.items[newPath] != nil:
		return remote.Entry{}, fakeErr(remote.ErrNameClash, "move", newPath)
	}
	moved := map[string]*fakeItem{}
	for k, v := range f.items {
		if k == e.Path || strings.HasPrefix(k, e.Path+"/") {
			moved[newPath+strings.TrimPrefix(k, e.Path)] = v
			delete(f.items, k)
		}
	}
	for k, v := range moved {
		f.items[k] = v
	}
	return f.entryOf(newPath, it), nil
}

func (f *fakeRemote) Delete(ctx context.Context, e remote.Entry) error {
	if err := f.enter(ctx, "delete", e.Path); err != nil {
		f.exit()
		return err
	}
	defer f.exit()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.items[e.Path] == nil {
		return fakeErr(remote.ErrNotFound, "delete", e.Path)
	}
	for k := range f.items {
		if k == e.Path || strings.HasPrefix(k, e.Path+"/") {
			delete(f.items, k)
		}
	}
	return nil
}
