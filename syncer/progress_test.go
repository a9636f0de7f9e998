package syncer_test

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
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
	var clock atomic.Int64 // seconds after t0
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var current atomic.Pointer[haltingRemote] // the engine's remote (dialled again after the account check)
	r := newRig(t, func(cfg *syncer.Config) {
		cfg.Now = func() time.Time { return t0.Add(time.Duration(clock.Load()) * time.Second) }
		dial := cfg.Dial
		cfg.Dial = func(a model.Account, pw string) (remote.Remote, error) {
			rem, err := dial(a, pw)
			h := &haltingRemote{Remote: rem.(*memremote.Remote), halted: make(chan struct{}, 1), release: make(chan struct{})}
			current.Store(h)
			return h, err
		}
	})
	r.write("big.bin", strings.Repeat("x", 400_000))
	if _, err := r.eng.CreateSet(r.ctx(), syncer.CreateSetRequest{Paths: []string{testRoot}, Account: "cloud", To: "Docs", Options: model.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	r.eventually("an upload to start", func() bool { h := current.Load(); return h != nil && len(h.halted) == 1 })
	halting := current.Load()
	clock.Add(10) // half the bytes in 10 s: about 10 s left
	st := r.status()
	p := st.Progress
	if p == nil || p.File != testRoot+"/big.bin" || p.Bytes != 200_000 || p.TotalBytes != 400_000 || p.Items != 1 || p.ItemsLeft != 1 || p.ETASeconds != 10 {
		t.Fatalf("progress during the upload: %+v", p)
	}
	if len(st.SetStates) != 1 || st.SetStates[0].Progress == nil || st.SetStates[0].Progress.Bytes != 200_000 {
		t.Fatalf("the set's progress: %+v", st.SetStates)
	}
	// The new file is listed while it moves (no item yet), as syncing, in Synced content
	// and Sync Info alike.
	items, err := r.eng.ListItems(r.ctx(), false)
	if err != nil {
		t.Fatal(err)
	}
	var listed []model.Status
	for _, it := range items {
		if it.Path == testRoot+"/big.bin" {
			listed = append(listed, it.Status)
		}
	}
	if len(listed) != 1 || listed[0] != model.StatusSyncing || r.info("big.bin").Status != model.StatusSyncing {
		t.Errorf("during its upload big.bin is listed as %v, its Sync Info says %s; want syncing once", listed, r.info("big.bin").Status)
	}
	<-halting.halted
	close(halting.release)
	r.wait()
	if st := r.status(); st.Progress != nil {
		t.Fatalf("progress after the pass: %+v", st.Progress)
	}
}
