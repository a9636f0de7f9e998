package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// Transfer intents are kept in batches, under item/<set>~intent/<batch>/<chunk> (values: a
// JSON array of at most intentChunk model.Intent), beside the items, so that the engine
// reads them back after a crash. A pass's batch is a few values instead of one key per
// file (a first sync of 10,000 files writes 1,000 values, and removes them with a few
// transactions).
//
// Their keys sort right after the set's items ('~' after '/'), where the keys of new
// items go too (NextKey counts up): a memtable written during a first sync holds both, and
// the table it becomes spans only the keys between them. Under intent/<set>/ (before
// item/) that span was every item of the set, and Badger rewrote all of them each time
// such a table was compacted into the level below: a 100,000-file first sync allocated
// 3.7 GB in the store instead of 1.5 (TestFirstSyncKeepsBadgersTableBuildersSmall).
// Open moves intents a version before this wrote under intent/ (moveLegacyIntents).
//
// A value holds 10 intents (about 3.5 KB), within one of Badger's 4 KB blocks, and far
// below the store's value threshold (64 KB), so intents live in the tree and go when
// removed; larger values went to the value log, which nothing shrinks (issue 11: 22 MB
// after 100,000 files).

const (
	legacyIntentPrefix = "intent/"
	intentChunk        = 10
)

func intentPrefix(set string) string { return prefixItem + set + "~intent/" }

// moveLegacyIntents moves intents stored under intent/<set>/ (before their keys moved
// beside the items) to their key of now; each key is written and its old one removed in
// one transaction, so a crash leaves each intent at one of the two, and the next Open
// moves what is left.
func (s *Store) moveLegacyIntents() error {
	var writes []itemWrite
	err := s.scan(legacyIntentPrefix, func(key, val []byte) (bool, error) {
		set, rest, ok := strings.Cut(strings.TrimPrefix(string(key), legacyIntentPrefix), "/")
		if !ok {
			return true, nil
		}
		writes = append(writes, itemWrite{key: append([]byte(nil), key...)},
			itemWrite{key: []byte(intentPrefix(set) + rest), val: append([]byte(nil), val...)})
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("read intents of an earlier version: %w", err)
	}
	for i := 0; i < len(writes); i += 2 {
		if err := s.writeItems(writes[i : i+2]); err != nil {
			return fmt.Errorf("move intents of an earlier version: %w", err)
		}
	}
	return nil
}

// PutIntents implements model.Store.
func (s *Store) PutIntents(set, batch string, put []model.Intent, del []string) error {
	switch {
	case set == "":
		return errors.New("put intents: empty set id")
	case len(put) > 0 && (batch == "" || strings.Contains(batch, "/")):
		return fmt.Errorf("put intents in set %q: invalid batch name %q", set, batch)
	}
	var writes []itemWrite
	for _, b := range append(append([]string(nil), del...), batch) {
		if b == "" {
			continue
		}
		keys, err := s.scanKeys(intentPrefix(set) + b + "/")
		if err != nil {
			return fmt.Errorf("put intents in set %q: %w", set, err)
		}
		for _, k := range keys {
			writes = append(writes, itemWrite{key: k})
		}
	}
	for i := 0; i < len(put); i += intentChunk {
		chunk := put[i:min(i+intentChunk, len(put))]
		for _, in := range chunk {
			if in.Path == "" {
				return fmt.Errorf("put intents in set %q: an intent has an empty path", set)
			}
		}
		b, err := json.Marshal(chunk)
		if err != nil {
			return fmt.Errorf("put intents in set %q: encode: %w", set, err)
		}
		key := fmt.Sprintf("%s%s/%06d", intentPrefix(set), batch, i/intentChunk)
		writes = append(writes, itemWrite{key: []byte(key), val: b})
	}
	// One transaction, or several in order when they exceed Badger's limit: the deletes
	// come first, so a replaced batch is never mixed.
	if err := s.writeChunked(writes); err != nil {
		return fmt.Errorf("put intents in set %q: %w", set, err)
	}
	return nil
}

// ListIntents implements model.Store. fn runs inside a read transaction: it must not call
// the Store's mutating methods.
func (s *Store) ListIntents(set string, fn func(batch string, in model.Intent) bool) error {
	err := s.scan(intentPrefix(set), func(key, val []byte) (bool, error) {
		batch, _, _ := strings.Cut(strings.TrimPrefix(string(key), intentPrefix(set)), "/")
		var chunk []model.Intent
		if err := json.Unmarshal(val, &chunk); err != nil {
			return false, fmt.Errorf("decode %s: %w", key, err)
		}
		for _, in := range chunk {
			if !fn(batch, in) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("list intents of set %q: %w", set, err)
	}
	return nil
}

// writeChunked commits writes in one transaction, or in chunks of at most chunkSize,
// halved until each fits, when they exceed Badger's transaction limit (a fraction of a
// memtable).
func (s *Store) writeChunked(writes []itemWrite) error {
	if len(writes) == 0 {
		return nil
	}
	err := s.writeItems(writes)
	if !errors.Is(err, badger.ErrTxnTooBig) || len(writes) == 1 {
		return err
	}
	size := min(chunkSize, (len(writes)+1)/2)
	for start := 0; start < len(writes); start += size {
		if err := s.writeChunked(writes[start:min(start+size, len(writes))]); err != nil {
			return err
		}
	}
	return nil
}
