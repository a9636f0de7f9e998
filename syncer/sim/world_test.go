package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

// A world is one simulated installation: a local folder (exec.MemFS), a cloud account
// (memremote), a state store (memstore), a keyring and a fake clock, which outlive the
// engine instances run over them (a crash drops the engine, never the world).

const (
	simRoot     = "/sim/home/Docs"
	cloudFolder = "Docs"
	account     = "cloud"
)

// worldOptions shape one run.
type worldOptions struct {
	pathIDs   bool          // the cloud's ids are paths (WebDAV without oc:fileid)
	options   model.Options // the set's options
	parallel  int           // exec parallelism; 1 keeps a seed reproducible
	faultRate float64       // share of remote calls that fail while faults are on
	midPass   float64       // share of remote calls before which a user edits a side
	jitter    bool          // remote calls sleep a random few µs (reorders completions)
	stats     *faultStats   // counts the faults of this kind that fired (nil: not counted)
}

// faultStats counts, over the runs of a layer, the faults that damage content: uploads
// cut with their first bytes left in the cloud, and local files cut while the engine was
// down. A layer logs them, so a run shows the faults fired.
type faultStats struct {
	cutUploads, cutFiles atomic.Int64
}

func (f *faultStats) String() string {
	if f == nil {
		return ""
	}
	return fmt.Sprintf("%d cut uploads left partial files in the cloud, %d local files were cut while the engine was down",
		f.cutUploads.Load(), f.cutFiles.Load())
}

type world struct {
	t       testing.TB
	seed    int64
	opt     worldOptions
	fs      *exec.MemFS
	outside *exec.MemFS // every other local root: must stay untouched (containment)
	rem     *memremote.Remote
	store   *memstore.Store
	secrets *credentials.Memory
	clock   *fakeClock
	led     *ledger

	mu      sync.Mutex // guards rng, trace and the switches below (hooks run on engine goroutines)
	rng     *rand.Rand
	trace   []string
	faults  bool
	editing bool     // mid-pass edits enabled
	writes  int      // contents written so far (names them)
	uploads []string // cloud paths the engine uploaded or created, in order
	// unreadable: local folders a person made unreadable (see down_test.go); blindDeletes:
	// cloud paths the engine deleted below one of them while it was unreadable
	unreadable   map[string]bool
	blindDeletes []string
	// unseen: what a person changed that the engine has not looked at yet (status_test.go);
	// reading: the status oracle is reading the store (store faults leave it alone)
	unseen  *unseen
	reading atomic.Bool

	// The running engine instance.
	eng   *syncer.Engine
	stop  func()
	gate  *gate
	crash *crash
	scans int // local scans (passes that got past the gate) of this world
	temps int // staged temp files a crash left behind (as on disk)
	// known, when set, says whether a broken idleness oracle is a known engine bug
	// (reported, left to the engine's owner) rather than a new failure.
	known func() string
}

func newWorld(t testing.TB, seed int64, opt worldOptions) *world {
	if opt.parallel <= 0 {
		opt.parallel = 1
	}
	var ropts []memremote.Option
	if opt.pathIDs {
		ropts = append(ropts, memremote.PathIDs())
	}
	w := &world{
		t: t, seed: seed, opt: opt,
		fs: exec.NewMemFS(), outside: exec.NewMemFS(),
		rem: memremote.New(ropts...), store: memstore.New("installation-1"),
		secrets: credentials.NewMemory(), clock: &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		led: newLedger(), rng: rand.New(rand.NewSource(seed)),
	}
	w.outside.SetRootMissing(true)
	w.unreadable = map[string]bool{}
	w.unseen = newUnseen()
	w.fs.Fault = w.scanFault
	w.rem.MkdirAll(cloudFolder)
	return w
}

// logf records a line of the run's trace (printed when the run fails).
func (w *world) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	w.mu.Lock()
	w.trace = append(w.trace, line)
	w.mu.Unlock()
	if traceLive {
		fmt.Fprintf(os.Stderr, "seed %d: %s\n", w.seed, line)
	}
}

// traceLive (SIM_TRACE=1) prints the trace as it happens, for a seed that panics.
var traceLive = os.Getenv("SIM_TRACE") != ""

// fail reports a broken oracle with the seed and the trace.
func (w *world) fail(format string, args ...any) {
	w.t.Helper()
	w.mu.Lock()
	tr := strings.Join(w.trace, "\n  ")
	w.mu.Unlock()
	w.t.Fatalf("seed %d (rerun: SIM_SEED=%d): %s\ntrace:\n  %s", w.seed, w.seed, fmt.Sprintf(format, args...), tr)
}

// intn and chance draw from the world's generator.
func (w *world) intn(n int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rng.Intn(n)
}

func (w *world) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rng.Float64() < p
}

// start runs a fresh engine instance over the world. crashAt >= 0 makes the instance
// "crash" after that many durable steps (see crash).
func (w *world) start(crashAt int) {
	w.t.Helper()
	w.gate = newGate()
	w.crash = &crash{at: crashAt, trace: func(what string) { w.logf("  engine: %s", what) }}
	eng, err := syncer.New(syncer.Config{
		Store:   &simStore{Store: w.store, c: w.crash},
		Secrets: w.secrets,
		Dial: func(model.Account, string) (remote.Remote, error) {
			return &simRemote{w: w, r: w.rem, c: w.crash}, nil
		},
		LocalFS: func(root string) exec.LocalFS {
			if root == simRoot {
				return &simFS{w: w, fs: w.fs, c: w.crash, g: w.gate}
			}
			return w.outside
		},
		Now:            w.clock.Now,
		PollInterval:   time.Hour,
		RescanInterval: time.Hour,
		Parallel:       w.opt.parallel,
		// The simulation deletes whole folders at random; the mass-delete hold (a person
		// confirms it) has its own scenario and would only stall the run here.
		MassDeleteMin: 1 << 30,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = eng.Run(ctx)
	}()
	g := w.gate
	w.eng = eng
	w.stop = func() {
		g.release()
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			w.fail("the engine did not stop within 30 s")
		}
	}
}

// shutdown stops the running engine instance (a crash when its crash point was reached).
func (w *world) shutdown() {
	if w.stop != nil {
		w.stop()
		w.stop = nil
	}
}

// setup starts the first engine, adds the account and creates the folder set. The set's
// first pass waits at the gate for the first w.pass.
func (w *world) setup() {
	w.t.Helper()
	w.start(-1)
	w.createSet()
	w.t.Cleanup(func() { w.shutdown() })
}

// pass lets exactly one engine pass run (the gate admits one local scan) and returns when
// it ended; it then checks that the status the engine reports is true (unless
// SIM_STATUS_EACH_PASS=0) (status_test.go). A pass that stops before scanning (a store fault) ends the
// call as well.
func (w *world) pass() {
	w.t.Helper()
	if err := w.gate.onePass(w.eng, 30*time.Second); err != nil {
		w.fail("waiting for a pass: %v", err)
	}
	if statusEachPass() {
		w.checkTruthfulStatus()
	}
}

// onePass admits exactly one pass of eng through the gate and returns when it ended:
// Wait asks for a pass, and the pass either completes (Wait returns) or reaches the gate
// again for a second one (arrived), which stays shut.
func (g *gate) onePass(eng *syncer.Engine, timeout time.Duration) error {
	g.admit()
	defer g.close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- eng.Wait(ctx) }()
	select {
	case err := <-errc:
		return err
	case <-g.arrived:
		cancel()
		<-errc
		return nil
	}
}

// requestSync is a person's Request Sync on the set (confirming a held deletion or an
// empty cloud listing).
func (w *world) requestSync() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.eng.RequestSync(ctx, simRoot); err != nil {
		w.fail("request sync: %v", err)
	}
}

// setState returns the stored set (its set-wide error, if any).
func (w *world) setState() model.Set {
	sets, err := w.store.ListSets()
	if err != nil || len(sets) != 1 {
		w.fail("reading the set: %v (%d sets)", err, len(sets))
	}
	return sets[0]
}

// gate admits the engine's passes one at a time: a pass waits in its local scan until the
// simulation admits it, so the simulation decides what happens between two passes.
type gate struct {
	mu      sync.Mutex
	cond    *sync.Cond
	permits int
	open    bool
	arrived chan struct{} // a pass is waiting (the previous one ended)
}

func newGate() *gate {
	g := &gate{arrived: make(chan struct{}, 1)}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// enter is called by a pass before it scans.
func (g *gate) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.permits == 0 && !g.open {
		select {
		case g.arrived <- struct{}{}:
		default:
		}
		g.cond.Wait()
	}
	if g.permits > 0 {
		g.permits--
	}
}

func (g *gate) admit() {
	select {
	case <-g.arrived:
	default:
	}
	g.mu.Lock()
	g.permits = 1
	g.cond.Broadcast()
	g.mu.Unlock()
}

func (g *gate) close() {
	g.mu.Lock()
	g.permits = 0
	g.mu.Unlock()
}

// release opens the gate for good (the engine is stopping).
func (g *gate) release() {
	g.mu.Lock()
	g.open = true
	g.cond.Broadcast()
	g.mu.Unlock()
}

// fakeClock is the engine's clock: it moves only when the simulation moves it, so
// back-off and conflict-copy names are deterministic.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// crash models a process crash after a number of durable steps: store writes, local file
// system mutations (staging a temp file included) and remote mutations. Steps 1..at
// happen; from step at+1 on nothing the instance does has any effect any more (each step
// fails), exactly as if the process had died right after step at. A staged temp file
// that was not committed stays behind, as it would on disk. at < 0: never.
type crash struct {
	mu     sync.Mutex
	at     int
	steps  int
	dead   bool
	killer string // the step the crash happened in
	trace  func(what string)
}

var errCrashed = errors.New("sim: the process crashed")

func (c *crash) step(what string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return errCrashed
	}
	if c.at >= 0 && c.steps >= c.at {
		c.dead, c.killer = true, what
		return errCrashed
	}
	c.steps++
	if c.trace != nil {
		c.trace(what)
	}
	return nil
}

// arm makes the instance crash after k more durable steps (k < 0: never).
func (c *crash) arm(k int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k < 0 {
		c.at = -1
		return
	}
	c.at = c.steps + k
}

// killedIn reports whether the crash happened during step what (not before it).
func (c *crash) killedIn(what string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dead && c.killer == what
}

func (c *crash) isDead() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dead
}

func (c *crash) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.steps
}
