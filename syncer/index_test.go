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
