package syncer_test

import (
	"context"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// eventsAfter returns what the engine announced after event last, waiting at most d for it.
func (r *rig) eventsAfter(last int64, d time.Duration) []syncer.Event {
	ctx, cancel := context.WithTimeout(r.ctx(), d)
	defer cancel()
	evs, _, _ := r.eng.Events(ctx, last)
	return evs
}

// failuresAfter returns the "failure" events the engine announced after event last.
func (r *rig) failuresAfter(last int64) []syncer.Event {
	var out []syncer.Event
	for _, ev := range r.eventsAfter(last, 20*time.Millisecond) {
		if ev.Kind == "failure" {
			out = append(out, ev)
		}
	}
	return out
}

// lastEvent is the engine's last event so far.
func (r *rig) lastEvent() int64 {
	_, last, _ := r.eng.Events(r.ctx(), 1<<62)
	return last
}

// TestAPassWithNothingToDoAnnouncesNothing: the desktop app sleeps on the engine's events;
// a pass that finds nothing changed must not wake it (issue 13, idle CPU).
func TestAPassWithNothingToDoAnnouncesNothing(t *testing.T) {
	r := newRig(t, nil)
	r.write("a.txt", "a")
	r.syncFolder(model.DefaultOptions())
	last := r.lastEvent()
	r.wait() // two more passes that find nothing to do
	r.wait()
	if n := len(r.eventsAfter(last, 50*time.Millisecond)); n != 0 {
		t.Fatalf("passes with nothing to do announced %d events", n)
	}
}

// TestASetGoingOfflineIsAnnounced: the app learns a set's new state from an event.
func TestASetGoingOfflineIsAnnounced(t *testing.T) {
	r := newRig(t, nil)
	r.write("a.txt", "a")
	r.syncFolder(model.DefaultOptions())
	last := r.lastEvent()
	r.offline(true)
	ctx, cancel := context.WithTimeout(r.ctx(), 300*time.Millisecond)
	r.eng.Wait(ctx) // offline passes never converge: one round is enough
	cancel()
	if n := len(r.eventsAfter(last, 2*time.Second)); n == 0 {
		t.Fatal("a set that went offline was not announced")
	}
	if st := r.status(); st.State != "offline" {
		t.Fatalf("state %s, want offline", st.State)
	}
}
