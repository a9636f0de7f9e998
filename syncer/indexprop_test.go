package syncer

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestSetIndexAnswersAsItsMapsDid: over random writes, drops and looks of a small set
// (few keys, paths and local ids, so that items share paths and ids, move, lose their
// base, fail, hold conflicts), the index answers every question as the three maps it kept
// before (refIndex) did: counters, copies, entries by key and by path, local ids, the
// looks' marks, and what is missing, below, or in a folder. An index given only the
// items' briefs (what loadIndex reads at start) answers the same.
func TestSetIndexAnswersAsItsMapsDid(t *testing.T) {
	keys := []string{"000000000007.000001", "000000000007.000002", "000000000007.000003", "000000000008.000001",
		"000000000008.1000000", "k1", "x.12345"}
	paths := []string{"", "a", "a/b", "a/b/c.txt", "a/d.txt", "e", "e/f.txt", "g.txt"}
	ids := []string{"L1", "L2", "L3", "L4"}
	metas := []*remote.Meta{nil, {}, {Title: "t1"}, {Title: "t2", Author: "me"}}
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 12))
		pick := func(s []string) string { return s[rng.IntN(len(s))] }
		side := func(ids []string) model.Side {
			return model.Side{ID: pick(ids), Version: pick([]string{"", "v1", "v2"}), Gone: rng.IntN(10) == 0,
				Excl: rng.IntN(10) == 0, Size: rng.Int64N(3), Hash: pick([]string{"", "h1"}), Path: pick([]string{"", "p"})}
		}
		x, xb := newSetIndex(), newSetIndex() // xb is given only what loadIndex reads of items
		xb.seed = x.seed
		ref := newRefIndex(x)
		last := map[string]model.Item{}
		put := func(it model.Item) { // into both indexes and the reference model
			x.put(it)
			xb.put(it.Brief())
			ref.put(it)
			last[it.Key] = it
		}
		for step := range 80 {
			what := ""
			switch r := rng.IntN(20); {
			case r < 3 && len(last) > 0: // a rewrite of one item, one thing changed
				it := last[pick(slices.Sorted(maps.Keys(last)))]
				switch rng.IntN(4) {
				case 0:
					it.Remote.Excl = !it.Remote.Excl
				case 1:
					it.IsDir = !it.IsDir
				case 2:
					it.Local.Version += "+"
				default:
					it.Conflicts = nil
				}
				what = fmt.Sprintf("rewrite %+v", it)
				put(it)
			case r < 8:
				it := model.Item{Key: pick(keys), Path: pick(paths), HasBase: rng.IntN(5) > 0, IsDir: rng.IntN(3) == 0,
					Local: side(ids), Remote: side([]string{"C1", "C2", "C3", ""}), Meta: metas[rng.IntN(len(metas))]}
				if rng.IntN(6) == 0 {
					it.Status, it.Reason, it.Attempts = model.StatusFailed, "network", 1
				}
				for range rng.IntN(3) {
					it.Conflicts = append(it.Conflicts, pick([]string{"c1", "c2", "c3"}))
				}
				what = fmt.Sprintf("put %+v", it)
				put(it)
			case r < 11:
				k := pick(keys)
				what = "drop " + k
				x.drop(k)
				xb.drop(k)
				ref.drop(k)
				delete(last, k)
			case r < 12:
				what = "next"
				if x.next() != ref.next() || xb.next() != x.gen {
					t.Fatalf("seed %d step %d: generations differ", seed, step)
				}
			default:
				n := plan.Node{Path: pick(paths), ID: pick(append(ids, "C1", "C2")), Version: pick([]string{"", "v1", "v2"}),
					IsDir: rng.IntN(3) == 0, Unsupported: rng.IntN(20) == 0, Meta: metas[rng.IntN(len(metas))]}
				local := rng.IntN(2) == 0
				what = fmt.Sprintf("look local=%v %+v", local, n)
				if got, want := x.sameSide(n, x.gen, local), ref.sameSide(n, ref.gen, local); got != want || xb.sameSide(n, xb.gen, local) != want {
					t.Fatalf("seed %d step %d (%s): same %v, want %v", seed, step, what, got, want)
				}
			}
			if err := compareIndex(x, ref, rng, keys, paths, ids); err != "" {
				t.Fatalf("seed %d step %d (%s): %s", seed, step, what, err)
			}
			if err := compareIndex(xb, ref, rng, keys, paths, ids); err != "" {
				t.Fatalf("seed %d step %d (%s): from the items' briefs: %s", seed, step, what, err)
			}
		}
	}
}

// compareIndex returns what x answers differently from ref ("" if nothing).
func compareIndex(x *setIndex, ref *refIndex, rng *rand.Rand, keys, paths, ids []string) string {
	if a, b := [6]int{x.items, x.failed, x.conflicts, x.withLocal, x.withCloud, x.synced},
		[6]int{ref.items, ref.failed, ref.conflicts, ref.withLocal, ref.withCloud, ref.synced}; a != b {
		return fmt.Sprintf("counters %v, want %v", a, b)
	}
	if fmt.Sprint(x.copies) != fmt.Sprint(ref.copies) {
		return fmt.Sprintf("copies %v, want %v", x.copies, ref.copies)
	}
	same := func(e ixEntry, r refEntry) bool {
		return e.key == r.key && e.parent == r.parent && e.lid == r.lid && e.local == r.local && e.cloud == r.cloud &&
			e.seenL == r.seenL && e.seenC == r.seenC && e.sameL == r.sameL && e.sameC == r.sameC && e.meta == r.meta &&
			e.flags&ixShape == r.flags
	}
	for _, k := range keys {
		e, r := x.entryOf(k), ref.entryOf(k)
		if e.found != r.found || e.found && (e.path != r.path || !same(e.ixEntry, r.refEntry)) {
			return fmt.Sprintf("entryOf(%s) %+v, want %+v", k, e, r)
		}
		a, okA := x.keyed(k)
		b, okB := ref.keyed(k)
		if a != b || okA != okB {
			return fmt.Sprintf("keyed(%s) %+v %v, want %+v %v", k, a, okA, b, okB)
		}
	}
	hashes := map[uint64]bool{}
	for _, p := range paths {
		h := x.pathHash(p)
		e, okA := x.entry(p)
		r, okB := ref.entry(p)
		if okA != okB || okA && (e.path != h || !same(e, r)) {
			return fmt.Sprintf("entry(%q) %+v %v, want %+v %v", p, e, okA, r, okB)
		}
		if rng.IntN(3) == 0 {
			hashes[h] = true
		}
	}
	for _, id := range ids {
		a, okA := x.byLocalID(id)
		b, okB := ref.byLocalID(id)
		h, okH := x.lidPath(x.hash(id))
		rh, okR := ref.byLID[x.hash(id)]
		if a != b || okA != okB || okH != okR || h != rh {
			return fmt.Sprintf("byLocalID(%s) %q %v, want %q %v", id, a, okA, b, okB)
		}
	}
	gens := map[uint32]bool{x.gen: true, x.gen - 1: rng.IntN(2) == 0}
	for _, k := range keys {
		it := model.Item{Key: k, Path: paths[rng.IntN(len(paths))]}
		for _, local := range []bool{true, false} {
			if a, b := x.foundSame(it, local, gens), ref.foundSame(it, local, gens); a != b {
				return fmt.Sprintf("foundSame(%+v, %v) %v, want %v", it, local, a, b)
			}
		}
	}
	sorted := func(s []string) []string { slices.Sort(s); return s }
	for _, roots := range []map[uint64]bool{nil, hashes} {
		for _, local := range []bool{true, false} {
			for _, gen := range []uint32{x.gen, x.gen - 1} {
				if a, b := sorted(x.missing(local, gen, roots)), sorted(ref.missing(local, gen, roots)); !slices.Equal(a, b) {
					return fmt.Sprintf("missing(%v, %d, %v) %v, want %v", local, gen, roots, a, b)
				}
			}
		}
	}
	if a, b := sorted(x.below(hashes)), sorted(ref.below(hashes)); !slices.Equal(a, b) {
		return fmt.Sprintf("below(%v) %v, want %v", hashes, a, b)
	}
	if a, b := sorted(x.children(hashes)), sorted(ref.children(hashes)); !slices.Equal(a, b) {
		return fmt.Sprintf("children(%v) %v, want %v", hashes, a, b)
	}
	for _, p := range paths {
		h := x.pathHash(p)
		if a, b := x.under(h, hashes, map[uint64]bool{}), ref.under(h, hashes, map[uint64]bool{}); a != b {
			return fmt.Sprintf("under(%q) %v, want %v", p, a, b)
		}
	}
	if a, b := sorted(x.unsettledKeys()), sorted(ref.unsettledKeys()); !slices.Equal(a, b) {
		return fmt.Sprintf("unsettledKeys %v, want %v", a, b)
	}
	return ""
}
