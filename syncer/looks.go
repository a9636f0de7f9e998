package syncer

import (
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// How a runner decides what its next pass looks at (scope.go), and how the set's index
// follows the store.

// scoped decides whether the next pass of set s is a scoped one and what it looks at. It
// takes the watcher's reports for it (ok true); ok false leaves them for a full pass: the
// set has no index yet (the first pass after a start builds it) or a stale one, Request
// Sync (force) asks for everything, or the set is a documents set (a few items: a full
// pass is cheap and keeps membership simple).
func (r *runner) scoped(s model.Set, force bool, own []string) (*setIndex, look, dirtySet, bool) {
	e := r.e
	e.mu.Lock()
	ix, list, fresh, watching, full := r.ix, r.listWanted, r.watchFresh, r.watching, r.fullWanted
	e.mu.Unlock()
	if force || s.Kind != model.KindFolder {
		return nil, look{}, dirtySet{}, false
	}
	if ix == nil {
		// The first pass reads every item once, into the index and the counters only:
		// then it looks at everything, as a scoped pass.
		var err error
		if ix, err = r.loadIndex(s, own); err != nil {
			return nil, look{}, dirtySet{}, false
		}
		list, full = true, true
	}
	ix.mu.Lock()
	stale := ix.stale
	ix.mu.Unlock()
	if stale {
		return nil, look{}, dirtySet{}, false
	}
	e.mu.Lock()
	d := r.view.takeDirty()
	r.watchFresh = false
	e.mu.Unlock()
	lk := look{cloud: list, full: d.full || fresh || !watching || full}
	if !lk.full {
		for p := range d.paths {
			lk.paths = append(lk.paths, p)
		}
	}
	return ix, lk, d, true
}

// loadIndex builds the index of set s and the view's counters from the stored items, one
// at a time (not all held at once), and installs both. It reads each item's brief (the
// fields both need, listBriefs).
func (r *runner) loadIndex(s model.Set, own []string) (*setIndex, error) {
	e := r.e
	ix := newSetIndex()
	rl := newRules(s, own)
	err := listBriefs(e.cfg.Store, s.ID, func(it model.Item) bool {
		ix.put(it)
		rl.add(it)
		return true
	})
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	r.view.load(rl)
	r.ix = ix
	e.mu.Unlock()
	e.tuneMemory()
	return ix, nil
}

// listBriefs lists the items of set with at least the fields model.ItemBriefLister
// names: by the store's ListItemBriefs when it has one (Badger's decodes only those),
// else by ListItems.
func listBriefs(st model.Store, set string, fn func(model.Item) bool) error {
	if b, ok := st.(model.ItemBriefLister); ok {
		return b.ListItemBriefs(set, fn)
	}
	return st.ListItems(set, fn)
}

// setIndex installs the set's index (built by a full pass from every item).
func (r *runner) setIndex(ix *setIndex) {
	r.e.mu.Lock()
	r.ix = ix
	r.e.mu.Unlock()
}

// setPathIDs remembers, after a listing, whether the remote's ids are paths; a pass that
// does not list uses what the last listing said.
func (r *runner) setPathIDs(v bool) {
	r.e.mu.Lock()
	r.pathIDs = v
	r.e.mu.Unlock()
}

func (r *runner) pathIDsKnown() bool {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	return r.pathIDs
}

// buildIndex makes the index of a set from all its items.
func buildIndex(items map[string]model.Item) *setIndex {
	ix := newSetIndex()
	for _, it := range items {
		ix.put(it)
	}
	return ix
}

// keptListing is what of a listing is kept for the next List: nothing, unless the remote
// reuses it (see keepsPrevious), and never the subtrees of held folders (keepHeldListing).
func (p *pass) keptListing(entries []remote.Entry) []remote.Entry {
	if !p.keepsPrevious() || p.s.Kind == model.KindFolder && p.prunedWalk() != nil {
		return nil // (a folder set's scoped passes walk the cloud, keeping folder tags)
	}
	return p.keepHeldListing(entries)
}

// keepsPrevious reports whether the set's remote reuses a previous listing (Alfresco's
// pruned listing; WebDAV where folder ETags propagate): only then is a listing kept
// between passes, where it costs memory in proportion to the cloud folder.
func (p *pass) keepsPrevious() bool {
	a, err := p.e.cfg.Store.GetAccount(p.s.Account)
	if err != nil {
		return false
	}
	return a.Type == "alfresco" || a.Capabilities != nil && a.Capabilities.FolderETags
}

// prunedWalk returns the remote as a remote.PruningWalker when it is one and can walk
// (remote.Walker) too, else nil.
func (p *pass) prunedWalk() remote.PruningWalker {
	pw, ok := remote.As[remote.PruningWalker](p.rem)
	if _, walks := remote.As[remote.Walker](p.rem); !ok || !walks {
		return nil
	}
	return pw
}

// redirty gives the paths of the plan's actions that did not complete back to the watcher's
// reports: their local side differs from the base, and only a look at them finds it again
// before the next full look.
func (p *pass) redirty() {
	e := p.e
	e.mu.Lock()
	defer e.mu.Unlock()
	v := &p.r.view
	v.planned.eachPath(func(pth string) {
		v.dirty.add(WatchEvent{Paths: []string{pth}}, func(string) bool { return true })
	})
}

// indexingStore is the engine's store: every write of a set's items is passed on to the
// set's index after it succeeded (a failed write makes the index stale, so the next pass
// of the set is a full one), whoever writes: passes, Request Sync, Unsync.
type indexingStore struct {
	model.Store
	e *Engine
}

func (s indexingStore) PutItems(set string, put []model.Item, del []string) error {
	err := s.Store.PutItems(set, put, del)
	ix := s.e.indexOf(set)
	if ix == nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err != nil {
		ix.stale = true
		return err
	}
	ix.noteWrites(put, del)
	for _, k := range del {
		ix.drop(k)
	}
	for _, it := range put {
		ix.put(it)
	}
	return nil
}

func (s indexingStore) DeleteSet(id string) error {
	if ix := s.e.indexOf(id); ix != nil {
		ix.mu.Lock()
		ix.stale = true
		ix.mu.Unlock()
	}
	return s.Store.DeleteSet(id)
}

// indexOf returns the index of set id (nil when it has none).
func (e *Engine) indexOf(id string) *setIndex {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r := e.runners[id]; r != nil {
		return r.ix
	}
	return nil
}

// ListItemBriefs lists with the store's ListItemBriefs, or its ListItems (listBriefs).
func (s indexingStore) ListItemBriefs(set string, fn func(model.Item) bool) error {
	return listBriefs(s.Store, set, fn)
}

var _ model.Store = indexingStore{}

// beginLook records that the running pass begins looking at the local tree and the cloud
// (all: at the whole of both), after the Wait calls made so far: a pass that looks at
// everything after a Wait call sees every change made before it (Engine.Wait).
func (r *runner) beginLook(all bool) {
	r.e.mu.Lock()
	r.looked, r.lookedAll, r.lookedAt = true, all, r.e.waitCalls
	r.e.mu.Unlock()
}

// noteLook records what the running pass looks at (PassInfo).
func (r *runner) noteLook(cloud bool, local string, items int) {
	r.e.mu.Lock()
	r.look.Cloud, r.look.Local, r.look.Items = cloud, local, items
	r.e.mu.Unlock()
}

// publishIndex puts the set's counters and registered conflict copies, as the index keeps
// them for every item, into the view (a scoped pass reads only some items).
func (p *pass) publishIndex(ix *setIndex) {
	ix.mu.Lock()
	items, failed, conflicts := ix.items, ix.failed, ix.conflicts
	copies := make(map[string]bool, len(ix.copies))
	for c := range ix.copies {
		copies[c] = true
	}
	ix.mu.Unlock()
	p.e.mu.Lock()
	v := &p.r.view
	v.items, v.failed, v.conflicts, v.copies = items, failed, conflicts, copies
	p.e.mu.Unlock()
}
