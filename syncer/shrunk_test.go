package syncer

import (
	"fmt"
	"maps"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// TestChunkSnapshotsGiveBackTheirRoom: as a chunked pass's chunks run, the snapshots they
// took leave the scope, and once half have gone the rest move to a map of their size, so
// the slots of those gone are given back (a Go map keeps them): a first sync of a million
// files held a slot per snapshot until its last chunk ran (issue 11).
func TestChunkSnapshotsGiveBackTheirRoom(t *testing.T) {
	const n = 100_000
	base := heapInUse()
	m := make(nodes)
	for i := range n {
		p := fmt.Sprintf("d%04d/f%07d.bin", i/100, i)
		m.put(plan.Node{Path: p, ID: fmt.Sprint("2049:", i), Version: "v"})
	}
	mark := len(m)
	full := heapInUse()
	for i := range n * 9 / 10 {
		delete(m, fmt.Sprintf("d%04d/f%07d.bin", i/100, i))
		if i%2000 == 1999 { // a chunk ran
			m = shrunk(m, &mark, 4000)
		}
	}
	after := heapInUse()
	if len(m) != n/10 {
		t.Fatalf("%d snapshots left", len(m))
	}
	// With a tenth of the snapshots left, about a tenth of the room (the last move was at
	// an eighth or more): 2.2 MB of 21 MB here, 5.2 MB when the map kept its slots (a
	// snapshot is larger than a map keeps in place: its slot holds the key and a pointer).
	if after-base > (full-base)/6 {
		t.Errorf("with a tenth of the snapshots left the scope holds %d KB, %d KB with all of them", (after-base)>>10, (full-base)>>10)
	}
	// What is moved is what was there.
	kept := maps.Clone(m)
	mark = len(kept)
	for k := range kept {
		if len(m) <= mark/2 {
			break
		}
		delete(m, k)
	}
	got := shrunk(m, &mark, 0)
	if !maps.Equal(got, m) || mark != len(m) || len(m) == len(kept) {
		t.Errorf("shrunk changed the snapshots (%d → %d) or the mark (%d)", len(m), len(got), mark)
	}
}
