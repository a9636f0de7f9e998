package state

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

// TestTransferIntentsSurviveARestart is the contract the engine's crash recovery relies on:
// an intent written before a transfer is there after the store is reopened, one per path
// (a newer one replaces it), deleted by path, listed in path order per set, and gone with
// its set. The in-memory store keeps the same contract.
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
				LocalID: "1:2", LocalVersion: "200:5", RemoteVersion: "e1", Started: at}
			down := model.Intent{Path: "a.txt", Op: model.IntentDownload, Started: at}
			other := model.Intent{Path: "x", Op: model.IntentDownload, Started: at}
			for _, err := range []error{s.PutSet(model.Set{ID: "s1"}), s.PutSet(model.Set{ID: "s2"}),
				s.PutIntents("s1", []model.Intent{up, down}, nil), s.PutIntents("s2", []model.Intent{other}, nil)} {
				if err != nil {
					t.Fatal(err)
				}
			}
			s = reopen(s)
			if got := intents(t, s, "s1"); fmt.Sprint(got) != fmt.Sprint([]model.Intent{down, up}) {
				t.Fatalf("after a restart: %+v, want %+v", got, []model.Intent{down, up})
			}
			newer := up
			newer.Size, newer.Hash = 300, "cd34"
			if err := s.PutIntents("s1", []model.Intent{newer}, []string{"a.txt", "not-there"}); err != nil {
				t.Fatal(err)
			}
			if got := intents(t, s, "s1"); fmt.Sprint(got) != fmt.Sprint([]model.Intent{newer}) {
				t.Fatalf("after replace and delete: %+v, want %+v", got, []model.Intent{newer})
			}
			if err := s.PutIntents("s1", []model.Intent{{Op: model.IntentUpload}}, nil); err == nil {
				t.Fatal("an intent without a path was accepted")
			}
			if err := s.DeleteSet("s1"); err != nil {
				t.Fatal(err)
			}
			if got := intents(t, s, "s1"); len(got) != 0 {
				t.Fatalf("intents of a deleted set: %+v", got)
			}
			if got := intents(t, s, "s2"); len(got) != 1 {
				t.Fatalf("the other set's intents: %+v", got)
			}
		})
	}
}

func intents(t *testing.T, s model.Store, set string) []model.Intent {
	t.Helper()
	var out []model.Intent
	if err := s.ListIntents(set, func(in model.Intent) bool { out = append(out, in); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}
