package syncer

import (
	"cmp"
	"context"
	"path"
	"sync/atomic"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// runner owns one sync set's goroutine: it waits for a reason to sync (a local change, the
// poll timer, a kick from the API) and runs one pass at a time.
type runner struct {
	e      *Engine
	id     string
	kick   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	dirty  bool // guarded by e.mu: set when a pass is wanted

	force atomic.Bool // Request Sync: bypass back-off and confirm guards once
	prog  progress    // what the running pass is transferring (SPEC §6 progress)

	// Guarded by e.mu.
	running     bool
	started     uint64 // passes started
	finished    uint64 // passes finished
	lastActions int    // actions executed by the last finished pass (0: converged)
	// What Wait needs to know of the passes' looks (status.go): whether the running pass
	// will look at everything (allWanted), whether it began looking and at what
	// (looked, lookedAll), the Wait calls made before it began (lookedAt); and the same
	// of the last finished pass (done*).
	allWanted, looked, lookedAll bool
	lookedAt                     uint64
	doneLooked, doneAll          bool
	doneAt                       uint64
	lastState                    string         // outcome of the last pass (StateIdle, StateError, StateOffline, …)
	total, left                  int            // progress of the running pass
	prevRemote                   []remote.Entry // last complete listing, for remotes that can reuse subtrees
	view                         view           // counters and pending work (view.go)
	wholeHome                    bool           // a documents set walked its whole home since the engine started
	meta                         metaState      // whether the set syncs metadata, and why not (meta.go)

	// What the next pass looks at (looks.go, scope.go). Guarded by e.mu.
	ix         *setIndex // the set's index, built by the first pass
	listWanted bool      // the next pass lists the cloud (a poll, a kick)
	fullWanted bool      // the next pass looks at the whole local tree (a kick)
	watching   bool      // the set's watcher runs: local changes are reported
	watchFresh bool      // the watcher (re)started: what changed before it is unknown
	pathIDs    bool      // the last listing's ids were paths
	look       PassInfo  // what the running pass looks at (set by the pass)
	lastPass   PassInfo  // the last finished pass (SetInfo.LastPass)
	// The end of the last clean pass of this engine (zero: none yet), and the one the
	// store holds (lastsync.go).
	lastSync, lastSyncStored time.Time
	// The actions that met a cloud item changed since it was listed, in the last pass and
	// in the running one (race.go). Used by the runner's goroutine only.
	raced, racing map[string]bool
	echoes        echoes // what the last passes wrote in the folder (echo.go); guarded by e.mu
}

// poke asks for a pass (non-blocking; several pokes coalesce). e.mu may be held.
func (r *runner) poke() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

func (r *runner) stopped() <-chan struct{} { return r.done }

func (r *runner) loop(ctx context.Context) {
	defer close(r.done)
	defer r.storeLastSync(true) // (before done: stopRunner waits for it, Run too)
	var watchCh <-chan WatchEvent
	poll := time.NewTimer(r.e.pollInterval())
	defer poll.Stop()
	for {
		if watchCh == nil {
			watchCh = r.startWatch(ctx)
			r.setWatching(watchCh != nil)
		}
		// A kick (Wait, a request, a new setting) asks for a look at everything: the whole
		// local tree (a change made just before may not have been reported yet) and the
		// cloud. The poll timer asks for a look at the cloud and at what the watcher
		// reported; a watcher event for a look at what it reported only (looks.go).
		list, full := false, false
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
			list, full = true, true
		case ev, ok := <-watchCh:
			if !ok {
				watchCh = nil
				r.setWatching(false)
				continue
			}
			if !r.noteWatch(ev) {
				continue // nothing of the set changed (cloudsync's own files, temp files)
			}
		case <-poll.C:
			list = true
		}
		// Coalesce a burst of kicks and events into one pass.
		if drain(r.kick) {
			list, full = true, true
		}
		r.runPass(ctx, list, full)
		interval := r.e.pollInterval()
		soon := r.endRaces(interval)
		if list || soon > 0 { // the poll interval counts from the last look at the cloud
			if !poll.Stop() {
				select {
				case <-poll.C:
				default:
				}
			}
			poll.Reset(cmp.Or(soon, interval))
		}
	}
}

// drain empties c and reports whether it held anything.
func drain(c chan struct{}) bool {
	got := false
	for {
		select {
		case <-c:
			got = true
		default:
			return got
		}
	}
}

// setWatching records whether the set's watcher runs; one that (re)starts makes the next
// pass look at the whole local tree.
func (r *runner) setWatching(on bool) {
	r.e.mu.Lock()
	if on && !r.watching {
		r.watchFresh = true
	}
	r.watching = on
	r.e.mu.Unlock()
}

// startWatch starts the set's local watcher, or returns nil (polling and rescans still
// run) when there is none or it cannot start yet (e.g. the root is missing).
func (r *runner) startWatch(ctx context.Context) <-chan WatchEvent {
	if r.e.cfg.Watch == nil {
		return nil
	}
	s, err := r.e.cfg.Store.GetSet(r.id)
	if err != nil {
		return nil
	}
	root := s.LocalRoot
	r.e.mu.Lock()
	if !r.view.loaded { // the rules events are filtered by, until a pass loads the items
		r.view.kind, r.view.own = s.Kind, ownPrefixes(root, r.e.cfg.Protected)
		r.view.subfolders = s.Kind == model.KindFolder && s.Options.IncludeSubfolders
	}
	r.e.mu.Unlock()
	// A documents set watches its whole home: its documents may move anywhere inside it.
	ch, err := r.e.cfg.Watch(ctx, root, s.Kind == model.KindDocuments || s.Options.IncludeSubfolders, r.e.rescanInterval())
	if err != nil {
		r.e.cfg.Log.Warn("local watcher not started; relying on rescans", "set", r.id, "root", root, "err", err)
		return nil
	}
	return ch
}

// noteWatch records a watcher event in the set's dirty set (a change seen is pending at
// once) and reports whether it asks for a pass.
func (r *runner) noteWatch(ev WatchEvent) bool {
	e := r.e
	ev = r.dropEchoes(ev)
	e.mu.Lock()
	before := r.view.pending()
	wanted := r.view.dirty.add(ev, r.view.relevant)
	after := r.view.pending()
	e.mu.Unlock()
	if after != before {
		e.changed()
	}
	return wanted
}

// runPass runs one sync pass (type pass, pass.go) and publishes its outcome.
func (r *runner) runPass(ctx context.Context, list, full bool) {
	e := r.e
	e.mu.Lock()
	r.listWanted, r.fullWanted = list || r.ix == nil, full
	pendingBefore := r.view.pending()
	r.running = true
	r.started++
	r.echoes.turn()
	r.dirty = false
	r.allWanted, r.looked, r.lookedAll = list && full || r.ix == nil, false, false
	r.look = PassInfo{Started: e.cfg.Now(), Local: "none"}
	e.passCond.Broadcast()
	e.mu.Unlock()
	started := time.Now()

	actions, state := r.syncOnce(ctx)

	e.mu.Lock()
	r.lastPass = r.look
	r.lastPass.Seconds = time.Since(started).Seconds()
	r.running = false
	r.view.doneLooking()
	r.finished++
	r.doneLooked, r.doneAll, r.doneAt = r.looked, r.lookedAll, r.lookedAt
	r.lastActions = actions
	changed := r.lastState != state
	r.lastState = state
	r.total, r.left = 0, 0
	e.passGen++
	e.passCond.Broadcast()
	pendingChanged := r.view.pending() != pendingBefore
	e.mu.Unlock()
	r.storeLastSync(false)
	e.tuneMemory()
	// A new pending count or a new state (offline, back online…) is announced: the app
	// shows them without polling.
	if pendingChanged || changed {
		e.changed()
	}
}

// lastStateIs reports whether the set's last pass ended in state.
func (r *runner) lastStateIs(state string) bool {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	return r.lastState == state
}

// homeWalkDue reports whether a documents set's scan must walk its whole home: once after
// the engine started (documents may have moved while it was not watching), and when the
// watcher asked for a rescan or reported a change at a document's path (dirty).
func (r *runner) homeWalkDue(dirty dirtySet) bool {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	return !r.wholeHome || dirty.full || len(dirty.paths) > 0
}

// homeWalked records a walk of the whole home.
func (r *runner) homeWalked() {
	r.e.mu.Lock()
	r.wholeHome = true
	r.e.mu.Unlock()
}

// setFailure records a set-wide failure (the set stops syncing until it clears) and
// notifies once when it is new.
func (r *runner) setFailure(s model.Set, reason remote.Reason, details string) string {
	e := r.e
	changed, isNew := false, false
	_, err := e.updateSet(s.ID, func(cur *model.Set) bool {
		changed, isNew = cur.Error != reason || cur.ErrorDetails != details, cur.Error != reason
		cur.Error, cur.ErrorDetails = reason, details
		return changed
	})
	if err != nil && changed {
		e.cfg.Log.Error("storing set", "set", s.ID, "err", err)
	}
	if changed {
		if isNew {
			e.emit(Event{Kind: "failure", Title: "Sync stopped for " + path.Base(s.LocalRoot), Body: details, Path: s.LocalRoot, Account: s.Account, Reason: reason})
		}
		e.changed()
		e.cfg.Log.Warn("set stopped", "set", s.ID, "reason", reason, "details", details) // once, not every pass
	}
	return StateError
}

func (r *runner) prevRemoteList() []remote.Entry {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	return r.prevRemote
}

func (r *runner) setPrevRemote(en []remote.Entry) {
	r.e.mu.Lock()
	r.prevRemote = en
	r.e.mu.Unlock()
	r.e.tuneMemory() // a kept listing counts (memoryPerEntry)
}
