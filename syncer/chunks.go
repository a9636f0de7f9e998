package syncer

import (
	"context"
	"iter"
	"maps"
	"slices"
	"sort"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
)

// A large scope (a first sync, a start after long offline work) is planned and run in
// chunks of folders, so that a pass holds one chunk's snapshots, plan and items at a time
// instead of the whole set's (issue 11: a pass holds what it works on). A chunk is made of
// whole folders' changes (everything whose parent is one folder stays together) and never
// splits a move: the folders at both ends of a moved item are in one chunk. Chunks run in
// path order, so a new folder is created (and recorded, so the index has it) before the
// chunk of its content; content whose folder could not be created waits for the next pass.

// defaultChunk is Config.Chunk's default: the number of changed nodes and items from
// which a scope is run in chunks, and the size chunks are filled to.
const defaultChunk = 2000

// chunk is a set of folders (set-relative paths; "" is the root) whose changes run
// together: per folder, its changed node paths on each side and its item keys (the
// folders' own lists, not copies: a first sync's chunks hold every changed path).
type chunk struct {
	local, cloud, items [][]string
}

// eachOf yields every path or key of lists.
func eachOf(lists [][]string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, l := range lists {
			for _, s := range l {
				if !yield(s) {
					return
				}
			}
		}
	}
}

// elements is the number of changes in the scope: changed nodes on both sides and the
// items that are part of it (not only folders above the changes).
func (sc *scope) elements() int {
	return sc.localNodes.len() + sc.cloudNodes.len() + len(sc.elems)
}

// partition groups the scope's changes by folder, joins the folders at both ends of every
// move, and fills chunks of up to max changes in path order.
func (sc *scope) partition(max int) []chunk {
	count := map[string]int{}
	uf := map[string]string{}
	var find func(string) string
	find = func(g string) string {
		if p, ok := uf[g]; ok && p != g {
			r := find(p)
			uf[g] = r
			return r
		}
		uf[g] = g
		return g
	}
	union := func(a, b string) {
		ra, rb := find(a), find(b)
		if ra != rb {
			if rb < ra {
				ra, rb = rb, ra
			}
			uf[rb] = ra
		}
	}
	byLocal, byCloud, byVersion := map[string]model.Item{}, map[string]model.Item{}, map[string][]model.Item{}
	for k := range sc.elems {
		it := sc.p.items[k]
		g := parentOf(it.Path)
		count[g]++
		find(g)
		if it.IsDir && (sc.goneLocal[k] || sc.goneCloud[k]) {
			union(g, it.Path) // a folder that went (or moved) goes with its content
		}
		if it.HasBase {
			byLocal[it.Local.ID] = it
			byCloud[it.Remote.ID] = it
			if sc.goneCloud[k] {
				byVersion[it.Remote.Version] = append(byVersion[it.Remote.Version], it)
			}
		}
	}
	for pth, s := range sc.localNodes.each() {
		g := parentOf(pth)
		count[g]++
		find(g)
		if it, ok := byLocal[s.id]; ok && it.Path != pth {
			union(g, parentOf(it.Path))
			if s.flags&snapDir != 0 { // a moved folder goes with its content at both ends
				union(g, pth)
				union(g, it.Path)
			}
		}
	}
	for pth, s := range sc.cloudNodes.each() {
		n := s.node(pth)
		g := parentOf(pth)
		count[g]++
		find(g)
		if it, ok := byCloud[n.ID]; ok && it.Path != pth {
			union(g, parentOf(it.Path))
			if n.IsDir {
				union(g, pth)
				union(g, it.Path)
			}
		}
		if sc.p.pathIDs && n.IsDir && len(sc.goneCloud) > 0 {
			union(g, pth) // a new folder may be one that moved: its content may be its old one's
		}
		if sc.p.pathIDs && !n.IsDir {
			// A move on a server whose ids are paths shows as a vanished item and a new
			// node of the same version: keep both ends together for the planner to pair.
			for _, it := range byVersion[n.Version] {
				union(g, parentOf(it.Path))
			}
		}
	}
	// What each folder holds, so that a chunk takes its changes without a walk over all.
	localIn, cloudIn := byFolder(sc.localNodes.paths(), parentOf), byFolder(sc.cloudNodes.paths(), parentOf)
	itemsIn := byFolder(maps.Keys(sc.elems), func(k string) string { return parentOf(sc.p.items[k].Path) })
	comps := map[string][]string{}
	for g := range count {
		r := find(g)
		comps[r] = append(comps[r], g)
	}
	roots := make([]string, 0, len(comps))
	for r := range comps {
		roots = append(roots, r)
	}
	sort.Strings(roots) // a component's root is its smallest folder: parents come first
	var out []chunk
	var cur chunk
	n := 0
	for _, r := range roots {
		size := 0
		for _, g := range comps[r] {
			size += count[g]
		}
		if n > 0 && n+size > max {
			out = append(out, cur)
			cur, n = chunk{}, 0
		}
		for _, g := range comps[r] {
			cur.local = append(cur.local, localIn[g])
			cur.cloud = append(cur.cloud, cloudIn[g])
			cur.items = append(cur.items, itemsIn[g])
		}
		n += size
	}
	if n > 0 {
		out = append(out, cur)
	}
	return out
}

// byFolder groups keys by their folder, each folder's in a slice of their number (a first
// sync's chunks hold every changed path in these).
func byFolder(keys iter.Seq[string], folder func(string) string) map[string][]string {
	n := map[string]int{}
	for k := range keys {
		n[folder(k)]++
	}
	out := make(map[string][]string, len(n))
	for k := range keys {
		g := folder(k)
		if out[g] == nil {
			out[g] = make([]string, 0, n[g])
		}
		out[g] = append(out[g], k)
	}
	return out
}

// chunkInput builds the planner's input for the changes of chunk ch: the changed nodes and
// element items of its folders, the items of the folders above them (read again: an
// earlier chunk may have created them), and the unchanged sides of all of these. Changes
// under a folder that is neither recorded nor created in this chunk (an earlier chunk
// could not create it) are left out and given back to the watcher's reports.
func (sc *scope) chunkInput(ch chunk) (plan.Input, []string, error) {
	p, x := sc.p, sc.ix
	part := &scope{p: p, ix: x, localNodes: newNodes(), cloudNodes: newNodes(),
		goneLocal: sc.goneLocal, goneCloud: sc.goneCloud, lookedL: sc.lookedL, fullL: sc.fullL, listed: sc.listed,
		gensL: sc.gensL, gensC: sc.gensC, recorded: sc.recorded}
	items := map[string]model.Item{}
	for k := range eachOf(ch.items) {
		if it, ok := p.items[k]; ok {
			items[k] = it
		}
	}
	for pth := range eachOf(ch.local) {
		if s, ok := sc.localNodes.lookup(pth); ok {
			part.localNodes.set(pth, s)
		}
	}
	for pth := range eachOf(ch.cloud) {
		if s, ok := sc.cloudNodes.lookup(pth); ok {
			part.cloudNodes.set(pth, s)
		}
	}
	// The folders above: recorded ones are read from the store; a new one must be in the
	// chunk, or its content waits.
	var dropped []string
	folders := map[string]bool{}
	for _, pths := range [][]string{slices.Collect(part.localNodes.paths()), slices.Collect(part.cloudNodes.paths()), itemPaths(items)} {
		for _, pth := range pths {
			for d := parentOf(pth); d != "" && !folders[d]; d = parentOf(d) {
				folders[d] = true
			}
		}
	}
	// The looks' nodes of those folders come along: a folder an earlier chunk created is
	// recorded now and its node agrees with that record (no action); one it could not
	// create is planned again here rather than leaving its content orphaned.
	for d := range folders {
		if s, ok := sc.localNodes.lookup(d); ok {
			part.localNodes.set(d, s)
		}
		if s, ok := sc.cloudNodes.lookup(d); ok {
			part.cloudNodes.set(d, s)
		}
	}
	var keys []string
	missing := map[string]bool{}
	x.mu.Lock()
	for d := range folders {
		if e, ok := x.entry(d); ok {
			keys = append(keys, x.keyOf(e))
		} else if !part.localNodes.has(d) && !part.cloudNodes.has(d) {
			missing[d] = true
		}
	}
	x.mu.Unlock()
	if len(missing) > 0 {
		under := func(pth string) bool {
			for d := parentOf(pth); d != ""; d = parentOf(d) {
				if missing[d] {
					return true
				}
			}
			return false
		}
		for pth := range part.localNodes.paths() {
			if under(pth) {
				part.localNodes.del(pth)
				dropped = append(dropped, pth)
			}
		}
		for pth := range part.cloudNodes.paths() {
			if under(pth) {
				part.cloudNodes.del(pth)
			}
		}
		for k, it := range items {
			if under(it.Path) {
				delete(items, k)
				dropped = append(dropped, it.Path)
			}
		}
	}
	for _, k := range keys {
		it, err := p.e.cfg.Store.GetItem(p.s.ID, k)
		if err != nil {
			continue // gone meanwhile: the planner sees no base for that folder
		}
		items[k] = it
	}
	// The pass's item table is the chunk's: record and execute look items up there.
	p.items, p.unsynced, p.basePaths = items, map[string]string{}, map[string]bool{}
	for _, it := range items {
		if it.HasBase {
			p.basePaths[it.Path] = true
		} else {
			p.unsynced[it.Path] = it.Key
		}
	}
	input, out := sanitize(plan.Input{Base: p.bases(), Local: part.localInput(), Remote: part.cloudInput(), Options: p.options()})
	return input, append(dropped, out...), nil
}

// sanitize leaves out of a partial input every node whose folder it does not have on that
// side (the planner places every node under its folder; a base item whose base folder is
// missing is placed by its nodes' folders, as when a folder moved). A path left out goes
// entirely (its base and both nodes, and everything below it), so that no side of an item
// looks deleted; the caller looks at it again later.
func sanitize(in plan.Input) (plan.Input, []string) {
	bad := map[string]bool{}
	under := func(pth string) bool {
		for q := pth; q != ""; q = parentOf(q) {
			if bad[q] {
				return true
			}
		}
		return false
	}
	check := func(paths []string, dirs map[string]bool) {
		sort.Strings(paths)
		for _, pth := range paths {
			if d := parentOf(pth); d != "" && (!dirs[d] || under(d)) {
				bad[pth] = true
			}
		}
	}
	for range 2 { // a path left out on one side leaves its subtree out on the other too
		var lp, cp []string
		ld, cd := map[string]bool{}, map[string]bool{}
		for _, n := range in.Local {
			lp = append(lp, n.Path)
			ld[n.Path] = n.IsDir && !under(n.Path)
		}
		for _, n := range in.Remote {
			cp = append(cp, n.Path)
			cd[n.Path] = n.IsDir && !under(n.Path)
		}
		check(lp, ld)
		check(cp, cd)
	}
	if len(bad) == 0 {
		return in, nil
	}
	out := plan.Input{Options: in.Options}
	for _, n := range in.Local {
		if !under(n.Path) {
			out.Local = append(out.Local, n)
		}
	}
	for _, n := range in.Remote {
		if !under(n.Path) {
			out.Remote = append(out.Remote, n)
		}
	}
	for _, b := range in.Base {
		if !under(b.Path) {
			out.Base = append(out.Base, b)
		}
	}
	left := make([]string, 0, len(bad))
	for pth := range bad {
		left = append(left, pth)
	}
	return out, left
}

// runChunks plans and runs a large scope chunk by chunk (the caller checked that it cannot
// delete more than the mass-delete guard allows: see mayDeleteMany).
func (sc *scope) runChunks(ctx context.Context) (work int, clean bool) {
	p, e := sc.p, sc.p.e
	chunks := sc.partition(p.e.cfg.Chunk)
	all := p.items
	e.mu.Lock()
	p.r.view.beginPlans()
	e.mu.Unlock()
	sc.recorded = map[keyRef]struct{}{}
	clean = true
	for i, ch := range chunks {
		chunks[i] = chunk{} // its lists go once it ran (a first sync's hold every changed path)
		if ctx.Err() != nil {
			clean = false
			break
		}
		p.items = all
		in, dropped, err := sc.chunkInput(ch)
		if err != nil {
			clean = false
			continue
		}
		sc.giveBack(dropped)
		if err := p.confirmMoves(ctx, &in); err != nil {
			p.notePlanMore(plan.Reconcile(in), plan.Plan{}) // what the listing showed is pending (see run)
			clean = false
			break // the cloud cannot be reached: the rest waits for the next pass
		}
		pl := p.failUnreadable(plan.Reconcile(in))
		full := pl
		pl = p.dropUnverified(p.dropBackedOff(pl))
		p.notePlanMore(full, pl)
		start := len(p.fresh)
		w, c := p.execute(ctx, pl)
		p.settleChunk(start)
		work += w
		clean = clean && c && len(dropped) == 0
		for k := range p.items { // done with the chunk: what it recorded is in the index
			delete(all, k)
		}
		sc.markRecorded(maps.Keys(p.items)) // and newer than the looks: later chunks take it as recorded
		for pth := range eachOf(ch.local) { // nor are its snapshots needed any more
			sc.localNodes.del(pth)
		}
		for pth := range eachOf(ch.cloud) {
			sc.cloudNodes.del(pth)
		}
		sc.localNodes.shrink(2 * e.cfg.Chunk)
		sc.cloudNodes.shrink(2 * e.cfg.Chunk)
		// The limit follows: the items recorded count at rest, the snapshots about half
		// as those left and half as the maps' room (their slots stay until shrink moves
		// them, as the pending units' do).
		e.tuneMemoryFor((sc.localNodes.len() + sc.localNodes.room() + sc.cloudNodes.len() + sc.cloudNodes.room()) / 2)
	}
	p.items = all
	return work, clean
}

// mayDeleteMany reports whether the scope could delete more items than the mass-delete
// guard lets a pass delete without confirmation: every item gone on one side could be
// deleted on the other, unless it reappears elsewhere (a move). Only such a scope needs
// its deletions counted by one plan of the whole scope. It notes the ids of the gone
// items and looks for them among the changed nodes, not the other way round: a first
// sync of a million files has no gone item, and a set of its million nodes' ids was a
// block of about 70 MB made and dropped at its scan's end (issue 11).
func (sc *scope) mayDeleteMany(total int) bool {
	e := sc.p.e
	local, cloud := map[string]bool{}, map[string]bool{} // id → it is a changed node's
	for _, gone := range []map[string]bool{sc.goneLocal, sc.goneCloud} {
		for k := range gone {
			it := sc.p.items[k]
			local[it.Local.ID], cloud[it.Remote.ID] = false, false
		}
	}
	mark := func(ids map[string]bool, m *nodes) {
		if len(ids) == 0 {
			return
		}
		for _, s := range m.each() {
			if _, ok := ids[s.id]; ok {
				ids[s.id] = true
			}
		}
	}
	mark(local, sc.localNodes)
	mark(cloud, sc.cloudNodes)
	n := 0
	for _, gone := range []map[string]bool{sc.goneLocal, sc.goneCloud} {
		for k := range gone {
			it := sc.p.items[k]
			if !local[it.Local.ID] && !cloud[it.Remote.ID] {
				n++
			}
		}
	}
	return n > e.cfg.MassDeleteMin && float64(n) > e.cfg.MassDeleteRatio*float64(total)
}

// finishChunked ends a scoped pass whose scope is too large for one plan: it runs the
// chunks (see runChunks) and finishes the pass as runScoped does.
func (sc *scope) finishChunked(ctx context.Context, dirty dirtySet) (int, string) {
	p := sc.p
	looked := "changes"
	if sc.fullL {
		looked = "all"
	}
	p.r.noteLook(sc.listed, looked, sc.elements())
	if sc.listed && len(p.unsynced) > 0 { // (the snapshots are copied only when needed)
		p.forgetVanished(sc.localInput(), sc.cloudInput())
	}
	if !sc.listed {
		if _, err := p.rem.Stat(ctx, p.s.RemoteRoot); err != nil {
			p.restoreDirty(dirty)
			return 0, p.cloudFailure(ctx, err)
		}
	}
	p.chunked = true
	work, clean := sc.runChunks(ctx)
	p.settleIntents()
	p.redirty()
	p.summarize()
	p.finish(clean)
	return work, StateIdle
}

// giveBack puts paths back into the watcher's reports: the next pass looks at them again.
func (sc *scope) giveBack(paths []string) {
	if len(paths) == 0 {
		return
	}
	e := sc.p.e
	e.mu.Lock()
	sc.p.r.view.dirty.add(WatchEvent{Paths: paths}, func(string) bool { return true })
	e.mu.Unlock()
}

func itemPaths(items map[string]model.Item) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Path)
	}
	return out
}
