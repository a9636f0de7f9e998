package syncer_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// clock is a settable clock for the engine.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logBuffer collects what the engine logs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		if s != "" && !strings.Contains(s, "kind=changed") {
			out = append(out, s)
		}
	}
	return out
}

// itemFailures counts the failed items of the store by reason and their attempts.
func (r *rig) attempts(path string) int {
	r.t.Helper()
	sets, _ := r.store.ListSets()
	n := -1
	for _, s := range sets {
		_ = r.store.ListItems(s.ID, func(it model.Item) bool {
			if it.Path == path {
				n = it.Attempts
			}
			return true
		})
	}
	return n
}

// A failure a retry cannot fix (name_clash, invalid_name, target_deleted, moved_out) is not
// retried on a timer: it waits for a change of the item or the user (Request Sync). It used
// to be retried every hour, and info showed "Next retry: +1 h" (issue 9).
func TestFailureNoRetryCanFixWaitsForAChangeNotATimer(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	r := newRig(t, func(c *syncer.Config) { c.Now = clk.now })
	r.write("a.txt", "a")
	r.syncFolder(model.DefaultOptions())
	r.rem.SetFault(func(op, p string) error {
		if op == "upload" && strings.HasSuffix(p, "clash.txt") {
			return &remote.Error{Kind: remote.ErrNameClash, Op: "PUT", Path: p, Status: 409}
		}
		return nil
	})
	r.write("clash.txt", "mine")
	r.rem.Put(`Docs/back\slash.txt`, []byte("a name no local path may have"))
	r.wait()
	uploads := r.rem.Calls("upload")
	for _, p := range []string{"clash.txt", `back\slash.txt`} {
		info := r.info(p)
		if info.Status != model.StatusFailed || info.NextRetry != "" {
			t.Fatalf("%s: status %s, next retry %q; want failed with no timer", p, info.Status, info.NextRetry)
		}
	}
	for range 3 { // hours pass, passes run: nothing is tried again
		clk.advance(2 * time.Hour)
		r.wait()
	}
	if n := r.rem.Calls("upload"); n != uploads {
		t.Fatalf("the clashing upload was retried %d times on a timer", n-uploads)
	}
	if n := r.attempts("clash.txt"); n != 1 {
		t.Fatalf("clash.txt was recorded failed %d times, want once", n)
	}
	if n := r.attempts(`back\slash.txt`); n != 1 {
		t.Fatalf("the invalid cloud name was recorded failed %d times, want once", n)
	}
	// A change of the item is retried at once.
	r.write("clash.txt", "mine, edited")
	r.wait()
	if n := r.rem.Calls("upload"); n != uploads+1 {
		t.Fatalf("an edit of the failed item made %d uploads, want 1", n-uploads)
	}
	// So is Request Sync on it.
	if err := r.eng.RequestSync(r.ctx(), testRoot+"/clash.txt"); err != nil {
		t.Fatal(err)
	}
	r.wait()
	if n := r.rem.Calls("upload"); n != uploads+2 {
		t.Fatalf("Request Sync made %d uploads, want 1", n-uploads-1)
	}
	r.rem.SetFault(nil)
	if err := r.eng.RequestSync(r.ctx(), testRoot+"/clash.txt"); err != nil {
		t.Fatal(err)
	}
	r.wait()
	if info := r.info("clash.txt"); info.Status != model.StatusSynced {
		t.Fatalf("clash.txt once the clash is gone: %s", info.Status)
	}
}

// A problem is logged once, not on every pass: an invalid cloud name, a set stopped by a
// held mass delete, an unreachable cloud (at 1 s polling they gave ~15 lines a second).
func TestProblemsAreLoggedOncePerItemNotPerPass(t *testing.T) {
	var logs logBuffer
	r := newRig(t, func(c *syncer.Config) {
		c.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})) // the default level
	})
	r.write("a.txt", "a")
	r.syncFolder(model.DefaultOptions())
	for _, phase := range []struct {
		name string
		do   func()
	}{
		{"an invalid cloud name", func() { r.rem.Put(`Docs/back\slash.txt`, []byte("x")) }},
		{"an unreachable cloud", func() { r.offline(true) }},
		{"a deleted cloud folder", func() { r.offline(false); r.rem.Remove("Docs") }},
	} {
		phase.do()
		r.wait()
		first := len(logs.lines())
		for range 3 {
			r.wait()
		}
		if more := logs.lines()[first:]; len(more) != 0 {
			t.Fatalf("%s: 3 more passes logged again:\n%s", phase.name, strings.Join(more, "\n"))
		}
	}
}
