package syncer

import (
	"fmt"
	"github.com/cloudsync/cloudsync/syncer/internal/alone"
	"math/rand/v2"
	"slices"
	"testing"
)

// refPending is pendingIndex as it was before new items' units were kept by path alone
// (lone): every unit with its name, record and paths.
type refPending struct {
	units map[string]*pendingUnit
	paths map[string]int
}

func (x *refPending) add(unit string, paths ...string) {
	if x.units == nil {
		x.units, x.paths = map[string]*pendingUnit{}, map[string]int{}
	}
	u := x.units[unit]
	if u == nil {
		u = &pendingUnit{}
		x.units[unit] = u
	}
	u.open++
	for _, p := range paths {
		if !contains(u.paths, p) {
			u.paths = append(u.paths, p)
			x.paths[p]++
		}
	}
}

func (x *refPending) done(unit string) {
	u := x.units[unit]
	if u == nil {
		return
	}
	if u.open--; u.open > 0 {
		return
	}
	delete(x.units, unit)
	for _, p := range u.paths {
		if x.paths[p]--; x.paths[p] <= 0 {
			delete(x.paths, p)
		}
	}
}

// TestPendingIndexAnswersAsEveryUnitKeptWhole: over random adds, dones and drops of
// units of new items (touching their own path, or more) and of items, the index answers
// every question (has, hasUnit, count, each, eachPath, without) as one that keeps every
// unit whole does.
func TestPendingIndexAnswersAsEveryUnitKeptWhole(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 11))
		var x pendingIndex
		var ref refPending
		path := func() string { return fmt.Sprint("d/f", rng.IntN(12)) }
		unit := func() string {
			if rng.IntN(3) > 0 {
				return "p:" + path()
			}
			return fmt.Sprint("k:", rng.IntN(6))
		}
		for step := range 60 {
			u := unit()
			switch r := rng.IntN(10); {
			case r < 5:
				var paths []string
				if q, ok := stringsCut(u); ok && rng.IntN(4) > 0 {
					paths = append(paths, q) // a new item's own path
				}
				for range rng.IntN(3) {
					paths = append(paths, path())
				}
				x.add(u, paths...)
				ref.add(u, paths...)
			case r < 8:
				x.done(u)
				ref.done(u)
			default:
				x.drop(u)
				if ru := ref.units[u]; ru != nil {
					ru.open = 1
					ref.done(u)
				}
			}
			if x.count() != len(ref.units) {
				t.Fatalf("seed %d step %d: %d units, want %d", seed, step, x.count(), len(ref.units))
			}
			for i := range 12 {
				p := fmt.Sprint("d/f", i)
				if x.has(p) != (ref.paths[p] > 0) {
					t.Fatalf("seed %d step %d: has(%s) = %v", seed, step, p, x.has(p))
				}
				if x.hasUnit("p:"+p) != (ref.units["p:"+p] != nil) {
					t.Fatalf("seed %d step %d: hasUnit(p:%s) = %v", seed, step, p, x.hasUnit("p:"+p))
				}
			}
			got := map[string]string{}
			x.each(func(u string, open int, paths []string) {
				paths = slices.Clone(paths)
				slices.Sort(paths)
				got[u] = fmt.Sprint(open, paths)
			})
			for u, ru := range ref.units {
				paths := slices.Clone(ru.paths)
				slices.Sort(paths)
				if want := fmt.Sprint(ru.open, paths); got[u] != want {
					t.Fatalf("seed %d step %d: unit %s is %q, want %q", seed, step, u, got[u], want)
				}
			}
			var eachPath []string
			x.eachPath(func(p string) { eachPath = append(eachPath, p) })
			slices.Sort(eachPath)
			var want []string
			for p := range ref.paths {
				want = append(want, p)
			}
			slices.Sort(want)
			if !slices.Equal(eachPath, want) {
				t.Fatalf("seed %d step %d: paths %v, want %v", seed, step, eachPath, want)
			}
		}
		acted := map[string]bool{unit(): true, unit(): true}
		kept := x.without(acted)
		for u := range ref.units {
			if kept.hasUnit(u) == acted[u] {
				t.Fatalf("seed %d: without(%v) has %s: %v", seed, acted, u, kept.hasUnit(u))
			}
		}
		if n := kept.count(); n != len(ref.units)-len(acted)+countMissing(ref.units, acted) {
			t.Fatalf("seed %d: without keeps %d units", seed, n)
		}
	}
}

func stringsCut(u string) (string, bool) {
	if len(u) > 2 && u[:2] == "p:" {
		return u[2:], true
	}
	return "", false
}

// countMissing counts the keys of acted that units does not have.
func countMissing(units map[string]*pendingUnit, acted map[string]bool) int {
	n := 0
	for u := range acted {
		if units[u] == nil {
			n++
		}
	}
	return n
}

// TestPendingIndexOfNewFilesIsSmall: the pending changes a first sync's scan notes (one
// unit per new file, touching its path) cost a map slot per file, not a unit record each
// (issue 11: 204 MB at a million files). About 170 bytes per file before, paths excluded.
func TestPendingIndexOfNewFilesIsSmall(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
	const n = 100_000
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("g%03d/d%05d/f%07d.bin", i/10_000, i/100, i)
	}
	before := heapInUse()
	var x pendingIndex
	for _, p := range paths {
		x.add("p:"+p, p)
	}
	after := heapInUse()
	per := float64(after-before) / n
	t.Logf("%.0f bytes per new file", per)
	if per > 60 {
		t.Errorf("the pending index holds %.0f bytes per new file, want at most 60", per)
	}
	if !x.has(paths[n/2]) || x.count() != n {
		t.Errorf("has = %v, count = %d", x.has(paths[n/2]), x.count())
	}
}
