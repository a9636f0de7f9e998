package state

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestTablesPagesLeaveTheRSS bounds what Badger's table files take of the process's RSS
// (issue 11): their pages stayed resident after a first sync wrote them and after a start
// read every item (loadIndex), the whole store (44 MB at 200,000 items, ~220 bytes per
// item, above the 400 MB a million items may take). Here 60,000 items: after the writes
// settle, and after a reopened store lists every item, the tables' resident pages must be
// under an eighth of their files' size (they were all of it), and under a third while it
// lists. Reading again after a
// release gives every item as written.
func TestTablesPagesLeaveTheRSS(t *testing.T) {
	const n = 60_000
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	writeFirstSync(t, s, n)
	var size int64
	ssts, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	for _, f := range ssts {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	deadline := time.Now().Add(5 * releaseInterval)
	for tablesRSS(t, dir) > size/8 && time.Now().Before(deadline) {
		time.Sleep(releaseInterval / 10)
	}
	if got := tablesRSS(t, dir); got > size/8 {
		t.Errorf("after writing %d items the tables keep %.1f MB of %.1f MB resident", n, float64(got)/1e6, float64(size)/1e6)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir)
	t.Cleanup(func() { s.Close() })
	for round := range 2 {
		listed, peak := 0, int64(0)
		err := s.ListItemBriefs("set1", func(it model.Item) bool {
			if want := fmt32(listed); !strings.HasSuffix(it.Key, want) || it.Status != model.StatusSynced || !it.HasBase {
				t.Fatalf("round %d: item %d is %+v", round, listed, it)
			}
			if listed%10_000 == 0 {
				peak = max(peak, tablesRSS(t, dir))
			}
			listed++
			return true
		})
		if err != nil || listed != n {
			t.Fatalf("round %d: listed %d items of %d: %v", round, listed, n, err)
		}
		got := tablesRSS(t, dir)
		t.Logf("round %d: tables %.1f MB on disk, %.1f MB resident after listing every item (%.1f MB at most while listing)",
			round, float64(size)/1e6, float64(got)/1e6, float64(peak)/1e6)
		if peak > size/3 {
			t.Errorf("round %d: while listing every item the tables kept up to %.1f MB of %.1f MB resident", round, float64(peak)/1e6, float64(size)/1e6)
		}
		if got > size/8 {
			t.Errorf("round %d: after listing every item the tables keep %.1f MB of %.1f MB resident", round, float64(got)/1e6, float64(size)/1e6)
		}
	}
}

// fmt32 is the item number's part of the key writeFirstSync gives it.
func fmt32(i int) string { return "." + strings.Repeat("0", 6-len(strconv.Itoa(i))) + strconv.Itoa(i) }

// tablesRSS is the resident size of this process's mappings of dir's table files
// (/proc/self/smaps).
func tablesRSS(t *testing.T, dir string) int64 {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	in := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) > 0 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			in = len(f) == 6 && strings.HasPrefix(f[5], real+"/") && strings.HasSuffix(f[5], ".sst")
		case in && len(f) == 3 && f[0] == "Rss:":
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			total += kb << 10
		}
	}
	return total
}
