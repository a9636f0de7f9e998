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
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
	"github.com/cloudsync/cloudsync/syncer/state"
)

// TestScenariosXNetWebDAV runs every scenario with the real engine, the real local file
// system, the Badger store and the WebDAV remote against golang.org/x/net/webdav on
// 127.0.0.1.
func TestScenariosXNetWebDAV(t *testing.T) {
	Run(t, func(t *testing.T) *Env { return webdavEnv(t, StartXNetWebDAV) })
}

// TestScenariosRcloneWebDAV runs every scenario against Debian's `rclone serve webdav`.
func TestScenariosRcloneWebDAV(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the rclone scenarios")
	}
	Run(t, func(t *testing.T) *Env { return webdavEnv(t, StartRclone) })
}

type startServer func(t testing.TB, dir, user, pass string, m *Meter) string

func webdavEnv(t testing.TB, start startServer) *Env {
	base := t.TempDir()
	served := filepath.Join(base, "server")
	root := filepath.Join(base, "home", "Docs")
	for _, d := range []string{served, root} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("XDG_DATA_HOME", filepath.Join(base, "xdg-data"))
	meter := &Meter{}
	url := start(t, served, "alice", "wonderland", meter)
	store, err := state.Open(filepath.Join(base, "state"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := syncer.New(syncer.Config{
		Store:   store,
		Secrets: credentials.NewMemory(),
		Dial: func(a model.Account, secret string) (remote.Remote, error) {
			return webdav.New(webdav.Config{URL: a.URL, User: a.User, Password: secret})
		},
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
	if _, err := eng.AddAccount(context.Background(), syncer.AddAccountRequest{
		Name: "dav", Type: "webdav", URL: url, User: "alice", Password: "wonderland"}); err != nil {
		t.Fatal(err)
	}
	hidden := root + ".unmounted"
	return &Env{
		T: t, Local: DirTree{T: t, Root: root}, Cloud: DirTree{T: t, Root: filepath.Join(served, "Docs")}, Ctl: eng,
		Root: root, Account: "dav", CloudFolder: "Docs",
		Calls:  meter.Calls,
		Fault:  meter.SetFault,
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
