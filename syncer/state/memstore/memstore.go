// Package memstore is an in-memory model.Store for the engine's unit and simulation tests:
// the same contract as the Badger store (syncer/state), kept in maps, with a fault hook so
// a test can fail the i-th store operation and check that the next pass recovers.
// Values are deep-copied through JSON, as the real store does, so a caller never shares
// memory with the store.
//
// It may import syncer/model of this module.
package memstore

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// Store is an in-memory model.Store. It is safe for concurrent use.
type Store struct {
	mu           sync.Mutex
	installation string
	accounts     map[string][]byte
	sets         map[string][]byte
	items        map[string]map[string][]byte // set → key → item
	intents      map[string]map[string][]byte // set → path → transfer intent
	seq          map[string]uint64
	config       map[string]string
	ops          int
	fault        func(op string, n int) error
}

var _ model.Store = (*Store)(nil)

// New returns an empty store with the given installation id.
func New(installation string) *Store {
	return &Store{installation: installation, accounts: map[string][]byte{}, sets: map[string][]byte{},
		items: map[string]map[string][]byte{}, intents: map[string]map[string][]byte{}, seq: map[string]uint64{},
		config: map[string]string{}}
}

// SetFault installs a hook called before every operation with its name ("put-items",
// "get-set", …) and its 1-based sequence number; a non-nil error fails the operation
// without changing anything.
func (s *Store) SetFault(f func(op string, n int) error) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// Ops returns the number of operations so far.
func (s *Store) Ops() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops
}

// SetInstallation changes the installation id, as a state dir copied to another machine
// would appear.
func (s *Store) SetInstallation(id string) {
	s.mu.Lock()
	s.installation = id
	s.mu.Unlock()
}

// enter must be called with s.mu held.
func (s *Store) enter(op string) error {
	s.ops++
	if s.fault != nil {
		if err := s.fault(op, s.ops); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	return nil
}

func notFound(what string) error { return fmt.Errorf("%s: %w", what, model.ErrNotFound) }

func (s *Store) InstallationID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.installation
}

func (s *Store) PutAccount(a model.Account) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("put-account"); err != nil {
		return err
	}
	s.accounts[a.Name] = mustJSON(a)
	return nil
}

func (s *Store) GetAccount(name string) (model.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var a model.Account
	if err := s.enter("get-account"); err != nil {
		return a, err
	}
	b, ok := s.accounts[name]
	if !ok {
		return a, notFound("account " + name)
	}
	return a, json.Unmarshal(b, &a)
}

func (s *Store) ListAccounts() ([]model.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("list-accounts"); err != nil {
		return nil, err
	}
	var out []model.Account
	for _, k := range sortedKeys(s.accounts) {
		var a model.Account
		if err := json.Unmarshal(s.accounts[k], &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (s *Store) DeleteAccount(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("delete-account"); err != nil {
		return err
	}
	delete(s.accounts, name)
	return nil
}

func (s *Store) PutSet(x model.Set) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("put-set"); err != nil {
		return err
	}
	if x.ID == "" || strings.Contains(x.ID, "/") {
		return fmt.Errorf("put set: invalid id %q", x.ID)
	}
	s.sets[x.ID] = mustJSON(x)
	return nil
}

func (s *Store) GetSet(id string) (model.Set, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var x model.Set
	if err := s.enter("get-set"); err != nil {
		return x, err
	}
	b, ok := s.sets[id]
	if !ok {
		return x, notFound("set " + id)
	}
	return x, json.Unmarshal(b, &x)
}

func (s *Store) ListSets() ([]model.Set, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("list-sets"); err != nil {
		return nil, err
	}
	var out []model.Set
	for _, k := range sortedKeys(s.sets) {
		var x model.Set
		if err := json.Unmarshal(s.sets[k], &x); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func (s *Store) DeleteSet(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("delete-set"); err != nil {
		return err
	}
	delete(s.sets, id)
	delete(s.items, id)
	delete(s.intents, id)
	delete(s.seq, id)
	return nil
}

func (s *Store) PutItems(set string, put []model.Item, del []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("put-items"); err != nil {
		return err
	}
	for _, it := range put {
		if it.Key == "" {
			return fmt.Errorf("put items in set %q: item %q has an empty key", set, it.Path)
		}
	}
	writes := make(map[string][]byte, len(put))
	for _, it := range put {
		it.Set = set
		writes[it.Key] = mustJSON(it)
	}
	putRecords(s.items, set, writes, del)
	return nil
}

// putRecords deletes del and writes put in the records of set in table.
func putRecords(table map[string]map[string][]byte, set string, put map[string][]byte, del []string) {
	m := table[set]
	if m == nil {
		m = map[string][]byte{}
		table[set] = m
	}
	for _, k := range del {
		delete(m, k)
	}
	for k, v := range put {
		m[k] = v
	}
}

func (s *Store) GetItem(set, key string) (model.Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var it model.Item
	if err := s.enter("get-item"); err != nil {
		return it, err
	}
	b, ok := s.items[set][key]
	if !ok {
		return it, notFound("item " + key)
	}
	return it, json.Unmarshal(b, &it)
}

// ListItems calls fn without the lock held, on a snapshot taken at the call.
func (s *Store) ListItems(set string, fn func(model.Item) bool) error {
	return listRecords(s, "list-items", s.items, set, fn)
}

// listRecords calls fn with the records of set in table in key order, decoded, without the
// lock held, on a snapshot taken at the call.
func listRecords[T any](s *Store, op string, table map[string]map[string][]byte, set string, fn func(T) bool) error {
	s.mu.Lock()
	if err := s.enter(op); err != nil {
		s.mu.Unlock()
		return err
	}
	m := table[set]
	keys := sortedKeys(m)
	vals := make([][]byte, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	s.mu.Unlock()
	for _, b := range vals {
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		if !fn(v) {
			return nil
		}
	}
	return nil
}

// PutIntents implements model.Store.
func (s *Store) PutIntents(set, batch string, put []model.Intent, del []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("put-intents"); err != nil {
		return err
	}
	for _, in := range put {
		if in.Path == "" {
			return fmt.Errorf("put intents in set %q: an intent has an empty path", set)
		}
	}
	if len(put) > 0 && (batch == "" || strings.Contains(batch, "/")) {
		return fmt.Errorf("put intents in set %q: invalid batch name %q", set, batch)
	}
	writes := map[string][]byte{}
	if len(put) > 0 {
		writes[batch] = mustJSON(put)
	}
	putRecords(s.intents, set, writes, append(append([]string(nil), del...), batch))
	return nil
}

// ListIntents implements model.Store. fn runs without the lock held, on a snapshot.
func (s *Store) ListIntents(set string, fn func(batch string, in model.Intent) bool) error {
	s.mu.Lock()
	if err := s.enter("list-intents"); err != nil {
		s.mu.Unlock()
		return err
	}
	names := sortedKeys(s.intents[set])
	vals := make([][]byte, len(names))
	for i, n := range names {
		vals[i] = s.intents[set][n]
	}
	s.mu.Unlock()
	for i, b := range vals {
		var batch []model.Intent
		if err := json.Unmarshal(b, &batch); err != nil {
			return err
		}
		for _, in := range batch {
			if !fn(names[i], in) {
				return nil
			}
		}
	}
	return nil
}

func (s *Store) NextKey(set string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("next-key"); err != nil {
		return "", err
	}
	s.seq[set]++
	return fmt.Sprintf("%012d", s.seq[set]), nil
}

func (s *Store) GetConfig(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("get-config"); err != nil {
		return "", err
	}
	v, ok := s.config[name]
	if !ok {
		return "", notFound("config " + name)
	}
	return v, nil
}

func (s *Store) PutConfig(name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter("put-config"); err != nil {
		return err
	}
	s.config[name] = value
	return nil
}

func (s *Store) Close() error { return nil }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // model records always marshal
	}
	return b
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Clone returns an independent copy of the store as it is now (its fault hook and
// operation count excluded): a backup a test can later restore, as an old snapshot of the
// state dir would be.
func (s *Store) Clone() *Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := New(s.installation)
	for k, v := range s.accounts {
		c.accounts[k] = v
	}
	for k, v := range s.sets {
		c.sets[k] = v
	}
	for _, t := range [][2]map[string]map[string][]byte{{s.items, c.items}, {s.intents, c.intents}} {
		for set, m := range t[0] {
			cm := make(map[string][]byte, len(m))
			for k, v := range m {
				cm[k] = v
			}
			t[1][set] = cm
		}
	}
	for k, v := range s.seq {
		c.seq[k] = v
	}
	for k, v := range s.config {
		c.config[k] = v
	}
	return c
}
