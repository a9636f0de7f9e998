package sim

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

// The engine sees the world through these wrappers: each durable step passes the crash
// model; the remote wrapper also injects faults and mid-pass edits, and the local one
// holds the gate.

// simStore is the memstore behind the crash model.
type simStore struct {
	*memstore.Store
	c *crash
}

func (s *simStore) PutAccount(a model.Account) error {
	if err := s.c.step("store put-account"); err != nil {
		return err
	}
	return s.Store.PutAccount(a)
}

func (s *simStore) DeleteAccount(name string) error {
	if err := s.c.step("store delete-account"); err != nil {
		return err
	}
	return s.Store.DeleteAccount(name)
}

func (s *simStore) PutSet(x model.Set) error {
	if err := s.c.step("store put-set"); err != nil {
		return err
	}
	return s.Store.PutSet(x)
}

func (s *simStore) DeleteSet(id string) error {
	if err := s.c.step("store delete-set"); err != nil {
		return err
	}
	return s.Store.DeleteSet(id)
}

func (s *simStore) PutItems(set string, put []model.Item, del []string) error {
	if err := s.c.step("store put-items"); err != nil {
		return err
	}
	return s.Store.PutItems(set, put, del)
}

func (s *simStore) PutIntents(set, batch string, put []model.Intent, del []string) error {
	if err := s.c.step("store put-intents"); err != nil {
		return err
	}
	return s.Store.PutIntents(set, batch, put, del)
}

func (s *simStore) NextKey(set string) (string, error) {
	if err := s.c.step("store next-key"); err != nil {
		return "", err
	}
	return s.Store.NextKey(set)
}

func (s *simStore) PutConfig(name, value string) error {
	if err := s.c.step("store put-config"); err != nil {
		return err
	}
	return s.Store.PutConfig(name, value)
}

// simFS is the set's MemFS behind the gate and the crash model.
type simFS struct {
	w  *world
	fs *exec.MemFS
	c  *crash
	g  *gate
}

func (f *simFS) RootOK(hadItems bool) error { return f.fs.RootOK(hadItems) }

func (f *simFS) Scan(ctx context.Context, opts exec.ScanOptions) ([]plan.Node, error) {
	f.g.enter()
	f.w.mu.Lock()
	f.w.scans++
	f.w.mu.Unlock()
	f.w.unseen.scanned(f.w.insideUnreadable)
	return f.fs.Scan(ctx, opts)
}

func (f *simFS) Stat(p string) (plan.Node, error) { return f.fs.Stat(p) }

func (f *simFS) Open(p string) (io.ReadCloser, plan.Node, error) { return f.fs.Open(p) }

func (f *simFS) Stage(ctx context.Context, p string, r io.Reader) (exec.Staged, error) {
	if err := f.c.step("local stage " + p); err != nil {
		return nil, err
	}
	st, err := f.fs.Stage(ctx, p, r)
	if err != nil {
		return nil, err
	}
	return &simStaged{Staged: st, c: f.c, p: p}, nil
}

func (f *simFS) RemoveStaged(dir string) (int, error) {
	if err := f.c.step("local remove-staged " + dir); err != nil {
		return 0, err
	}
	return f.fs.RemoveStaged(dir)
}

func (f *simFS) Mkdir(p string) (plan.Node, error) {
	if err := f.c.step("local mkdir " + p); err != nil {
		return plan.Node{}, err
	}
	return f.fs.Mkdir(p)
}

func (f *simFS) Rename(from, to string) (plan.Node, error) {
	if err := f.c.step("local rename " + from + " → " + to); err != nil {
		return plan.Node{}, err
	}
	n, err := f.fs.Rename(from, to)
	if err == nil {
		f.w.moveUnreadable(from, to) // (permissions go with the folder)
		f.w.unseen.moved(true, from, to)
	}
	return n, err
}

func (f *simFS) Trash(p string, expect plan.Node) error {
	if err := f.c.step("local trash " + p); err != nil {
		return err
	}
	err := f.fs.Trash(p, expect)
	if err == nil {
		f.w.moveUnreadable(p, "")
	}
	return err
}

func (f *simFS) FreeName(p string, now time.Time) string { return f.fs.FreeName(p, now) }

func (f *simFS) SetReadOnly(p string, ro bool, mode uint32) (uint32, error) {
	if err := f.c.step("local chmod " + p); err != nil {
		return 0, err
	}
	return f.fs.SetReadOnly(p, ro, mode)
}

type simStaged struct {
	exec.Staged
	c *crash
	p string
}

func (s *simStaged) Commit(expect *plan.Node, backup string, mtime time.Time) (plan.Node, error) {
	if err := s.c.step("local commit " + s.p); err != nil {
		return plan.Node{}, err
	}
	return s.Staged.Commit(expect, backup, mtime)
}

// Discard after a crash does nothing: the temp file stays, as on disk.
func (s *simStaged) Discard() error {
	if s.c.isDead() {
		return nil
	}
	return s.Staged.Discard()
}

// simRemote is the memremote behind faults, mid-pass edits and the crash model.
type simRemote struct {
	w *world
	r *memremote.Remote
	c *crash
}

// enter runs before every call: maybe a person edits a side first, maybe the call fails.
// lost reports a fault that lets a mutation happen and loses its response.
func (s *simRemote) enter(ctx context.Context, op, p string, mutating bool) (lost bool, err error) {
	w := s.w
	w.mu.Lock()
	editing, faults := w.editing, w.faults
	w.mu.Unlock()
	if w.opt.jitter {
		time.Sleep(time.Duration(w.intn(50)) * time.Microsecond)
	}
	if editing && w.chance(w.opt.midPass) {
		w.randomEdit("mid-pass before " + op + " " + p)
	}
	if faults && w.chance(w.opt.faultRate) {
		kinds := []error{remote.ErrNetwork, remote.ErrServer, remote.ErrQuota, remote.ErrLocked}
		kind := kinds[w.intn(len(kinds))]
		if mutating && w.chance(0.3) {
			w.logf("fault: %s %s applied, response lost", op, p)
			return true, &remote.Error{Kind: remote.ErrNetwork, Op: op, Path: p, Message: "injected: response lost"}
		}
		w.logf("fault: %s %s → %v", op, p, kind)
		return false, &remote.Error{Kind: kind, Op: op, Path: p, Message: "injected"}
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if mutating {
		if err := s.c.step("remote " + op + " " + p); err != nil {
			return false, &remote.Error{Kind: remote.ErrNetwork, Op: op, Path: p, Err: err}
		}
	}
	return false, nil
}

// rel is the set-relative path of account path p.
func rel(p string) string {
	r, _ := strings.CutPrefix(remote.Clean(p), cloudFolder+"/")
	return r
}

// lostStep is the durable step of a mutation whose response a fault loses.
func (s *simRemote) lostStep(op, p string) error {
	if err := s.c.step("remote " + op + " " + p + " (response lost)"); err != nil {
		return &remote.Error{Kind: remote.ErrNetwork, Op: op, Path: p, Err: err}
	}
	return nil
}

func (s *simRemote) Stat(ctx context.Context, p string) (remote.Entry, error) {
	if _, err := s.enter(ctx, "stat", p, false); err != nil {
		return remote.Entry{}, err
	}
	return s.r.Stat(ctx, p)
}

func (s *simRemote) ReadDir(ctx context.Context, p string) ([]remote.Entry, error) {
	if _, err := s.enter(ctx, "readdir", p, false); err != nil {
		return nil, err
	}
	return s.r.ReadDir(ctx, p)
}

func (s *simRemote) List(ctx context.Context, root string, prev []remote.Entry) ([]remote.Entry, error) {
	if _, err := s.enter(ctx, "list", root, false); err != nil {
		return nil, err
	}
	failed := s.w.unseen.listing()
	out, err := s.r.List(ctx, root, prev)
	if err != nil {
		failed()
	}
	return out, err
}

func (s *simRemote) Open(ctx context.Context, e remote.Entry, offset int64) (io.ReadCloser, error) {
	if _, err := s.enter(ctx, "open", e.Path, false); err != nil {
		return nil, err
	}
	return s.r.Open(ctx, e, offset)
}

func (s *simRemote) Upload(ctx context.Context, p string, replace *remote.Entry, body io.Reader, size int64) (remote.Entry, error) {
	lost, err := s.enter(ctx, "upload", p, true)
	if lost {
		if err := s.lostStep("upload", p); err != nil {
			return remote.Entry{}, err
		}
		_, _ = s.r.Upload(ctx, p, replace, body, size)
		return remote.Entry{}, err
	}
	if err != nil {
		s.cut(p, body, err)
		return remote.Entry{}, err
	}
	e, err := s.r.Upload(ctx, p, replace, body, size)
	if err == nil {
		s.w.mu.Lock()
		s.w.uploads = append(s.w.uploads, p)
		s.w.mu.Unlock()
	}
	return e, err
}

// cut models a server that writes an upload in place under its real name (rclone,
// x/net/webdav): an upload cut by a crash of the engine during it (half the time) or by a
// network failure (a third of them) leaves the first bytes that arrived under its name.
func (s *simRemote) cut(p string, body io.Reader, err error) {
	w := s.w
	switch {
	case s.c.killedIn("remote upload " + p):
		if !w.chance(0.5) {
			return
		}
	case errors.Is(err, errCrashed) || !errors.Is(err, remote.ErrNetwork) || !w.chance(0.3):
		return
	}
	data, _ := io.ReadAll(body)
	if len(data) == 0 {
		return
	}
	k := w.intn(len(data))
	w.led.cutUpload(string(data[:k]), string(data))
	if w.opt.stats != nil {
		w.opt.stats.cutUploads.Add(1)
	}
	w.rem.Put(p, data[:k])
	w.logf("  server: the cut upload left %d of its %d bytes at %s", k, len(data), p)
}

func (s *simRemote) Mkdir(ctx context.Context, p string) (remote.Entry, error) {
	lost, err := s.enter(ctx, "mkdir", p, true)
	if lost {
		if err := s.lostStep("mkdir", p); err != nil {
			return remote.Entry{}, err
		}
		_, _ = s.r.Mkdir(ctx, p)
		return remote.Entry{}, err
	}
	if err != nil {
		return remote.Entry{}, err
	}
	e, err := s.r.Mkdir(ctx, p)
	if err == nil {
		s.w.mu.Lock()
		s.w.uploads = append(s.w.uploads, p)
		s.w.mu.Unlock()
	}
	return e, err
}

func (s *simRemote) Move(ctx context.Context, e remote.Entry, newPath string) (remote.Entry, error) {
	lost, err := s.enter(ctx, "move", e.Path, true)
	if lost {
		if err := s.lostStep("move", e.Path); err != nil {
			return remote.Entry{}, err
		}
		if _, merr := s.r.Move(ctx, e, newPath); merr == nil {
			s.w.unseen.moved(false, rel(e.Path), rel(newPath))
		}
		return remote.Entry{}, err
	}
	if err != nil {
		return remote.Entry{}, err
	}
	en, err := s.r.Move(ctx, e, newPath)
	if err == nil {
		s.w.unseen.moved(false, rel(e.Path), rel(newPath))
	}
	return en, err
}

func (s *simRemote) Delete(ctx context.Context, e remote.Entry) error {
	if rel, ok := strings.CutPrefix(e.Path, cloudFolder+"/"); ok && s.w.underUnreadable(rel) && s.w.localTree()[rel] != "" {
		s.w.mu.Lock() // (an engine goroutine: the oracle reports it at the end)
		s.w.blindDeletes = append(s.w.blindDeletes, e.Path)
		s.w.mu.Unlock()
	}
	lost, err := s.enter(ctx, "delete", e.Path, true)
	if lost {
		if err := s.lostStep("delete", e.Path); err != nil {
			return err
		}
		_ = s.r.Delete(ctx, e)
		return err
	}
	if err != nil {
		return err
	}
	return s.r.Delete(ctx, e)
}
