package syncer

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/internal/alone"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestSetIndexBytesPerItem measures what the per-set index holds per item of a large set
// (issue 11: a million files in 400 MB, where the index is kept for the daemon's life):
// 100,000 synced files shaped as the benchmark's tree and the engine writes them (benchItem).
// With the item keys kept as strings in two maps it was 225 bytes (346 at a million, where
// the maps had just grown); with keys as numbers (keyRef) 164 (261 at a million); with the
// entries in pages behind open-addressed tables of slot numbers (index_table.go) 104 (97 at
// a million).
func TestSetIndexBytesPerItem(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
	const n = 100_000
	item := benchItem
	before := heapInUse()
	x := newSetIndex()
	for i := range n { // (the items are read from the store and dropped: the index keeps what it holds)
		x.put(item(i))
	}
	after := heapInUse()
	runtime.KeepAlive(x)
	per := float64(after-before) / n
	t.Logf("the index holds %.0f bytes per item (%d items)", per, n)
	if per > 120 {
		t.Errorf("the index holds %.0f bytes per item, want at most 120", per)
	}
	// What it holds is still right: every item found by key and by path.
	for _, i := range []int{0, n / 2, n - 1} {
		it := item(i)
		e := x.entryOf(it.Key)
		if e.path != x.pathHash(it.Path) || !e.found || x.keyOf(e.ixEntry) != it.Key {
			t.Errorf("item %d: entry %+v, key %q", i, e, x.keyOf(e.ixEntry))
		}
	}
}

// benchItem is the i-th synced file of the benchmark's tree as the engine stores it: keys
// of NextKey, local ids, cloud ids and versions as the ownCloud-like server gives them.
func benchItem(i int) model.Item {
	return model.Item{Key: fmt.Sprintf("%012d.%06d", 7+i/50_000, i%50_000+1),
		Path: fmt.Sprintf("g%03d/d%05d/f%07d.bin", i/10_000, i/100, i), HasBase: true,
		Local:  model.Side{ID: fmt.Sprintf("2049:%d", 1_000_000+i), Version: fmt.Sprintf("1765000000%09d:64", i)},
		Remote: model.Side{ID: fmt.Sprintf("%08d", 200+i), Version: fmt.Sprintf(`"%08d-1"`, 200+i)}}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestKeyRefsGiveBackTheirKeys: every key, of the engine's form or not, reads back from
// its ref exactly, and two keys never share a ref.
func TestKeyRefsGiveBackTheirKeys(t *testing.T) {
	keys := []string{"000000000042.000123", "000000000042.1000000", "000000000042.000000", "t0000000001765000000.000001",
		"k1", "", ".", "a.b.000001", "x.0123456", "x.123456789", "x.1234567890", "x.12345", "x.00012a", "000000000042.123"}
	tb := newKeyTable()
	refs := map[keyRef]string{}
	for _, k := range keys {
		r, _ := tb.ref(k, true)
		if got := tb.key(r); got != k {
			t.Errorf("key %q reads back as %q", k, got)
		}
		if other, dup := refs[r]; dup {
			t.Errorf("keys %q and %q share a ref", k, other)
		}
		refs[r] = k
		if again, ok := tb.lookup(k); !ok || again != r {
			t.Errorf("lookup(%q) = %v, %v; want %v", k, again, ok, r)
		}
	}
	if _, ok := tb.lookup("000000000043.000001"); ok {
		t.Error("a key of an unknown prefix was found")
	}
}
