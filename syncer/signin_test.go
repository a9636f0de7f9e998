package syncer_test

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
)

// passwordRemote refuses every call when it was dialled with another password than the
// server's current one (refused says whether it is, at the time of the call).
type passwordRemote struct {
	*memremote.Remote
	refused func() bool
	before  func() // (nil or) called before a refusal is answered
}

func (p *passwordRemote) ReadDir(ctx context.Context, dir string) ([]remote.Entry, error) {
	if p.refused() {
		if p.before != nil {
			p.before()
		}
		return nil, &remote.Error{Kind: remote.ErrAuth, Op: "PROPFIND", Path: dir, Status: 401}
	}
	return p.Remote.ReadDir(ctx, dir)
}

func (p *passwordRemote) Open(ctx context.Context, e remote.Entry, off int64) (io.ReadCloser, error) {
	if p.refused() {
		return nil, &remote.Error{Kind: remote.ErrAuth, Op: "GET", Path: e.Path, Status: 401}
	}
	return p.Remote.Open(ctx, e, off)
}

// TestSignInTakesOnlyThePasswordAndResumesThePausedAccount: after the server's password
// changed, a refused sign-in pauses the account; SignIn with a wrong password changes
// nothing, with the right one it stores it and the account syncs again.
func TestSignInTakesOnlyThePasswordAndResumesThePausedAccount(t *testing.T) {
	var serverPassword atomic.Value
	serverPassword.Store("pw") // the rig's account password
	secrets := credentials.NewMemory()
	r := newRig(t, func(cfg *syncer.Config) {
		cfg.Secrets = secrets
		dial := cfg.Dial
		cfg.Dial = func(a model.Account, pw string) (remote.Remote, error) {
			rem, err := dial(a, pw)
			return &passwordRemote{Remote: rem.(*memremote.Remote), refused: func() bool { return pw != serverPassword.Load().(string) }}, err
		}
	})
	eng, ctx := r.eng, r.ctx()
	serverPassword.Store("new")
	if _, err := eng.Browse(ctx, "cloud", ""); !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("browse with the old password: %v", err)
	}
	if a, _ := r.store.GetAccount("cloud"); !a.Paused {
		t.Fatal("a refused sign-in did not pause the account")
	}

	if err := eng.SignIn(ctx, "cloud", "guess"); !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("wrong password: %v, want an auth error", err)
	}
	if a, _ := r.store.GetAccount("cloud"); !a.Paused {
		t.Error("a wrong password resumed the account")
	}
	if pw, _ := secrets.Get("cloud"); pw != "pw" {
		t.Errorf("a wrong password was stored: %q", pw)
	}

	if err := eng.SignIn(ctx, "cloud", "new"); err != nil {
		t.Fatal(err)
	}
	if a, _ := r.store.GetAccount("cloud"); a.Paused {
		t.Error("signing in did not resume the account")
	}
	if pw, _ := secrets.Get("cloud"); pw != "new" {
		t.Errorf("keyring holds %q after signing in", pw)
	}
	if _, err := eng.Browse(ctx, "cloud", ""); err != nil {
		t.Errorf("browse after signing in: %v", err)
	}
	if err := eng.SignIn(ctx, "nobody", "x"); err == nil {
		t.Error("no error for an unknown account")
	}
}

// TestARefusalFromBeforeASignInDoesNotPauseTheAccount: the user signs in while a request
// made with the old password is on its way (or while a pass that found no password at
// start still runs); its refusal comes after the sign-in. That refusal is about a password
// that is no longer the account's: the account stays running, not "Sign-in needed" with
// the right password in the keyring and nothing synced until the user signs in again. (A
// killed daemon restarted with an in-memory keyring did this when signed in at once: its
// first pass found no password, the sign-in came in between, and the pass paused it.)
func TestARefusalFromBeforeASignInDoesNotPauseTheAccount(t *testing.T) {
	var serverPassword atomic.Value
	serverPassword.Store("pw")
	var signInMidway func()
	r := newRig(t, func(cfg *syncer.Config) {
		dial := cfg.Dial
		cfg.Dial = func(a model.Account, pw string) (remote.Remote, error) {
			rem, err := dial(a, pw)
			return &passwordRemote{Remote: rem.(*memremote.Remote), refused: func() bool { return pw != serverPassword.Load().(string) },
				before: func() { signInMidway() }}, err
		}
	})
	eng, ctx := r.eng, r.ctx()
	serverPassword.Store("new")
	signInMidway = func() {
		signInMidway = func() {}
		if err := eng.SignIn(ctx, "cloud", "new"); err != nil {
			t.Errorf("sign-in: %v", err)
		}
	}
	if _, err := eng.Browse(ctx, "cloud", ""); !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("browse with the old password: %v, want its refusal", err)
	}
	if a, _ := r.store.GetAccount("cloud"); a.Paused {
		t.Fatal("the refusal of a request sent before the sign-in paused the account")
	}
	if _, err := eng.Browse(ctx, "cloud", ""); err != nil {
		t.Errorf("browse after the sign-in: %v", err)
	}

	// A refusal of the password the account has now still pauses it.
	serverPassword.Store("newer")
	if _, err := eng.Browse(ctx, "cloud", ""); !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("browse after the server's password changed: %v", err)
	}
	if a, _ := r.store.GetAccount("cloud"); !a.Paused {
		t.Fatal("a refused sign-in did not pause the account")
	}
}
