package exec

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

const testRoot = "sets/one"

// harness is one sync set: a MemFS, a fake remote whose set folder is testRoot, an Env.
type harness struct {
	t   *testing.T
	fs  *MemFS
	rem *fakeRemote
	env Env
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, fs: NewMemFS(), rem: newFakeRemote()}
	h.rem.mkdirAll(testRoot)
	h.env = Env{Local: h.fs, Remote: h.rem, RemoteRoot: testRoot, Parallel: 4,
		Now: func() time.Time { return time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC) }}
	return h
}

// local writes local file p and returns its snapshot node (with hash, as a scan gives).
func (h *harness) local(p, data string) *plan.Node {
	h.t.Helper()
	if err := h.fs.WriteFile(p, []byte(data)); err != nil {
		h.t.Fatal(err)
	}
	return h.localNode(p)
}

func (h *harness) localNode(p string) *plan.Node {
	h.t.Helper()
	n, err := h.fs.Stat(p)
	if err != nil {
		h.t.Fatal(err)
	}
	if !n.IsDir {
		b, _ := h.fs.ReadFile(p)
		n.Hash = memHash(b)
	}
	return &n
}

// remote writes remote file p (set-relative) and returns its snapshot node.
func (h *harness) remote(p, data string) *plan.Node {
	e := h.rem.put(remote.Join(testRoot, p), data)
	return &plan.Node{Path: p, ID: e.ID, Version: e.Version, Size: e.Size}
}

func (h *harness) remoteDir(p string) *plan.Node {
	e := h.rem.mkdirAll(remote.Join(testRoot, p))
	return &plan.Node{Path: p, IsDir: true, ID: e.ID, Version: e.Version}
}

func (h *harness) remoteContent(p string) string {
	h.t.Helper()
	s, ok := h.rem.content(remote.Join(testRoot, p))
	if !ok {
		h.t.Fatalf("remote %s: missing", p)
	}
	return s
}

func (h *harness) localContent(p string) string {
	h.t.Helper()
	b, err := h.fs.ReadFile(p)
	if err != nil {
		h.t.Fatalf("local %s: %v", p, err)
	}
	return string(b)
}

// run executes the actions and returns the results by action ID, failing the test if
// done is not called exactly once per action or concurrently.
func (h *harness) run(ctx context.Context, acts ...plan.Action) map[int]Result {
	h.t.Helper()
	out := map[int]Result{}
	var inDone atomic.Int32
	Run(ctx, h.env, plan.Plan{Actions: acts}, func(r Result) {
		if inDone.Add(1) != 1 {
			h.t.Error("done called concurrently")
		}
		defer inDone.Add(-1)
		if _, dup := out[r.Action.ID]; dup {
			h.t.Errorf("done called twice for action %d", r.Action.ID)
		}
		out[r.Action.ID] = r
	})
	if len(out) != len(acts) {
		h.t.Fatalf("done called for %d of %d actions", len(out), len(acts))
	}
	if n := h.fs.Temps(); n != 0 {
		h.t.Errorf("%d staged temp files left behind", n)
	}
	return out
}

func (h *harness) runOne(a plan.Action) Result {
	h.t.Helper()
	a.ID = 1
	return h.run(context.Background(), a)[1]
}

func mustOK(t *testing.T, r Result) {
	t.Helper()
	if r.Err != nil || r.Skipped || r.Reason != "" {
		t.Fatalf("%s %s: err %v, skipped %v, reason %q", r.Action.Op, r.Action.Path, r.Err, r.Skipped, r.Reason)
	}
}

func TestChildMkdirWaitsForParent(t *testing.T) {
	h := newHarness(t)
	h.fs.MkdirAll("a/b")
	f := h.local("a/b/f.txt", "hello")
	// Listed children first: only the dependencies make this order work.
	res := h.run(context.Background(),
		plan.Action{ID: 3, Op: plan.Upload, Path: "a/b/f.txt", To: "a/b/f.txt", Local: f, After: []int{2}},
		plan.Action{ID: 2, Op: plan.MkdirRemote, Path: "a/b", To: "a/b", IsDir: true, After: []int{1}},
		plan.Action{ID: 1, Op: plan.MkdirRemote, Path: "a", To: "a", IsDir: true},
	)
	for id := 1; id <= 3; id++ {
		mustOK(t, res[id])
	}
	if got := h.remoteContent("a/b/f.txt"); got != "hello" {
		t.Fatalf("remote content %q", got)
	}
	if r := res[2].Remote; r == nil || r.Path != "a/b" || !r.IsDir || r.ID == "" {
		t.Fatalf("mkdir result remote node %+v, want set-relative a/b", r)
	}
}

func TestParallelismNeverExceedsBound(t *testing.T) {
	for _, par := range []int{1, 3, 0} {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t)
			h.env.Parallel = par
			h.rem.delay = 10 * time.Millisecond
			var acts []plan.Action
			for i := range 20 {
				p := string(rune('a'+i)) + ".txt"
				acts = append(acts, plan.Action{ID: i + 1, Op: plan.Upload, Path: p, To: p, Local: h.local(p, p)})
			}
			for _, r := range h.run(context.Background(), acts...) {
				mustOK(t, r)
			}
			want := par
			if par == 0 {
				want = DefaultParallel
			}
			if h.rem.maxInflight != want {
				t.Fatalf("Parallel %d: at most %d concurrent remote calls, want exactly %d", par, h.rem.maxInflight, want)
			}
		})
	}
}

func TestFailedDependencySkipsDependents(t *testing.T) {
	h := newHarness(t)
	h.rem.fault = func(op, p string) error {
		if op == "mkdir" && p == testRoot+"/a" {
			return fakeErr(remote.ErrPermission, op, p)
		}
		return nil
	}
	h.fs.MkdirAll("a/b")
	f := h.local("a/b/f.txt", "x")
	g := h.local("g.txt", "independent")
	res := h.run(context.Background(),
		plan.Action{ID: 1, Op: plan.MkdirRemote, Path: "a", To: "a", IsDir: true},
		plan.Action{ID: 2, Op: plan.MkdirRemote, Path: "a/b", To: "a/b", IsDir: true, After: []int{1}},
		plan.Action{ID: 3, Op: plan.Upload, Path: "a/b/f.txt", To: "a/b/f.txt", Local: f, After: []int{2}},
		plan.Action{ID: 4, Op: plan.Upload, Path: "g.txt", To: "g.txt", Local: g},
	)
	if res[1].Reason != remote.ReasonPermissionDenied || res[1].Skipped {
		t.Fatalf("failed mkdir: %+v", res[1])
	}
	for _, id := range []int{2, 3} {
		if r := res[id]; !r.Skipped || !errors.Is(r.Err, ErrSkipped) || r.Reason != "" {
			t.Fatalf("dependent %d: skipped %v err %v reason %q", id, r.Skipped, r.Err, r.Reason)
		}
	}
	mustOK(t, res[4])
	if h.rem.callCount("upload") != 1 {
		t.Fatalf("uploads: %v", h.rem.calls)
	}
}

func TestFailAndDependencyCycleNeverRun(t *testing.T) {
	h := newHarness(t)
	res := h.run(context.Background(),
		plan.Action{ID: 1, Op: plan.Fail, Path: "bad:name", To: "bad:name", Reason: remote.ReasonInvalidName, Note: "refused by the remote"},
		plan.Action{ID: 2, Op: plan.MkdirRemote, Path: "x", To: "x", After: []int{1}},
		plan.Action{ID: 3, Op: plan.MkdirRemote, Path: "y", To: "y", After: []int{4}},
		plan.Action{ID: 4, Op: plan.MkdirRemote, Path: "z", To: "z", After: []int{3}},
		plan.Action{ID: 5, Op: plan.MkdirRemote, Path: "w", To: "w", After: []int{99}},
		plan.Action{ID: 6, Op: plan.MarkGone, Path: "gone", To: "gone", Reason: remote.ReasonTargetDeleted},
		plan.Action{ID: 7, Op: plan.MkdirRemote, Path: "v", To: "v", After: []int{6}},
	)
	if r := res[1]; !errors.Is(r.Err, ErrPlannedFailure) || r.Reason != remote.ReasonInvalidName || r.Skipped {
		t.Fatalf("fail action: %+v", r)
	}
	if r := res[2]; !errors.Is(r.Err, ErrSkipped) {
		t.Fatalf("dependent of a Fail: %+v", r)
	}
	for _, id := range []int{3, 4, 5} {
		if r := res[id]; !r.Skipped || !errors.Is(r.Err, ErrBadPlan) {
			t.Fatalf("action %d: %+v", id, r)
		}
	}
	if r := res[6]; r.Err != nil || r.Reason != remote.ReasonTargetDeleted {
		t.Fatalf("mark-gone: %+v", r)
	}
	mustOK(t, res[7])
	if n := h.rem.callCount("mkdir"); n != 1 {
		t.Fatalf("mkdir calls %v", h.rem.calls)
	}
}

func TestCancelStopsPromptlyWithoutLeaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.rem.block = true
		h.env.Parallel = 2
		var acts []plan.Action
		for i := range 10 {
			p := string(rune('a'+i)) + ".txt"
			acts = append(acts, plan.Action{ID: i + 1, Op: plan.Download, Path: p, To: p, Remote: h.remote(p, "data")})
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		start := time.Now()
		res := h.run(ctx, acts...)
		if d := time.Since(start); d != time.Second {
			t.Fatalf("Run returned %v after the start, want right at the cancel (1s)", d)
		}
		skipped := 0
		for _, r := range res {
			if !errors.Is(r.Err, context.Canceled) || r.Reason != "" {
				t.Fatalf("after cancel: %+v", r)
			}
			if r.Skipped {
				skipped++
			}
		}
		if skipped != 8 || h.rem.callCount("open") != 2 {
			t.Fatalf("%d skipped, opens %v; want 8 never started and 2 cancelled", skipped, h.rem.calls)
		}
		if len(h.fs.Tree()) != 0 {
			t.Fatalf("local tree after cancelled downloads: %v", h.fs.Tree())
		}
	})
	// synctest.Test returns only once every goroutine of the bubble has exited.
}

func TestDoneReturnsBeforeDependentsStart(t *testing.T) {
	h := newHarness(t)
	var recorded atomic.Bool
	h.rem.fault = func(op, p string) error {
		if p == testRoot+"/a/b" && !recorded.Load() {
			t.Error("child started before its parent's done returned")
		}
		return nil
	}
	Run(context.Background(), h.env, plan.Plan{Actions: []plan.Action{
		{ID: 1, Op: plan.MkdirRemote, Path: "a", To: "a"},
		{ID: 2, Op: plan.MkdirRemote, Path: "a/b", To: "a/b", After: []int{1}},
	}}, func(r Result) {
		if r.Action.ID == 1 {
			time.Sleep(10 * time.Millisecond)
			recorded.Store(true)
		}
	})
}
