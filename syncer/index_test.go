package syncer

import (
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
)

// A pass that rewrites an item its look found unchanged (forgetting a removed conflict
// copy, say) keeps what the look found: the planner is then given the item's local side
// from the base. When the rewrite lost it, a full look took the folder for gone locally
// and the plan deleted it in the cloud with the local content still there (sim seed 381
// with SIM_STATUS_EACH_PASS=1).
func TestIndexRewriteKeepsWhatTheLookFound(t *testing.T) {
	x := newSetIndex()
	it := model.Item{Key: "k1", Path: "d.doc", IsDir: true, HasBase: true,
		Conflicts: []string{"d (conflict copy 2026-03-01 090000).doc"},
		Local:     model.Side{ID: "mem:5"}, Remote: model.Side{ID: "mr:6", Version: "v7"}}
	x.put(it)
	gen := x.next()
	gens := map[uint32]bool{gen: true}
	if !x.sameLocal(plan.Node{Path: "d.doc", IsDir: true, ID: "mem:5"}, gen) {
		t.Fatal("the look did not find the folder as the base has it")
	}
	it.Conflicts = nil // the copy was removed
	x.put(it)
	if !x.foundSame(it, true, gens) {
		t.Error("after the rewrite the look no longer counts the folder found unchanged")
	}
	if got := x.missing(true, gen, nil); len(got) != 0 {
		t.Errorf("after the rewrite the folder is missing locally: %v", got)
	}
	it.Local.ID = "mem:9" // a rewrite of a changed side is not what the look found
	x.put(it)
	if x.foundSame(it, true, gens) {
		t.Error("a changed local side still counts as found unchanged")
	}
}

// Two items with a base at one path: a failed one kept at the path it was synced at (both
// its sides moved away) and the one recorded there since. The path is the synced item's,
// in whatever order the two are written: the failed one does not take it, so it is not
// lost when the failed item is recorded at its new path.
func TestIndexPathStaysWithTheSyncedItem(t *testing.T) {
	moved := model.Item{Key: "k1", Path: "c.txt", HasBase: true, Local: model.Side{ID: "mem:1", Version: "1"}, Remote: model.Side{ID: "mr:1", Version: "v1"}}
	other := model.Item{Key: "k2", Path: "c.txt", HasBase: true, Local: model.Side{ID: "mem:2", Version: "2"}, Remote: model.Side{ID: "mr:2", Version: "v2"}}
	failed := moved
	failed.Status, failed.Reason = model.StatusFailed, "network"
	for _, order := range [][]model.Item{{moved, other, failed}, {failed, other}, {failed, other, failed}} {
		x := newSetIndex()
		for _, it := range order {
			x.put(it)
		}
		if k := holder(x, "c.txt"); k != "k2" {
			t.Fatalf("after %d writes c.txt is held by %q, want k2", len(order), k)
		}
		if got := x.unsettledKeys(); len(got) != 1 || got[0] != "k1" {
			t.Errorf("unsettled %v, want k1", got)
		}
		done := moved
		done.Path = "d/c.txt"
		x.put(done)
		if k := holder(x, "c.txt"); k != "k2" {
			t.Errorf("once the failed item is recorded at d/c.txt, c.txt is held by %q, want k2", k)
		}
		if k, ok := x.byLocalID("mem:2"); !ok || k != "k2" {
			t.Errorf("the local id of c.txt finds %q, want k2", k)
		}
		if x.withLocal != 2 || x.synced != 2 {
			t.Errorf("counters: %d with a local side, %d synced; want 2 and 2", x.withLocal, x.synced)
		}
	}
}

// holder is the key of the item the index has at path p ("" for none).
func holder(x *setIndex, p string) string {
	if e, ok := x.entry(p); ok {
		return x.keyOf(e)
	}
	return ""
}
