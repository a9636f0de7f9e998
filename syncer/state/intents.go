package state

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// Transfer intents are kept under intent/<set>/<path> (values: model.Intent as JSON),
// beside the items, so that the engine reads them back after a crash.

const prefixIntent = "intent/"

func intentPrefix(set string) string { return prefixIntent + set + "/" }

// PutIntents writes put (keyed by Path, replacing an intent at the same path) and deletes
// the intents at the paths in del, in one transaction, committed in chunks should it exceed
// Badger's transaction limit (puts first, then deletes).
func (s *Store) PutIntents(set string, put []model.Intent, del []string) error {
	if set == "" {
		return errors.New("put intents: empty set id")
	}
	writes := make([]itemWrite, 0, len(put)+len(del))
	for _, in := range put {
		if in.Path == "" {
			return fmt.Errorf("put intents in set %q: an intent has an empty path", set)
		}
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("put intents in set %q: encode %q: %w", set, in.Path, err)
		}
		writes = append(writes, itemWrite{key: []byte(intentPrefix(set) + in.Path), val: b})
	}
	for _, p := range del {
		writes = append(writes, itemWrite{key: []byte(intentPrefix(set) + p)})
	}
	if err := s.writeChunked(writes); err != nil {
		return fmt.Errorf("put intents in set %q: %w", set, err)
	}
	return nil
}

// ListIntents calls fn for every intent of the set in path order; fn returning false
// stops. fn runs inside a read transaction: it must not call the Store's mutating methods.
func (s *Store) ListIntents(set string, fn func(model.Intent) bool) error {
	err := s.scan(intentPrefix(set), func(key, val []byte) (bool, error) {
		var in model.Intent
		if err := json.Unmarshal(val, &in); err != nil {
			return false, fmt.Errorf("decode %s: %w", key, err)
		}
		return fn(in), nil
	})
	if err != nil {
		return fmt.Errorf("list intents of set %q: %w", set, err)
	}
	return nil
}

// writeChunked commits writes in one transaction, or in chunks of chunkSize when they
// exceed Badger's transaction limit.
func (s *Store) writeChunked(writes []itemWrite) error {
	if len(writes) == 0 {
		return nil
	}
	err := s.writeItems(writes)
	if errors.Is(err, badger.ErrTxnTooBig) {
		err = nil
		for start := 0; start < len(writes) && err == nil; start += chunkSize {
			err = s.writeItems(writes[start:min(start+chunkSize, len(writes))])
		}
	}
	return err
}
