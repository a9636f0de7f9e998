package watcher

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

const testDebounce = 50 * time.Millisecond

// eventWait bounds the wait for an event that must come. It returns as soon as the event
// arrives, so it is long: a loaded CI machine may delay fsnotify and the debounce timer by
// seconds, and a short bound made these tests flaky, not stricter.
const eventWait = 15 * time.Second

func start(t *testing.T, root string, recursive bool, rescan time.Duration) (<-chan Event, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := Watch(ctx, root, recursive, rescan, testDebounce)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		// The goroutine must end and close the channel.
		deadline := time.After(time.Second)
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return
				}
			case <-deadline:
				t.Error("channel not closed after cancel")
				return
			}
		}
	})
	return ch, cancel
}

// waitFor reads events until one satisfies ok, failing after timeout.
func waitFor(t *testing.T, ch <-chan Event, timeout time.Duration, what string, ok func(Event) bool) Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, open := <-ch:
			if !open {
				t.Fatalf("channel closed while waiting for %s", what)
			}
			if ok(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no event with %s within %v", what, timeout)
		}
	}
}

func hasPath(p string) func(Event) bool {
	return func(ev Event) bool { return slices.Contains(ev.Paths, p) }
}

func isRescan(ev Event) bool { return ev.Rescan }

func write(t *testing.T, p string) {
	t.Helper()
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatchErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Watch(t.Context(), filepath.Join(dir, "missing"), true, 0, 0); err == nil {
		t.Error("missing root: no error")
	}
	f := filepath.Join(dir, "file")
	write(t, f)
	if _, err := Watch(t.Context(), f, true, 0, 0); err == nil {
		t.Error("file root: no error")
	}
}

func TestCreateInRoot(t *testing.T) {
	root := t.TempDir()
	ch, _ := start(t, root, true, time.Hour)
	write(t, filepath.Join(root, "new.txt"))
	ev := waitFor(t, ch, eventWait, "new.txt", hasPath("new.txt"))
	if ev.Rescan {
		t.Errorf("unexpected rescan: %+v", ev)
	}
	if !slices.IsSorted(ev.Paths) || len(slices.Compact(slices.Clone(ev.Paths))) != len(ev.Paths) {
		t.Errorf("paths not sorted and unique: %q", ev.Paths)
	}
}

func TestWriteInExistingSubfolder(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "sub", "deeper")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(sub, "f.txt"))
	ch, _ := start(t, root, true, time.Hour)
	write(t, filepath.Join(sub, "f.txt"))
	waitFor(t, ch, eventWait, "sub/deeper/f.txt", hasPath("sub/deeper/f.txt"))
}

func TestNewFolderTree(t *testing.T) {
	root := t.TempDir()
	ch, _ := start(t, root, true, time.Hour)
	dir := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "f.txt"))
	waitFor(t, ch, eventWait, "a/b/c/f.txt", hasPath("a/b/c/f.txt"))

	// The new folders are watched: a later write below them is seen as well.
	write(t, filepath.Join(dir, "g.txt"))
	waitFor(t, ch, eventWait, "a/b/c/g.txt", hasPath("a/b/c/g.txt"))
}

func TestMovedFolderWatchedUnderNewName(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "old", "in"), 0o755); err != nil {
		t.Fatal(err)
	}
	ch, _ := start(t, root, true, time.Hour)
	if err := os.Rename(filepath.Join(root, "old"), filepath.Join(root, "new")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, eventWait, "new", hasPath("new"))
	write(t, filepath.Join(root, "new", "in", "f.txt"))
	waitFor(t, ch, eventWait, "new/in/f.txt", hasPath("new/in/f.txt"))
}

func TestNonRecursive(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	ch, _ := start(t, root, false, time.Hour)
	write(t, filepath.Join(root, "sub", "x.txt"))
	deadline := time.After(500 * time.Millisecond)
wait:
	for {
		select {
		case ev := <-ch:
			for _, p := range ev.Paths {
				if p == "sub/x.txt" {
					t.Fatalf("non-recursive watcher reported %q", p)
				}
			}
		case <-deadline:
			break wait
		}
	}
	// Direct children are still reported.
	write(t, filepath.Join(root, "top.txt"))
	waitFor(t, ch, eventWait, "top.txt", hasPath("top.txt"))
}

func TestPeriodicRescan(t *testing.T) {
	root := t.TempDir()
	ch, _ := start(t, root, true, 100*time.Millisecond)
	waitFor(t, ch, eventWait, "Rescan", isRescan)
}

func TestRootRemoved(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "sub", "f.txt"))
	ch, _ := start(t, root, true, time.Hour)
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, eventWait, "Rescan", isRescan)
}

func TestRootRenamed(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	ch, _ := start(t, root, true, time.Hour)
	if err := os.Rename(root, filepath.Join(dir, "moved")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, eventWait, "Rescan", isRescan)
}

func TestRootChmodIgnored(t *testing.T) {
	root := t.TempDir()
	ch, _ := start(t, root, true, time.Hour)
	if err := os.Chmod(root, 0o700); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-ch:
		t.Fatalf("chmod of root reported: %+v", ev)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestCancelClosesChannel(t *testing.T) {
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := Watch(ctx, root, true, time.Hour, testDebounce)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "f.txt")) // leave an event unread
	time.Sleep(2 * testDebounce)
	cancel()
	deadline := time.After(time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("channel not closed within 1s of cancel")
		}
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := Watch(ctx, root, true, time.Hour, testDebounce)
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		for range ch {
		}
	}
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d before, %d after", before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBurstCoalesced(t *testing.T) {
	root := t.TempDir()
	ch, _ := start(t, root, true, time.Hour)
	const files = 20
	for i := range 200 {
		write(t, filepath.Join(root, fmt.Sprintf("f%02d.txt", i%files)))
	}
	seen := map[string]bool{}
	events := 0
	for len(seen) < files {
		select {
		case ev := <-ch:
			events++
			for _, p := range ev.Paths {
				seen[p] = true
			}
		case <-time.After(eventWait):
			t.Fatalf("only %d of %d files reported", len(seen), files)
		}
	}
	// Let any trailing events of the burst arrive.
	for quiet := false; !quiet; {
		select {
		case <-ch:
			events++
		case <-time.After(5 * testDebounce):
			quiet = true
		}
	}
	if events >= 20 {
		t.Errorf("200 writes produced %d events, want < 20", events)
	}
	t.Logf("200 writes -> %d events", events)
}

func TestRescanInterval(t *testing.T) {
	dir := t.TempDir()
	if networkFS(dir) {
		t.Skip("temp dir is on a network file system")
	}
	if got := RescanInterval(dir, 5*time.Minute); got != 5*time.Minute {
		t.Errorf("RescanInterval(local, 5m) = %v", got)
	}
	if got := RescanInterval(dir, 0); got != DefaultRescan {
		t.Errorf("RescanInterval(local, 0) = %v", got)
	}
	if got := RescanInterval(filepath.Join(dir, "missing"), 30*time.Second); got != 30*time.Second {
		t.Errorf("RescanInterval(missing, 30s) = %v", got)
	}
}

func TestNetworkMagic(t *testing.T) {
	for _, m := range []uint32{0x6969, 0xFF534D42, 0x517B, 0xFE534D42, 0x65735546, 0x01021997} {
		if !networkMagic(m) {
			t.Errorf("networkMagic(%#x) = false", m)
		}
	}
	for _, m := range []uint32{0xEF53 /* ext4 */, 0x01021994 /* tmpfs */, 0x794c7630 /* overlay */, 0x9123683E /* btrfs */} {
		if networkMagic(m) {
			t.Errorf("networkMagic(%#x) = true", m)
		}
	}
}

func TestContinuousChangesFlushedWithinMaxDelay(t *testing.T) {
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := Watch(ctx, root, true, time.Hour, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	tick := time.NewTicker(100 * time.Millisecond) // never quiet for the debounce period
	defer tick.Stop()
	deadline := time.After(maxDelay + time.Second)
	for i := 0; ; i++ {
		select {
		case ev := <-ch:
			if len(ev.Paths) == 0 {
				t.Fatalf("unexpected event %+v", ev)
			}
			t.Logf("flushed %v after the burst began", time.Since(begin))
			return
		case <-tick.C:
			write(t, filepath.Join(root, fmt.Sprintf("f%d.txt", i%5)))
		case <-deadline:
			t.Fatalf("no event within %v of continuous changes", maxDelay+time.Second)
		}
	}
}
