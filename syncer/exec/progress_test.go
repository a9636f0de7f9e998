package exec

import (
	"strings"
	"sync"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// TestProgressCountsTheBytesOfUploadsAndDownloads: Env.Progress hears every byte of file
// content moved, under the action's local path (SPEC §6 progress).
func TestProgressCountsTheBytesOfUploadsAndDownloads(t *testing.T) {
	h := newHarness(t)
	var mu sync.Mutex
	got := map[string]int64{}
	h.env.Progress = func(p string, n int64) {
		mu.Lock()
		got[p] += n
		mu.Unlock()
	}
	up := strings.Repeat("u", 70_000)
	down := strings.Repeat("d", 50_000)
	ln := h.local("up.bin", up)
	rn := h.remote("down.bin", down)
	mustOK(t, h.runOne(plan.Action{Op: plan.Upload, Path: "up.bin", To: "up.bin", Local: ln}))
	mustOK(t, h.runOne(plan.Action{Op: plan.Download, Path: "down.bin", To: "down.bin", Remote: rn}))
	if got["up.bin"] != int64(len(up)) || got["down.bin"] != int64(len(down)) || len(got) != 2 {
		t.Fatalf("progress heard %v, want up.bin %d and down.bin %d bytes", got, len(up), len(down))
	}
}
