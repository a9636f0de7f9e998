package state

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// randomItem is an item with every field set at random, strings drawn from names that
// need escapes in JSON, are not ASCII, or are not UTF-8.
func randomItem(rng *rand.Rand) model.Item {
	parts := []string{"a", "Müller", "Tom & Jerry", `say "hi"`, `back\slash`, "<tag>", "tab\there", "nl\n", "\x01",
		"日本語", "😀", "\xff\xfe", "\xed\xa0\x80", "/", "\u2028", "e\u0301", "", "00001434-1", `"00001434-1"`}
	str := func() string {
		var sb strings.Builder
		for range rng.IntN(4) {
			sb.WriteString(parts[rng.IntN(len(parts))])
		}
		return sb.String()
	}
	t := time.Unix(rng.Int64N(2e9), rng.Int64N(1e9)).UTC()
	side := func() model.Side {
		return model.Side{ID: str(), Version: str(), Size: rng.Int64N(1 << 40), ModTime: t, Mode: rng.Uint32N(0o777),
			Extra: str(), Gone: rng.IntN(4) == 0, Hash: str(), Path: str(), Locked: rng.IntN(4) == 0, Excl: rng.IntN(4) == 0}
	}
	it := model.Item{Set: str(), Key: str(), Path: str(), IsDir: rng.IntN(2) == 0, HasBase: rng.IntN(2) == 0, Hash: str(),
		Local: side(), Remote: side(), Status: model.Status(str()), Reason: remote.Reason(str()), Details: str(),
		Attempts: rng.IntN(5), NextRetry: t, Waits: str(), LastSync: t, Notified: rng.IntN(2) == 0,
		Restore: rng.IntN(2) == 0, Note: str()}
	if rng.IntN(2) == 0 {
		it.Meta = &remote.Meta{Title: str(), Description: str(), Author: str()}
	}
	for range rng.IntN(3) {
		it.Conflicts = append(it.Conflicts, str())
	}
	return it
}

// TestItemBriefsDecodeAsEncodingJSON: for random items as json.Marshal writes them, the
// brief decoder reads exactly what encoding/json reads of the fields the index needs; for
// those bytes cut short or with a byte changed, it never takes malformed JSON, and what it
// takes reads as encoding/json reads it.
func TestItemBriefsDecodeAsEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 3000 {
		b, err := json.Marshal(randomItem(rng))
		if err != nil {
			t.Fatal(err)
		}
		var want, got model.Item
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if !decodeBrief(b, &got) {
			t.Fatalf("item %d: the brief decoder did not take %s", n, b)
		}
		if !reflect.DeepEqual(model.Item.Brief(got), model.Item.Brief(want)) {
			t.Fatalf("item %d: %s\nbrief %+v\nwant  %+v", n, b, model.Item.Brief(got), model.Item.Brief(want))
		}
		for range 10 {
			m := append([]byte(nil), b...)
			if rng.IntN(3) == 0 {
				m = m[:rng.IntN(len(m))]
			} else {
				m[rng.IntN(len(m))] = "{}[]\":,\\ tfn0-.eu\"\n\x01"[rng.IntN(20)]
			}
			var mg, mw model.Item
			if !decodeBrief(m, &mg) {
				continue
			}
			if !json.Valid(m) {
				t.Fatalf("item %d: the brief decoder took malformed %s", n, m)
			}
			if json.Unmarshal(m, &mw) == nil && !reflect.DeepEqual(model.Item.Brief(mg), model.Item.Brief(mw)) {
				t.Fatalf("item %d: %s\nbrief %+v\nwant  %+v", n, m, model.Item.Brief(mg), model.Item.Brief(mw))
			}
		}
	}
	// Inputs encoding/json refuses or reads otherwise than by exact names.
	for _, in := range []string{`{"Path":"a"}`, `{"local":{"ID":"x"}}`, `{"is_dir":1}`, `{"key":5}`, `{"conflicts":"a"}`,
		`{"meta":[]}`, `{"key":"\ud800"}`, `{"key":"a"} x`, `{"p\u0061th":"a"}`, `{"key":"\u00e9\u0026"}`, `null`} {
		var got, want model.Item
		if !decodeBrief([]byte(in), &got) {
			continue
		}
		if err := json.Unmarshal([]byte(in), &want); err != nil || !reflect.DeepEqual(model.Item.Brief(got), model.Item.Brief(want)) {
			t.Errorf("the brief decoder took %s as %+v; encoding/json: %+v, %v", in, model.Item.Brief(got), model.Item.Brief(want), err)
		}
	}
}

// TestListItemBriefsListsWhatListItemsLists: on a store, every item comes in the same
// order with the same brief fields, including an item the brief decoder leaves to
// encoding/json.
func TestListItemBriefsListsWhatListItemsLists(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	var put []model.Item
	for i := range 200 {
		it := randomItem(rng)
		it.Key = fmt.Sprintf("%012d.%06d", 1, i)
		put = append(put, it)
	}
	if err := s.PutItems("s", put, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { // written by hand, with a field spelled otherwise
		return txn.Set([]byte(itemKey("s", "zz")), []byte(`{"key":"zz","Path":"odd","has_base":true}`))
	}); err != nil {
		t.Fatal(err)
	}
	var all, briefs []model.Item
	if err := s.ListItems("s", func(it model.Item) bool { all = append(all, model.Item.Brief(it)); return true }); err != nil {
		t.Fatal(err)
	}
	if err := s.ListItemBriefs("s", func(it model.Item) bool { briefs = append(briefs, model.Item.Brief(it)); return true }); err != nil {
		t.Fatal(err)
	}
	if len(all) != 201 || !reflect.DeepEqual(all, briefs) {
		t.Fatalf("ListItemBriefs listed %d items, ListItems %d; the same: %v", len(briefs), len(all), reflect.DeepEqual(all, briefs))
	}
	if last := briefs[200]; last.Path != "odd" || !last.HasBase {
		t.Errorf("the hand-written item reads as %+v", last)
	}
}

// BenchmarkDecodeItem decodes a synced file's stored item as ListItems does (full) and
// as ListItemBriefs does (brief).
func BenchmarkDecodeItem(b *testing.B) {
	now := time.Date(2026, 12, 6, 8, 0, 0, 123456789, time.UTC)
	v, _ := json.Marshal(model.Item{Set: "s1", Key: "000000000007.000123", Path: "g001/d00012/f0001234.bin", HasBase: true,
		Status: model.StatusSynced, Hash: strings.Repeat("ab", 32), LastSync: now,
		Local:  model.Side{ID: "2049:1001234", Version: "1765000000000001234:64", Size: 64, ModTime: now, Hash: strings.Repeat("ab", 32)},
		Remote: model.Side{ID: "00001434", Version: `"00001434-1"`, Size: 64, ModTime: now}})
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			var it model.Item
			if err := json.Unmarshal(v, &it); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("brief", func(b *testing.B) {
		for b.Loop() {
			var it model.Item
			if !decodeBrief(v, &it) {
				b.Fatal("not taken")
			}
		}
	})
}
