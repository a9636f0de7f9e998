package syncer

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/internal/alone"
	"github.com/cloudsync/cloudsync/syncer/plan"
)

// TestChunkSnapshotsGiveBackTheirRoom: as a chunked pass's chunks run, the snapshots they
// took leave the scope: a page of them goes with its last one, and once a quarter of the
// paths of a shard of the map have gone the rest move to a map of their size, so the slots
// of those gone are given back (a Go map keeps them): a first sync of a million files held
// a slot per snapshot until its last chunk ran (issue 11).
func TestChunkSnapshotsGiveBackTheirRoom(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
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
	kept := maps.Collect(m.at.all())
	for k := range kept {
		if m.len() <= m.room()/4 { // (every shard at half or less)
			break
		}
		m.del(k)
	}
	before := maps.Collect(m.at.all())
	for range roomShards { // (a call moves roomMoves paths at most)
		m.shrink(0)
	}
	if after := maps.Collect(m.at.all()); !maps.Equal(before, after) || m.room() != m.len() || m.len() == len(kept) {
		t.Errorf("shrink changed the snapshots (%d → %d) or the room (%d)", len(before), len(after), m.room())
	}
}

// TestRecordedItemsCostNoString: a chunked pass notes every item its chunks recorded (a
// first sync: every file) as a number of the index's, not by its key: a set of a million
// keys no one else held grew by 60 MB or more while a first sync of a million files ran
// (issue 11). The keys read back as recorded, and others do not.
func TestRecordedItemsCostNoString(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
	const n = 100_000
	key := func(i int) string { return fmt.Sprintf("%012d.%06d", 7, i) }
	sc := &scope{ix: newSetIndex(), recorded: map[keyRef]struct{}{}}
	base := heapInUse()
	for c := 0; c < n; c += 2000 { // chunk by chunk, whose items' keys then go
		keys := make([]string, 0, 2000)
		for i := c; i < c+2000; i++ {
			keys = append(keys, key(i))
		}
		sc.markRecorded(slices.Values(keys))
	}
	cost := float64(int64(heapInUse())-int64(base)) / n
	t.Logf("%.1f bytes per recorded item", cost)
	if cost > 40 { // a key kept as a string: 24 bytes, and 16 more of the map's slot
		t.Errorf("a recorded item costs %.1f bytes (a key is 19 bytes)", cost)
	}
	for i := range n + 10 {
		if got := sc.wasRecorded(key(i)); got != (i < n) {
			t.Fatalf("%s: recorded %v", key(i), got)
		}
	}
	if sc.wasRecorded("other") || sc.wasRecorded(fmt.Sprintf("%012d.%06d", 8, 1)) {
		t.Error("a key never recorded reads as recorded")
	}
}
