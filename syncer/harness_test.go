package syncer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

// The engine's unit tests run the real engine over the in-memory doubles: memstore, a
// memremote cloud, and MemFS local folders (one per root, created on first use).

// testRoot is the local folder most tests sync.
const testRoot = "/home/u/Docs"

// rig is one engine under test with its doubles.
type rig struct {
	t       *testing.T
	eng     *syncer.Engine
	store   *memstore.Store
	rem     *memremote.Remote
	locals  map[string]*exec.MemFS // written while the engine runs only by setLocal
	localMu sync.Mutex             // orders setLocal with the engine's LocalFS
	watch   chan syncer.WatchEvent // the watcher of testRoot's set: see event

	secrets *credentials.Memory
	stop    func() // stops the engine (restart)
}

// newRig starts an engine; tweak adjusts its config before New.
func newRig(t *testing.T, tweak func(*syncer.Config)) *rig {
	t.Helper()
	return newRigWith(t, memremote.New(), tweak)
}

// newRigWith is newRig with the cloud rem.
func newRigWith(t *testing.T, rem *memremote.Remote, tweak func(*syncer.Config)) *rig {
	t.Helper()
	r := &rig{t: t, store: memstore.New("installation-1"), rem: rem, locals: map[string]*exec.MemFS{},
		watch: make(chan syncer.WatchEvent), secrets: credentials.NewMemory()}
	r.locals[testRoot] = exec.NewMemFS()
	r.start(tweak)
	if _, err := r.eng.AddAccount(r.ctx(), syncer.AddAccountRequest{
		Name: "cloud", Type: "webdav", URL: "http://127.0.0.1:1/", User: "u", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	return r
}

// start starts an engine over the rig's store, keyring, cloud and local folders.
func (r *rig) start(tweak func(*syncer.Config)) {
	t := r.t
	t.Helper()
	cfg := syncer.Config{
		Store:   r.store,
		Secrets: r.secrets,
		Dial:    func(model.Account, string) (remote.Remote, error) { return r.rem, nil },
		LocalFS: func(root string) exec.LocalFS {
			r.localMu.Lock()
			defer r.localMu.Unlock()
			if fs, ok := r.locals[root]; ok {
				return fs
			}
			missing := exec.NewMemFS()
			missing.SetRootMissing(true)
			return missing
		},
		Watch: func(ctx context.Context, root string, _ bool, _ time.Duration) (<-chan syncer.WatchEvent, error) {
			if root != testRoot {
				return nil, errors.New("no watcher for " + root)
			}
			return r.watch, nil
		},
		PollInterval:   time.Hour,
		RescanInterval: time.Hour,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	eng, err := syncer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.eng = eng
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { _ = eng.Run(ctx); close(stopped) }()
	r.stop = func() { // (again: at once)
		cancel()
		select {
		case <-stopped:
		case <-time.After(30 * time.Second):
			t.Error("the engine did not stop within 30 s")
		}
	}
	t.Cleanup(r.stop)
}

// restart stops the engine and starts a new one over what the old one left: the store,
// the keyring, the cloud and the local folders. Nothing else survives, as after kill -9
// (the in-memory store has no unwritten state to lose).
func (r *rig) restart(tweak func(*syncer.Config)) {
	r.t.Helper()
	r.stop()
	r.start(tweak)
}

func (r *rig) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	r.t.Cleanup(cancel)
	return ctx
}

// setLocal makes fs the local folder root (the engine may be running).
func (r *rig) setLocal(root string, fs *exec.MemFS) {
	r.localMu.Lock()
	r.locals[root] = fs
	r.localMu.Unlock()
}

// local is the MemFS of testRoot.
func (r *rig) local() *exec.MemFS { return r.locals[testRoot] }

// write writes a local file below testRoot, creating its folders.
func (r *rig) write(p, data string) {
	r.t.Helper()
	if err := r.local().WriteFile(p, []byte(data)); err != nil {
		r.t.Fatal(err)
	}
}

// syncFolder creates a folder set of testRoot with options o and waits for it.
func (r *rig) syncFolder(o model.Options) model.Set {
	r.t.Helper()
	s, err := r.eng.CreateSet(r.ctx(), syncer.CreateSetRequest{Paths: []string{testRoot}, Account: "cloud", To: "Docs", Options: o})
	if err != nil {
		r.t.Fatal(err)
	}
	r.wait()
	return s
}

// wait waits until the engine settled.
func (r *rig) wait() {
	r.t.Helper()
	if err := r.eng.Wait(r.ctx()); err != nil {
		r.t.Fatalf("wait: %v", err)
	}
}

// info is the Sync Info of testRoot-relative p.
func (r *rig) info(p string) syncer.ItemInfo {
	r.t.Helper()
	info, err := r.eng.Info(r.ctx(), testRoot+"/"+p)
	if err != nil {
		r.t.Fatalf("info %s: %v", p, err)
	}
	return info
}

// status is the engine status.
func (r *rig) status() syncer.Status {
	r.t.Helper()
	st, err := r.eng.Status(r.ctx())
	if err != nil {
		r.t.Fatal(err)
	}
	return st
}

// event delivers a watcher event for testRoot-relative paths to testRoot's set.
func (r *rig) event(paths ...string) {
	r.t.Helper()
	select {
	case r.watch <- syncer.WatchEvent{Paths: paths}:
	case <-r.ctx().Done():
		r.t.Fatal("the engine did not take the watcher event")
	}
}

// eventually polls cond until it holds (10 s at most): for what the engine does after an
// event it handles on its own goroutine.
func (r *rig) eventually(what string, cond func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("not within 10 s: %s", what)
		}
	}
}

// offline makes every cloud request fail as an unreachable server does.
func (r *rig) offline(on bool) {
	if !on {
		r.rem.SetFault(nil)
		return
	}
	r.rem.SetFault(func(op, p string) error { return &remote.Error{Kind: remote.ErrNetwork, Op: op, Path: p} })
}
