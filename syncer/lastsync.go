package syncer

import (
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// The time of a set's last sync (model.Set.LastSync: the end of its last clean pass) moves
// on with every clean pass, also with every poll that found nothing to do. Stored with
// each of them, it cost every such pass a write to the store, which is synced to the disk
// before it returns (state.Store opens Badger with SyncWrites): an fsync on the critical
// path of a poll that changed nothing, every poll interval for as long as the engine runs
// (issue 11). So the engine keeps it in memory, shows that one (status, Sync Info), and
// stores it with any other change of the set and, after the pass, once the stored one is
// lastSyncStoreEvery old, and when the set's runner stops (the engine shuts down, the set
// is unsynced). A crash loses at most lastSyncStoreEvery of it: the time shown after a
// restart is then older than the last sync, never later, until the first pass ends. What
// a pass must not lose (the trust in the bases, a cleared failure, the first sync's time)
// is stored by the pass itself, as before.

// lastSyncStoreEvery is how old the stored time of the last sync may grow while the engine
// keeps a later one in memory.
const lastSyncStoreEvery = 10 * time.Minute

// syncedAt records that a clean pass ended at now, the stored time of the last sync being
// stored (now, when the pass stored it with other changes).
func (r *runner) syncedAt(now, stored time.Time) {
	r.e.mu.Lock()
	r.lastSync, r.lastSyncStored = now, stored
	r.e.mu.Unlock()
}

// storeLastSync stores the time of the last sync when the stored one is lastSyncStoreEvery
// older (or later: the clock was set back), or, with always, when it differs at all (the
// runner stops: an engine shut down cleanly shows the last sync it made after a restart).
// Called after a pass ended, off its path, and when the runner stops.
func (r *runner) storeLastSync(always bool) {
	e := r.e
	e.mu.Lock()
	t, stored := r.lastSync, r.lastSyncStored
	e.mu.Unlock()
	if d := t.Sub(stored); t.IsZero() || d == 0 || !always && d > 0 && d < lastSyncStoreEvery {
		return
	}
	found := false
	if _, err := e.updateSet(r.id, func(s *model.Set) bool { found = true; s.LastSync = t; return true }); err != nil {
		if found { // (else unsynced meanwhile)
			e.cfg.Log.Error("storing set", "set", r.id, "err", err)
		}
		return
	}
	e.mu.Lock()
	if r.lastSyncStored.Equal(stored) {
		r.lastSyncStored = t
	}
	e.mu.Unlock()
}

// withLastSync is s with the time of its last sync as this engine knows it: the end of its
// last clean pass, when one ended since the engine started, else the stored time.
func (e *Engine) withLastSync(s model.Set) model.Set {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r := e.runners[s.ID]; r != nil && !r.lastSync.IsZero() {
		s.LastSync = r.lastSync
	}
	return s
}
