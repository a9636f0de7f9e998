package scenario

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/state"
)

// osCloud is what an environment over the real local file system needs to know of its
// cloud: how to dial it, the account to add, the set's cloud folder as a Tree and as the
// --to path, and the request counter and fault hooks of its server (cut, setMtime and mtime
// may be nil).
type osCloud struct {
	dial        func(a model.Account, secret string) (remote.Remote, error)
	account     syncer.AddAccountRequest
	tree        Tree
	cloudFolder string
	calls       func(op string) int
	fault       func(f func(op, p string) int)
	tweak       []func(*syncer.Config) // changes to the engine's configuration
	cut         func(on bool)
	setMtime    func(p string, t time.Time)
	mtime       func(p string) time.Time
}

// osEnv builds an Env with the real engine over the real file system (local root
// base/home/Docs, desktop trash under base/xdg-data) and the Badger store, syncing with c.
// Restart stops the engine and starts a new one over the same store, folders and keyring.
func osEnv(t testing.TB, base string, c osCloud) *Env {
	root := filepath.Join(base, "home", "Docs")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	store, err := state.Open(filepath.Join(base, "state"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	t.Cleanup(func() { MakeWritable(base) }) // so TempDir can remove locked files
	secrets := credentials.NewMemory()
	newEngine := func() (*syncer.Engine, func()) {
		cfg := syncer.Config{
			Store:   store,
			Secrets: secrets,
			Dial:    c.dial,
			// Each environment has its own desktop trash, so environments can run in parallel.
			LocalFS: func(root string) exec.LocalFS {
				return exec.NewOSFSWithTrash(root, filepath.Join(base, "xdg-data", "Trash"))
			},
			PollInterval:   time.Hour,
			RescanInterval: time.Hour,
			Log:            testLog(t),
		}
		for _, f := range c.tweak {
			f(&cfg)
		}
		eng, err := syncer.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return eng, startEngine(t, eng)
	}
	eng, stop := newEngine()
	if _, err := eng.AddAccount(context.Background(), c.account); err != nil {
		t.Fatal(err)
	}
	e := &Env{
		T: t, Cloud: c.tree, Ctl: eng, Account: c.account.Name, CloudFolder: c.cloudFolder,
		Calls:      c.calls,
		Fault:      c.fault,
		CutUploads: c.cut,
		Events:     func() []syncer.Event { return events(eng) },
	}
	e.Restart = func(whileDown func()) {
		stop()
		if whileDown != nil {
			whileDown()
		}
		eng, stop = newEngine()
		e.Ctl = eng
	}
	if c.setMtime != nil && c.mtime != nil {
		e.CloudMtime = func(p, like string) { c.setMtime(p, c.mtime(like)) }
	}
	LocalDir(e, t, root, filepath.Join(base, "xdg-data"))
	return e
}
