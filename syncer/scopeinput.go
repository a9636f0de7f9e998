package syncer

import (
	"context"
	"iter"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// What a scoped pass plans (scope.go): the items its looks' findings touch, and the
// planner's snapshots of them.

// deletesLocally reports whether the local look found items gone that did not move within
// what it saw: local deletions, to be planned against a fresh listing.
func (sc *scope) deletesLocally() bool {
	if len(sc.goneLocal) == 0 {
		return false
	}
	moved := map[string]bool{}
	for _, s := range sc.localNodes.each() {
		moved[s.id] = true
	}
	for k := range sc.goneLocal {
		it, ok := sc.p.items[k]
		if !ok || !moved[it.Local.ID] {
			return true
		}
	}
	return false
}

// widen brings into the scope the items the looks' findings touch: the items at the
// changed paths, the other end of a local move (whose old place is then looked at too),
// everything below a folder that went or moved, and the folders above all of these.
func (sc *scope) widen(ctx context.Context) error {
	p, x := sc.p, sc.ix
	for {
		var keys, more []string
		dirs := map[uint64]bool{}
		x.mu.Lock()
		for _, ns := range []*nodes{sc.localNodes, sc.cloudNodes} {
			for pth, s := range ns.each() {
				if e, ok := x.entry(pth); ok {
					keys = append(keys, x.keyOf(e))
				}
				if s.flags&snapDir != 0 {
					dirs[x.pathHash(pth)] = true
				}
			}
		}
		for _, s := range sc.localNodes.each() {
			k, ok := x.byLocalID(s.id)
			if !ok {
				continue
			}
			keys = append(keys, k)
			if ik, ok := x.keyed(k); ok && x.isDir(ik.path) {
				dirs[ik.path] = true
			}
		}
		for _, gone := range []map[string]bool{sc.goneLocal, sc.goneCloud} {
			for k := range gone {
				if ik, ok := x.keyed(k); ok && x.isDir(ik.path) {
					dirs[ik.path] = true
				}
			}
		}
		keys = append(keys, x.below(dirs)...)
		x.mu.Unlock()
		if err := sc.load(keys); err != nil {
			return err
		}
		// A local node that is a known item somewhere the local look did not cover: look
		// at that place too (the item moved from there, or it is a hard link).
		for pth, s := range sc.localNodes.each() {
			x.mu.Lock()
			k, ok := x.byLocalID(s.id)
			x.mu.Unlock()
			if !ok {
				continue
			}
			if it, ok := p.items[k]; ok && it.Path != pth && !sc.fullL && !underAny(it.Path, sc.lookedL) {
				more = append(more, it.Path)
			}
		}
		if err := sc.loadAncestors(); err != nil {
			return err
		}
		if len(more) == 0 {
			return sc.loadNeighbours()
		}
		if err := sc.lookLocal(ctx, false, more); err != nil {
			return err
		}
	}
}

// loadAncestors reads the items of the folders above every path in the scope.
func (sc *scope) loadAncestors() error {
	x := sc.ix
	var keys []string
	seen := map[string]bool{}
	add := func(pth string) {
		for d := parentOf(pth); d != "" && !seen[d]; d = parentOf(d) {
			seen[d] = true
			x.mu.Lock()
			e, ok := x.entry(d)
			x.mu.Unlock()
			if ok {
				keys = append(keys, x.keyOf(e))
			}
		}
	}
	for pth := range sc.localNodes.paths() {
		add(pth)
	}
	for pth := range sc.cloudNodes.paths() {
		add(pth)
	}
	for _, it := range sc.p.items {
		add(it.Path)
	}
	return sc.loadContext(keys)
}

// loadNeighbours reads, where names clash case-insensitively on either side, the items
// beside the new and moved ones, so that the planner checks the names against them.
func (sc *scope) loadNeighbours() error {
	o := sc.p.options()
	folds := func(f func(string) string) bool { return f != nil && f("A") == f("a") }
	if !folds(o.FoldName) && !folds(o.LocalFoldName) {
		return nil // names clash only when equal: a neighbour cannot clash with a new name
	}
	x := sc.ix
	dirs := map[uint64]bool{}
	x.mu.Lock()
	for _, ns := range []*nodes{sc.localNodes, sc.cloudNodes} {
		for pth := range ns.paths() {
			dirs[x.pathHash(parentOf(pth))] = true
		}
	}
	keys := x.children(dirs)
	x.mu.Unlock()
	return sc.loadContext(keys)
}

// localInput is the planner's local snapshot of the scope: what the look found changed,
// and the unchanged local side of every other item of the scope as the base recorded it.
func (sc *scope) localInput() []plan.Node {
	out := make([]plan.Node, 0, sc.localNodes.len()+len(sc.p.items))
	for n := range sc.localSeq() {
		out = append(out, n)
	}
	return out
}

// localSeq yields localInput's nodes without a copy of them all: a first sync of a million
// files holds their nodes once, not twice, while their changes are noted (issue 11).
func (sc *scope) localSeq() iter.Seq[plan.Node] {
	return func(yield func(plan.Node) bool) {
		for n := range sc.localNodes.all() {
			if !yield(n) {
				return
			}
		}
		var ids map[string]bool // the changed nodes' ids, built when an item needs them
		for _, it := range sc.p.items {
			if !it.HasBase || it.Local.Gone || it.Local.Excl || it.Local.ID == "" || sc.goneLocal[it.Key] {
				continue
			}
			if sc.localNodes.has(it.Path) {
				continue
			}
			if sc.lookedLocal(it.Path) && !sc.foundSame(it, true) && !sc.wasRecorded(it.Key) {
				continue // looked at and not found as the base has it: the look's nodes say what is there
			}
			if ids == nil {
				ids = make(map[string]bool, sc.localNodes.len())
				for _, s := range sc.localNodes.each() {
					ids[s.id] = true
				}
			}
			if ids[it.Local.ID] {
				continue
			}
			if !yield(plan.Node{Path: it.Path, IsDir: it.IsDir, ID: it.Local.ID, Version: it.Local.Version,
				Size: it.Local.Size, ModTime: it.Local.ModTime, Hash: it.Hash, Meta: sc.baseMeta(it)}) {
				return
			}
		}
	}
}

// cloudInput is localInput for the cloud side.
func (sc *scope) cloudInput() []plan.Node {
	out := make([]plan.Node, 0, sc.cloudNodes.len()+len(sc.p.items))
	ids := map[string]bool{}
	for n := range sc.cloudNodes.all() {
		out = append(out, n)
		ids[n.ID] = true
	}
	for _, it := range sc.p.items {
		if !it.HasBase || it.Remote.Gone || it.Remote.Excl || it.Remote.ID == "" || sc.goneCloud[it.Key] || ids[it.Remote.ID] {
			continue
		}
		if sc.cloudNodes.has(it.Path) {
			continue
		}
		if sc.listed && !sc.foundSame(it, false) && !sc.wasRecorded(it.Key) && !(sc.p.inHeld(it.Path) && !sc.p.held0(it.Path)) {
			continue // listed and not found as the base has it (below a held folder it stands)
		}
		n := plan.Node{Path: it.Path, IsDir: it.IsDir, ID: it.Remote.ID, Version: it.Remote.Version, Size: it.Remote.Size,
			ModTime: it.Remote.ModTime, Meta: sc.baseMeta(it)}
		if it.Remote.Hash != "" {
			n.Hash = it.Remote.Hash
		}
		out = append(out, n)
	}
	return out
}

// baseMeta is the metadata of an unchanged side standing in from the base: the base's
// where the pass syncs metadata (the look found it unchanged), else none read.
func (sc *scope) baseMeta(it model.Item) *remote.Meta {
	if !sc.p.meta {
		return nil
	}
	return it.Meta
}

// lookedLocal reports whether the local look covered set-relative path q.
func (sc *scope) lookedLocal(q string) bool {
	if sc.p.underUnreadable(q) {
		return false // not seen: its items stand as the base has them (see keepUnreadable)
	}
	return sc.fullL || underAny(q, sc.lookedL)
}

// markRecorded notes that the chunk that just ran recorded the items of keys.
func (sc *scope) markRecorded(keys iter.Seq[string]) {
	sc.ix.mu.Lock()
	defer sc.ix.mu.Unlock()
	for k := range keys {
		r, _ := sc.ix.keys.ref(k, true)
		sc.recorded[r] = struct{}{}
	}
}

// wasRecorded reports whether an earlier chunk of the pass recorded the item of key. The
// keys are kept as the index's refs (a number each; they give back exactly their key): a
// set of a million strings, each a key no one else held, grew by 60 MB or more as a first
// sync of a million files ran (issue 11).
func (sc *scope) wasRecorded(key string) bool {
	if len(sc.recorded) == 0 {
		return false
	}
	sc.ix.mu.Lock()
	r, ok := sc.ix.keys.lookup(key)
	sc.ix.mu.Unlock()
	_, in := sc.recorded[r]
	return ok && in
}

// foundSame is setIndex.foundSame for the scope's looks.
func (sc *scope) foundSame(it model.Item, local bool) bool {
	gens := sc.gensC
	if local {
		gens = sc.gensL
	}
	sc.ix.mu.Lock()
	defer sc.ix.mu.Unlock()
	return sc.ix.foundSame(it, local, gens)
}
