package scenario

import (
	"context"
	"errors"
	"log/slog"
	"path"
	"strings"
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

// TestScenariosInMemory runs every scenario against the engine over in-memory doubles: a
// cloud with stable node ids, and one whose ids are paths (like a WebDAV server without
// oc:fileid).
func TestScenariosInMemory(t *testing.T) {
	t.Run("NodeIDs", func(t *testing.T) { Run(t, func(t *testing.T) *Env { return memEnv(t) }) })
	t.Run("PathIDs", func(t *testing.T) { Run(t, func(t *testing.T) *Env { return memEnv(t, memremote.PathIDs()) }) })
}

const memRoot = "/sim/home/Docs"

func memEnv(t testing.TB, opts ...memremote.Option) *Env {
	store := memstore.New("installation-1")
	rem := memremote.New(opts...)
	local := exec.NewMemFS()
	secrets := credentials.NewMemory()
	newEngine := func() (*syncer.Engine, func()) {
		eng, err := syncer.New(syncer.Config{
			Store:   store,
			Secrets: secrets,
			Dial:    func(model.Account, string) (remote.Remote, error) { return rem, nil },
			LocalFS: func(root string) exec.LocalFS {
				if root == memRoot {
					return local
				}
				missing := exec.NewMemFS()
				missing.SetRootMissing(true)
				return missing
			},
			PollInterval:   time.Hour,
			RescanInterval: time.Hour,
			Log:            testLog(t),
		})
		if err != nil {
			t.Fatal(err)
		}
		return eng, startEngine(t, eng)
	}
	eng, stop := newEngine()
	if _, err := eng.AddAccount(context.Background(), syncer.AddAccountRequest{
		Name: "cloud", Type: "webdav", URL: "http://127.0.0.1:1/", User: "u", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	opName := func(op string) string {
		if op == "download" {
			return "open"
		}
		return op
	}
	e := &Env{
		T: t, Local: MemTree{T: t, FS: local}, Cloud: RemoteTree{R: rem, Folder: "Docs"}, Ctl: eng,
		Root: memRoot, Account: "cloud", CloudFolder: "Docs",
		Calls: func(op string) int { return rem.Calls(opName(op)) },
		Fault: func(f func(op, p string) int) {
			if f == nil {
				rem.SetFault(nil)
				return
			}
			rem.SetFault(func(op, p string) error {
				if op == "open" {
					op = "download"
				}
				return statusError(op, p, f(op, p))
			})
		},
		Events:        func() []syncer.Event { return events(eng) },
		HideLocalRoot: local.SetRootMissing,
		LocalTrash: func() []string {
			var out []string
			for _, tr := range local.Trashed() {
				for _, b := range tr.Files {
					out = append(out, string(b))
				}
			}
			return out
		},
		ForgetInstallation: func() { store.SetInstallation("installation-2") },
		Symlink: func(p, target string) {
			if err := local.AddSpecial(p); err != nil {
				t.Fatal(err)
			}
		},
		Mode: local.Mode,
		// A name the scans ignore hides a file from the engine as a move out of the folder
		// does, and keeps its identity for the way back.
		MoveOut: func(p string) {
			if err := local.MkdirAll("~$elsewhere"); err != nil {
				t.Fatal(err)
			}
			if _, err := local.Rename(p, "~$elsewhere/"+path.Base(p)); err != nil {
				t.Fatal(err)
			}
		},
		MoveBack: func(p string) {
			if _, err := local.Rename("~$elsewhere/"+path.Base(p), p); err != nil {
				t.Fatal(err)
			}
		},
		TrashLocal: func(p string) {
			n, err := local.Stat(p)
			if err == nil {
				err = local.Trash(p, n)
			}
			if err != nil {
				t.Fatal(err)
			}
		},
		CutLocal: func(p string, size int64) {
			if err := local.Truncate(p, size, true); err != nil {
				t.Fatal(err)
			}
		},
	}
	e.Restart = func(whileDown func()) {
		stop()
		if whileDown != nil {
			whileDown()
		}
		eng, stop = newEngine()
		e.Ctl = eng
	}
	return e
}

// testLog logs the engine to the test log with -v.
func testLog(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return nil
	}
	return slog.New(slog.NewTextHandler(tlogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tlogWriter struct{ t testing.TB }

func (w tlogWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// startEngine runs eng until the test ends, or until the stop it returns is called.
func startEngine(t testing.TB, eng *syncer.Engine) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Error("engine did not stop within 30 s")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// events returns what the engine announced so far.
func events(eng *syncer.Engine) []syncer.Event {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	evs, _, _ := eng.Events(ctx, 0)
	return evs
}

// statusError is the error a remote returns for an HTTP status, as the WebDAV remote
// classifies it.
func statusError(op, p string, status int) error {
	kinds := map[int]error{401: remote.ErrAuth, 403: remote.ErrPermission, 404: remote.ErrNotFound,
		413: remote.ErrTooLarge, 423: remote.ErrLocked, 507: remote.ErrQuota, 500: remote.ErrServer, 503: remote.ErrServer}
	if status == 0 {
		return nil
	}
	kind, ok := kinds[status]
	if !ok {
		kind = errors.New("unexpected status")
	}
	return &remote.Error{Kind: kind, Op: op, Path: p, Status: status}
}
