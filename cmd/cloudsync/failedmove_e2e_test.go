package main

import (
	"context"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
	"github.com/cloudsync/cloudsync/syncer/scenario"
)

// TestAFailedFolderMoveIsListedWhereItIsAfterKillDashNine: the built daemon syncs a folder
// to an ownCloud-like server; the folder d is renamed to e locally and the server refuses
// every MOVE (403). `list --json` then shows e failed and what is below it pending at
// e/…, nothing at d/… (where no file is); the daemon is killed with SIGKILL and started
// again, and its list says the same. Moved back by the user, everything is synced at d/…
// again. Renamed to e once more and with the server accepting moves again, a request-sync
// moves the folder in the cloud (no upload) and everything is synced at e/….
func TestAFailedFolderMoveIsListedWhereItIsAfterKillDashNine(t *testing.T) {
	bin := builtBinary(t)
	t.Parallel()
	var refuse atomic.Bool // the server refuses moves
	var puts atomic.Int64  // uploads it took
	srv := davtest.ServeOC(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == "MOVE" && refuse.Load():
				http.Error(w, "moves are refused for now", http.StatusForbidden)
			case r.Method == http.MethodPut:
				puts.Add(1)
				fallthrough
			default:
				next.ServeHTTP(w, r)
			}
		})
	})
	cloud := scenario.FSTree{T: t, FS: srv.FileSystem(), Root: "/Docs", IDOf: srv.ID}
	base := t.TempDir()
	root := filepath.Join(base, "Docs")
	for p, data := range map[string]string{"d/x.txt": "x\n", "d/sub/y.txt": "y\n", "keep.txt": "kept\n"} {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+filepath.Join(base, "cs"), "CLOUDSYNC_KEYRING=memory",
		"XDG_DATA_HOME="+filepath.Join(base, "xdg"))
	ctl := &cliCtl{bin: bin, env: env}
	daemon := startDaemon(t, bin, env, "--poll-interval", "1h")
	mustRun(t, ctl, t.Context(), davtest.Password+"\n", []string{"account", "add", "oc", "--type", "webdav",
		"--url", srv.URL, "--user", davtest.User, "--password-stdin"})
	mustRun(t, ctl, t.Context(), "", []string{"sync", root, "--account", "oc", "--to", "Docs"})
	wait := func() {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		if err := ctl.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	wait()
	listed := func(what string, want map[string]string) {
		t.Helper()
		items, err := ctl.ListItems(t.Context(), false)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, it := range items {
			rel := strings.TrimPrefix(filepath.ToSlash(strings.TrimPrefix(it.Path, root)), "/")
			if _, twice := got[rel]; twice {
				t.Errorf("%s: %s is listed twice", what, rel)
			}
			got[rel] = string(it.Status)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: list --json says %v, want %v", what, got, want)
		}
	}
	listed("the first sync", map[string]string{"": "synced", "d": "synced", "d/x.txt": "synced", "d/sub": "synced",
		"d/sub/y.txt": "synced", "keep.txt": "synced"})

	refuse.Store(true)
	if err := os.Rename(filepath.Join(root, "d"), filepath.Join(root, "e")); err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{"": "pending", "e": "failed", "e/x.txt": "pending", "e/sub": "pending",
		"e/sub/y.txt": "pending", "keep.txt": "synced"}
	deadline := time.Now().Add(30 * time.Second)
	for wait(); time.Now().Before(deadline); wait() { // until the watcher's pass tried the move
		if info, err := ctl.Info(t.Context(), filepath.Join(root, "e")); err == nil && info.Status == "failed" {
			break
		}
	}
	listed("after the refused folder move", failed)

	if err := daemon.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-daemon.done
	daemon.failed = true
	startDaemon(t, bin, env, "--poll-interval", "1h")
	mustRun(t, ctl, t.Context(), davtest.Password+"\n", []string{"account", "sign-in", "oc", "--password-stdin"})
	wait()
	listed("after kill -9 and a restart", failed)
	if files := cloud.Files(); files["d/x.txt"] != "x\n" || files["e/x.txt"] != "" {
		t.Fatalf("the cloud holds %v; the move was refused", files)
	}

	// Moved back by the user: nothing is left to move, all is synced where it was.
	if err := os.Rename(filepath.Join(root, "e"), filepath.Join(root, "d")); err != nil {
		t.Fatal(err)
	}
	atD := map[string]string{"": "synced", "d": "synced", "d/x.txt": "synced", "d/sub": "synced",
		"d/sub/y.txt": "synced", "keep.txt": "synced"}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		wait() // until the watcher's pass looked
		if info, err := ctl.Info(t.Context(), filepath.Join(root, "d")); err == nil && info.Status == "synced" {
			break
		}
	}
	listed("after moving the folder back", atD)
	if err := os.Rename(filepath.Join(root, "d"), filepath.Join(root, "e")); err != nil {
		t.Fatal(err)
	}

	refuse.Store(false)
	before := puts.Load()
	if err := ctl.RequestSync(t.Context(), root); err != nil {
		t.Fatal(err)
	}
	wait()
	listed("after the move was allowed", map[string]string{"": "synced", "e": "synced", "e/x.txt": "synced", "e/sub": "synced",
		"e/sub/y.txt": "synced", "keep.txt": "synced"})
	if files := cloud.Files(); files["e/x.txt"] != "x\n" || files["e/sub/y.txt"] != "y\n" || files["d/x.txt"] != "" {
		t.Errorf("the cloud holds %v after the retry", files)
	}
	if n := puts.Load() - before; n != 0 {
		t.Errorf("the retry uploaded %d files; a move uploads none", n)
	}
}
