package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// A scoped pass (issue 11: cost follows change) plans only what changed. It looks at the
// local tree where the watcher saw changes (or everywhere, with the set's index telling the
// unchanged nodes apart without hashing or holding them), and at the cloud when a poll or
// a request asks for it; everything the look found different from the base, the items
// in the way of it (their folders above, the other end of a move, what is below a folder
// that moved or went, their neighbours where names clash case-insensitively), and the
// items that failed before make up the scope. The planner sees the scope's items with
// what the looks found, and their unchanged sides as the base recorded them: the plan of a
// scope is the plan a full pass would make for those items, and the items outside it have
// nothing to do. Only the items in the scope are read from the store.
//
// What a pass trusts without looking: local paths the watcher did not report (a full look
// at start, after a watcher overflow and at every rescan interval covers what it misses)
// and, in a pass woken by local changes only, the cloud as the base has it. Every remote
// change a plan makes is conditional on what the base says (exec re-checks versions,
// uploads are If-Match / If-None-Match, moves never overwrite), and a pass that would delete
// in the cloud lists it first, so a stale picture fails an action (retried after the next
// listing) but never overwrites or deletes something unseen.

// look says what a pass looks at.
type look struct {
	full  bool     // the whole local tree (no watcher, a watcher overflow, a rescan, a start)
	paths []string // otherwise the local paths the watcher reported
	cloud bool     // list the cloud (a poll, a request); otherwise the base stands for it
}

// scope is what one scoped pass works on.
type scope struct {
	p  *pass
	ix *setIndex

	localNodes *nodes              // the local look's changed nodes by path
	cloudNodes *nodes              // the cloud look's changed nodes by path
	goneLocal  map[string]bool     // keys of items the local look found gone
	goneCloud  map[string]bool     // keys of items the cloud look found gone
	elems      map[string]bool     // keys of the items that are part of the changes (not only context)
	lookedL    []string            // local roots looked at (nil with full)
	fullL      bool                // the local look covered the whole tree
	listed     bool                // the cloud was listed
	gensL      map[uint32]bool     // generations of the local looks (setIndex.foundSame)
	gensC      map[uint32]bool     // and of the cloud look
	recorded   map[keyRef]struct{} // items an earlier chunk of the pass recorded (see wasRecorded)
	copiesSeen map[string]bool     // registered conflict copies the local look met
}

// runScoped is a pass over a scope (see above). dirty is what the watcher reported (taken
// from the view; given back when the pass cannot use it). It runs the steps of a full pass
// (run) on the scope: transfer intents, unreadable folders, the cloud subfolders' empty
// listing guard, interrupted uploads, move confirmation, back-off and the mass-delete guard.
func (p *pass) runScoped(ctx context.Context, ix *setIndex, lk look, dirty dirtySet) (int, string) {
	e, s := p.e, p.s
	defer p.publishIndex(ix)
	p.items, p.unsynced, p.basePaths = map[string]model.Item{}, map[string]string{}, map[string]bool{}
	p.unreadable = map[string]error{}
	if err := p.loadIntents(); err != nil {
		p.restoreDirty(dirty)
		return 0, p.stateUnread(ix, err)
	}
	p.r.beginLook(lk.cloud && lk.full)
	if err := p.lfs.RootOK(false); err != nil {
		p.restoreDirty(dirty)
		p.hold(true)
		return 0, p.r.setFailure(s, remote.ReasonLocalIO,
			fmt.Sprintf("the local folder %s is missing or not mounted; nothing is synced until it is back: %v", s.LocalRoot, err))
	}
	ix.mu.Lock()
	hadItems := ix.withLocal > 0
	ix.mu.Unlock()
	if ok, state := p.checkRootID(hadItems); !ok {
		p.restoreDirty(dirty)
		return 0, state
	}
	p.removeLeftoverTemps()
	p.decideMeta()
	p.pathIDs = p.r.pathIDsKnown()
	sc := &scope{p: p, ix: ix, localNodes: newNodes(), cloudNodes: newNodes(),
		goneLocal: map[string]bool{}, goneCloud: map[string]bool{}, copiesSeen: map[string]bool{}, elems: map[string]bool{},
		gensL: map[uint32]bool{}, gensC: map[uint32]bool{}}
	// Failed items, failure records and interrupted transfers are always in the scope: a
	// retry comes due without any change, and their paths are looked at (so that a vanished
	// one is forgotten, an interrupted upload checked).
	keys := ix.keysOf(ix.unsettledKeys)
	roots := lk.paths
	for pth, in := range p.left {
		roots = append(roots, pth)
		if in.Key != "" {
			keys = append(keys, in.Key)
		}
		if in.Op == model.IntentUpload {
			lk.cloud = true // the partial it may have left is judged against a listing
		}
	}
	if err := sc.load(keys); err != nil {
		p.restoreDirty(dirty)
		return 0, p.stateUnread(ix, err)
	}
	p.undoneMoves(func(dir string) error {
		ix.mu.Lock()
		below := ix.below(map[uint64]bool{ix.pathHash(dir): true})
		ix.mu.Unlock()
		return sc.loadContext(below)
	})
	for _, it := range p.items {
		roots = append(roots, it.Path)
	}
	early, walked := sc.walkEarly(ctx, lk)
	err := sc.lookLocal(ctx, lk.full, roots)
	walked(err != nil)
	if err != nil {
		p.restoreDirty(dirty)
		if ctx.Err() != nil {
			return 0, StateIdle
		}
		if se := (storeReadError{}); errors.As(err, &se) {
			return 0, p.stateUnread(ix, se.error)
		}
		return 0, p.r.setFailure(s, remote.ReasonLocalIO, "reading the local folder failed, nothing was synced: "+err.Error())
	}
	if sc.unreadableMoved() {
		// An unreadable synced folder that moved holds its items where they cannot be
		// seen: the full pass (keepUnreadable) places them. What the look saw is pending
		// meanwhile (the folder is not synced at its old path while the full pass looks).
		p.noteLocal(sc.localSeq())
		p.restoreDirty(dirty)
		return p.run(ctx)
	}
	if err := sc.widen(ctx); err != nil {
		p.restoreDirty(dirty)
		return 0, p.stateUnread(ix, err)
	}
	p.noteBelowFailedMoves()   // (what is below a moved folder is in the scope now)
	p.noteLocal(sc.localSeq()) // seen changes are pending, also if the cloud is out of reach
	// A local deletion is planned against a fresh listing, never against the base's picture
	// of the cloud (a folder delete must not take files the last listing did not show).
	if early != nil || lk.cloud || sc.deletesLocally() {
		state, ok := "", false
		if early != nil {
			state, ok = sc.endCloud(ctx, early) // walked beside the local look
		} else {
			state, ok = sc.lookCloud(ctx)
		}
		if !ok {
			p.restoreDirty(dirty)
			return 0, state
		}
		if err := sc.widen(ctx); err != nil {
			p.restoreDirty(dirty)
			return 0, p.stateUnread(ix, err)
		}
	}
	sc.hashNew(ctx)
	ix.mu.Lock()
	total := ix.synced
	ix.mu.Unlock()
	e.tuneMemoryFor(sc.localNodes.len() + sc.cloudNodes.len())
	if sc.elements() > e.cfg.Chunk && !sc.mayDeleteMany(total) && len(p.left) == 0 && len(p.unreadable) == 0 && len(p.held) == 0 {
		return sc.finishChunked(ctx, dirty)
	}
	local, cloud := sc.localInput(), sc.cloudInput()
	looked := "changes"
	if sc.fullL {
		looked = "all"
	} else if len(sc.lookedL) == 0 {
		looked = "none"
	}
	p.r.noteLook(sc.listed, looked, len(p.items))
	if sc.listed {
		p.forgetVanished(local, cloud) // failure records' paths were looked at on both sides
		p.checkInterruptedUploads(ctx, local, cloud)
	}
	in := plan.Input{Base: p.bases(), Local: local, Remote: cloud, Options: p.options()}
	in, left := sanitize(in)
	sc.giveBack(left)
	if err := p.confirmMoves(ctx, &in); err != nil {
		p.restoreDirty(dirty)
		if ctx.Err() != nil {
			return 0, StateIdle
		}
		// The listing was seen: what it shows changed is pending (see run).
		p.notePlan(plan.Reconcile(in), plan.Plan{})
		e.cfg.Log.Info("cloud unreachable", "set", s.ID, "err", err)
		return 0, StateOffline
	}
	pl := plan.Reconcile(in)
	pl = p.failUnreadable(pl)
	full := pl
	pl = p.dropBackedOff(pl)
	pl = p.dropUnverified(pl)
	p.notePlan(full, pl)
	if n := p.deleteCount(pl); !p.force && n > e.cfg.MassDeleteMin && float64(n) > e.cfg.MassDeleteRatio*float64(total) {
		p.holdDeletes(n, total)
		p.redirty()
		return 0, StateError
	}
	if !sc.listed && remoteWork(pl) {
		// Without a listing, one look at the cloud folder says whether it can be reached
		// (offline, signed out, deleted) before anything is tried and failed item by item.
		if _, err := p.rem.Stat(ctx, s.RemoteRoot); err != nil {
			p.restoreDirty(dirty)
			return 0, p.cloudFailure(ctx, err)
		}
	}
	work, clean := p.execute(ctx, pl)
	p.settleIntents()
	p.redirty()
	p.finish(clean && len(left) == 0)
	return work, StateIdle
}

// remoteWork reports whether pl changes anything in the cloud.
func remoteWork(pl plan.Plan) bool {
	for _, a := range pl.Actions {
		switch a.Op {
		case plan.Upload, plan.MkdirRemote, plan.MoveRemote, plan.DeleteRemote:
			return true
		}
	}
	return false
}

// keysOf calls list with mu held.
func (x *setIndex) keysOf(list func() []string) []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return list()
}

// load reads the items keyed keys into the pass (those it does not have yet) as part of
// the changes.
func (sc *scope) load(keys []string) error {
	for _, k := range keys {
		sc.elems[k] = true
	}
	return sc.loadContext(keys)
}

// loadContext reads items the changes need to be planned (the folders above them, their
// neighbours) without making them part of the changes.
func (sc *scope) loadContext(keys []string) error {
	p := sc.p
	for _, k := range keys {
		if _, ok := p.items[k]; ok {
			continue
		}
		it, err := p.e.cfg.Store.GetItem(p.s.ID, k)
		if errors.Is(err, model.ErrNotFound) {
			continue // gone meanwhile
		}
		if err != nil {
			return err
		}
		p.items[k] = it
		if it.HasBase {
			p.basePaths[it.Path] = true
		} else {
			p.unsynced[it.Path] = it.Key
		}
	}
	return nil
}

// lookLocal scans the whole tree (full) or the given roots, keeping the nodes that are not
// what the base recorded, and finds the items gone below what it looked at.
func (sc *scope) lookLocal(ctx context.Context, full bool, roots []string) error {
	p, x := sc.p, sc.ix
	if !full && len(roots) == 0 {
		return nil
	}
	x.mu.Lock()
	gen := x.next()
	x.mu.Unlock()
	sc.gensL[gen] = true
	opts := exec.ScanOptions{
		IncludeSubfolders: p.s.Kind == model.KindFolder && p.s.Options.IncludeSubfolders,
		Unreadable:        func(q string, err error) { p.unreadable[q] = err },
		Meta:              p.meta,
		BadMeta:           p.badMeta,
		// A new file is hashed only if the cloud has something at its path (hashNew): a
		// first sync reads each file once, in its upload.
		Hash: func(n plan.Node) bool {
			x.mu.Lock()
			defer x.mu.Unlock()
			_, at := x.entry(n.Path)
			_, known := x.byLocalID(n.ID)
			return at || known
		},
		Keep: func(n plan.Node) bool {
			x.mu.Lock()
			_, copy := x.copies[n.Path]
			same := x.sameLocal(n, gen)
			x.mu.Unlock()
			if copy {
				sc.copiesSeen[n.Path] = true
			}
			if same || isOwn(n.Path, p.own) || sc.localOnly(n.Path) {
				return false
			}
			return true
		},
	}
	if !full {
		opts.Only = roots
	}
	opts.Emit = func(n plan.Node) {
		sc.localNodes.put(n)
		if sc.localNodes.len()%(1<<15) == 0 { // a first sync's snapshots grow the heap: the limit follows
			p.e.tuneMemoryFor(sc.localNodes.len()) // (the cloud look may be filling its own meanwhile)
		}
	}
	if _, err := p.lfs.Scan(ctx, opts); err != nil {
		return err
	}
	var rootSet map[uint64]bool
	if !full {
		rootSet = map[uint64]bool{}
		x.mu.Lock()
		for _, r := range roots {
			rootSet[x.pathHash(r)] = true
		}
		x.mu.Unlock()
		sc.lookedL = append(sc.lookedL, roots...)
	} else {
		sc.fullL = true
	}
	x.mu.Lock()
	gone := x.missing(true, gen, rootSet)
	copies := make(map[string]string, len(x.copies))
	for c, k := range x.copies {
		copies[c] = k
	}
	x.mu.Unlock()
	if err := sc.load(gone); err != nil {
		return storeReadError{err}
	}
	for _, k := range gone {
		if it, ok := p.items[k]; ok && !p.underUnreadable(it.Path) { // unseen there, not gone
			sc.goneLocal[k] = true
		}
	}
	// Forget conflict copies the user removed or renamed (a renamed copy syncs as new),
	// among those the look covered.
	for c, key := range copies {
		if sc.copiesSeen[c] || !full && !underAny(c, roots) || p.underUnreadable(c) {
			continue
		}
		if err := sc.loadContext([]string{key}); err != nil {
			return storeReadError{err}
		}
		if it, ok := p.items[key]; ok && slices.Contains(it.Conflicts, c) {
			it.Conflicts = without(it.Conflicts, c)
			p.items[key] = it
			p.put(it)
		}
	}
	return nil
}

// localOnly is pass.localOnly over the index's registered conflict copies.
func (sc *scope) localOnly(q string) bool {
	for {
		sc.ix.mu.Lock()
		_, reg := sc.ix.copies[q]
		_, synced := sc.ix.entry(q)
		sc.ix.mu.Unlock()
		if reg || exec.IsConflictCopyName(pathBase(q)) && !synced {
			return true
		}
		d := parentOf(q)
		if d == "" {
			return false
		}
		q = d
	}
}

// underAny reports whether p is one of roots or below one.
func underAny(p string, roots []string) bool {
	for _, r := range roots {
		if r == "" || p == r || len(p) > len(r) && p[:len(r)] == r && p[len(r)] == '/' {
			return true
		}
	}
	return false
}

func pathBase(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// holdEmptied is pass.holdEmptied over the index: it records in p.held the cloud folders
// listed (listed) with nothing below them (not in full) whose base has more than
// MassDeleteMin items below, and returns whether an item (by key) lies below one (it is
// then not gone).
func (sc *scope) holdEmptied(listed, full map[string]bool) func(key string) bool {
	p, x := sc.p, sc.ix
	p.held = nil
	none := func(string) bool { return false }
	if p.force {
		return none
	}
	empty := map[uint64]string{}
	x.mu.Lock()
	defer x.mu.Unlock()
	for d := range listed {
		if !full[d] {
			empty[x.pathHash(d)] = d
		}
	}
	if len(empty) == 0 {
		return none
	}
	roots := map[uint64]bool{}
	for h := range empty {
		roots[h] = true
	}
	below := map[uint64]int{}
	memo := map[uint64]bool{}
	x.each(func(en *ixEntry) {
		if en.cloud == 0 || en.flags&ixSynced == 0 || roots[en.path] || !x.under(en.path, roots, memo) {
			return
		}
		for a := en.parent; a != 0; {
			if roots[a] {
				below[a]++
			}
			up, ok := x.entryAt(a)
			if !ok {
				break
			}
			a = up.parent
		}
	})
	for h, n := range below {
		if n > p.e.cfg.MassDeleteMin {
			if p.held == nil {
				p.held = map[string]int{}
			}
			p.held[empty[h]] = n
		}
	}
	if len(p.held) == 0 {
		return none
	}
	for d := range p.held { // the outermost held folder speaks for the ones inside it
		for q := parentOf(d); q != ""; q = parentOf(q) {
			if _, ok := p.held[q]; ok {
				delete(p.held, d)
				break
			}
		}
	}
	heldRoots := map[uint64]bool{}
	for d := range p.held {
		heldRoots[x.pathHash(d)] = true
	}
	memo = map[uint64]bool{}
	return func(key string) bool {
		x.mu.Lock()
		defer x.mu.Unlock()
		k, ok := x.keyed(key)
		return ok && !heldRoots[k.path] && x.under(k.path, heldRoots, memo)
	}
}

// hashNew hashes the new local files the local look left unhashed (see lookLocal) that
// the cloud look found something at: the planner compares their content (new on both
// sides, same content, is no conflict). One that cannot be read stays unhashed: its
// content is compared when the plan acts on it.
func (sc *scope) hashNew(ctx context.Context) {
	for n := range sc.localNodes.all() {
		if ctx.Err() != nil {
			return
		}
		if n.IsDir || n.Unsupported || n.Hash != "" {
			continue
		}
		if !sc.cloudNodes.has(n.Path) {
			continue
		}
		if h, err := exec.HashLocalPrefix(sc.p.lfs, n, n.Size); err == nil {
			n.Hash = h
			sc.localNodes.put(n)
		}
	}
}

// unreadableMoved reports whether the local look found an unreadable folder that is a
// synced item moved from elsewhere (the pass must then be a full one).
func (sc *scope) unreadableMoved() bool {
	x := sc.ix
	x.mu.Lock()
	defer x.mu.Unlock()
	for u := range sc.p.unreadable {
		n, ok := sc.localNodes.get(u)
		if !ok {
			continue
		}
		if h, known := x.lidPath(x.hash(n.ID)); known && h != x.pathHash(u) {
			return true
		}
		if _, based := x.entry(u); !based {
			sc.localNodes.del(u) // never synced: left out, as keepUnreadable does
		}
	}
	return false
}
