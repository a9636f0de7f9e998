package syncer

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/state"
)

// BenchmarkLoadIndex builds a set's index and counters as loadIndex does at start, from
// 10,000 synced files in a Badger store (benchItem, with the sizes, times and hashes a
// sync records): by the store's ListItemBriefs (what loadIndex uses) and by ListItems
// (what it used before, decoding every field with encoding/json).
func BenchmarkLoadIndex(b *testing.B) {
	const n = 10_000
	st, err := state.Open(filepath.Join(b.TempDir(), "state"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	var put []model.Item
	for i := range n {
		it := benchItem(i)
		it.Status, it.Hash, it.LastSync = model.StatusSynced, strings.Repeat("ab", 32), now
		it.Local.Size, it.Local.ModTime, it.Remote.Size, it.Remote.ModTime = 4096, now, 4096, now
		put = append(put, it)
	}
	if err := st.PutItems("s", put, nil); err != nil {
		b.Fatal(err)
	}
	set := model.Set{ID: "s", Kind: model.KindFolder}
	for _, c := range []struct {
		name string
		list func(string, func(model.Item) bool) error
	}{{"briefs", st.ListItemBriefs}, {"ListItems", st.ListItems}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				ix, rl := newSetIndex(), newRules(set, nil)
				if err := c.list("s", func(it model.Item) bool { ix.put(it); rl.add(it); return true }); err != nil {
					b.Fatal(err)
				}
				if ix.items != n || rl.items != n {
					b.Fatalf("%d items in the index, %d counted", ix.items, rl.items)
				}
			}
		})
	}
}
