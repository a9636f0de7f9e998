package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestQuantileNearestRank(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5}, {0.95, 10}, {0.9, 9}, {0, 1}, {1, 10}} {
		if got := quantile(ds, c.q); got != c.want {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if quantile(nil, 0.5) != 0 {
		t.Error("quantile of nothing is not 0")
	}
}

// TestTreeLayoutMatchesItsFolders checks that every file of a tree lies in one of the
// folders treeDirs lists, and that makeTree writes exactly n distinct files there.
func TestTreeLayoutMatchesItsFolders(t *testing.T) {
	const n = 20_150
	dirs := map[string]bool{}
	for _, d := range treeDirs(n) {
		dirs[d] = true
	}
	if len(dirs) != 3+202 {
		t.Fatalf("%d folders for %d files, want 3 groups and 202 folders", len(dirs), n)
	}
	for i := range n {
		if f := treeFile(i); !dirs[filepath.Dir(f)] {
			t.Fatalf("file %s is in no listed folder", f)
		}
	}
	root := t.TempDir()
	if err := makeTree(root, 250, 64); err != nil {
		t.Fatal(err)
	}
	if got, err := countFiles(root); err != nil || got != 250 {
		t.Fatalf("makeTree wrote %d files (%v), want 250", got, err)
	}
	a, _ := os.ReadFile(filepath.Join(root, treeFile(7)))
	b, _ := os.ReadFile(filepath.Join(root, treeFile(8)))
	if len(a) != 64 || string(a) == string(b) {
		t.Fatalf("files are not 64 distinct bytes: %q %q", a, b)
	}
}

// TestBuildKindTellsHeadlessFromDesktop builds one small program with and without cgo and
// checks that the RSS note names each build as what it is, and an unreadable file as
// unknown (the 1M run's note said "desktop build" for the headless binary).
func TestBuildKindTellsHeadlessFromDesktop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ cgo, want string }{{"0", "headless build, CGO_ENABLED=0"}, {"1", "desktop build, GUI libraries mapped"}} {
		bin := filepath.Join(dir, "prog-cgo"+c.cgo)
		cmd := exec.Command("go", "build", "-o", bin, src)
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+c.cgo)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build with CGO_ENABLED=%s: %v\n%s", c.cgo, err, out)
		}
		if got := buildKind(bin); got != c.want {
			t.Errorf("CGO_ENABLED=%s: buildKind = %q, want %q", c.cgo, got, c.want)
		}
	}
	if got := buildKind(src); got != "build unknown" {
		t.Errorf("a source file: buildKind = %q, want %q", got, "build unknown")
	}
}

// Status is read in the idle time after the next pass, never while it or the one after it
// runs (daemonPasses), for passes short and long against the interval.
func TestStatusIsReadBetweenPasses(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct{ took, interval time.Duration }{
		{100 * time.Millisecond, 2 * time.Second},
		{1100 * time.Millisecond, 2 * time.Second},
		{3200 * time.Millisecond, 2 * time.Second},
		{50 * time.Millisecond, 10 * time.Second},
	} {
		nextEnd := t0.Add(c.took + c.interval + c.took) // the next pass, as long as this one
		afterNext := nextEnd.Add(c.interval)            // the start of the one after it
		at := nextIdle(t0, c.took, c.interval)
		if !at.After(nextEnd) || !at.Before(afterNext) {
			t.Errorf("pass of %v every %v: status read at +%v, want between +%v and +%v",
				c.took, c.interval, at.Sub(t0), nextEnd.Sub(t0), afterNext.Sub(t0))
		}
	}
}

// procCounts reads a process's minor page faults and CPU time from /proc: touching new
// memory adds faults, and a busy loop adds CPU time.
func TestProcCountsSeesFaultsAndCPU(t *testing.T) {
	before := procCounts(os.Getpid())
	if before.minflt == 0 {
		t.Fatal("no minor faults read for this process")
	}
	mem, err := syscall.Mmap(-1, 0, 16<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	syscall.Madvise(mem, 15) // MADV_NOHUGEPAGE: a fault per 4 KiB page
	for i := 0; i < len(mem); i += 4096 {
		mem[i] = 1
	}
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
	}
	after := procCounts(os.Getpid())
	if got := after.minflt - before.minflt; got < 4096 {
		t.Errorf("16 MB touched: %d minor faults read, want at least 4096", got)
	}
	if after.cpu <= before.cpu {
		t.Errorf("50 ms of busy loop: CPU time read %v then %v", before.cpu, after.cpu)
	}
}
