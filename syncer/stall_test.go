package syncer_test

import (
	"context"
	"log/slog"
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

// stallSeeing records the stall timeout its calls carry.
type stallSeeing struct {
	*memremote.Remote
	seen *atomic.Int64
}

func (s stallSeeing) ReadDir(ctx context.Context, p string) ([]remote.Entry, error) {
	s.seen.Store(int64(remote.StallTimeoutOf(ctx)))
	return s.Remote.ReadDir(ctx, p)
}

// TestStallTimeoutIsAGeneralSettingTheRemoteCallsCarry: the stall timeout defaults to a
// minute, is a General setting (refused below 5 s), reaches every remote call as it is at
// the time of the call, and the daemon's flag wins over the stored setting.
func TestStallTimeoutIsAGeneralSettingTheRemoteCallsCarry(t *testing.T) {
	store := memstore.New("i1")
	secrets := credentials.NewMemory()
	var seen atomic.Int64
	mem := memremote.New()
	newEngine := func(flag time.Duration) *syncer.Engine {
		eng, err := syncer.New(syncer.Config{
			Store: store, Secrets: secrets,
			Dial:         func(model.Account, string) (remote.Remote, error) { return stallSeeing{mem, &seen}, nil },
			LocalFS:      func(string) exec.LocalFS { return exec.NewMemFS() },
			PollInterval: time.Hour, RescanInterval: time.Hour, StallTimeout: flag,
			Log: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}
	ctx := t.Context()
	eng := newEngine(0)
	if _, err := eng.AddAccount(ctx, syncer.AddAccountRequest{Name: "a", Type: "webdav", URL: "http://127.0.0.1:1/", User: "u", Password: "p"}); err != nil {
		t.Fatal(err)
	}
	browse := func(e *syncer.Engine) time.Duration {
		t.Helper()
		if _, err := e.Browse(ctx, "a", ""); err != nil {
			t.Fatal(err)
		}
		return time.Duration(seen.Load())
	}
	if d := browse(eng); d != time.Minute {
		t.Errorf("default stall timeout seen by the remote: %v", d)
	}
	s, _ := eng.GetSettings(ctx)
	s.StallTimeout = syncer.Duration(2 * time.Second)
	if err := eng.PutSettings(ctx, s); err == nil {
		t.Errorf("a 2s stall timeout was accepted")
	}
	s.StallTimeout = syncer.Duration(30 * time.Second)
	if err := eng.PutSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if d := browse(eng); d != 30*time.Second {
		t.Errorf("after the setting changed the remote saw %v, want 30s", d)
	}
	if got, _ := newEngine(0).GetSettings(ctx); time.Duration(got.StallTimeout) != 30*time.Second {
		t.Errorf("stored stall timeout %v, want 30s", time.Duration(got.StallTimeout))
	}
	flagged := newEngine(10 * time.Second)
	if got, _ := flagged.GetSettings(ctx); time.Duration(got.StallTimeout) != 10*time.Second {
		t.Errorf("with --stall-timeout 10s the setting is %v", time.Duration(got.StallTimeout))
	}
	if d := browse(flagged); d != 10*time.Second {
		t.Errorf("with --stall-timeout 10s the remote saw %v", d)
	}
}
