package syncer

import (
	"fmt"
	"maps"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// TestChunkSnapshotsGiveBackTheirRoom: as a chunked pass's chunks run, the snapshots they
// took leave the scope: a page of them goes with its last one, and once half the paths
// have gone the rest move to a map of their size, so the slots of those gone are given
// back (a Go map keeps them): a first sync of a million files held a slot per snapshot
// until its last chunk ran (issue 11).
func TestChunkSnapshotsGiveBackTheirRoom(t *testing.T) {
	const n = 100_000
	path := func(i int) string { return fmt.Sprintf("d%04d/f%07d.bin", i/100, i) }
	base := heapInUse()
	m := newNodes()
	for i := range n {
		m.put(plan.Node{Path: path(i), ID: fmt.Sprint("2049:", i), Version: "v"})
	}
	full := heapInUse()
	for i := range n * 9 / 10 {
		m.del(path(i))
		if i%2000 == 1999 { // a chunk ran
			m.shrink(4000)
		}
	}
	after := heapInUse()
	if m.len() != n/10 {
		t.Fatalf("%d snapshots left", m.len())
	}
	// With a tenth of the snapshots left, about a tenth of the room (the last move of the
	// map was at an eighth or more).
	t.Logf("the scope holds %d KB with all snapshots, %d KB with a tenth", (full-base)>>10, (after-base)>>10)
	if after-base > (full-base)/6 {
		t.Errorf("with a tenth of the snapshots left the scope holds %d KB, %d KB with all of them", (after-base)>>10, (full-base)>>10)
	}
	for i := n * 9 / 10; i < n; i++ {
		if got, ok := m.get(path(i)); !ok || got.ID != fmt.Sprint("2049:", i) {
			t.Fatalf("%s: %+v after the others went", path(i), got)
		}
	}
	// What is moved is what was there.
	kept := maps.Clone(m.at)
	for k := range kept {
		if m.len() <= m.room/2 {
			break
		}
		m.del(k)
	}
	before := maps.Clone(m.at)
	m.shrink(0)
	if !maps.Equal(before, m.at) || m.room != m.len() || m.len() == len(kept) {
		t.Errorf("shrink changed the snapshots (%d → %d) or the room (%d)", len(before), m.len(), m.room)
	}
}
