package syncer_test

import (
	"context"
	"errors"
	"io"
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

// passwordRemote refuses every call when it was dialled with another password than the
// server's current one.
type passwordRemote struct {
	*memremote.Remote
	refused bool
}

func (p *passwordRemote) ReadDir(ctx context.Context, dir string) ([]remote.Entry, error) {
	if p.refused {
		return nil, &remote.Error{Kind: remote.ErrAuth, Op: "PROPFIND", Path: dir, Status: 401}
	}
	return p.Remote.ReadDir(ctx, dir)
}

func (p *passwordRemote) Open(ctx context.Context, e remote.Entry, off int64) (io.ReadCloser, error) {
	if p.refused {
		return nil, &remote.Error{Kind: remote.ErrAuth, Op: "GET", Path: e.Path, Status: 401}
	}
	return p.Remote.Open(ctx, e, off)
}

// TestSignInTakesOnlyThePasswordAndResumesThePausedAccount: after the server's password
// changed, a refused sign-in pauses the account; SignIn with a wrong password changes
// nothing, with the right one it stores it and the account syncs again.
func TestSignInTakesOnlyThePasswordAndResumesThePausedAccount(t *testing.T) {
	store := memstore.New("i1")
	secrets := credentials.NewMemory()
	mem := memremote.New()
	var serverPassword atomic.Value
	serverPassword.Store("old")
	eng, err := syncer.New(syncer.Config{
		Store: store, Secrets: secrets,
		Dial: func(_ model.Account, pw string) (remote.Remote, error) {
			return &passwordRemote{Remote: mem, refused: pw != serverPassword.Load().(string)}, nil
		},
		LocalFS:      func(string) exec.LocalFS { return exec.NewMemFS() },
		PollInterval: time.Hour, RescanInterval: time.Hour, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	if _, err := eng.AddAccount(ctx, syncer.AddAccountRequest{Name: "work", Type: "webdav", URL: "http://127.0.0.1:1/", User: "ann", Password: "old"}); err != nil {
		t.Fatal(err)
	}
	serverPassword.Store("new")
	if _, err := eng.Browse(ctx, "work", ""); !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("browse with the old password: %v", err)
	}
	if a, _ := store.GetAccount("work"); !a.Paused {
		t.Fatal("a refused sign-in did not pause the account")
	}

	err = eng.SignIn(ctx, "work", "guess")
	if !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("wrong password: %v, want an auth error", err)
	}
	if a, _ := store.GetAccount("work"); !a.Paused {
		t.Error("a wrong password resumed the account")
	}
	if pw, _ := secrets.Get("work"); pw != "old" {
		t.Errorf("a wrong password was stored: %q", pw)
	}

	if err := eng.SignIn(ctx, "work", "new"); err != nil {
		t.Fatal(err)
	}
	if a, _ := store.GetAccount("work"); a.Paused {
		t.Error("signing in did not resume the account")
	}
	if pw, _ := secrets.Get("work"); pw != "new" {
		t.Errorf("keyring holds %q after signing in", pw)
	}
	if _, err := eng.Browse(ctx, "work", ""); err != nil {
		t.Errorf("browse after signing in: %v", err)
	}
	if err := eng.SignIn(ctx, "nobody", "x"); err == nil {
		t.Error("no error for an unknown account")
	}
}
