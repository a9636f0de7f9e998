package syncer

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// TestGivingBackRoomMakesNoLargeBlock: as a first sync's chunks run, its seen units and
// its snapshots' paths leave their maps, and the maps give back their room; what a
// shrink makes at one time is a small part of the map, not a copy of half of it made
// while the old map is still live (issue 11: at a million files each such copy was a
// spike of 25–33 MB in the daemon's RSS, the first sync's peak).
func TestGivingBackRoomMakesNoLargeBlock(t *testing.T) {
	const n, chunk = 200_000, 2_000
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("d%04d/f%07d.bin", i/100, i)
	}
	allocated := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.TotalAlloc
	}
	base := heapInUse()
	var seen pendingIndex
	m := newNodes()
	for _, p := range paths {
		seen.add("p:"+p, p)
		m.put(plan.Node{Path: p, Version: "v"})
	}
	full := heapInUse() - base
	var most, all uint64
	for c := 0; c < n; c += chunk {
		for _, p := range paths[c : c+chunk] {
			seen.drop("p:" + p)
			m.del(p)
		}
		before := allocated()
		seen.shrink(pendingRoom)
		m.shrink(2 * chunk)
		made := allocated() - before
		most, all = max(most, made), all+made
	}
	if seen.count() != 0 || m.len() != 0 {
		t.Fatalf("%d units and %d snapshots left", seen.count(), m.len())
	}
	t.Logf("the maps of %d paths hold %d KB; shrinking them made %d KB in all, at most %d KB at once", n, full>>10, all>>10, most>>10)
	if most > full/16 {
		t.Errorf("one shrink made %d KB at once, with %d KB of maps", most>>10, full>>10)
	}
	if all == 0 {
		t.Error("the maps never gave back their room")
	}
	runtime.KeepAlive(paths)
}
