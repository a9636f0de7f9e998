package syncer_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// setWrites is a store that counts the writes of sets.
type setWrites struct {
	model.Store
	n atomic.Int32
}

func (s *setWrites) PutSet(set model.Set) error {
	s.n.Add(1)
	return s.Store.PutSet(set)
}

// testClock is a clock the test moves (clock, in Unix nanoseconds) and the Config.Now
// that reads it, starting at 2026-12-06 14:00 UTC.
func testClock() (*atomic.Int64, func() time.Time) {
	clock := new(atomic.Int64)
	clock.Store(time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC).UnixNano())
	return clock, func() time.Time { return time.Unix(0, clock.Load()).UTC() }
}

// storedLastSync is the time of the last sync that r's store holds for set id.
func storedLastSync(t *testing.T, r *rig, id string) time.Time {
	t.Helper()
	s, err := r.store.GetSet(id)
	if err != nil {
		t.Fatal(err)
	}
	return s.LastSync
}

// TestAPassThatChangedNothingWritesNoSet: the time of the last sync shown (status, the
// set's Sync Info) is the end of the last clean pass, but a pass that found nothing to do
// does not store it (each write of the store is synced to the disk: issue 11); it is
// stored once the stored one is lastSyncStoreEvery (10 min) old. What the store holds, and
// so what a restarted engine shows after a crash, is never later than the last sync.
func TestAPassThatChangedNothingWritesNoSet(t *testing.T) {
	clock, now := testClock()
	var sw *setWrites
	r := newRig(t, func(c *syncer.Config) {
		sw = &setWrites{Store: c.Store}
		c.Store, c.Now = sw, now
	})
	r.write("a.txt", "a")
	set := r.syncFolder(model.Options{})
	stored := func() time.Time { return storedLastSync(t, r, set.ID) }
	first := stored()
	if !first.Equal(now()) {
		t.Fatalf("after the first sync at %v the store holds %v", now(), first)
	}
	shown := func() string { return r.status().LastSync }
	writes := sw.n.Load()
	for range 3 {
		clock.Add(int64(time.Minute))
		r.wait() // a pass that looks at everything and finds nothing to do
		if got, want := shown(), now().Format(time.RFC3339); got != want {
			t.Errorf("status shows the last sync at %s, want %s (the end of the last pass)", got, want)
		}
		if got := r.info("").LastSync; got != now().Format(time.RFC3339) {
			t.Errorf("the set's Sync Info shows the last sync at %s, want %s", got, now().Format(time.RFC3339))
		}
		if got := stored(); !got.Equal(first) {
			t.Errorf("the store holds the last sync at %v, want %v (not stored yet)", got, first)
		}
	}
	if n := sw.n.Load() - writes; n != 0 {
		t.Errorf("3 passes that changed nothing wrote the set %d times", n)
	}
	clock.Add(int64(10 * time.Minute))
	r.wait()
	r.eventually("the last sync stored 10 min after the stored one", func() bool { return stored().Equal(now()) })

	// A pass that synced a change: its end is shown, and nothing later is stored.
	clock.Add(int64(time.Minute))
	r.write("b.txt", "b")
	r.wait()
	if got := shown(); got != now().Format(time.RFC3339) {
		t.Errorf("status shows the last sync at %s, want %s", got, now().Format(time.RFC3339))
	}
	if got := stored(); got.After(now()) {
		t.Errorf("the store holds the last sync at %v, later than the last pass (%v)", got, now())
	}
}

// TestAStoppedEngineStoresItsLastSync: the time of the last sync that a pass kept in
// memory (TestAPassThatChangedNothingWritesNoSet) is stored when the engine stops, so an
// engine shut down cleanly shows, after a restart, the last sync it made, not one up to
// 10 min older.
func TestAStoppedEngineStoresItsLastSync(t *testing.T) {
	clock, now := testClock()
	r := newRig(t, func(c *syncer.Config) { c.Now = now })
	r.write("a.txt", "a")
	set := r.syncFolder(model.Options{})
	stored := func() time.Time { return storedLastSync(t, r, set.ID) }
	first := stored()
	clock.Add(int64(3 * time.Minute))
	r.wait() // nothing to do: kept in memory only
	last := now()
	if got := stored(); !got.Equal(first) {
		t.Fatalf("a pass that changed nothing stored the last sync (%v, want %v)", got, first)
	}
	clock.Add(int64(time.Minute)) // (the stop itself is not a sync)
	// (The restarted engine's first pass keeps its own end in memory; the store holds what
	// the stopped engine stored.)
	r.restart(func(c *syncer.Config) { c.Now = now })
	if got := stored(); !got.Equal(last) {
		t.Errorf("after a clean stop the store holds the last sync at %v, want %v (the end of the last pass)", got, last)
	}
}
