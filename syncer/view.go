package syncer

import (
	"maps"
	"path"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
)

// view is what the engine knows of one set between passes, kept in memory so that Status,
// ListSets and Info answer at once without reading the set's item table (one `status`
// took 10 s during a 100k-entry pass when it did): the counters of the set's items, what is
// pending, and the rules that say which local paths belong to the set. The runner's passes
// maintain it; it is guarded by Engine.mu and never held across I/O.
//
// Pending (SPEC §3) is the union of three things, each a set of items named by a unit (an
// item key, or the path of an item new on this pass) and the paths it touches:
//   - dirty: what the watcher reported since the last scan started;
//   - seen: the local changes the last scan found (against the base) and no plan covers
//     yet: what a pass that could not reach the cloud, or did not try (paused, signed
//     out), knows is waiting;
//   - planned: the actions of the last plan that have not completed (a transfer waiting
//     for its turn, a deletion held for confirmation, an action skipped this pass).
//
// A fourth makes every item pending: held, when the last pass stopped at a set-wide guard
// because what it saw of one whole side is not believed (a missing or replaced local root,
// a vanished cloud folder, an empty cloud listing), or could not record its results (a
// store write failed: the stored items no longer say what the sides hold). The engine then
// knows neither that the sides differ nor that they agree: no item is known synced until a
// pass gets past the guards (a listing believed again, or the user's confirmation).
//
// Failed items are counted as failed, not pending; conflict copies (local_only) and items
// the options exclude are neither.
type view struct {
	loaded                   bool // the counters come from a pass that read the items
	items, failed, conflicts int

	// Membership rules, refreshed from the set and its items by every pass.
	kind       model.Kind
	subfolders bool
	own        []string        // set-relative folders holding cloudsync's own files
	members    map[string]bool // documents sets: chosen documents and paired items' paths
	copies     map[string]bool // registered conflict copies

	dirty    dirtySet
	looking  dirtySet // what the running pass took from dirty: pending until the pass ends
	seen     pendingIndex
	planned  pendingIndex
	seenOnly int // units of seen that planned does not have (see setSeen)
	held     bool
	// carried: the unit of a planned folder move → the units of the items below the folder,
	// which move with it and are pending until it moved (see pass.notePlan); moving: the
	// paths of the folders whose planned move has not succeeded yet (stored, source and
	// target path) → the move's unit.
	carried map[string][]string
	moving  map[string]string
}

// setSeen replaces the local changes of the last scan. The units planned does not cover
// are counted once here, so that pending stays cheap while a large pass is under way.
func (v *view) setSeen(idx pendingIndex) {
	v.seen, v.seenOnly = idx, idx.countNotIn(&v.planned)
}

// setPlanned replaces the pending work by a new plan's. The plan covers what the scan saw,
// except the changes it leaves alone (acted names the units it has an action for): an item
// under a folder that failed is frozen without an action of its own (the folder carries
// the report), and its local change is still not in the cloud, so it stays pending.
func (v *view) setPlanned(idx pendingIndex, acted map[string]bool, carried map[string][]string, moving map[string]string) {
	v.planned, v.carried, v.moving = idx, carried, moving
	v.seen = v.seen.without(acted)
	// (An item below a moving folder is in both without an action of its own: carried.)
	v.seenOnly = v.seen.countNotIn(&v.planned)
}

// beginPlans starts the planned work of a pass that adds it plan by plan (addPlanned: a
// pass that runs its scope in chunks, chunks.go).
func (v *view) beginPlans() {
	v.planned.reset()
	v.carried, v.moving = nil, nil
	v.seenOnly = v.seen.count()
}

// addPlanned adds one plan's pending work (idx) to the running pass's; acted names the units
// the plan has an action for: the seen changes they cover are counted as planned.
func (v *view) addPlanned(idx pendingIndex, acted map[string]bool, carried map[string][]string, moving map[string]string) {
	if len(moving) > 0 {
		if v.carried == nil {
			v.carried, v.moving = map[string][]string{}, map[string]string{}
		}
		maps.Copy(v.carried, carried)
		maps.Copy(v.moving, moving)
	}
	// seen and planned are changed in place and seenOnly by what this plan's units change,
	// so that a chunk costs what it holds, not the whole scope's changes (a million files in
	// chunks of 2,000 would rebuild half a million seen units 500 times).
	only := func(u string) bool { return v.seen.hasUnit(u) && !v.planned.hasUnit(u) }
	touched := make(map[string]bool, idx.count()+len(acted))
	idx.each(func(u string, _ int, _ []string) { touched[u] = only(u) })
	for u := range acted {
		touched[u] = only(u)
	}
	idx.each(func(u string, open int, paths []string) {
		for range open {
			v.planned.add(u, paths...)
		}
	})
	for u := range acted {
		v.seen.drop(u)
	}
	for u, was := range touched {
		switch is := only(u); {
		case was && !is:
			v.seenOnly--
		case !was && is:
			v.seenOnly++
		}
	}
	v.shrinkPending()
}

// pendingRoom is the fewest slots a pending map keeps when it shrinks (see shrinkPending):
// the room of a chunk's units or so (defaultChunk), so that a pass of few changes moves none.
const pendingRoom = 4 * defaultChunk

// shrinkPending gives back the room of the pending units that left seen and planned: a
// first sync of a million new files notes a million seen units when its scan ends, which
// its chunks then plan and complete a few thousand at a time; a Go map keeps its slots,
// and the view held about 34 bytes a file until the pass ended (issue 11), while the index
// grew by every file recorded. Called as units leave; it moves a shard of a map once a
// quarter of its largest size is gone, so each unit is moved about three times more in
// all, and a few shards a call (roomMap.shrink), never a whole map at once.
func (v *view) shrinkPending() {
	v.seen.shrink(pendingRoom)
	v.planned.shrink(pendingRoom)
}

// pending counts the pending items of the set. Between setPlanned and the next setSeen
// seenOnly counts only units planned has not, so closing planned units (done) never
// changes it.
func (v *view) pending() int {
	n := v.planned.count() + v.seenOnly
	for p := range v.dirty.paths {
		if !v.seen.has(p) && !v.planned.has(p) {
			n++
		}
	}
	for p := range v.looking.paths {
		if !v.dirty.has(p) && !v.seen.has(p) && !v.planned.has(p) {
			n++
		}
	}
	if v.held {
		n = max(n, v.items-v.failed)
	}
	return n
}

// isPending reports whether set-relative path p is pending.
func (v *view) isPending(p string) bool {
	return v.held || v.dirty.has(p) || v.looking.has(p) || v.seen.has(p) || v.planned.has(p)
}

// takeDirty hands what the watcher reported to a pass about to look at it. The paths stay
// pending until the pass ended (doneLooking): until its look noted what is there, a path
// reported changed is not known synced.
func (v *view) takeDirty() dirtySet {
	d := v.dirty.take()
	v.looking = dirtySet{paths: maps.Clone(d.paths)}
	return d
}

// doneLooking ends what takeDirty began: the pass noted, planned or gave back the paths.
func (v *view) doneLooking() { v.looking = dirtySet{} }

// relevant reports whether a local change at set-relative path p concerns the set: not one
// of cloudsync's own files, no ignored name (office temp and lock files), no conflict copy,
// nothing the set's options leave out. A change that is not relevant neither counts as
// pending nor asks for a pass.
func (v *view) relevant(p string) bool {
	if p == "" || isOwn(p, v.own) || ignoredPath(p) || v.conflictCopy(p) {
		return false
	}
	switch {
	case v.kind == model.KindDocuments:
		return v.members[p]
	case v.kind == model.KindFolder && !v.subfolders:
		return !strings.Contains(p, "/")
	}
	return true
}

// conflictCopy reports whether p is, or is inside, a conflict copy: registered, or named
// like one (see pass.localOnly).
func (v *view) conflictCopy(p string) bool {
	for q := p; ; q = path.Dir(q) {
		if v.copies[q] || exec.IsConflictCopyName(path.Base(q)) {
			return true
		}
		if !strings.Contains(q, "/") {
			return false
		}
	}
}

// ignoredPath reports whether an element of p is a name never synced (exec.Ignored).
func ignoredPath(p string) bool {
	for name := range strings.SplitSeq(p, "/") { // no slice: the walk asks for every cloud entry
		if exec.Ignored(name) {
			return true
		}
	}
	return false
}

// rules are the counters and membership rules of a set as its items give them, built
// without the engine's lock (a pass reads every item) and then swapped into the view.
type rules struct {
	items, failed, conflicts int
	kind                     model.Kind
	subfolders               bool
	own                      []string
	members, copies          map[string]bool
}

// rulesOf computes the rules of set s from all its items.
func rulesOf(s model.Set, own []string, items map[string]model.Item) rules {
	r := newRules(s, own)
	for _, it := range items {
		r.add(it)
	}
	return r
}

// newRules starts the rules of set s; add counts its items one by one.
func newRules(s model.Set, own []string) rules {
	r := rules{kind: s.Kind, subfolders: s.Kind == model.KindFolder && s.Options.IncludeSubfolders, own: own,
		copies: map[string]bool{}}
	if s.Kind == model.KindDocuments {
		r.members = map[string]bool{}
		for _, d := range s.Documents {
			r.members[d] = true
		}
	}
	return r
}

// add counts one item of the set.
func (r *rules) add(it model.Item) {
	v := view{items: r.items, failed: r.failed, conflicts: r.conflicts}
	v.count(it, 1)
	r.items, r.failed, r.conflicts = v.items, v.failed, v.conflicts
	for _, c := range it.Conflicts {
		r.copies[c] = true
	}
	if r.members != nil && !it.Local.Excl {
		r.members[it.Path] = true
	}
}

// load puts rules into the view; Engine.mu must be held.
func (v *view) load(r rules) {
	v.loaded = true
	v.items, v.failed, v.conflicts = r.items, r.failed, r.conflicts
	v.kind, v.subfolders, v.own, v.members, v.copies = r.kind, r.subfolders, r.own, r.members, r.copies
}

// count adds (sign 1) or removes (sign -1) one item from the counters.
func (v *view) count(it model.Item, sign int) {
	if it.Local.Excl || it.Remote.Excl {
		return
	}
	v.items += sign
	if it.Status == model.StatusFailed {
		v.failed += sign
	}
	v.conflicts += sign * len(it.Conflicts)
}

// unitOf names the pending unit of an action: its item, or for an item new on this pass its
// path after the action.
func unitOf(a plan.Action) string {
	if a.Key != "" {
		return "k:" + a.Key
	}
	return "p:" + a.To
}

// planPending reports whether an action of a plan is pending work: everything but failures
// (counted as failed) and bookkeeping that changes neither side. Bookkeeping that waits for
// other work (an item forgotten once the folder holding it is deleted) is pending with it:
// until that work is done the item is not where its base says on one side.
func planPending(a plan.Action) bool {
	switch a.Op {
	case plan.Fail:
		return false
	case plan.Forget, plan.Exclude:
		return len(a.After) > 0
	}
	return true
}

// isDirMove reports whether a moves a synced folder (with the items below it).
func isDirMove(a plan.Action) bool {
	return a.IsDir && a.Key != "" && a.Path != a.To && (a.Op == plan.MoveLocal || a.Op == plan.MoveRemote)
}
