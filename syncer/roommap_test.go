package syncer

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/internal/alone"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
)

// TestGivingBackRoomMakesNoLargeBlock: as a first sync's chunks run, its seen units and
// its snapshots' paths leave their maps, and the maps give back their room; what a
// shrink makes at one time is a small part of the map, not a copy of half of it made
// while the old map is still live (issue 11: at a million files each such copy was a
// spike of 25–33 MB in the daemon's RSS, the first sync's peak).
func TestGivingBackRoomMakesNoLargeBlock(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
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

// TestMassDeleteCountLooksForTheGoneItemsOnly: whether a large scope may delete more than
// the mass-delete guard allows counts the items gone on one side that reappear nowhere
// (a move). A first sync of many new files has no gone item: the count makes no set of
// the new files' ids (at a million files it was a block of about 70 MB at the scan's end,
// the first sync's peak RSS; issue 11).
func TestMassDeleteCountLooksForTheGoneItemsOnly(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
	const n = 100_000
	p := &pass{e: &Engine{cfg: Config{MassDeleteRatio: 0.5, MassDeleteMin: 10}}, items: map[string]model.Item{}}
	sc := &scope{p: p, localNodes: newNodes(), cloudNodes: newNodes(), goneLocal: map[string]bool{}, goneCloud: map[string]bool{}}
	for i := range n {
		sc.localNodes.put(plan.Node{Path: fmt.Sprintf("d%04d/f%07d.bin", i/100, i), ID: fmt.Sprint("2049:", i)})
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if sc.mayDeleteMany(0) {
		t.Fatal("a scope with nothing gone may delete many")
	}
	runtime.ReadMemStats(&after)
	if made := after.TotalAlloc - before.TotalAlloc; made > 64<<10 {
		t.Errorf("counting no gone item among %d new files made %d KB", n, made>>10)
	}
	// 30 items gone locally (of 29 synced: total), 12 of them moved (their local id is a
	// changed node's) and 3 of them moved in the cloud: 15 may be deleted, more than the
	// guard's 10 and half of 29; with 2 more moved, 13 may, not more than half of 29.
	for i := range 30 {
		k := fmt.Sprint("k", i)
		p.items[k] = model.Item{Key: k, Local: model.Side{ID: fmt.Sprint("gone:", i)}, Remote: model.Side{ID: fmt.Sprint("c", i)}}
		sc.goneLocal[k] = true
		if i < 12 {
			sc.localNodes.put(plan.Node{Path: fmt.Sprint("moved/", i), ID: fmt.Sprint("gone:", i)})
		} else if i < 15 {
			sc.cloudNodes.put(plan.Node{Path: fmt.Sprint("moved/", i), ID: fmt.Sprint("c", i)})
		}
	}
	if !sc.mayDeleteMany(29) {
		t.Error("15 of 29 items gone and not moved: the scope may delete many")
	}
	sc.cloudNodes.put(plan.Node{Path: "moved/15", ID: "c15"})
	sc.localNodes.put(plan.Node{Path: "moved/16", ID: "gone:16"})
	if sc.mayDeleteMany(29) {
		t.Error("13 of 29 items gone and not moved: the scope may not delete many")
	}
}
