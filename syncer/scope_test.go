package syncer_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// Cost follows change (issue 11): after the first pass, a pass works on what changed.

// lastPass is the last finished pass of testRoot's set.
func (r *rig) lastPass() syncer.PassInfo {
	r.t.Helper()
	st := r.status()
	if len(st.SetStates) != 1 || st.SetStates[0].LastPass == nil {
		r.t.Fatalf("no last pass in %+v", st.SetStates)
	}
	return *st.SetStates[0].LastPass
}

// TestWatcherEventSyncsTheChangeWithoutListingTheCloud: a file the watcher reports is
// uploaded by a pass that looks at that file only and does not list the cloud.
func TestWatcherEventSyncsTheChangeWithoutListingTheCloud(t *testing.T) {
	r := newRig(t, nil)
	for i := range 50 {
		r.write(fmt.Sprintf("d%d/f%02d.txt", i%5, i), "v1")
	}
	r.syncFolder(model.DefaultOptions())
	lists := r.rem.Calls("list")
	r.write("d3/new.txt", "new")
	r.event("d3/new.txt")
	r.eventually("d3/new.txt in the cloud", func() bool { _, ok := r.rem.Get("Docs/d3/new.txt"); return ok })
	r.eventually("the pass ended", func() bool { return r.lastPass().Local == "changes" })
	if got := r.rem.Calls("list"); got != lists {
		t.Fatalf("the pass of a watcher event listed the cloud %d times", got-lists)
	}
	if lp := r.lastPass(); lp.Cloud || lp.Items > 5 {
		t.Fatalf("pass of one new file: %+v; want no listing and a handful of items", lp)
	}
	// A local deletion is planned against a listing, never against the base's picture.
	if err := r.local().Remove("d3/f03.txt"); err != nil {
		t.Fatal(err)
	}
	r.event("d3/f03.txt")
	r.eventually("d3/f03.txt gone from the cloud", func() bool { _, ok := r.rem.Get("Docs/d3/f03.txt"); return !ok })
	if r.rem.Calls("list") == lists {
		t.Fatal("a local deletion was planned without listing the cloud")
	}
}

// TestUnreportedLocalChangeIsFoundByWait: a change the watcher did not report (made just
// before `wait`, or on a file system that does not notify) is found by the pass a kick
// asks for, which looks at the whole tree.
func TestUnreportedLocalChangeIsFoundByWait(t *testing.T) {
	r := newRig(t, nil)
	r.write("a.txt", "v1")
	r.syncFolder(model.DefaultOptions())
	r.write("a.txt", "v2, no event")
	r.wait()
	if got, _ := r.rem.Get("Docs/a.txt"); string(got) != "v2, no event" {
		t.Fatalf("cloud has %q", got)
	}
	if lp := r.lastPass(); lp.Local != "all" || !lp.Cloud {
		t.Fatalf("the pass of a kick: %+v; want a look at everything", lp)
	}
}

// TestLargeScopeRunsInChunks: with chunks of 10 changes, a first sync of 60 files, moves
// of files and of a folder, and a mass deletion behave as one plan would: everything
// arrives, moves stay moves, and the deletion of most files waits for confirmation.
func TestLargeScopeRunsInChunks(t *testing.T) {
	r := newRig(t, func(c *syncer.Config) { c.Chunk = 10 })
	for i := range 60 {
		r.write(fmt.Sprintf("d%d/sub/f%02d.txt", i%6, i), fmt.Sprint("content ", i))
	}
	r.syncFolder(model.DefaultOptions())
	if got := len(r.rem.Tree("Docs")); got != 60+12 {
		t.Fatalf("after the first sync the cloud has %d entries, want 60 files and 12 folders", got)
	}
	if n := r.rem.Calls("list"); n > 3 {
		t.Fatalf("the first sync took %d passes (listings): one pass runs every chunk", n)
	}
	if n := r.rem.Calls("mkdir"); n != 12+1 {
		t.Fatalf("the first sync made %d folders in the cloud, want the set's and 12 (a later chunk must take the folders an earlier one made as made)", n)
	}
	if tr := r.local().Trashed(); len(tr) != 0 {
		t.Fatalf("the first sync trashed local items: %+v", tr)
	}
	up := r.rem.Calls("upload")
	if _, err := r.local().Rename("d0", "moved"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 60; i += 6 {
		if _, err := r.local().Rename(fmt.Sprintf("d1/sub/f%02d.txt", i), fmt.Sprintf("d2/f%02d.txt", i)); err != nil {
			t.Fatal(err)
		}
	}
	r.wait()
	if got, _ := r.rem.Get("Docs/moved/sub/f00.txt"); string(got) != "content 0" {
		t.Fatalf("moved folder: cloud has %q", got)
	}
	if got, _ := r.rem.Get("Docs/d2/f07.txt"); string(got) != "content 7" {
		t.Fatalf("moved file: cloud has %q", got)
	}
	if n := r.rem.Calls("upload") - up; n != 0 {
		t.Fatalf("moves uploaded %d files", n)
	}
	for i := range 60 {
		for _, p := range []string{fmt.Sprintf("d%d/sub/f%02d.txt", i%6, i), fmt.Sprintf("d2/f%02d.txt", i), fmt.Sprintf("moved/sub/f%02d.txt", i)} {
			if i%6 != 5 {
				_ = r.local().Remove(p)
			}
		}
	}
	r.wait()
	if st := r.status(); st.SetStates[0].PendingDeletes == 0 {
		t.Fatalf("deleting 50 of 60 files went ahead in chunks: %+v", st.SetStates[0])
	}
	if _, ok := r.rem.Get("Docs/d2/f07.txt"); !ok {
		t.Fatal("a held deletion deleted in the cloud")
	}
}

// intentCounter counts the transfer intents written to the store.
type intentCounter struct {
	model.Store
	mu      sync.Mutex
	written int
}

func (c *intentCounter) PutIntents(set, batch string, put []model.Intent, del []string) error {
	c.mu.Lock()
	c.written += len(put)
	c.mu.Unlock()
	return c.Store.PutIntents(set, batch, put, del)
}

// TestChunkedPassWritesEachIntentOnce: a first sync in chunks records each chunk's
// transfer intents in a batch of their own, not every earlier chunk's again (10,000 files
// in chunks of 2,000 wrote 30,000 intents, 8 MB that Badger kept in its value log).
func TestChunkedPassWritesEachIntentOnce(t *testing.T) {
	c := &intentCounter{}
	r := newRig(t, func(cfg *syncer.Config) {
		cfg.Chunk = 10
		c.Store = cfg.Store
		cfg.Store = c
	})
	for i := range 60 {
		r.write(fmt.Sprintf("d%d/f%02d.txt", i%6, i), fmt.Sprint("content ", i))
	}
	r.syncFolder(model.DefaultOptions())
	if got := len(r.rem.Tree("Docs")); got != 60+6 {
		t.Fatalf("after the first sync the cloud has %d entries, want 60 files and 6 folders", got)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.written != 60 {
		t.Fatalf("the first sync wrote %d transfer intents for 60 uploads", c.written)
	}
}
