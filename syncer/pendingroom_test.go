package syncer

import (
	"fmt"
	"github.com/cloudsync/cloudsync/syncer/internal/alone"
	"runtime"
	"testing"
)

// TestPendingUnitsGiveBackTheirRoom: a first sync of many new files notes each as a seen
// change (a lone unit) when the scan ends; its chunks then plan them 2,000 at a time (the
// seen units leave, planned ones come and go as the transfers complete). Once most files
// are synced, the view holds about the room of those left, not of all it ever held (a Go
// map keeps its slots when entries leave; issue 11: the first sync's RSS crept while the
// index grew and these maps stayed at their largest).
func TestPendingUnitsGiveBackTheirRoom(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
	const n, chunk = 200_000, 2_000
	paths := make([]string, n) // the scan's nodes hold the paths; the view shares them
	for i := range paths {
		paths[i] = fmt.Sprintf("d%04d/f%07d.bin", i/100, i)
	}
	base := heapInUse()
	var v view
	var seen pendingIndex
	for _, p := range paths {
		seen.add("p:"+p, p)
	}
	v.setSeen(seen)
	seen = pendingIndex{}
	v.beginPlans()
	full := heapInUse()
	for c := 0; c < n*9/10; c += chunk {
		var idx pendingIndex
		acted := map[string]bool{}
		for _, p := range paths[c : c+chunk] {
			idx.add("p:"+p, p)
			acted["p:"+p] = true
		}
		v.addPlanned(idx, acted, nil, nil)
		for _, p := range paths[c : c+chunk] { // the uploads complete (settle)
			v.planned.done("p:" + p)
		}
	}
	after := heapInUse()
	if got := v.pending(); got != n/10 {
		t.Fatalf("%d pending, want %d", got, n/10)
	}
	t.Logf("the view holds %d KB with every file seen, %d KB with a tenth left", (full-base)>>10, (after-base)>>10)
	if after-base > (full-base)/4 {
		t.Errorf("with a tenth of the files pending the view holds %d KB, %d KB with all of them", (after-base)>>10, (full-base)>>10)
	}
	for _, p := range paths[n*9/10:] {
		if !v.isPending(p) {
			t.Fatalf("%s is not pending after the others synced", p)
		}
	}
	runtime.KeepAlive(paths)
}
