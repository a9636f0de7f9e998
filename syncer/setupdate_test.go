package syncer_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestAPauseDuringAPassThatHoldsDeletesStays: a set paused while a pass runs stays paused
// when that pass ends by holding back a mass deletion (and so writes the set). The pass
// used to write the set as it read it when it began, which undid the pause: the tray
// showed the set running again and its next pass synced.
func TestAPauseDuringAPassThatHoldsDeletesStays(t *testing.T) {
	g := &gatedStore{gate: make(chan struct{}), entered: make(chan struct{})}
	r := newRig(t, func(c *syncer.Config) { g.Store = c.Store; c.Store = g })
	for i := range 20 {
		r.write(fmt.Sprintf("f%02d.txt", i), "x")
	}
	set := r.syncFolder(model.Options{AllowCloudDelete: true})
	for i := range 15 {
		if err := r.local().Remove(fmt.Sprintf("f%02d.txt", i)); err != nil {
			t.Fatal(err)
		}
	}
	g.armed.Store(true)
	waited := make(chan error, 1)
	go func() { waited <- r.eng.Wait(r.ctx()) }() // a pass that looks at everything
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("no pass started")
	}
	if err := r.eng.Pause(r.ctx(), set.ID); err != nil {
		t.Fatal(err)
	}
	close(g.gate)
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	s, err := r.store.GetSet(set.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.PendingDeletes != 15 {
		t.Fatalf("the pass held %d deletions, want 15 (the case under test did not happen): %+v", s.PendingDeletes, s)
	}
	if !s.Paused {
		t.Error("the set paused during the pass is not paused after it (the pass wrote the set as it began)")
	}
	if got := r.status().SetStates[0].Paused; !got {
		t.Error("status shows the set paused during the pass as not paused")
	}
}
