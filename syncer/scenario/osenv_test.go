package scenario

import (
	"context"
	"io/fs"
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
// --to path, and the request counter and fault hook of its server.
type osCloud struct {
	dial        func(a model.Account, secret string) (remote.Remote, error)
	account     syncer.AddAccountRequest
	tree        Tree
	cloudFolder string
	calls       func(op string) int
	fault       func(f func(op, p string) int)
}

// osEnv builds an Env with the real engine over the real file system (local root
// base/home/Docs, desktop trash under base/xdg-data) and the Badger store, syncing with c.
func osEnv(t testing.TB, base string, c osCloud) *Env {
	root := filepath.Join(base, "home", "Docs")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_DATA_HOME", filepath.Join(base, "xdg-data"))
	store, err := state.Open(filepath.Join(base, "state"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := syncer.New(syncer.Config{
		Store:          store,
		Secrets:        credentials.NewMemory(),
		Dial:           c.dial,
		LocalFS:        func(root string) exec.LocalFS { return exec.NewOSFS(root) },
		PollInterval:   time.Hour,
		RescanInterval: time.Hour,
		Log:            testLog(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	startEngine(t, eng)
	t.Cleanup(func() { store.Close() })
	t.Cleanup(func() { makeWritable(base) }) // so TempDir can remove locked files
	if _, err := eng.AddAccount(context.Background(), c.account); err != nil {
		t.Fatal(err)
	}
	hidden := root + ".unmounted"
	return &Env{
		T: t, Local: DirTree{T: t, Root: root}, Cloud: c.tree, Ctl: eng,
		Root: root, Account: c.account.Name, CloudFolder: c.cloudFolder,
		Calls:  c.calls,
		Fault:  c.fault,
		Events: func() []syncer.Event { return events(eng) },
		HideLocalRoot: func(hide bool) {
			from, to := root, hidden
			if !hide {
				from, to = hidden, root
			}
			if err := os.Rename(from, to); err != nil {
				t.Fatal(err)
			}
		},
		LocalTrash: func() []string { return trashContents(filepath.Join(base, "xdg-data", "Trash", "files")) },
		Symlink: func(p, target string) {
			if err := os.Symlink(target, filepath.Join(root, p)); err != nil {
				t.Fatal(err)
			}
		},
		Mode: func(p string) uint32 {
			fi, err := os.Lstat(filepath.Join(root, p))
			if err != nil {
				t.Fatal(err)
			}
			return uint32(fi.Mode().Perm())
		},
	}
}

// trashContents returns the contents of the files in a freedesktop trash's files/ folder.
func trashContents(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, err := os.ReadFile(p); err == nil {
				out = append(out, string(b))
			}
		}
		return nil
	})
	return out
}

func makeWritable(dir string) {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			_ = os.Chmod(p, 0o644)
		}
		return nil
	})
}
