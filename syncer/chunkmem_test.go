package syncer_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// intentTracker follows how many transfer intents the store holds, batch by batch, and the
// most it held at once.
type intentTracker struct {
	model.Store
	mu   sync.Mutex
	live map[string]int
	peak int
	kept map[string]bool // paths whose intent a settling write (one that removed batches) kept
}

func (c *intentTracker) PutIntents(set, batch string, put []model.Intent, del []string) error {
	if err := c.Store.PutIntents(set, batch, put, del); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range del {
		delete(c.live, b)
	}
	for _, in := range put {
		if len(del) > 0 {
			c.kept[in.Path] = true
		}
	}
	if batch != "" {
		c.live[batch] = len(put)
	}
	n := 0
	for _, k := range c.live {
		n += k
	}
	c.peak = max(c.peak, n)
	return nil
}

// TestChunkedPassSettlesEachChunksIntents: a first sync in chunks removes a chunk's
// intents of uploads that succeeded once the chunk ran, so the store (and the pass) holds
// one chunk's intents, not one per file of the set (issue 11: a million files); the intent
// of an upload that failed stays for the next pass to check the cloud with. Before, every
// intent of the pass stayed until its end: 60 at once here.
func TestChunkedPassSettlesEachChunksIntents(t *testing.T) {
	c := &intentTracker{live: map[string]int{}, kept: map[string]bool{}}
	r := newRig(t, func(cfg *syncer.Config) {
		cfg.Chunk = 10
		c.Store = cfg.Store
		cfg.Store = c
	})
	for i := range 60 {
		r.write(fmt.Sprintf("d%d/f%02d.txt", i%6, i), fmt.Sprint("content ", i))
	}
	r.rem.SetFault(func(op, p string) error {
		if op == "upload" && strings.HasSuffix(p, "d3/f27.txt") {
			return &remote.Error{Kind: remote.ErrServer, Op: op, Path: p}
		}
		return nil
	})
	r.syncFolder(model.DefaultOptions())
	if got := len(r.rem.Tree("Docs")); got != 59+6 {
		t.Fatalf("after the first sync the cloud has %d entries, want 59 files and 6 folders", got)
	}
	c.mu.Lock()
	peak, kept := c.peak, c.kept
	c.mu.Unlock()
	if peak > 10+1 {
		t.Errorf("the store held %d transfer intents at once; a chunk has at most 10, plus the failed one", peak)
	}
	if len(kept) != 1 || !kept["d3/f27.txt"] {
		t.Errorf("settling kept the intents of %v, want the failed upload's only (d3/f27.txt)", kept)
	}
	for _, p := range []string{"d0/f00.txt", "d5/f59.txt"} {
		if st := r.info(p).Status; st != model.StatusSynced {
			t.Errorf("%s is %s after the first sync, want synced", p, st)
		}
	}
	if st := r.info("d3/f27.txt").Status; st == model.StatusSynced {
		t.Errorf("d3/f27.txt, whose upload failed, is %s", st)
	}
}
