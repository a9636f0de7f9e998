package syncer

import (
	"context"
	"slices"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// How a scoped pass looks at the cloud (scope.go), and how it looks at both sides at once.

// lookCloud lists the cloud and keeps the entries that are not what the base recorded.
// ok false: the pass stops with state (see listEntries). Where the remote can walk the
// cloud folder without holding the listing (remote.Walker) and reuses no previous one,
// the entries are compared as they come; where it reuses a previous one and can prune
// (remote.PruningWalker: WebDAV servers whose folder ETags follow their subtree), the
// walk keeps folder tags instead (foldertags.go). The empty-listing guard of cloud subfolders
// (emptyguard.go) holds a folder listed empty while the base has more than MassDeleteMin
// items below it: those items are not gone.
func (sc *scope) lookCloud(ctx context.Context) (string, bool) {
	cl := sc.beginCloud()
	if w := sc.walker(); w != nil {
		cl.walk(ctx, w)
		return sc.endCloud(ctx, cl)
	}
	entries, state, ok := sc.p.listEntries(ctx, cl.had)
	if !ok {
		return state, false
	}
	for _, en := range entries {
		cl.visit(en)
	}
	sc.p.r.setPrevRemote(sc.p.keptListing(entries))
	return sc.endCloud(ctx, cl)
}

// cloudLook is one look at the cloud of a scoped pass: begun by beginCloud, fed the
// entries by walk or a listing, ended by endCloud. What walk touches (the index under
// its lock, cloudNodes and its own fields) no local look touches, so a walk may run
// while the local look does (lookBoth).
type cloudLook struct {
	sc           *scope
	gen          uint32
	had, count   int
	listed, full map[string]bool
	pathIDs      bool
	walked       bool
	err          error
	cloudNodes   *nodes
	// A pruned walk's (prune non-nil): the tags of the folders it found (path hash → tag)
	// and the folders it did not list (path hashes).
	prune  remote.PruningWalker
	tags   map[uint64]uint64
	pruned map[uint64]bool
	// The folder of the last entry visited, as the walk hands over a folder's entries
	// together (see leftOut): whether it is left out of the cloud (outAt, outDir; "": not
	// known) and whether its folders are marked full (fullAt).
	outAt, fullAt string
	outDir        bool
}

// beginCloud starts a look at the cloud: a new look generation of the index.
func (sc *scope) beginCloud() *cloudLook {
	x := sc.ix
	x.mu.Lock()
	cl := &cloudLook{sc: sc, had: x.withCloud, gen: x.next(), listed: map[string]bool{}, full: map[string]bool{},
		pathIDs: sc.p.pathIDs, cloudNodes: sc.cloudNodes}
	if sc.p.keepsPrevious() {
		if cl.prune = sc.p.prunedWalk(); cl.prune != nil {
			cl.tags, cl.pruned = map[uint64]uint64{}, map[uint64]bool{}
			x.beginTags()
		}
	}
	x.mu.Unlock()
	sc.gensC[cl.gen] = true
	if sc.p.meta && sc.p.noMeta == nil {
		sc.p.noMeta = &remote.Meta{} // shared by the nodes without metadata (withMeta)
	}
	return cl
}

// walker returns the remote as a remote.Walker when the pass may walk it (it reuses no
// previous listing, or it prunes: see cloudLook.walk), or nil.
func (sc *scope) walker() remote.Walker {
	if w, ok := remote.As[remote.Walker](sc.p.rem); ok && (!sc.p.keepsPrevious() || sc.p.prunedWalk() != nil) {
		return w
	}
	return nil
}

// visit compares one cloud entry with the base.
func (cl *cloudLook) visit(en remote.Entry) {
	p, x := cl.sc.p, cl.sc.ix
	if en.IDIsPath {
		cl.pathIDs = true
	}
	n := p.remoteNode(en)
	if cl.tags != nil && n.IsDir && !en.IDIsPath && en.ID != "" && en.Version != "" {
		// (own folders too: what is below them is not this set's, and need not be listed)
		x.mu.Lock()
		cl.tags[x.pathHash(n.Path)] = x.tagOf(en.ID, en.Version)
		x.mu.Unlock()
	}
	parent := cleanParent(n.Path)
	if cl.leftOut(n.Path, parent) {
		return
	}
	cl.count++
	if n.IsDir {
		cl.listed[n.Path] = true
	}
	if parent != cl.fullAt {
		for d := parent; d != "" && !cl.full[d]; d = parentOf(d) {
			cl.full[d] = true
		}
		cl.fullAt = parent
	}
	x.mu.Lock()
	same := x.sameCloud(n, cl.gen)
	x.mu.Unlock()
	if !same {
		cl.cloudNodes.put(n)
	}
}

// leftOut is pass.leftOutOfCloud for a visited entry at clean path q in folder parent
// (cleanParent(q)), asked of every entry of a poll: an entry is left out when its folder is
// (one of its folders is cloudsync's own or has a name never synced) or when it is itself
// one of the own folders or has such a name; what its folder is, is worked out once for
// the entries of one folder in a row (issue 11: splitting and checking every element of
// every path was a sixth of the engine's CPU of a no-change poll). At the top (no folder),
// the whole path is asked, as an own prefix "" would make the root's entries differ.
func (cl *cloudLook) leftOut(q, parent string) bool {
	p := cl.sc.p
	if parent == "" {
		return p.leftOutOfCloud(q)
	}
	if parent != cl.outAt {
		cl.outAt, cl.outDir = parent, p.leftOutOfCloud(parent)
	}
	return cl.outDir || slices.Contains(p.own, q) || exec.Ignored(q[len(parent)+1:])
}

// cleanParent is parentOf for a clean path (remote.Clean): what is before its last slash.
func cleanParent(q string) string {
	if i := strings.LastIndexByte(q, '/'); i > 0 {
		return q[:i]
	}
	return ""
}

// walk walks the cloud folder through w, visiting each entry as it comes.
func (cl *cloudLook) walk(ctx context.Context, w remote.Walker) {
	cl.walked = true
	visit := func(en remote.Entry) error { cl.visit(en); return nil }
	if cl.prune != nil {
		cl.err = cl.prune.WalkPruned(ctx, cl.sc.p.s.RemoteRoot, cl.known, visit)
		return
	}
	cl.err = w.Walk(ctx, cl.sc.p.s.RemoteRoot, visit)
}

// known reports whether folder en (root-relative) need not be listed: its tag is the one
// the index keeps (foldertags.go). Its subtree counts as listed below it (not emptied).
func (cl *cloudLook) known(en remote.Entry) bool {
	x, q := cl.sc.ix, remote.Clean(en.Path)
	x.mu.Lock()
	ok := x.knownFolder(q, en.ID, en.Version)
	x.mu.Unlock()
	if ok {
		cl.pruned[x.pathHash(q)] = true
		cl.full[q] = true
	}
	return ok
}

// endCloud ends a look at the cloud: a failed or suspiciously empty walk stops the pass
// (ok false); otherwise the items the look did not find are gone, unless the empty-listing
// guard holds them.
func (sc *scope) endCloud(ctx context.Context, cl *cloudLook) (string, bool) {
	p, x := sc.p, sc.ix
	p.pathIDs = cl.pathIDs
	if cl.walked {
		if cl.err != nil || cl.count == 0 && cl.had >= emptyListingGuard && !p.force {
			x.mu.Lock()
			x.dropTags()
			x.mu.Unlock()
		}
		if cl.err != nil {
			return p.cloudFailure(ctx, cl.err), false
		}
		if cl.count == 0 && cl.had >= emptyListingGuard && !p.force {
			return p.emptyRoot(cl.had), false
		}
		p.hold(false) // the listing is believed (see view.held)
		p.r.setPrevRemote(nil)
	}
	x.mu.Lock()
	x.seenBelow(cl.pruned, cl.gen)
	gone := x.missing(false, cl.gen, nil)
	x.mu.Unlock()
	sc.listed = true
	p.r.setPathIDs(p.pathIDs)
	held := sc.holdEmptied(cl.listed, cl.full)
	var heldKeys []string
	for _, k := range gone {
		if held(k) {
			continue
		}
		sc.goneCloud[k] = true
	}
	for d := range p.held {
		x.mu.Lock()
		if e, ok := x.entry(d); ok {
			heldKeys = append(heldKeys, x.keyOf(e))
		}
		x.mu.Unlock()
	}
	if err := sc.load(gone); err != nil {
		return p.stateUnread(x, err), false
	}
	if err := sc.loadContext(heldKeys); err != nil {
		return p.stateUnread(x, err), false
	}
	if cl.prune != nil {
		sc.notGoneBelowPruned(cl, gone)
		sc.keepTags(cl, gone)
	}
	return StateIdle, true
}

// keepTags keeps the tags of the folders a pruned walk found clean: every folder except
// those at or above an entry that differs from the base, an item of the base missing, or a
// held folder.
func (sc *scope) keepTags(cl *cloudLook, gone []string) {
	x := sc.ix
	unclean := map[uint64]bool{}
	mark := func(p string) {
		for q := p; ; q = parentOf(q) {
			unclean[x.pathHash(q)] = true
			if q == "" {
				return
			}
		}
	}
	for q := range sc.cloudNodes.paths() {
		mark(q)
	}
	for d := range sc.p.held {
		mark(d)
	}
	for _, k := range gone {
		it, ok := sc.p.items[k]
		if !ok { // gone from the store meanwhile: keep nothing
			cl.tags = nil
			break
		}
		mark(it.Path)
	}
	x.mu.Lock()
	x.keepTags(cl.tags, unclean)
	x.mu.Unlock()
}

// walkEarly starts the walk of the cloud on a goroutine of its own for a pass that looks
// at the whole local tree and at the cloud (the first pass after a start, a Wait, a
// rescan), so that the listing's round trips overlap the local scan instead of following
// it (issue 11: at 10,000 files on Apache the scan takes about 0.1 s and the listing 0.2
// to 0.3 s, and `cloudsync wait` after a start runs two such passes). The walk touches
// only what the local look leaves alone (see cloudLook). It returns nil where the cloud
// is not walked (no remote.Walker, or a listing kept between passes) or the pass does not
// look at both sides in full. wait waits for the walk to end, stopping it first when stop
// is set (the local look failed: the pass ends without it); it must be called once.
func (sc *scope) walkEarly(ctx context.Context, lk look) (cl *cloudLook, wait func(stop bool)) {
	if !lk.cloud || !lk.full {
		return nil, func(bool) {}
	}
	w := sc.walker()
	if w == nil {
		return nil, func(bool) {}
	}
	cl = sc.beginCloud()
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		cl.walk(wctx, w)
	}()
	return cl, func(stop bool) {
		if stop {
			cancel()
		}
		<-done
		cancel()
	}
}
