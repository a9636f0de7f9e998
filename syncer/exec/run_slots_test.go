package exec

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestTransfersShareOneEngineWideBound: two runs (two sets) sharing Env.Transfers never
// move more files at once than it has slots, whatever their own Parallel.
func TestTransfersShareOneEngineWideBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slots := make(chan struct{}, 3)
		a, b := newHarness(t), newHarness(t)
		b.rem = a.rem // one cloud, two sets
		a.rem.mkdirAll("sets/two")
		b.env.Remote, b.env.RemoteRoot = a.rem, "sets/two"
		a.rem.delay = 10 * time.Millisecond
		var wg sync.WaitGroup
		for _, h := range []*harness{a, b} {
			h.env.Parallel, h.env.Transfers = 8, slots
			var acts []plan.Action
			for i := range 12 {
				p := fmt.Sprintf("f%02d.txt", i)
				acts = append(acts, plan.Action{ID: i + 1, Op: plan.Upload, Path: p, To: p, Local: h.local(p, p)})
			}
			wg.Go(func() {
				for _, r := range h.run(context.Background(), acts...) {
					mustOK(t, r)
				}
			})
		}
		wg.Wait()
		if a.rem.maxInflight != 3 {
			t.Fatalf("at most %d uploads at once over two sets, want the 3 slots exactly", a.rem.maxInflight)
		}
	})
}

// TestFolderCreationsStartFirst: a ready folder creation starts before the ready transfers
// listed before it, so the files waiting for it can start as soon as possible.
func TestFolderCreationsStartFirst(t *testing.T) {
	h := newHarness(t)
	h.env.Parallel = 1
	var acts []plan.Action
	for i := range 5 {
		p := fmt.Sprintf("f%d.txt", i)
		acts = append(acts, plan.Action{ID: i + 1, Op: plan.Upload, Path: p, To: p, Local: h.local(p, p)})
	}
	h.fs.MkdirAll("d")
	acts = append(acts, plan.Action{ID: 10, Op: plan.MkdirRemote, Path: "d", To: "d", IsDir: true})
	for _, r := range h.run(context.Background(), acts...) {
		mustOK(t, r)
	}
	h.rem.mu.Lock()
	defer h.rem.mu.Unlock()
	for _, c := range h.rem.calls {
		if strings.HasPrefix(c, "mkdir") {
			return
		}
		if strings.HasPrefix(c, "upload") {
			t.Fatalf("calls %v: an upload started before the ready folder creation", h.rem.calls)
		}
	}
	t.Fatalf("no mkdir among %v", h.rem.calls)
}

// TestUploadIntoFolderMadeInTheRunIsMarkedFresh: a new file uploaded, or a cloud file
// moved, after (and into) a cloud folder the run made carries remote.InFreshFolder; other
// uploads and moves do not.
func TestUploadIntoFolderMadeInTheRunIsMarkedFresh(t *testing.T) {
	h := newHarness(t)
	h.fs.MkdirAll("d")
	in := h.local("d/in.txt", "in")
	top := h.local("top.txt", "top")
	moved, stays := h.remote("m.txt", "m"), h.remote("n.txt", "n")
	var mu sync.Mutex
	fresh := map[string]bool{}
	h.rem.onCall = func(ctx context.Context, op, p string) {
		if op == "upload" || op == "move" {
			mu.Lock()
			fresh[op+" "+p] = remote.FreshFolder(ctx)
			mu.Unlock()
		}
	}
	for _, r := range h.run(context.Background(),
		plan.Action{ID: 1, Op: plan.MkdirRemote, Path: "d", To: "d", IsDir: true},
		plan.Action{ID: 2, Op: plan.Upload, Path: "d/in.txt", To: "d/in.txt", Local: in, After: []int{1}},
		plan.Action{ID: 3, Op: plan.Upload, Path: "top.txt", To: "top.txt", Local: top},
		plan.Action{ID: 4, Op: plan.MoveRemote, Path: "m.txt", To: "d/m.txt", Remote: moved, After: []int{1}},
		plan.Action{ID: 5, Op: plan.MoveRemote, Path: "n.txt", To: "o.txt", Remote: stays},
	) {
		mustOK(t, r)
	}
	want := map[string]bool{"upload " + testRoot + "/d/in.txt": true, "upload " + testRoot + "/top.txt": false,
		"move " + testRoot + "/m.txt": true, "move " + testRoot + "/n.txt": false}
	for k, v := range want {
		if got, ok := fresh[k]; !ok || got != v {
			t.Errorf("%s: fresh %v (called %v), want %v", k, got, ok, v)
		}
	}
}
