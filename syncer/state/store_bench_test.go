package state

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// BenchmarkStore100kItems writes 100,000 items in PutItems calls of 1,000, lists them, and
// reports the process's peak RSS (VmHWM) in kB, under the memory limit the app sets
// (DesktopMemoryLimit). Meant for -benchtime 1x.
func BenchmarkStore100kItems(b *testing.B) {
	const total, chunk = 100_000, 1_000
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(DesktopMemoryLimit))
	for b.Loop() {
		b.StopTimer()
		s, err := Open(filepath.Join(b.TempDir(), "state"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for start := 0; start < total; start += chunk {
			put := make([]model.Item, 0, chunk)
			for i := start; i < start+chunk; i++ {
				k := fmt.Sprintf("%012d", i)
				put = append(put, model.Item{Key: k, Path: fmt.Sprintf("folder-%03d/file-%06d.docx", i/1000, i),
					HasBase: true, Status: model.StatusSynced, Hash: strings.Repeat("ab", 32),
					Local:  model.Side{ID: "2049:" + k, Version: "12345+1700000000", Size: 12345},
					Remote: model.Side{ID: "workspace://SpacesStore/" + k, Version: "etag-" + k, Size: 12345}})
			}
			if err := s.PutItems("bench", put, nil); err != nil {
				b.Fatal(err)
			}
		}
		n := 0
		if err := s.ListItems("bench", func(model.Item) bool { n++; return true }); err != nil {
			b.Fatal(err)
		}
		if n != total {
			b.Fatalf("listed %d items, want %d", n, total)
		}
		b.StopTimer()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	if kb, ok := peakRSSKB(); ok {
		b.ReportMetric(float64(kb), "peakRSS-kB")
		fmt.Printf("BENCH %-45s peak RSS %d MiB\n", "Badger store with 100,000 items", kb>>10)
	}
}

// peakRSSKB reads VmHWM from /proc/self/status (Linux only).
func peakRSSKB() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}
