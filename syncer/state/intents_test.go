package state

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

// TestTransferIntentsSurviveARestart is the contract the engine's crash recovery relies on:
// a batch of intents written before a pass's transfers is there after the store is
// reopened, with its name, whatever its size; a batch written again under its name replaces
// it; deleted batches are gone, other sets' untouched; and a set's intents go with it. The
// in-memory store keeps the same contract.
func TestTransferIntentsSurviveARestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	badgerStore := open(t, dir)
	reopen := func(s model.Store) model.Store {
		if s != badgerStore {
			return s
		}
		if err := badgerStore.Close(); err != nil {
			t.Fatal(err)
		}
		badgerStore = open(t, dir)
		return badgerStore
	}
	t.Cleanup(func() { badgerStore.Close() })
	for name, s := range map[string]model.Store{"badger": badgerStore, "memstore": memstore.New("i")} {
		t.Run(name, func(t *testing.T) {
			at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			up := model.Intent{Path: "d/big.iso", Op: model.IntentUpload, Key: "k1", Size: 200 << 20, Hash: "ab12",
				LocalID: "1:2", LocalVersion: "200:5", LocalModTime: at, RemoteVersion: "e1", Started: at}
			down := model.Intent{Path: "a.txt", Op: model.IntentDownload, Started: at}
			var many []model.Intent // more than one chunk
			for i := range 2500 {
				many = append(many, model.Intent{Path: fmt.Sprintf("f%04d", i), Op: model.IntentUpload, Size: int64(i)})
			}
			for _, err := range []error{s.PutSet(model.Set{ID: "s1"}), s.PutSet(model.Set{ID: "s2"}),
				s.PutIntents("s1", "p1", []model.Intent{up, down}, nil), s.PutIntents("s1", "p2", many, nil),
				s.PutIntents("s2", "p1", []model.Intent{down}, nil)} {
				if err != nil {
					t.Fatal(err)
				}
			}
			s = reopen(s)
			got := intents(t, s, "s1")
			if len(got["p1"]) != 2 || fmt.Sprint(got["p1"][0]) != fmt.Sprint(up) || len(got["p2"]) != len(many) ||
				got["p2"][2499].Path != "f2499" {
				t.Fatalf("after a restart: p1 %+v, p2 %d intents", got["p1"], len(got["p2"]))
			}
			if err := s.PutIntents("s1", "p3", []model.Intent{up}, []string{"p1", "p2", "not-there"}); err != nil {
				t.Fatal(err)
			}
			if got := intents(t, s, "s1"); len(got) != 1 || len(got["p3"]) != 1 {
				t.Fatalf("after a new batch replacing two: %v", got)
			}
			if err := s.PutIntents("s1", "p3", []model.Intent{down}, nil); err != nil {
				t.Fatal(err)
			}
			if got := intents(t, s, "s1"); len(got["p3"]) != 1 || got["p3"][0].Path != "a.txt" {
				t.Fatalf("a batch written again: %v", got)
			}
			if err := s.PutIntents("s1", "bad", []model.Intent{{Op: model.IntentUpload}}, nil); err == nil {
				t.Fatal("an intent without a path was accepted")
			}
			if err := s.DeleteSet("s1"); err != nil {
				t.Fatal(err)
			}
			if got := intents(t, s, "s1"); len(got) != 0 {
				t.Fatalf("intents of a deleted set: %v", got)
			}
			if got := intents(t, s, "s2"); len(got["p1"]) != 1 {
				t.Fatalf("the other set's intents: %v", got)
			}
		})
	}
}

// intents returns a set's intents by batch.
func intents(t *testing.T, s model.Store, set string) map[string][]model.Intent {
	t.Helper()
	out := map[string][]model.Intent{}
	if err := s.ListIntents(set, func(b string, in model.Intent) bool { out[b] = append(out[b], in); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestIntentsStayOutOfTheValueLog: a batch's values are small enough to be kept in the
// tree beside the items, not in Badger's value log, which nothing ever shrinks (the store
// runs no value-log GC) and whose written pages count in the engine's memory: a first
// sync of 100,000 files left 22 MB of intents there, already removed. Intents of a
// first sync (a 40-byte path, a hash, ids and times) are written and removed as a pass
// does; the value log stays empty.
func TestIntentsStayOutOfTheValueLog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for b := range 10 {
		var batch []model.Intent
		for i := range 2000 {
			batch = append(batch, model.Intent{Path: fmt.Sprintf("g%03d/d%05d/f%07d.bin", b, i/100, b*2000+i), Op: model.IntentUpload,
				Key: fmt.Sprintf("%016x-%06d", b, i), Size: 4096, Hash: strings.Repeat("ab", 32), LocalID: fmt.Sprintf("2049:%d", 100000+i),
				LocalVersion: "4096+1796526271000000000", LocalModTime: at, Started: at})
		}
		name := fmt.Sprintf("%020d", b)
		if err := s.PutIntents("set1", name, batch, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.PutIntents("set1", "", nil, []string{name}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "*.vlog"))
	var size int64
	for _, f := range logs {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	if size > 64<<10 {
		t.Errorf("20,000 intents written and removed left %d bytes in the value log", size)
	}
}

// TestIntentsOfAnEarlierVersionAreKept: intents an earlier version stored under
// intent/<set>/<batch>/<n> (before they moved beside the items) are there after Open, under
// their batch, and can be removed as any other; a crash between moving two of them loses
// neither (the next Open moves what is left). Without the move, an upgrade right after a
// crash would forget the transfers it has to check.
func TestIntentsOfAnEarlierVersionAreKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	up := model.Intent{Path: "d/big.iso", Op: model.IntentUpload, Key: "k1", Size: 200 << 20, Hash: "ab12", Started: at}
	down := model.Intent{Path: "a.txt", Op: model.IntentDownload, Started: at}
	legacy := func(key string, v []model.Intent) {
		t.Helper()
		b, err := json.Marshal(v)
		if err == nil {
			err = s.writeItems([]itemWrite{{key: []byte(key), val: b}})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	legacy("intent/s1/p1/000000", []model.Intent{up})
	legacy("intent/s1/p1/000001", []model.Intent{down})
	legacy("intent/s2/p7/000000", []model.Intent{down})
	if err := s.PutIntents("s1", "p2", []model.Intent{down}, nil); err != nil { // moved already
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer func() { s.Close() }()
	got := intents(t, s, "s1")
	if len(got) != 2 || len(got["p1"]) != 2 || fmt.Sprint(got["p1"][0]) != fmt.Sprint(up) || got["p1"][1].Path != "a.txt" || len(got["p2"]) != 1 {
		t.Fatalf("set s1's intents after Open: %v", got)
	}
	if got := intents(t, s, "s2"); len(got["p7"]) != 1 {
		t.Fatalf("set s2's intents after Open: %v", got)
	}
	if keys, err := s.scanKeys("intent/"); err != nil || len(keys) != 0 {
		t.Fatalf("keys left under intent/: %q (%v)", keys, err)
	}
	if err := s.PutIntents("s1", "", nil, []string{"p1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	if got := intents(t, s, "s1"); len(got) != 1 || len(got["p2"]) != 1 {
		t.Fatalf("after removing the moved batch and reopening: %v", got)
	}
}
