package syncer_test

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
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

// probingRemote is a memremote whose server "offers" file ids and hides dot-files.
type probingRemote struct {
	*memremote.Remote
	probes *atomic.Int32
}

func (p probingRemote) Probe(ctx context.Context) (remote.Capabilities, error) {
	p.probes.Add(1)
	return remote.Capabilities{Server: "probe-test/1", FileIDs: true, HidesDotFiles: true, ProbedAt: time.Now()}, nil
}

// TestAccountAddProbesTheServerOnceAndTheRemoteGetsItsAbilities: `account add` stores what
// the probe found with the account's public data; an account stored without (added before
// probing existed) is probed when first used; the remote is dialled with the abilities.
func TestAccountAddProbesTheServerOnceAndTheRemoteGetsItsAbilities(t *testing.T) {
	store := memstore.New("i1")
	var probes atomic.Int32
	var mu sync.Mutex
	var dialled []*remote.Capabilities
	mem := memremote.New()
	eng, err := syncer.New(syncer.Config{
		Store: store, Secrets: credentials.NewMemory(),
		Dial: func(a model.Account, _ string) (remote.Remote, error) {
			mu.Lock()
			dialled = append(dialled, a.Capabilities)
			mu.Unlock()
			return probingRemote{Remote: mem, probes: &probes}, nil
		},
		LocalFS:      func(string) exec.LocalFS { return exec.NewMemFS() },
		PollInterval: time.Hour, RescanInterval: time.Hour, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	a, err := eng.AddAccount(ctx, syncer.AddAccountRequest{Name: "dav", Type: "webdav", URL: "http://127.0.0.1:1/", User: "ann", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Capabilities == nil || a.Capabilities.Server != "probe-test/1" || !a.Capabilities.FileIDs || probes.Load() != 1 {
		t.Fatalf("account add: capabilities %+v after %d probes, want the probe's, once", a.Capabilities, probes.Load())
	}
	as, err := eng.ListAccounts(ctx)
	if err != nil || len(as) != 1 || as[0].Capabilities == nil || !as[0].Capabilities.HidesDotFiles {
		t.Fatalf("ListAccounts = %+v, %v; want the stored capabilities", as, err)
	}
	if _, err := eng.Browse(ctx, "dav", ""); err != nil {
		t.Fatal(err)
	}
	if probes.Load() != 1 {
		t.Errorf("using a probed account probed again (%d probes)", probes.Load())
	}
	mu.Lock()
	last := dialled[len(dialled)-1]
	mu.Unlock()
	if last == nil || last.Server != "probe-test/1" {
		t.Errorf("the remote was dialled with capabilities %+v, want the stored ones", last)
	}

	// An account from before probing existed.
	old := model.Account{Name: "old", Type: "webdav", URL: "http://127.0.0.1:2", User: "bob"}
	if err := store.PutAccount(old); err != nil {
		t.Fatal(err)
	}
	if err := eng.SignIn(ctx, "old", "pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Browse(ctx, "old", ""); err != nil {
		t.Fatal(err)
	}
	got, _ := store.GetAccount("old")
	if got.Capabilities == nil || got.Capabilities.Server != "probe-test/1" {
		t.Fatalf("an account without capabilities was not probed on first use: %+v", got.Capabilities)
	}
	mu.Lock()
	last = dialled[len(dialled)-1]
	mu.Unlock()
	if last == nil {
		t.Errorf("after the probe the remote was not dialled with its capabilities")
	}
}
