package syncer_test

import (
	"context"
	"log/slog"
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

// TestAPassWithNothingToDoAnnouncesNothing: the desktop app sleeps on the engine's events;
// a pass that finds nothing changed must not wake it (issue 13, idle CPU).
func TestAPassWithNothingToDoAnnouncesNothing(t *testing.T) {
	local := exec.NewMemFS()
	local.WriteFile("a.txt", []byte("a"))
	rem := memremote.New()
	eng, err := syncer.New(syncer.Config{
		Store: memstore.New("i1"), Secrets: credentials.NewMemory(),
		Dial:         func(model.Account, string) (remote.Remote, error) { return rem, nil },
		LocalFS:      func(string) exec.LocalFS { return local },
		PollInterval: time.Hour, RescanInterval: time.Hour, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	eng.AddAccount(ctx, syncer.AddAccountRequest{Name: "c", Type: "webdav", URL: "http://127.0.0.1:1/", User: "u", Password: "p"})
	if _, err := eng.CreateSet(ctx, syncer.CreateSetRequest{Paths: []string{"/home/a/D"}, Account: "c", To: "D", Options: model.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	wait := func() {
		wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
		defer wcancel()
		if err := eng.Wait(wctx); err != nil {
			t.Fatal(err)
		}
	}
	wait()
	_, last, _ := eng.Events(ctx, 1<<62)
	wait() // two more passes that find nothing to do
	wait()
	ectx, ecancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer ecancel()
	if evs, _, _ := eng.Events(ectx, last); len(evs) != 0 {
		t.Fatalf("passes with nothing to do announced %+v", evs)
	}
}

// TestASetGoingOfflineOrBackIsAnnounced: the app learns a set's new state from an event.
func TestASetGoingOfflineOrBackIsAnnounced(t *testing.T) {
	local := exec.NewMemFS()
	local.WriteFile("a.txt", []byte("a"))
	rem := memremote.New()
	eng, err := syncer.New(syncer.Config{
		Store: memstore.New("i1"), Secrets: credentials.NewMemory(),
		Dial:         func(model.Account, string) (remote.Remote, error) { return rem, nil },
		LocalFS:      func(string) exec.LocalFS { return local },
		PollInterval: time.Hour, RescanInterval: time.Hour, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	eng.AddAccount(ctx, syncer.AddAccountRequest{Name: "c", Type: "webdav", URL: "http://127.0.0.1:1/", User: "u", Password: "p"})
	if _, err := eng.CreateSet(ctx, syncer.CreateSetRequest{Paths: []string{"/home/a/D"}, Account: "c", To: "D", Options: model.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	pass := func() {
		wctx, wcancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer wcancel()
		eng.Wait(wctx) // offline passes never converge: one round is enough
	}
	pass()
	_, last, _ := eng.Events(ctx, 1<<62)
	rem.SetFault(func(op, p string) error { return &remote.Error{Kind: remote.ErrNetwork, Op: op, Path: p} })
	pass()
	ectx, ecancel := context.WithTimeout(ctx, 2*time.Second)
	defer ecancel()
	evs, _, _ := eng.Events(ectx, last)
	if len(evs) == 0 {
		t.Fatal("a set that went offline was not announced")
	}
	if st, _ := eng.Status(ctx); st.State != syncer.StateOffline {
		t.Fatalf("state %s, want offline", st.State)
	}
}
