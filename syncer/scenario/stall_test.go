package scenario

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// TestStalledAndEndlessAnswersFailTheItemAndTheSetGoesOn (issue 9 point 4): a server that
// sends the headers of a download and then nothing, or a body that never ends for a file
// listed as empty, holds nothing: after the stall timeout (here 1 s) the download is
// abandoned, the item fails as network and the rest of the set syncs; no temporary file
// grows without bound; once the server answers again, Request Sync brings the files. A
// listing that stalls fails the pass instead of holding the set.
func TestStalledAndEndlessAnswersFailTheItemAndTheSetGoesOn(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	served := filepath.Join(base, "server")
	if err := os.MkdirAll(filepath.Join(served, "Docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	meter := &Meter{}
	url := StartXNetWebDAV(t, served, davtest.User, davtest.Password, meter)
	e := davEnv(t, base, url, DirTree{T: t, Root: filepath.Join(served, "Docs")}, meter,
		func(c *syncer.Config) { c.StallTimeout = time.Second })
	e.Cloud.Write("hang.txt", "a server that stops after the headers")
	e.Cloud.Write("empty.txt", "")
	e.Cloud.Write("fine.txt", "fine")
	meter.SetStall(func(op, p string) Stall {
		switch {
		case op == "download" && strings.HasSuffix(p, "/hang.txt"):
			return Hang
		case op == "download" && strings.HasSuffix(p, "/empty.txt"):
			return Endless
		}
		return NoStall
	})
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if _, err := e.Ctl.CreateSet(ctx, syncer.CreateSetRequest{Paths: []string{e.Root}, Account: e.Account,
		To: e.CloudFolder, Options: model.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "hang.txt and empty.txt failed as network, fine.txt synced", func() bool {
		h, em, f := e.Info("hang.txt"), e.Info("empty.txt"), e.Info("fine.txt")
		return h.Status == model.StatusFailed && h.Reason == remote.ReasonNetwork &&
			em.Status == model.StatusFailed && em.Reason == remote.ReasonNetwork && f.Status == model.StatusSynced
	})
	if d := e.Info("hang.txt").Details; !strings.Contains(d, "stalled") {
		t.Errorf("hang.txt details %q do not say the download stalled", d)
	}
	e.Lacks(e.Local, "local", "hang.txt")
	e.Lacks(e.Local, "local", "empty.txt")
	filepath.WalkDir(filepath.Dir(e.Root), func(p string, d fs.DirEntry, err error) error {
		if fi, ierr := d.Info(); err == nil && ierr == nil && !d.IsDir() && fi.Size() > 1<<20 {
			t.Errorf("%s grew to %d bytes", p, fi.Size())
		}
		return nil
	})

	// A listing that stalls fails the pass (the set is offline) instead of holding it.
	meter.SetStall(func(op, p string) Stall {
		if op == "list" {
			return Hang
		}
		return NoStall
	})
	e.Cloud.Write("new.txt", "arrives later")
	e.Do("request sync", func(ctx context.Context) error { return e.Ctl.RequestSync(ctx, e.Root) })
	waitFor(t, 20*time.Second, "the set reported offline or in error", func() bool {
		st := e.Status()
		return len(st.SetStates) == 1 && (st.SetStates[0].State == syncer.StateOffline || st.SetStates[0].State == syncer.StateError)
	})

	meter.SetStall(nil)
	for _, p := range []string{"", "hang.txt", "empty.txt"} {
		e.Do("request sync", func(ctx context.Context) error { return e.Ctl.RequestSync(ctx, e.Abs(p)) })
	}
	e.Sync()
	e.Has(e.Local, "local", "hang.txt", "a server that stops after the headers")
	e.Has(e.Local, "local", "empty.txt", "")
	e.Has(e.Local, "local", "new.txt", "arrives later")
	e.Converged(nil)
}

// waitFor polls ok until it holds, failing t after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: not yet %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
