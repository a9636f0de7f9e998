package scenario

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
	"github.com/cloudsync/cloudsync/syncer/state"
)

// BenchmarkFirstUpload10kFiles is the first-upload benchmark of docs/TESTING.md: 10,000 files
// of 4 KiB in 100 folders, synced to an empty folder of a loopback WebDAV server
// (golang.org/x/net/webdav) by the real engine over the real file system and Badger store.
// It reports wall time, files/s and the process's peak RSS (VmHWM; the in-process server is
// included, so it is an upper bound for the engine).
func BenchmarkFirstUpload10kFiles(b *testing.B) {
	benchFirstUpload(b, 10_000, 4<<10)
}

// BenchmarkNoChangePass10kFiles measures a pass over 10,000 tracked files when nothing
// changed: a local scan (no hashing), a remote listing and an empty plan.
func BenchmarkNoChangePass10kFiles(b *testing.B) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(state.DesktopMemoryLimit)) // as the app runs
	e, _ := benchSetup(b, 10_000, 4<<10)
	e.SyncFolder(defaults())
	up := calls(e, "upload")
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		e.Sync()
	}
	el := time.Since(start)
	if calls(e, "upload") != up {
		b.Fatal("a no-change pass uploaded")
	}
	b.ReportMetric(float64(el.Milliseconds())/float64(b.N), "ms/pass")
	report(b, "no-change pass over 10,000 files", el/time.Duration(b.N), 10_000)
}

func benchFirstUpload(b *testing.B, n, size int) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(state.DesktopMemoryLimit)) // as the app runs
	for range b.N {
		b.StopTimer()
		e, _ := benchSetup(b, n, size)
		b.StartTimer()
		start := time.Now()
		e.SyncFolder(defaults())
		el := time.Since(start)
		b.StopTimer()
		if got := len(e.Cloud.Files()); got != n+n/100 {
			b.Fatalf("cloud has %d entries, want %d files and %d folders", got, n, n/100)
		}
		b.ReportMetric(float64(n)/el.Seconds(), "files/s")
		report(b, fmt.Sprintf("first upload of %d × %d KiB files", n, size>>10), el, n)
	}
}

// benchSetup makes an x/net/webdav environment with n files of size bytes locally.
func benchSetup(b *testing.B, n, size int) (*Env, string) {
	base := b.TempDir()
	served := filepath.Join(base, "server")
	if err := os.MkdirAll(served, 0o755); err != nil {
		b.Fatal(err)
	}
	meter := &Meter{}
	url := StartXNetWebDAV(b, served, davtest.User, davtest.Password, meter)
	e := davEnv(b, base, url, DirTree{T: b, Root: filepath.Join(served, "Docs")}, meter)
	data := strings.Repeat("x", size)
	for i := range n {
		e.Local.Write(fmt.Sprintf("d%03d/f%05d.bin", i/100, i), data)
	}
	return e, e.Root
}

func report(b *testing.B, what string, el time.Duration, n int) {
	b.Logf("%s: wall %v, %.0f files/s, peak RSS %s", what, el.Round(time.Millisecond), float64(n)/el.Seconds(), peakRSS())
	fmt.Printf("BENCH %-45s wall %-10v files/s %-8.0f peak RSS %s\n", what, el.Round(time.Millisecond), float64(n)/el.Seconds(), peakRSS())
}

// peakRSS reads VmHWM from /proc/self/status ("n/a" where there is none).
func peakRSS() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return fmt.Sprintf("%d MiB", kb>>10)
		}
	}
	return "n/a"
}
