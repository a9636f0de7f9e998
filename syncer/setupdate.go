package syncer

import "github.com/cloudsync/cloudsync/syncer/model"

// A set is read, changed and written back by several goroutines: its runner's pass (the
// root's identity, a held mass deletion, a failure, trust and the last sync), the runner
// when it stops, and commands (pause, unsync of a document). Each must change only what it
// means to change in the set as stored at that moment; a write of a copy read earlier
// undoes what was stored in between (a pause made during a pass that then held back a mass
// deletion came undone). So every such change goes through updateSet, which reads, changes
// and writes the set under Engine.setMu, and a set is deleted under it too (deleteSet), so
// that a change never writes back a set that was deleted meanwhile.

// updateSet applies change to set id as stored and stores the result when change reports
// that it changed something. It returns the set as it is now; the error is the store's
// (reading: the set is gone, e.g. unsynced).
func (e *Engine) updateSet(id string, change func(*model.Set) bool) (model.Set, error) {
	e.setMu.Lock()
	defer e.setMu.Unlock()
	s, err := e.cfg.Store.GetSet(id)
	if err != nil {
		return s, err
	}
	if change(&s) {
		err = e.cfg.Store.PutSet(s)
	}
	return s, err
}

// deleteSet deletes set id from the store (see updateSet).
func (e *Engine) deleteSet(id string) error {
	e.setMu.Lock()
	defer e.setMu.Unlock()
	return e.cfg.Store.DeleteSet(id)
}
