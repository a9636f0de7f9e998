package syncer

import (
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
)

// refIndex is setIndex as it was before its entries were kept in one slice behind
// open-addressed tables (issue 11): three Go maps, by path hash, by key and by local id
// hash. TestSetIndexAnswersAsItsMapsDid compares the two. Only the storage differs: the
// hash functions are setIndex's own, with the same seed.

func newRefIndex(x *setIndex) *refIndex {
	return &refIndex{setIndex: x, byPath: map[uint64]refEntry{}, byKey: map[keyRef]ixKey{}, byLID: map[uint64]uint64{},
		copies: map[string]string{}, unsettled: map[keyRef]struct{}{}, keys: newKeyTable()}
}

type refIndex struct {
	*setIndex                     // its hash functions (the same seed): only the storage is compared
	byPath    map[uint64]refEntry // path hash → entry (items with a base)
	byKey     map[keyRef]ixKey    // item key → where it is and what it counts (every item)
	byLID     map[uint64]uint64   // local id hash → path hash (items with a local side)
	copies    map[string]string   // registered conflict copies (set-relative paths) → owner key
	gen       uint32              // generation of the current look (scan or listing)
	keys      keyTable            // the key prefixes (see keyRef)

	unsettled map[keyRef]struct{} // keys of failed items and failure records
	// The set's counters as the view shows them (view.count over every item).
	items, failed, conflicts int
	withLocal                int // items with a local side in the base
	withCloud                int // items with a cloud side in the base
	synced                   int // items with a base excluded on neither side
}

// refEntry is what the index keeps of one item.
type refEntry struct {
	key    keyRef
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

func (x *refIndex) put(it model.Item) {
	old := x.entryOf(it.Key)
	x.drop(it.Key)
	ref, _ := x.keys.ref(it.Key, true)
	h := x.pathHash(it.Path)
	k := ixKey{path: h, counted: !it.Local.Excl && !it.Remote.Excl}
	if k.counted {
		k.failed, k.conflicts = it.Status == model.StatusFailed, uint32(len(it.Conflicts))
		x.items++
		x.conflicts += len(it.Conflicts)
		if k.failed {
			x.failed++
		}
	}
	x.byKey[ref] = k
	if !it.HasBase || it.Status == model.StatusFailed {
		x.unsettled[ref] = struct{}{}
	}
	for _, c := range it.Conflicts {
		x.copies[c] = it.Key
	}
	if !it.HasBase {
		return
	}
	e := refEntry{key: ref, parent: x.pathHash(parentOf(it.Path)), local: x.localFP(it), cloud: x.cloudFP(it),
		meta: x.metaHash(it.Meta)}
	if it.IsDir {
		e.flags |= ixDir
	}
	if !it.Local.Excl && !it.Remote.Excl {
		e.flags |= ixSynced
	}
	if _, taken := x.byPath[h]; taken && it.Status == model.StatusFailed {
		return // the path stays the other item's (setIndex.put)
	}
	if e.local != 0 {
		e.lid = x.hash(it.Local.ID)
		x.byLID[e.lid] = h
	}
	if prev, ok := x.byPath[h]; ok {
		x.count(prev, -1) // two items at one path for a moment: the last written has it
	}
	if old.found && old.path == h { // what this pass's looks found still holds where the side is unchanged
		e.seenL, e.seenC = old.seenL, old.seenC
		if e.local == old.local && e.flags == old.flags {
			e.sameL = old.sameL
		}
		if e.cloud == old.cloud && e.flags == old.flags {
			e.sameC = old.sameC
		}
	}
	x.byPath[h] = e
	x.count(e, 1)
}

// ixKeyed is an item's index entry with its path hash.
type ixKeyed struct {
	refEntry
	path  uint64
	found bool
}

// entryOf returns the entry of the item keyed key (zero if it has none). Callers hold mu.
func (x *refIndex) entryOf(key string) ixKeyed {
	ref, ok := x.keys.lookup(key)
	if !ok {
		return ixKeyed{}
	}
	k, ok := x.byKey[ref]
	if !ok {
		return ixKeyed{}
	}
	e, ok := x.byPath[k.path]
	if !ok || e.key != ref {
		return ixKeyed{}
	}
	return ixKeyed{e, k.path, true}
}

// keyed returns what the index keeps by key of the item keyed key. Callers hold mu.
func (x *refIndex) keyed(key string) (ixKey, bool) {
	ref, ok := x.keys.lookup(key)
	if !ok {
		return ixKey{}, false
	}
	k, ok := x.byKey[ref]
	return k, ok
}

// keyOf returns the key of the item of entry e.
func (x *refIndex) keyOf(e refEntry) string { return x.keys.key(e.key) }

// drop forgets the item keyed key. Callers hold mu.
func (x *refIndex) drop(key string) {
	ref, ok := x.keys.lookup(key)
	if !ok {
		return
	}
	k, ok := x.byKey[ref]
	if !ok {
		return
	}
	h := k.path
	if k.counted {
		x.items--
		x.conflicts -= int(k.conflicts)
		if k.failed {
			x.failed--
		}
	}
	delete(x.byKey, ref)
	delete(x.unsettled, ref)
	for c, k := range x.copies {
		if k == key {
			delete(x.copies, c)
		}
	}
	e, ok := x.byPath[h]
	if !ok || e.key != ref {
		return
	}
	delete(x.byPath, h)
	x.count(e, -1)
	if e.lid != 0 && x.byLID[e.lid] == h {
		delete(x.byLID, e.lid)
	}
}

func (x *refIndex) count(e refEntry, sign int) {
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

// entry returns the entry at set-relative path p.
func (x *refIndex) entry(p string) (refEntry, bool) {
	e, ok := x.byPath[x.pathHash(p)]
	return e, ok
}

// next starts a new look (a scan or a listing) and returns its generation.
func (x *refIndex) next() uint32 {
	x.gen++
	return x.gen
}

// sameLocal reports whether local node n is what the base recorded at n.Path, and marks
// the entry seen by look gen (unchanged or not, an entry at the path is not missing).
func (x *refIndex) sameLocal(n plan.Node, gen uint32) bool { return x.sameSide(n, gen, true) }

// sameCloud is sameLocal for a cloud node.
func (x *refIndex) sameCloud(n plan.Node, gen uint32) bool { return x.sameSide(n, gen, false) }

// sameSide is sameLocal (local) or sameCloud: one side's fingerprint and look marks.
func (x *refIndex) sameSide(n plan.Node, gen uint32, local bool) bool {
	h := x.pathHash(n.Path)
	e, ok := x.byPath[h]
	if !ok {
		return false
	}
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
	x.byPath[h] = e
	return same
}

// foundSame reports whether a look of generation gens found item it's side (local or
// cloud) at its path as the base recorded it: the index entry at its path is it, and that
// look marked it unchanged.
func (x *refIndex) foundSame(it model.Item, local bool, gens map[uint32]bool) bool {
	e, ok := x.byPath[x.pathHash(it.Path)]
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
func (x *refIndex) under(h uint64, roots map[uint64]bool, memo map[uint64]bool) bool {
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
		e, ok := x.byPath[h]
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
func (x *refIndex) missing(local bool, gen uint32, roots map[uint64]bool) []string {
	var out []string
	if roots != nil {
		// Only a folder root has items below it: without one, the roots themselves are all
		// there is to check (a look at a few new or edited files costs as much).
		dirs := roots[0] // the set's root
		for h := range roots {
			if e, ok := x.byPath[h]; ok && e.flags&ixDir != 0 {
				dirs = true
				break
			}
		}
		if !dirs {
			for h := range roots {
				e, ok := x.byPath[h]
				has, seen := e.cloud != 0, e.seenC
				if local {
					has, seen = e.local != 0, e.seenL
				}
				if ok && has && seen != gen {
					out = append(out, x.keyOf(e))
				}
			}
			return out
		}
	}
	memo := map[uint64]bool{}
	for h, e := range x.byPath {
		has, seen := e.cloud != 0, e.seenC
		if local {
			has, seen = e.local != 0, e.seenL
		}
		if !has || seen == gen {
			continue
		}
		if roots == nil || x.under(h, roots, memo) {
			out = append(out, x.keyOf(e))
		}
	}
	return out
}

// below returns the keys of the items below the folders in roots (path hashes), the
// folders themselves excluded.
func (x *refIndex) below(roots map[uint64]bool) []string {
	var out []string
	if len(roots) == 0 {
		return nil
	}
	memo := map[uint64]bool{}
	for h, e := range x.byPath {
		if !roots[h] && x.under(h, roots, memo) {
			out = append(out, x.keyOf(e))
		}
	}
	return out
}

// children returns the keys of the items directly in the folders of dirs (path hashes).
func (x *refIndex) children(dirs map[uint64]bool) []string {
	var out []string
	if len(dirs) == 0 {
		return nil
	}
	for h, e := range x.byPath {
		if h != 0 && dirs[e.parent] {
			out = append(out, x.keyOf(e))
		}
	}
	return out
}

// byLocalID returns the key of the item whose recorded local side has id.
func (x *refIndex) byLocalID(id string) (string, bool) {
	h, ok := x.byLID[x.hash(id)]
	if !ok {
		return "", false
	}
	e, ok := x.byPath[h]
	if !ok {
		return "", false
	}
	return x.keyOf(e), true
}

// unsettledKeys returns the keys of failed items and failure records.
func (x *refIndex) unsettledKeys() []string {
	out := make([]string, 0, len(x.unsettled))
	for k := range x.unsettled {
		out = append(out, x.keys.key(k))
	}
	return out
}
