package state

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/ristretto/v2/z"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestFirstSyncKeepsBadgersTableBuildersSmall writes what a first sync of 150,000 files
// writes (per chunk of 2,000: its intents, the items 256 at a time, then the intents
// removed; hashes and ids as random as real ones, so the data compresses as real items
// do) and bounds what Badger's table builders cost while it runs (issue 11: 81 MB of a
// 100,000-file first sync's heap were their buffers):
//   - their buffers (ristretto's allocators, which z.Allocators lists while they live or
//     wait in Badger's pool), sampled every millisecond: 22–32 MB here with 2 MB
//     memtables, 41–44 MB with intents before the items, about 13 at 60,000 items with
//     both fixed; at 150,000 items 37 MB while a deeper level's tables were twice the
//     size of the level's above (Badger's default), 13 MB with one size for all;
//   - the tables built (Badger numbers its table files in order): with intents under
//     intent/<set>/, before every item, each table flushed from a memtable spanned all the
//     set's items, and compactions rewrote them again and again: 330 tables built for 32
//     kept, 125 for 29 at 60,000 items once they were after them.
func TestFirstSyncKeepsBadgersTableBuildersSmall(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	t.Cleanup(func() { s.Close() })
	var peak atomic.Int64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			if n := builderBytes(t); n > peak.Load() {
				peak.Store(n)
			}
		}
	}()
	writeFirstSync(t, s, 150_000)
	close(stop)
	<-done
	tables := 0
	ssts, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	for _, f := range ssts {
		if n, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(f), ".sst")); err == nil {
			tables = max(tables, n)
		}
	}
	t.Logf("Badger's table builders held at most %.1f MB at once; %d tables built, %d kept", float64(peak.Load())/1e6, tables, len(ssts))
	if got := peak.Load(); got > 25<<20 {
		t.Errorf("Badger's table builders held %.1f MB at once while 150,000 items were written", float64(got)/1e6)
	}
	if tables > 6*len(ssts) {
		t.Errorf("Badger built %d tables to keep %d: compactions rewrite what they need not", tables, len(ssts))
	}
}

// builderBytes is the size of the buffers of every ristretto allocator alive (Badger's
// table builders'), from z.Allocators' "Tag: T Num: N Size: 1.5 MiB . " lines.
func builderBytes(t *testing.T) int64 {
	var total float64
	for _, part := range strings.Split(z.Allocators(), ". ") {
		f := strings.Fields(part)
		for i := 0; i+2 < len(f); i++ {
			if f[i] != "Size:" {
				continue
			}
			v, err := strconv.ParseFloat(f[i+1], 64)
			unit, ok := map[string]float64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[f[i+2]]
			if err != nil || !ok {
				t.Errorf("cannot read z.Allocators(): %q", part)
			}
			total += v * unit
		}
	}
	return int64(total)
}

// writeFirstSync writes to s what a first sync of n files writes: per chunk of 2,000 files,
// the chunk's upload intents, then its items in writes of 256, then the intents removed.
func writeFirstSync(t testing.TB, s *Store, n int) {
	const chunk, record = 2000, 256
	at := time.Date(2026, 12, 6, 4, 27, 42, 0, time.UTC)
	hash := func(i int) string { return fmt.Sprintf("%x", sha256.Sum256([]byte(strconv.Itoa(i)))) }
	path := func(i int) string { return fmt.Sprintf("g%03d/d%05d/f%07d.bin", i/10000, i/100, i) }
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		var ins []model.Intent
		for i := start; i < end; i++ {
			ins = append(ins, model.Intent{Path: path(i), Op: model.IntentUpload, Size: 4096, Hash: hash(i),
				LocalID: fmt.Sprintf("65024:%d", 11000000+7*i), LocalVersion: fmt.Sprintf("4096:%d", at.UnixNano()+7919*int64(i)),
				LocalModTime: at, Started: at})
		}
		batch := fmt.Sprintf("%020d", start)
		if err := s.PutIntents("set1", batch, ins, nil); err != nil {
			t.Fatal(err)
		}
		for r := start; r < end; r += record {
			var put []model.Item
			for i := r; i < min(r+record, end); i++ {
				mtime := at.Add(time.Duration(7919*i) * time.Nanosecond)
				put = append(put, model.Item{Key: fmt.Sprintf("%012d.%06d", 1, i), Path: path(i), HasBase: true,
					Status: model.StatusSynced, Hash: hash(i), LastSync: at.Add(time.Duration(i) * time.Millisecond),
					Local: model.Side{ID: fmt.Sprintf("65024:%d", 11000000+7*i), Version: fmt.Sprintf("4096:%d", mtime.UnixNano()),
						Size: 4096, ModTime: mtime, Hash: hash(i)},
					Remote: model.Side{ID: "tree/" + path(i), Version: fmt.Sprintf("%q", hash(-i)[:20]), Size: 4096}})
			}
			if err := s.PutItems("set1", put, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutIntents("set1", "", nil, []string{batch}); err != nil {
			t.Fatal(err)
		}
	}
}
