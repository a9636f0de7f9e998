package syncer

import "github.com/cloudsync/cloudsync/syncer/model"

// Folder tags: what a pruned walk of the cloud keeps between passes (issue 11: a poll costs
// what changed, and a pass holds what it works on). On a server whose folder versions
// change with their subtree (remote.PruningWalker), the next walk does not list a folder
// whose id and version are what the index keeps for it: its subtree is taken to be what the
// base recorded (the index entries below it are marked seen and unchanged, seenBelow). That
// is only true where the last walk found the subtree as the base recorded it, so a folder's
// tag is kept only when every entry listed below it matched the base and no item the base
// has below it was missing, and the folder was not held by the empty-listing guard: a
// change seen but not synced (a failed transfer, a conflict, an excluded or unsupported
// entry, a held folder) keeps the folders above it listed until a walk finds them clean.
// Every write of the set's items that changes what the index holds of an item's cloud side
// (indexingStore) drops the tags of the folders above it, and a walk that fails drops them
// all. The tags live in memory only, in the index: a start (kill -9 included), a full pass
// and a stale index begin without them, and the first walk lists everything.
//
// Before, the whole last listing was kept and replayed (about 290 MB at 1,000,000 entries);
// a tag is a path hash and a hash of id and version per folder.

// folderTags is the index's part of this (guarded by setIndex.mu).
type folderTags struct {
	known map[uint64]uint64 // folder path hash → tag (tagOf) of the folder when it was found clean
	// touched collects, while a walk runs (non-nil), the folders whose tags a write dropped:
	// what the walk found of them may be older than the base.
	touched map[uint64]bool
	lost    bool // a write touched an item whose folders the index cannot follow up
}

// tagOf is a folder's tag: the hash of its id and version.
func (x *setIndex) tagOf(id, version string) uint64 { return x.hash(id + "\x00" + version) }

// knownFolder reports whether folder p (set-relative) has a tag and it is id and version's.
// Callers hold mu.
func (x *setIndex) knownFolder(p, id, version string) bool {
	t, ok := x.tags.known[x.pathHash(p)]
	return ok && t == x.tagOf(id, version)
}

// beginTags starts collecting the folders whose tags writes drop during a walk.
func (x *setIndex) beginTags() { x.tags.touched, x.tags.lost = map[uint64]bool{}, false }

// dropTags forgets every tag: the next walk lists everything.
func (x *setIndex) dropTags() { x.tags = folderTags{} }

// keepTags replaces the tags with those of a walk that succeeded (folder path hash → tag),
// without the folders in unclean and those a write touched since the walk began.
func (x *setIndex) keepTags(walked map[uint64]uint64, unclean map[uint64]bool) {
	known := make(map[uint64]uint64, len(walked))
	if x.tags.lost {
		walked = nil
	}
	for h, t := range walked {
		if !unclean[h] && !x.tags.touched[h] {
			known[h] = t
		}
	}
	x.tags = folderTags{known: known}
}

// untag drops the tag of path hash h and of every folder above it, following the index's
// parent hashes; where the chain breaks (a folder the index does not have), every tag.
func (x *setIndex) untag(h uint64) {
	for {
		x.dropTag(h)
		if h == 0 {
			return
		}
		e, ok := x.entryAt(h)
		if !ok {
			x.tags.known, x.tags.lost = nil, true
			return
		}
		h = e.parent
	}
}

// untagPath drops the tags of set-relative path p and of every folder above it.
func (x *setIndex) untagPath(p string) {
	for q := p; ; q = parentOf(q) {
		x.dropTag(x.pathHash(q))
		if q == "" {
			return
		}
	}
}

// dropTag drops the tag of folder path hash h, and keeps a running walk from tagging it.
func (x *setIndex) dropTag(h uint64) {
	delete(x.tags.known, h)
	if x.tags.touched != nil {
		x.tags.touched[h] = true
	}
}

// noteWrites drops the tags above every item of a write whose cloud side, as the index
// holds it, changes (before the write is applied; callers hold mu).
func (x *setIndex) noteWrites(put []model.Item, del []string) {
	if len(x.tags.known) == 0 && x.tags.touched == nil {
		return // (nothing to drop: a first sync's million writes cost nothing here)
	}
	for _, k := range del {
		if e := x.entryOf(k); e.found {
			x.untag(e.path)
		}
	}
	for _, it := range put {
		e := x.entryOf(it.Key)
		if e.found && e.path == x.pathHash(it.Path) && e.cloud == x.cloudFP(it) && e.meta == x.metaHash(it.Meta) &&
			e.flags&ixDir != 0 == it.IsDir {
			continue
		}
		if e.found {
			x.untag(e.path)
		}
		x.untagPath(it.Path)
	}
}

// seenBelow marks the items with a cloud side below the folders in roots (path hashes; the
// folders themselves excluded) as found unchanged by cloud look gen: a pruned walk did not
// list those folders, their tags vouch for them. Callers hold mu.
func (x *setIndex) seenBelow(roots map[uint64]bool, gen uint32) {
	if len(roots) == 0 {
		return
	}
	memo := map[uint64]bool{} // folders only: it stays as small as the tags
	x.each(func(e *ixEntry) {
		if e.cloud != 0 && e.path != 0 && x.under(e.parent, roots, memo) {
			e.seenC, e.sameC = gen, gen
		}
	})
}

// notGoneBelowPruned is a safety net under seenBelow, which follows the index's parent
// hashes: an item the walk did not see whose path lies below a folder it did not list is
// not gone (a chain of parents the index could not follow; the tags' rules should make
// that impossible). It stands as the base has it, no tag is kept, and the next walk lists
// everything.
func (sc *scope) notGoneBelowPruned(cl *cloudLook, gone []string) {
	x := sc.ix
	for _, k := range gone {
		it, ok := sc.p.items[k]
		if !ok {
			continue
		}
		for q := parentOf(it.Path); q != ""; q = parentOf(q) {
			if !cl.pruned[x.pathHash(q)] {
				continue
			}
			sc.p.e.cfg.Log.Warn("an item below a folder the cloud walk did not list was not vouched for; the next walk lists everything",
				"set", sc.p.s.ID, "path", it.Path)
			delete(sc.goneCloud, k)
			x.mu.Lock()
			x.markSameCloud(it.Path, cl.gen)
			x.mu.Unlock()
			cl.tags = nil
			break
		}
	}
}

// markSameCloud marks the entry at set-relative path p found unchanged by cloud look gen.
// Callers hold mu.
func (x *setIndex) markSameCloud(p string, gen uint32) {
	if i, ok := x.byPath.find(&x.slots, x.pathHash(p)); ok {
		e := x.slots.at(i)
		e.seenC, e.sameC = gen, gen
	}
}
