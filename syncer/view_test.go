package syncer

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestAddPlannedKeepsTheCountsOfARebuild: addPlanned changes seen and planned in place
// (a chunk costs what it holds); the pending counts and paths are those of rebuilding seen
// without the acted units after each plan, as it did before, over random chunked passes.
func TestAddPlannedKeepsTheCountsOfARebuild(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		var seen pendingIndex
		n := 1 + rng.IntN(40)
		for i := range n {
			seen.add(fmt.Sprint("u", i), fmt.Sprint("p", i), fmt.Sprint("p", rng.IntN(n)))
		}
		var v, ref view
		v.setSeen(seen)
		ref.setSeen(clonePending(seen))
		v.beginPlans()
		ref.beginPlans()
		for range 1 + rng.IntN(5) {
			var idx pendingIndex
			acted := map[string]bool{}
			for range rng.IntN(10) {
				u := fmt.Sprint("u", rng.IntN(n+5)) // some units were not seen
				idx.add(u, fmt.Sprint("p", rng.IntN(n+5)))
				if rng.IntN(4) > 0 {
					acted[u] = true
				}
			}
			v.addPlanned(clonePending(idx), acted, nil, nil)
			rebuildPlanned(&ref, clonePending(idx), acted)
			if v.pending() != ref.pending() || v.seenOnly != ref.seenOnly {
				t.Fatalf("seed %d: pending %d (seen only %d), a rebuild gives %d (%d)", seed, v.pending(), v.seenOnly, ref.pending(), ref.seenOnly)
			}
			for i := range n + 5 {
				p := fmt.Sprint("p", i)
				if v.seen.has(p) != ref.seen.has(p) || v.planned.has(p) != ref.planned.has(p) {
					t.Fatalf("seed %d: %s is seen %v planned %v, a rebuild says %v %v", seed, p,
						v.seen.has(p), v.planned.has(p), ref.seen.has(p), ref.planned.has(p))
				}
			}
		}
	}
}

func clonePending(x pendingIndex) pendingIndex {
	var out pendingIndex
	x.each(func(u string, open int, paths []string) {
		for range open {
			out.add(u, paths...)
		}
	})
	return out
}

// rebuildPlanned is addPlanned as it was: seen rebuilt without the acted units, and the
// units only seen counted again.
func rebuildPlanned(v *view, idx pendingIndex, acted map[string]bool) {
	idx.each(func(u string, open int, paths []string) {
		for range open {
			v.planned.add(u, paths...)
		}
	})
	var kept pendingIndex
	v.seen.each(func(u string, _ int, paths []string) {
		if !acted[u] {
			kept.add(u, paths...)
		}
	})
	v.seen = kept
	v.seenOnly = 0
	kept.each(func(u string, _ int, _ []string) {
		if !v.planned.hasUnit(u) {
			v.seenOnly++
		}
	})
}
