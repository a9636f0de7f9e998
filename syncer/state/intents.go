package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// Transfer intents are kept in batches, under intent/<set>/<batch>/<chunk> (values: a
// JSON array of at most intentChunk model.Intent), beside the items, so that the engine
// reads them back after a crash. A pass's batch is one write of a few values instead of
// one key per file (a first sync of 10,000 files writes 100 values, and removes them with
// one transaction). A value of 100 intents (about 35 KB) stays below the store's value
// threshold (64 KB), so intents live in the tree and go when removed; larger values went
// to the value log, which nothing shrinks (issue 11: 22 MB after 100,000 files).

const (
	prefixIntent = "intent/"
	intentChunk  = 100
)

func intentPrefix(set string) string { return prefixIntent + set + "/" }

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
	if err := s.writeIntents(writes); err != nil {
		return fmt.Errorf("put intents in set %q: %w", set, err)
	}
	return nil
}

// writeIntents commits writes in one transaction, or one write per transaction when they
// exceed Badger's transaction limit (deletes first, so a replaced batch is never mixed).
func (s *Store) writeIntents(writes []itemWrite) error {
	if len(writes) == 0 {
		return nil
	}
	err := s.writeItems(writes)
	if errors.Is(err, badger.ErrTxnTooBig) {
		err = nil
		for i := 0; i < len(writes) && err == nil; i++ {
			err = s.writeItems(writes[i : i+1])
		}
	}
	return err
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
