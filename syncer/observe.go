package syncer

import (
	"context"
	"iter"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
)

// The pass's side of the runner's view (view.go): what a pass learns about pending work
// and the set's counters, published as it goes so that status is true at every moment.

// publishItems refreshes the view's counters and rules from the pass's items.
func (p *pass) publishItems() {
	r := rulesOf(p.s, p.own, p.items) // outside the lock: it reads every item
	p.e.mu.Lock()
	p.r.view.load(r)
	p.e.mu.Unlock()
}

// hold records whether the pass stopped at a set-wide guard that does not believe what it
// saw of one side (view.held): every item is pending until a pass gets past the guards.
func (p *pass) hold(on bool) {
	p.e.mu.Lock()
	p.r.view.held = on
	p.e.mu.Unlock()
}

// takeDirty hands the watcher's reports to the scan about to start.
func (p *pass) takeDirty() dirtySet {
	p.e.mu.Lock()
	defer p.e.mu.Unlock()
	return p.r.view.takeDirty()
}

// restoreDirty gives them back when the scan failed.
func (p *pass) restoreDirty(d dirtySet) {
	p.e.mu.Lock()
	p.r.view.dirty.restore(d)
	p.e.mu.Unlock()
}

// noteLocal records the local changes a scan found against the base as pending: edited,
// moved and new items, and synced items gone locally. Failed items stay failed, and
// unsupported nodes (symlinks, special files) fail rather than wait. An item shown away
// from its path follows its file or folder (followLocal).
func (p *pass) noteLocal(local iter.Seq[plan.Node]) {
	byID := make(map[string]model.Item, len(p.items))
	// atPath says which synced items' paths hold a node; only those paths are kept (a first
	// sync of a million new files keeps none).
	atPath := make(map[string]bool, len(p.items))
	for _, it := range p.items {
		if it.HasBase && it.Local.ID != "" && !it.Local.Gone && !it.Local.Excl && !it.Remote.Excl {
			byID[it.Local.ID] = it
			atPath[it.Path] = false
		}
	}
	var idx pendingIndex
	seenID := make(map[string]bool, len(byID))
	for n := range local {
		_, base := atPath[n.Path]
		if n.Unsupported {
			if base {
				atPath[n.Path] = true
			}
			continue
		}
		it, ok := byID[n.ID]
		// A synced item's path holding another node is an edit in place (a safe save) unless
		// that node is another synced item moved there: then the item there before is gone.
		if base {
			atPath[n.Path] = atPath[n.Path] || !ok || it.Path == n.Path
		}
		if ok {
			seenID[n.ID] = true
			p.followLocal(it, n.Path)
			if it.Status != model.StatusFailed && (n.Path != it.Path || !n.IsDir && n.Version != it.Local.Version || metaChanged(n.Meta, it.Meta)) {
				idx.add("k:"+it.Key, it.Path, n.Path)
			}
			continue
		}
		if key, ok := p.unsynced[n.Path]; ok && p.items[key].Status == model.StatusFailed {
			continue
		}
		idx.add("p:"+n.Path, n.Path)
	}
	for id, it := range byID {
		if !seenID[id] && !atPath[it.Path] && it.Status != model.StatusFailed {
			idx.add("k:"+it.Key, it.Path)
		}
	}
	p.storeMoved(nil)
	p.e.mu.Lock()
	p.keepSeenUnreadable(&idx)
	p.r.view.setSeen(idx)
	p.e.mu.Unlock()
}

// keepSeenUnreadable carries into idx the pending units of earlier passes that lie below a
// folder this scan could not read: the snapshot keeps those items as the base knows them
// (keepUnreadable), but a change seen before the folder became unreadable is still not in
// the cloud. Engine.mu must be held.
func (p *pass) keepSeenUnreadable(idx *pendingIndex) {
	if len(p.unreadable) == 0 {
		return
	}
	v := &p.r.view
	for _, x := range []*pendingIndex{&v.seen, &v.planned} {
		x.each(func(u string, _ int, paths []string) {
			for _, q := range paths {
				if p.underUnreadable(q) {
					idx.add(u, paths...)
					break
				}
			}
		})
	}
}

// notePlan records the plan's work as pending; what the scan saw and the plan leaves alone
// stays pending (see view.setPlanned). full is the plan before the actions of failed items
// in back-off were dropped: what was dropped only because it depends on them (a download
// waiting for a failed upload of a name it shares) is still work to do, so it is pending;
// the failed items themselves show failed.
func (p *pass) notePlan(full, pl plan.Plan) {
	idx, acted, carried, moving := p.planUnits(full, pl)
	p.e.mu.Lock()
	p.r.view.setPlanned(idx, acted, carried, moving)
	p.e.mu.Unlock()
}

// notePlanMore is notePlan for one more plan of a pass that runs several (chunks.go).
func (p *pass) notePlanMore(full, pl plan.Plan) {
	idx, acted, carried, moving := p.planUnits(full, pl)
	p.e.mu.Lock()
	p.r.view.addPlanned(idx, acted, carried, moving)
	p.e.mu.Unlock()
}

// planUnits is the pending work of a plan (see notePlan) and the units it acts on; carried
// and moving are the items below the folders it moves (see carried).
func (p *pass) planUnits(full, pl plan.Plan) (idx pendingIndex, acted map[string]bool, carried map[string][]string, moving map[string]string) {
	kept := make(map[int]bool, len(pl.Actions))
	for _, a := range pl.Actions {
		kept[a.ID] = true
	}
	acted = make(map[string]bool, len(full.Actions))
	moves := map[string]plan.Action{} // stored path of a folder the plan moves → its move
	for _, a := range full.Actions {
		acted[unitOf(a)] = true
		if planPending(a) && (kept[a.ID] || !p.failedUnit(a)) {
			paths := []string{a.Path, a.To}
			if it, ok := p.items[a.Key]; a.Key != "" && ok {
				paths = append(paths, it.Path) // where Sync Info finds the item until the action ran
				if it.Local.Path != "" {
					// Shown where the folder has it (a failed move, followLocal), not at the
					// plan's paths, which can lie below the failed folder's new path: listed
					// there too, as new, it was listed twice.
					paths = []string{it.Path, it.Local.Path}
				}
			}
			idx.add(unitOf(a), paths...)
		}
		if it, ok := p.items[a.Key]; ok && isDirMove(a) {
			moves[it.Path] = a
		}
	}
	moving = make(map[string]string, 3*len(moves))
	for stored, a := range moves {
		moving[stored], moving[a.Path], moving[a.To] = unitOf(a), unitOf(a), unitOf(a)
	}
	return idx, acted, p.carried(&idx, moving), moving
}

// carried registers the items below each folder the plan moves as pending until the move
// is done (settle closes them): they have no action of their own, and until the folder
// moved they are not at their stored path on one side. An item is below a moving folder
// when its stored path is below the folder's stored path, or below the path it is moved
// from or to (an item recorded in a folder already renamed on one side). A move that fails,
// or waits in back-off, leaves them pending (the folder shows the failure). moving maps
// those folder paths to the move's unit; returns the units carried by each move.
func (p *pass) carried(idx *pendingIndex, moving map[string]string) map[string][]string {
	if len(moving) == 0 {
		return nil
	}
	out := map[string][]string{}
	for _, it := range p.items {
		if it.Local.Excl || it.Remote.Excl || it.Status == model.StatusFailed { // (failed: counted as such)
			continue
		}
		for d := path.Dir(it.Path); d != "."; d = path.Dir(d) {
			if mu, ok := moving[d]; ok && !contains(out[mu], "k:"+it.Key) {
				idx.add("k:"+it.Key, it.Path, shownPath(it))
				out[mu] = append(out[mu], "k:"+it.Key)
			}
		}
	}
	return out
}

// failedUnit reports whether action a is about an item that failed (by key, or for an
// item new on both sides by the path of its failure record).
func (p *pass) failedUnit(a plan.Action) bool {
	if it, ok := p.items[a.Key]; a.Key != "" && ok {
		return it.Status == model.StatusFailed
	}
	for _, pth := range []string{a.To, a.Path} {
		if key, ok := p.unsynced[pth]; ok && p.items[key].Status == model.StatusFailed {
			return true
		}
	}
	return false
}

// settle accounts for one result of the plan: done (synced, or failed: counted as failed)
// unless record left it for the next pass (ok false), and the counters follow the item.
func (p *pass) settle(res exec.Result, it model.Item, drop, ok bool) {
	if !ok {
		return
	}
	old, existed := p.items[it.Key]
	p.e.mu.Lock()
	defer p.e.mu.Unlock()
	v := &p.r.view
	if planPending(res.Action) {
		v.planned.done(unitOf(res.Action))
		v.planned.shrink(pendingRoom)
	}
	if res.Err == nil && isDirMove(res.Action) {
		mu := unitOf(res.Action)
		for _, u := range v.carried[mu] {
			v.planned.done(u) // moved with their folder (moveBelow recorded their paths)
			v.seen.drop(u)    // (seen moved by the scan: that was the folder's move)
			if below, found := p.items[strings.TrimPrefix(u, "k:")]; found {
				// Still carried by the move of a folder below this one, which may fail: the
				// item stays pending at the path it is now recorded at.
				v.planned.moved(u, below.Path)
			}
		}
		delete(v.carried, mu)
		maps.DeleteFunc(v.moving, func(_, u string) bool { return u == mu })
	}
	if !drop && it.Status != model.StatusFailed && len(v.moving) > 0 {
		// An item recorded below a folder whose move is still to do (a download into the
		// folder already renamed on this side) is at its path on one side only until then.
		for d := path.Dir(it.Path); d != "."; d = path.Dir(d) {
			if mu, ok := v.moving[d]; ok {
				v.planned.add("k:"+it.Key, it.Path)
				v.carried[mu] = append(v.carried[mu], "k:"+it.Key)
			}
		}
	}
	if existed {
		v.count(old, -1)
	}
	if !drop {
		v.count(it, 1)
	}
}

// observe is the pass of a set that may not sync now (paused, or its account needs
// sign-in): it scans, so that local changes show as pending (SPEC §3: "changes are still
// recorded"), and touches nothing. A root that is missing or not the recorded one is not
// scanned (its emptiness is not news of deletions).
func (p *pass) observe(ctx context.Context) {
	if err := p.loadItems(); err != nil {
		return
	}
	p.publishItems()
	if p.lfs.RootOK(false) != nil {
		return
	}
	p.meta = p.r.metaOn()
	if root, err := p.lfs.Stat(""); err != nil || p.s.LocalRootID != "" && root.ID != p.s.LocalRootID {
		return
	}
	if local, err := p.scanLocal(ctx); err == nil {
		p.noteLocal(slices.Values(local))
	}
}

// forgetVanished drops the failure records (items that never synced) whose path is gone on
// both sides: a symlink removed, a file with an invalid name renamed or deleted. Without
// this they stayed in Synced with errors forever, and `wait` could never succeed.
func (p *pass) forgetVanished(local, cloud []plan.Node) {
	if len(p.unsynced) == 0 {
		return
	}
	exists := make(map[string]bool, len(local)+len(cloud))
	for _, n := range local {
		exists[n.Path] = true
	}
	for _, n := range cloud {
		exists[n.Path] = true
	}
	var del []string
	for pth, key := range p.unsynced {
		if it, ok := p.items[key]; ok && !it.HasBase && !exists[pth] && !p.underUnreadable(pth) {
			del = append(del, key)
			delete(p.items, key)
			delete(p.unsynced, pth)
		}
	}
	if len(del) == 0 {
		return
	}
	if err := p.e.cfg.Store.PutItems(p.s.ID, nil, del); err != nil {
		p.e.cfg.Log.Error("forgetting vanished failures", "set", p.s.ID, "err", err)
	}
}
