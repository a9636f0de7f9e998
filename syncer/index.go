package syncer

import (
	"hash/maphash"
	"sync"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// setIndex is a runner's compact picture of its set's items (issue 11: cost follows
// change). For every item it keeps a fingerprint of each side as the base recorded it, so
// that a scanned local node or a listed cloud entry can be told unchanged without reading
// the item from the store, and the item's key, so that the few items a pass works on can
// be read by key. Paths are kept hashed (64-bit maphash), and so are ids; the index never
// decides anything alone: a node it does not call unchanged is planned from the stored
// item. Keys are kept as numbers (see keyRef), not strings. About 100 bytes per item
// (TestSetIndexBytesPerItem), against 1 KB for the items and snapshots a full pass holds.
//
// The index is built by a full pass (which reads every item anyway) and follows every
// write of the set's items from then on (the engine's store reports them, see
// indexingStore), whoever makes it; a write that fails marks it stale, and the next pass is
// full. Its methods are called by the set's passes and by the store's writers: mu guards it.
type setIndex struct {
	mu     sync.Mutex
	stale  bool
	seed   maphash.Seed
	slots  ixSlots           // one entry per item (index_table.go)
	byKey  ixTable           // item key → its entry (every item)
	byPath ixTable           // path hash → the entry of the item with a base there
	byLID  ixTable           // local id hash → the entry that recorded it (see lidPath)
	lidOut map[uint64]uint64 // local id hash → path hash, where the entry that recorded it is gone
	copies map[string]string // registered conflict copies (set-relative paths) → owner key
	gen    uint32            // generation of the current look (scan or listing)
	keys   keyTable          // the key prefixes (see keyRef)
	tags   folderTags        // cloud folders a pruned walk need not list (foldertags.go)

	unsettled map[keyRef]struct{} // keys of failed items and failure records
	conflictN map[keyRef]uint32   // number of conflicts of counted items that have any
	// The set's counters as the view shows them (view.count over every item).
	items, failed, conflicts int
	withLocal                int // items with a local side in the base
	withCloud                int // items with a cloud side in the base
	synced                   int // items with a base excluded on neither side
}

// ixKey is what the index keeps of every item by key: its path hash and what it adds to
// the counters.
type ixKey struct {
	path      uint64
	conflicts uint32
	counted   bool // not excluded on either side
	failed    bool
}

// ixEntry is what the index keeps of one item (72 bytes). Every item has one; the fields
// from parent on are set only for an item with a base.
type ixEntry struct {
	key    keyRef
	path   uint64 // path hash
	parent uint64 // path hash of the folder holding the item (0 at the top)
	lid    uint64 // hash of the recorded local id (0: none)
	local  uint64 // fingerprint of the local side (0: none in the base)
	cloud  uint64 // fingerprint of the cloud side (0: none in the base)
	seenL  uint32 // generation of the last local look that found something at the path
	seenC  uint32 // same for the cloud
	sameL  uint32 // generation of the last local look that found the side unchanged
	sameC  uint32 // same for the cloud
	meta   uint32 // hash of the base's title, description and author (0: none or unknown)
	flags  uint8
}

const (
	ixDir     uint8 = 1 << iota
	ixSynced        // has a base and is excluded on neither side (mass-delete guard's total)
	ixLive          // the slot holds an item
	ixHolds         // the item has a base and holds its path (byPath finds it)
	ixCounted       // not excluded on either side
	ixFailed        // counted and failed

	ixShape = ixDir | ixSynced // what a rewrite must keep for the looks' marks to hold
)

func newSetIndex() *setIndex {
	return &setIndex{seed: maphash.MakeSeed(), byKey: ixTable{field: fieldKey}, byPath: ixTable{field: fieldPath},
		byLID: ixTable{field: fieldLID}, lidOut: map[uint64]uint64{}, copies: map[string]string{},
		unsettled: map[keyRef]struct{}{}, conflictN: map[keyRef]uint32{}, keys: newKeyTable()}
}

func (x *setIndex) hash(s string) uint64 { return maphash.String(x.seed, s) }

// pathHash is the hash of set-relative path p; the root ("") hashes to 0.
func (x *setIndex) pathHash(p string) uint64 {
	if p == "" {
		return 0
	}
	return x.hash(p)
}

// fp is the fingerprint of one side of a node: its id and, for files, its version.
func (x *setIndex) fp(id, version string, dir bool) uint64 {
	if dir {
		version = "/"
	}
	var h uint64
	var buf [256]byte // (every entry of a poll is fingerprinted: no allocation)
	if len(id)+1+len(version) <= len(buf) {
		h = maphash.Bytes(x.seed, append(append(append(buf[:0], id...), 0), version...))
	} else {
		h = x.hash(id + "\x00" + version)
	}
	if h == 0 {
		h = 1 // 0 means "no side"
	}
	return h
}

// metaHash is the hash of metadata m (0: none or unknown, nil or zero).
func (x *setIndex) metaHash(m *remote.Meta) uint32 {
	if m == nil || m.IsZero() {
		return 0
	}
	h := uint32(x.hash(m.Title + "\x00" + m.Description + "\x00" + m.Author))
	if h == 0 {
		h = 1
	}
	return h
}

// sameMeta reports whether node metadata m is the base's (hash want): a node whose
// metadata was not read (nil: the pass does not sync it, or it is unreadable) has no
// metadata change, as plan.Reconcile sees it.
func (x *setIndex) sameMeta(m *remote.Meta, want uint32) bool {
	return m == nil || x.metaHash(m) == want
}

// localFP and cloudFP are the fingerprints of an item's recorded sides (0: none).
func (x *setIndex) localFP(it model.Item) uint64 {
	if !it.HasBase || it.Local.Gone || it.Local.Excl || it.Local.ID == "" {
		return 0
	}
	return x.fp(it.Local.ID, it.Local.Version, it.IsDir)
}

func (x *setIndex) cloudFP(it model.Item) uint64 {
	if !it.HasBase || it.Remote.Gone || it.Remote.Excl || it.Remote.ID == "" {
		return 0
	}
	return x.fp(it.Remote.ID, it.Remote.Version, it.IsDir)
}

// put records the stored state of it, replacing what the index had for its key. Failure
// records (items without a base) have no side to compare: they are kept only as
// unsettled. Callers hold mu.
func (x *setIndex) put(it model.Item) {
	old := x.entryOf(it.Key)
	x.drop(it.Key)
	ref, _ := x.keys.ref(it.Key, true)
	h := x.pathHash(it.Path)
	i := x.slots.alloc()
	e := x.slots.at(i)
	e.key, e.path, e.flags = ref, h, ixLive
	if !it.Local.Excl && !it.Remote.Excl {
		e.flags |= ixCounted
		x.items++
		if n := len(it.Conflicts); n > 0 {
			x.conflicts += n
			x.conflictN[ref] = uint32(n)
		}
		if it.Status == model.StatusFailed {
			e.flags |= ixFailed
			x.failed++
		}
	}
	x.byKey.set(&x.slots, uint64(ref), i)
	if !it.HasBase || it.Status == model.StatusFailed {
		x.unsettled[ref] = struct{}{}
	}
	for _, c := range it.Conflicts {
		x.copies[c] = it.Key
	}
	if !it.HasBase {
		return
	}
	e.parent, e.local, e.cloud, e.meta = x.pathHash(parentOf(it.Path)), x.localFP(it), x.cloudFP(it), x.metaHash(it.Meta)
	if it.IsDir {
		e.flags |= ixDir
	}
	if !it.Local.Excl && !it.Remote.Excl {
		e.flags |= ixSynced
	}
	if _, taken := x.byPath.find(&x.slots, h); taken && it.Status == model.StatusFailed {
		// A failed item keeps the path it was synced at, where its sides may no longer be:
		// when both moved away, the pass may have recorded another item there. The path
		// stays that item's: a failed item is in every scoped pass anyway (unsettled), a
		// synced one only through its path, and the path it loses is never given back
		// (TestAnItemRecordedAtAFailedItemsOldPathStaysKnown).
		return
	}
	if e.local != 0 {
		e.lid = x.hash(it.Local.ID)
		x.byLID.set(&x.slots, e.lid, i)
		delete(x.lidOut, e.lid)
	}
	if j, ok := x.byPath.find(&x.slots, h); ok {
		prev := x.slots.at(j) // two items at one path for a moment: the last written has it
		x.count(*prev, -1)
		prev.flags &^= ixHolds
	}
	if old.found && old.path == h { // what this pass's looks found still holds where the side is unchanged
		e.seenL, e.seenC = old.seenL, old.seenC
		if e.local == old.local && e.flags&ixShape == old.flags&ixShape {
			e.sameL = old.sameL
		}
		if e.cloud == old.cloud && e.flags&ixShape == old.flags&ixShape {
			e.sameC = old.sameC
		}
	}
	e.flags |= ixHolds
	x.byPath.set(&x.slots, h, i)
	x.count(*e, 1)
}

// keyedEntry is an item's index entry, found when the item has a base and holds its path.
type keyedEntry struct {
	ixEntry
	found bool
}

// slotOf returns the slot of the item keyed key. Callers hold mu.
func (x *setIndex) slotOf(key string) (uint32, bool) {
	ref, ok := x.keys.lookup(key)
	if !ok {
		return 0, false
	}
	return x.byKey.find(&x.slots, uint64(ref))
}

// entryOf returns the entry of the item keyed key (zero if it has none). Callers hold mu.
func (x *setIndex) entryOf(key string) keyedEntry {
	i, ok := x.slotOf(key)
	if !ok {
		return keyedEntry{}
	}
	e := x.slots.at(i)
	if e.flags&ixHolds == 0 {
		return keyedEntry{}
	}
	return keyedEntry{*e, true}
}

// keyed returns what the index keeps by key of the item keyed key. Callers hold mu.
func (x *setIndex) keyed(key string) (ixKey, bool) {
	i, ok := x.slotOf(key)
	if !ok {
		return ixKey{}, false
	}
	e := x.slots.at(i)
	return ixKey{path: e.path, conflicts: x.conflictN[e.key], counted: e.flags&ixCounted != 0,
		failed: e.flags&ixFailed != 0}, true
}

// keyOf returns the key of the item of entry e.
func (x *setIndex) keyOf(e ixEntry) string { return x.keys.key(e.key) }

// drop forgets the item keyed key. Callers hold mu.
func (x *setIndex) drop(key string) {
	i, ok := x.slotOf(key)
	if !ok {
		return
	}
	e := x.slots.at(i)
	ref, h := e.key, e.path
	if e.flags&ixCounted != 0 {
		x.items--
		x.conflicts -= int(x.conflictN[ref])
		if e.flags&ixFailed != 0 {
			x.failed--
		}
	}
	delete(x.conflictN, ref)
	x.byKey.remove(&x.slots, uint64(ref))
	delete(x.unsettled, ref)
	for c, k := range x.copies {
		if k == key {
			delete(x.copies, c)
		}
	}
	if e.flags&ixHolds != 0 {
		x.byPath.remove(&x.slots, h)
		x.count(*e, -1)
		if p, ok := x.lidPath(e.lid); e.lid != 0 && ok && p == h {
			x.byLID.remove(&x.slots, e.lid)
			delete(x.lidOut, e.lid)
		}
	}
	if j, ok := x.byLID.find(&x.slots, e.lid); ok && j == i && e.local != 0 {
		// The local id stays known at the path after its entry is gone (the item did not
		// hold the path): as it was when the index kept paths by local id in a map.
		x.byLID.remove(&x.slots, e.lid)
		x.lidOut[e.lid] = h
	}
	x.slots.release(i)
}

// lidPath returns the path hash the local id hash lid was last recorded at.
func (x *setIndex) lidPath(lid uint64) (uint64, bool) {
	if i, ok := x.byLID.find(&x.slots, lid); ok {
		return x.slots.at(i).path, true
	}
	h, ok := x.lidOut[lid]
	return h, ok
}

func (x *setIndex) count(e ixEntry, sign int) {
	if e.local != 0 {
		x.withLocal += sign
	}
	if e.cloud != 0 {
		x.withCloud += sign
	}
	if e.flags&ixSynced != 0 {
		x.synced += sign
	}
}

// entryAt returns the entry at path hash h.
func (x *setIndex) entryAt(h uint64) (ixEntry, bool) {
	i, ok := x.byPath.find(&x.slots, h)
	if !ok {
		return ixEntry{}, false
	}
	return *x.slots.at(i), true
}

// each calls f with every entry byPath finds (items with a base that hold their path).
func (x *setIndex) each(f func(e *ixEntry)) {
	x.slots.each(func(e *ixEntry) {
		if e.flags&ixHolds != 0 {
			f(e)
		}
	})
}

// entry returns the entry at set-relative path p.
func (x *setIndex) entry(p string) (ixEntry, bool) { return x.entryAt(x.pathHash(p)) }

// next starts a new look (a scan or a listing) and returns its generation.
func (x *setIndex) next() uint32 {
	x.gen++
	return x.gen
}

// sameLocal reports whether local node n is what the base recorded at n.Path, and marks
// the entry seen by look gen (unchanged or not, an entry at the path is not missing).
func (x *setIndex) sameLocal(n plan.Node, gen uint32) bool { return x.sameSide(n, gen, true) }

// sameCloud is sameLocal for a cloud node.
func (x *setIndex) sameCloud(n plan.Node, gen uint32) bool { return x.sameSide(n, gen, false) }

// sameSide is sameLocal (local) or sameCloud: one side's fingerprint and look marks.
func (x *setIndex) sameSide(n plan.Node, gen uint32, local bool) bool {
	i, ok := x.byPath.find(&x.slots, x.pathHash(n.Path))
	if !ok {
		return false
	}
	e := x.slots.at(i)
	fp, seen, sameGen := e.cloud, &e.seenC, &e.sameC
	if local {
		fp, seen, sameGen = e.local, &e.seenL, &e.sameL
	}
	*seen = gen
	same := !n.Unsupported && fp == x.fp(n.ID, n.Version, n.IsDir) && e.flags&ixDir != 0 == n.IsDir &&
		x.sameMeta(n.Meta, e.meta)
	if same {
		*sameGen = gen
	}
	return same
}

// foundSame reports whether a look of generation gens found item it's side (local or
// cloud) at its path as the base recorded it: the index entry at its path is it, and that
// look marked it unchanged.
func (x *setIndex) foundSame(it model.Item, local bool, gens map[uint32]bool) bool {
	e, ok := x.entry(it.Path)
	if !ok {
		return false
	}
	if ref, known := x.keys.lookup(it.Key); !known || e.key != ref {
		return false
	}
	if local {
		return gens[e.sameL]
	}
	return gens[e.sameC]
}

// under reports whether the item at path hash h lies below (or is) one of the folders in
// roots (path hashes), following parent hashes; memo caches answers of one call site.
func (x *setIndex) under(h uint64, roots map[uint64]bool, memo map[uint64]bool) bool {
	var chain []uint64
	ans := false
	for {
		if roots[h] {
			ans = true
			break
		}
		if v, ok := memo[h]; ok {
			ans = v
			break
		}
		chain = append(chain, h)
		e, ok := x.entryAt(h)
		if !ok || h == 0 {
			break
		}
		h = e.parent
		if h == 0 {
			ans = roots[0]
			break
		}
	}
	for _, c := range chain {
		memo[c] = ans
	}
	return ans
}

// missing returns the keys of the items with a side recorded that look gen did not see:
// on the local side (local) or the cloud side, among the items below roots (path hashes;
// nil: everywhere).
func (x *setIndex) missing(local bool, gen uint32, roots map[uint64]bool) []string {
	var out []string
	unseen := func(e ixEntry) bool {
		if local {
			return e.local != 0 && e.seenL != gen
		}
		return e.cloud != 0 && e.seenC != gen
	}
	if roots != nil {
		// Only a folder root has items below it: without one, the roots themselves are all
		// there is to check (a look at a few new or edited files costs as much).
		dirs := roots[0] // the set's root
		for h := range roots {
			if e, ok := x.entryAt(h); ok && e.flags&ixDir != 0 {
				dirs = true
				break
			}
		}
		if !dirs {
			for h := range roots {
				if e, ok := x.entryAt(h); ok && unseen(e) {
					out = append(out, x.keyOf(e))
				}
			}
			return out
		}
	}
	memo := map[uint64]bool{}
	x.each(func(e *ixEntry) {
		if unseen(*e) && (roots == nil || x.under(e.path, roots, memo)) {
			out = append(out, x.keyOf(*e))
		}
	})
	return out
}

// below returns the keys of the items below the folders in roots (path hashes), the
// folders themselves excluded.
func (x *setIndex) below(roots map[uint64]bool) []string {
	var out []string
	if len(roots) == 0 {
		return nil
	}
	memo := map[uint64]bool{}
	x.each(func(e *ixEntry) {
		if !roots[e.path] && x.under(e.path, roots, memo) {
			out = append(out, x.keyOf(*e))
		}
	})
	return out
}

// children returns the keys of the items directly in the folders of dirs (path hashes).
func (x *setIndex) children(dirs map[uint64]bool) []string {
	var out []string
	if len(dirs) == 0 {
		return nil
	}
	x.each(func(e *ixEntry) {
		if e.path != 0 && dirs[e.parent] {
			out = append(out, x.keyOf(*e))
		}
	})
	return out
}

// byLocalID returns the key of the item at the path where the local id was last
// recorded.
func (x *setIndex) byLocalID(id string) (string, bool) {
	h, ok := x.lidPath(x.hash(id))
	if !ok {
		return "", false
	}
	e, ok := x.entryAt(h)
	if !ok {
		return "", false
	}
	return x.keyOf(e), true
}

// unsettledKeys returns the keys of failed items and failure records.
func (x *setIndex) unsettledKeys() []string {
	out := make([]string, 0, len(x.unsettled))
	for k := range x.unsettled {
		out = append(out, x.keys.key(k))
	}
	return out
}

// isDir reports whether the entry at path hash h is a folder's.
func (x *setIndex) isDir(h uint64) bool {
	e, ok := x.entryAt(h)
	return ok && e.flags&ixDir != 0
}
