package plan

import (
	"fmt"
	"testing"
	"time"
)

// bigTree returns a synced tree of about n items (folders of 50 files, two levels) and a
// snapshot of it on each side.
func bigTree(n int) (base []Base, local, remote []Node) {
	for i := 0; len(base) < n; i++ {
		top := fmt.Sprintf("d%03d", i/20)
		dir := fmt.Sprintf("%s/s%02d", top, i%20)
		if i%20 == 0 {
			base = append(base, bd("t"+top, top, "L"+top, "R"+top))
			local, remote = append(local, d(top, "L"+top)), append(remote, d(top, "R"+top))
		}
		base = append(base, bd("k"+dir, dir, "L"+dir, "R"+dir))
		local, remote = append(local, d(dir, "L"+dir)), append(remote, d(dir, "R"+dir))
		for j := range 50 {
			p := fmt.Sprintf("%s/f%02d.txt", dir, j)
			base = append(base, bf("k"+p, p, "L"+p, "v", "R"+p, "e", "h"))
			local, remote = append(local, f(p, "L"+p, "v", "h")), append(remote, f(p, "R"+p, "e", ""))
		}
	}
	return
}

// TestReconcileScalesToLargeTrees: an idle pass over 50k items plans nothing, and a first
// sync of 50k local items plans them, each within seconds (about 0.5 s each on one core;
// the bound only catches a super-linear cost).
func TestReconcileScalesToLargeTrees(t *testing.T) {
	if testing.Short() {
		t.Skip("large tree")
	}
	base, local, remote := bigTree(50_000)
	start := time.Now()
	if p := Reconcile(Input{Base: base, Local: local, Remote: remote, Options: trusted()}); len(p.Actions) != 0 {
		t.Fatalf("idle pass planned %d actions", len(p.Actions))
	}
	idle := time.Since(start)
	start = time.Now()
	p := Reconcile(Input{Local: local, Options: trusted()})
	first := time.Since(start)
	if len(p.Actions) != len(local) {
		t.Fatalf("first sync planned %d actions for %d items", len(p.Actions), len(local))
	}
	t.Logf("50k items: idle pass %v, first sync %v", idle, first)
	if idle > 15*time.Second || first > 15*time.Second {
		t.Errorf("too slow: idle %v, first sync %v", idle, first)
	}
}
