package syncer_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
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

// haltingRemote stops every upload after half of its body until release is closed.
type haltingRemote struct {
	*memremote.Remote
	halted, release chan struct{}
}

func (h *haltingRemote) Upload(ctx context.Context, p string, replace *remote.Entry, body io.Reader, size int64) (remote.Entry, error) {
	half := make([]byte, size/2)
	if _, err := io.ReadFull(body, half); err != nil {
		return remote.Entry{}, err
	}
	h.halted <- struct{}{}
	<-h.release
	return h.Remote.Upload(ctx, p, replace, io.MultiReader(strings.NewReader(string(half)), body), size)
}

// TestStatusShowsTheProgressOfATransfer: during an upload, status (and the set's info)
// says which file moves, how many of its bytes moved, the items left and a time left; once
// the pass ends there is no progress (SPEC §6).
func TestStatusShowsTheProgressOfATransfer(t *testing.T) {
	const root = "/home/ann/Docs"
	local := exec.NewMemFS()
	if err := local.WriteFile("big.bin", []byte(strings.Repeat("x", 400_000))); err != nil {
		t.Fatal(err)
	}
	rem := &haltingRemote{Remote: memremote.New(), halted: make(chan struct{}, 1), release: make(chan struct{})}
	var clock atomic.Int64 // seconds after t0
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return t0.Add(time.Duration(clock.Load()) * time.Second) }
	eng, err := syncer.New(syncer.Config{
		Store: memstore.New("i1"), Secrets: credentials.NewMemory(),
		Dial:         func(model.Account, string) (remote.Remote, error) { return rem, nil },
		LocalFS:      func(string) exec.LocalFS { return local },
		PollInterval: time.Hour, RescanInterval: time.Hour, Now: now,
		Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	if _, err := eng.AddAccount(ctx, syncer.AddAccountRequest{Name: "c", Type: "webdav", URL: "http://127.0.0.1:1/", User: "u", Password: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.CreateSet(ctx, syncer.CreateSetRequest{Paths: []string{root}, Account: "c", To: "Docs", Options: model.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rem.halted:
	case <-time.After(30 * time.Second):
		t.Fatal("no upload started")
	}
	clock.Add(10) // half the bytes in 10 s: about 10 s left
	st, err := eng.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Progress
	if p == nil || p.File != root+"/big.bin" || p.Bytes != 200_000 || p.TotalBytes != 400_000 || p.Items != 1 || p.ItemsLeft != 1 || p.ETASeconds != 10 {
		t.Fatalf("progress during the upload: %+v", p)
	}
	if len(st.SetStates) != 1 || st.SetStates[0].Progress == nil || st.SetStates[0].Progress.Bytes != 200_000 {
		t.Fatalf("the set's progress: %+v", st.SetStates)
	}
	close(rem.release)
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := eng.Wait(wctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := eng.Status(ctx); st.Progress != nil {
		t.Fatalf("progress after the pass: %+v", st.Progress)
	}
}
