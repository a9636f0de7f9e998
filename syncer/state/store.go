// Package state is the Badger v4 store of the engine's persistent records: accounts'
// public data, sync sets, and items with their base (see package model). Every mutating
// call is durable when it returns: the database is opened with SyncWrites, so each
// commit is fsynced before the call returns.
//
// Keys (values are JSON):
//
//	acct/<name>                     model.Account
//	set/<id>                        model.Set
//	item/<set>/<key>                model.Item
//	item/<set>~intent/<batch>/<n>   model.Intent (transfers in flight, see intents.go)
//	seq/<set>                       last item key handed out by NextKey (uint64)
//	cfg/<name>                      config value (string)
//	meta/installation               installation id (string)
//	meta/fingerprint                machine id + marker file id the installation id is bound to
//
// It may import syncer/model and syncer/remote of this module (for their value types:
// item briefs decode remote.Meta, brief.go).
package state

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// DesktopMemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit) the app runs
// with. Badger's memtables, table builders and caches come and go in bursts; with the limit
// the garbage collector returns them before the heap doubles, so the peak RSS over 100,000
// items drops from about 180 MB to about 100 MB (BenchmarkStore100kItems).
const DesktopMemoryLimit = 96 << 20

// Store is a model.Store kept in a Badger database. It is safe for concurrent use.
type Store struct {
	db           *badger.DB
	dir          string
	installation string
	// stopRelease and released stop and await releaseLoop.
	stopRelease chan struct{}
	released    chan struct{}
}

var _ model.Store = (*Store)(nil)

const (
	prefixAccount  = "acct/"
	prefixSet      = "set/"
	prefixItem     = "item/"
	prefixSeq      = "seq/"
	prefixConfig   = "cfg/"
	keyInstall     = "meta/installation"
	keyFingerprint = "meta/fingerprint"

	// chunkSize bounds the writes of one transaction when a call has to be split
	// (DeleteSet, or a PutItems too big for one transaction).
	chunkSize = 1000

	// releaseEvery is how many bytes of items a listing reads (raw, about 3 times what
	// they take in the tables) between two releases of the tables' pages (pages_linux.go).
	releaseEvery = 8 << 20
)

// Open opens (creating if needed) the state database in dir. Only one process may have a
// state dir open at a time; a second Open fails with an error saying the dir is in use.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create state dir %s: %w", dir, err)
	}
	opts := badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(nil).
		// Small memtables (issue 11). Badger builds each table in memory: every block raw
		// and a compressed copy, in buffers that double as they fill, from a pool that
		// keeps up to 8 for reuse (grown buffers stay grown), with up to about 14 builders
		// at once while compacting. A table is cut at its compressed size, so a builder
		// holds about 3 times a table's size of our JSON raw; a memtable's flush builds one
		// table of the whole memtable, and with 2 MB memtables those were the biggest
		// buffers, kept by the pool for every later table: 81 MB of the daemon's heap at
		// the peak of a 100,000-file first sync. With 768 KB memtables (just below where
		// a flush's buffers double once more), up to 4 level-0 tables before compaction
		// (8 before writes stall) and intents kept beside the items (intents.go), the
		// builders hold about 20 MB (TestFirstSyncKeepsBadgersTableBuildersSmall). A
		// transaction may hold 15% of a memtable (115 KB): writeChunked splits what does
		// not fit, each part durable when committed.
		WithMemTableSize(768 << 10).
		WithBaseTableSize(512 << 10).
		WithNumMemtables(2).
		WithValueThreshold(64 << 10). // items are far smaller
		WithBlockCacheSize(4 << 20).
		WithIndexCacheSize(2 << 20).
		WithValueLogFileSize(16 << 20).
		WithNumCompactors(2).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(8)
	// Every level's tables are of the base size. With Badger's default (each level's
	// twice the one above) a compaction into the deeper levels of a large set builds
	// tables of several MB, each held about 3 times raw while built, several at once: the
	// builders held 37 MB at once over 150,000 items and 94 MB over 1,000,000, against 13
	// and 19 MB with one size (TestFirstSyncKeepsBadgersTableBuildersSmall; issue 11, the
	// 1M first sync's peak). A set of 1,000,000 items keeps about 450 tables instead of 215.
	opts.TableSizeMultiplier = 1
	db, err := badger.Open(opts)
	if err != nil {
		if isLockErr(err) {
			return nil, fmt.Errorf("state dir %s is in use by another cloudsync: %w", dir, err)
		}
		return nil, fmt.Errorf("open state dir %s: %w", dir, err)
	}
	s := &Store{db: db, dir: dir}
	if err := s.initInstallation(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.moveLegacyIntents(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open state dir %s: %w", dir, err)
	}
	s.stopRelease, s.released = make(chan struct{}), make(chan struct{})
	go s.releaseLoop(s.stopRelease, s.released)
	return s, nil
}

// isLockErr reports whether err is Badger's failure to take the directory lock.
func isLockErr(err error) bool {
	return strings.Contains(err.Error(), "Another process is using this Badger database")
}

// initInstallation reads the installation id, generating and storing it on first Open.
//
// The id is bound to a fingerprint of where the state lives: the machine id and the inode
// of a marker file created beside the database. A state dir copied to another machine, or
// restored from a backup (which recreates the marker with a new inode), no longer matches
// its fingerprint; it then gets a new installation id, so that the sets' bases, written
// under the old one, are not trusted (SPEC §4).
func (s *Store) initInstallation() error {
	fp, err := fingerprint(s.dir)
	if err != nil {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error {
		var id, oldFP string
		err := getJSON(txn, keyInstall, &id)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("read installation id: %w", err)
		}
		if err := getJSON(txn, keyFingerprint, &oldFP); err != nil && !errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("read installation fingerprint: %w", err)
		}
		if id != "" && oldFP == fp {
			s.installation = id
			return nil
		}
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("generate installation id: %w", err)
		}
		id = hex.EncodeToString(b[:])
		if err := setJSON(txn, keyInstall, id); err != nil {
			return fmt.Errorf("store installation id: %w", err)
		}
		if err := setJSON(txn, keyFingerprint, fp); err != nil {
			return fmt.Errorf("store installation fingerprint: %w", err)
		}
		s.installation = id
		return nil
	})
}

// fingerprint identifies this copy of the state dir: the machine id and the file id of a
// marker file that only this copy's first Open created.
func fingerprint(dir string) (string, error) {
	marker := filepath.Join(dir, "INSTALLATION")
	f, err := os.OpenFile(marker, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("installation marker %s: %w", marker, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("installation marker %s: %w", marker, err)
	}
	return machineID() + "/" + fileID(fi), nil
}

// machineID is the OS's machine id, or the host name where there is none.
func machineID() string {
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(p); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			return strings.TrimSpace(string(b))
		}
	}
	h, _ := os.Hostname()
	return h
}

// InstallationID returns the id generated at the first Open of this state dir.
func (s *Store) InstallationID() string { return s.installation }

// Close closes the database.
func (s *Store) Close() error {
	if s.stopRelease != nil {
		close(s.stopRelease)
		<-s.released
		s.stopRelease = nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close state dir %s: %w", s.dir, err)
	}
	return nil
}

// --- helpers ---

func getJSON(txn *badger.Txn, key string, v any) error {
	it, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return fmt.Errorf("%s: %w", key, model.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	return it.Value(func(val []byte) error {
		if err := json.Unmarshal(val, v); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
		return nil
	})
}

func setJSON(txn *badger.Txn, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return txn.Set([]byte(key), b)
}

func (s *Store) get(key string, v any) error {
	return s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key, v) })
}

func (s *Store) put(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(key), b) }); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

func (s *Store) delete(key string) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte(key)) }); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// scan calls fn with the value of every key under prefix, in key order; fn returning
// false stops.
func (s *Store) scan(prefix string, fn func(key, val []byte) (bool, error)) error {
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(prefix)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(opts.Prefix); it.ValidForPrefix(opts.Prefix); it.Next() {
			item := it.Item()
			var more bool
			err := item.Value(func(val []byte) error {
				var err error
				more, err = fn(item.Key(), val)
				return err
			})
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
		}
		return nil
	})
}

// scanKeys returns every key under prefix.
func (s *Store) scanKeys(prefix string) ([][]byte, error) {
	var keys [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(prefix)
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(opts.Prefix); it.ValidForPrefix(opts.Prefix); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	return keys, err
}

// --- accounts ---

// PutAccount creates or replaces an account.
func (s *Store) PutAccount(a model.Account) error {
	if a.Name == "" {
		return errors.New("put account: empty name")
	}
	return s.put(prefixAccount+a.Name, a)
}

// GetAccount returns the named account.
func (s *Store) GetAccount(name string) (model.Account, error) {
	var a model.Account
	if err := s.get(prefixAccount+name, &a); err != nil {
		return model.Account{}, fmt.Errorf("account %q: %w", name, err)
	}
	return a, nil
}

// ListAccounts returns all accounts in name order.
func (s *Store) ListAccounts() ([]model.Account, error) {
	var out []model.Account
	err := s.scan(prefixAccount, func(key, val []byte) (bool, error) {
		var a model.Account
		if err := json.Unmarshal(val, &a); err != nil {
			return false, fmt.Errorf("decode %s: %w", key, err)
		}
		out = append(out, a)
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return out, nil
}

// DeleteAccount removes the named account; removing an unknown account is not an error.
func (s *Store) DeleteAccount(name string) error {
	return s.delete(prefixAccount + name)
}

// --- sets ---

// PutSet creates or replaces a sync set.
func (s *Store) PutSet(set model.Set) error {
	if set.ID == "" {
		return errors.New("put set: empty id")
	}
	return s.put(prefixSet+set.ID, set)
}

// GetSet returns the sync set with the given id.
func (s *Store) GetSet(id string) (model.Set, error) {
	var set model.Set
	if err := s.get(prefixSet+id, &set); err != nil {
		return model.Set{}, fmt.Errorf("set %q: %w", id, err)
	}
	return set, nil
}

// ListSets returns all sync sets in id order.
func (s *Store) ListSets() ([]model.Set, error) {
	var out []model.Set
	err := s.scan(prefixSet, func(key, val []byte) (bool, error) {
		var set model.Set
		if err := json.Unmarshal(val, &set); err != nil {
			return false, fmt.Errorf("decode %s: %w", key, err)
		}
		out = append(out, set)
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list sets: %w", err)
	}
	return out, nil
}

// DeleteSet removes the set, all its items and transfer intents and its key counter.
// Items and intents are deleted in chunks before the set record, so an interrupted call
// leaves the set in place and can be repeated.
func (s *Store) DeleteSet(id string) error {
	if id == "" {
		return errors.New("delete set: empty id")
	}
	keys, err := s.scanKeys(itemPrefix(id))
	if err != nil {
		return fmt.Errorf("delete set %q: list items: %w", id, err)
	}
	intents, err := s.scanKeys(intentPrefix(id))
	if err != nil {
		return fmt.Errorf("delete set %q: list intents: %w", id, err)
	}
	keys = append(keys, intents...)
	for start := 0; start < len(keys); start += chunkSize {
		chunk := keys[start:min(start+chunkSize, len(keys))]
		err := s.db.Update(func(txn *badger.Txn) error {
			for _, k := range chunk {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("delete set %q: delete items: %w", id, err)
		}
	}
	err = s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete([]byte(prefixSeq + id)); err != nil {
			return err
		}
		return txn.Delete([]byte(prefixSet + id))
	})
	if err != nil {
		return fmt.Errorf("delete set %q: %w", id, err)
	}
	return nil
}

// --- items ---

func itemPrefix(set string) string { return prefixItem + set + "/" }

func itemKey(set, key string) string { return itemPrefix(set) + key }

type itemWrite struct {
	key []byte
	val []byte // nil: delete
}

// PutItems writes put and deletes the items keyed by del, in one transaction. Each
// item's Set field is forced to set. Should the batch exceed Badger's transaction limit,
// it is committed in chunks of writes (puts first, then deletes, in argument order).
func (s *Store) PutItems(set string, put []model.Item, del []string) error {
	if set == "" {
		return errors.New("put items: empty set id")
	}
	writes := make([]itemWrite, 0, len(put)+len(del))
	for _, it := range put {
		if it.Key == "" {
			return fmt.Errorf("put items in set %q: item %q has an empty key", set, it.Path)
		}
		it.Set = set
		b, err := json.Marshal(it)
		if err != nil {
			return fmt.Errorf("put items in set %q: encode %q: %w", set, it.Key, err)
		}
		writes = append(writes, itemWrite{key: []byte(itemKey(set, it.Key)), val: b})
	}
	for _, k := range del {
		writes = append(writes, itemWrite{key: []byte(itemKey(set, k))})
	}
	if err := s.writeChunked(writes); err != nil {
		return fmt.Errorf("put items in set %q: %w", set, err)
	}
	return nil
}

func (s *Store) writeItems(writes []itemWrite) error {
	return s.db.Update(func(txn *badger.Txn) error {
		for _, w := range writes {
			var err error
			if w.val == nil {
				err = txn.Delete(w.key)
			} else {
				err = txn.Set(w.key, w.val)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// GetItem returns one item of a set.
func (s *Store) GetItem(set, key string) (model.Item, error) {
	var it model.Item
	if err := s.get(itemKey(set, key), &it); err != nil {
		return model.Item{}, fmt.Errorf("item %q of set %q: %w", key, set, err)
	}
	return it, nil
}

// ListItems calls fn for every item of the set in key order; fn returning false stops.
// fn runs inside a read transaction: it must not call the Store's mutating methods.
func (s *Store) ListItems(set string, fn func(model.Item) bool) error {
	return s.listItems(set, func(val []byte, it *model.Item) error { return json.Unmarshal(val, it) }, fn)
}

// listItems is ListItems with each item decoded by decode.
func (s *Store) listItems(set string, decode func([]byte, *model.Item) error, fn func(model.Item) bool) error {
	read := 0
	err := s.scan(itemPrefix(set), func(key, val []byte) (bool, error) {
		var it model.Item
		if err := decode(val, &it); err != nil {
			return false, fmt.Errorf("decode %s: %w", key, err)
		}
		if read += len(key) + len(val); read > releaseEvery {
			read = 0
			releaseTablePages(s.dir)
		}
		return fn(it), nil
	})
	releaseTablePages(s.dir) // a listing reads every table of the set
	if err != nil {
		return fmt.Errorf("list items of set %q: %w", set, err)
	}
	return nil
}

// NextKey returns a fresh item key for the set: a 12-digit zero-padded decimal counter,
// so keys sort in creation order. The counter is durable; keys are never reused, even
// across restarts.
func (s *Store) NextKey(set string) (string, error) {
	if set == "" {
		return "", errors.New("next key: empty set id")
	}
	var n uint64
	for {
		err := s.db.Update(func(txn *badger.Txn) error {
			n = 0
			if err := getJSON(txn, prefixSeq+set, &n); err != nil && !errors.Is(err, model.ErrNotFound) {
				return err
			}
			n++
			return setJSON(txn, prefixSeq+set, n)
		})
		if errors.Is(err, badger.ErrConflict) {
			continue // a concurrent NextKey on the same set committed first
		}
		if err != nil {
			return "", fmt.Errorf("next key for set %q: %w", set, err)
		}
		return fmt.Sprintf("%012d", n), nil
	}
}

// --- config ---

// GetConfig returns the named setting, or a wrapped model.ErrNotFound.
func (s *Store) GetConfig(name string) (string, error) {
	var v string
	if err := s.get(prefixConfig+name, &v); err != nil {
		return "", fmt.Errorf("config %q: %w", name, err)
	}
	return v, nil
}

// PutConfig stores the named setting.
func (s *Store) PutConfig(name, value string) error {
	if name == "" {
		return errors.New("put config: empty name")
	}
	return s.put(prefixConfig+name, value)
}
