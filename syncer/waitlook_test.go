package syncer_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// gatedStore holds the first ListIntents after it is armed (a pass reads the intents after
// it read its set, before it looks at either side) until gate is closed; entered is
// closed when it began.
type gatedStore struct {
	model.Store
	armed         atomic.Bool
	gate, entered chan struct{}
}

func (g *gatedStore) ListIntents(set string, fn func(batch string, in model.Intent) bool) error {
	if g.armed.CompareAndSwap(true, false) {
		close(g.entered)
		<-g.gate
	}
	return g.Store.ListIntents(set, fn)
}

// TestWaitTakesARunningPassThatLooksAfterIt (issue 11): Wait called while a pass that will
// look at everything has not begun looking yet (the first pass of a set, as after a
// start: `cloudsync daemon` then `cloudsync wait`) returns when that pass found nothing
// to do, without running a second full pass. (Here the set is new and both sides are
// empty: nothing to do, as after a start with nothing changed.)
func TestWaitTakesARunningPassThatLooksAfterIt(t *testing.T) {
	gs := &gatedStore{gate: make(chan struct{}), entered: make(chan struct{})}
	r := newRig(t, func(c *syncer.Config) { gs.Store = c.Store; c.Store = gs })
	gs.armed.Store(true) // (the rig's account makes no pass)
	r.local().MkdirAll("")
	r.rem.MkdirAll("Docs")
	if _, err := r.eng.CreateSet(r.ctx(), syncer.CreateSetRequest{Paths: []string{testRoot}, Account: "cloud", To: "Docs",
		Options: model.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-gs.entered: // the set's first pass runs, held before it looks
	case <-time.After(10 * time.Second):
		t.Fatal("the set's first pass did not start")
	}
	waited := make(chan error, 1)
	go func() { waited <- r.eng.Wait(r.ctx()) }()
	time.Sleep(200 * time.Millisecond) // Wait's call registers (it cannot return before the pass ends)
	close(gs.gate)
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if n := r.rem.Calls("list"); n != 1 {
		t.Fatalf("Wait ran %d passes (cloud listings); want 1: the running pass looked after the call", n)
	}
	// The next change is found by the next pass, as ever.
	r.write("b.txt", "b")
	r.wait()
	if got, _ := r.rem.Get("Docs/b.txt"); string(got) != "b" {
		t.Fatalf("cloud b.txt: %q", got)
	}
}
