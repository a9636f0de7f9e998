package sim

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	xwebdav "golang.org/x/net/webdav"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
	"github.com/cloudsync/cloudsync/syncer/scenario"
	"github.com/cloudsync/cloudsync/syncer/state"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

// netStallTimeout is the engine's stall timeout: it ends a body that stopped mid-way.
const netStallTimeout = time.Second

// netWorkers is how many seeds run at once: a seed mostly waits (on loopback HTTP, on
// fsync, on stalled requests), so more seeds than cores keep the cores busy.
const netWorkers = 8

// TestNetworkFaults is the network-fault layer of docs/TESTING.md. Per seed: the real engine
// over a real folder (exec.OSFS on a temp dir), the Badger store (one seed in eight) or the
// in-memory one, and the WebDAV remote talking HTTPS to golang.org/x/net/webdav on
// 127.0.0.1 through faultTransport, with 10 % of requests failing (reset, stall, truncated
// body, 429, 5xx, 401, invalid XML, empty listing, HTTPS→HTTP redirect, latency). A
// handful of files on both sides, then rounds of random edits on both sides and single
// passes; then faults and edits stop and the oracle must hold: no lost write, convergence
// within 3 passes (a set-wide stop or a paused account confirmed once, as a person would),
// no partial file under a final name on either side, an idle pass makes no mutating
// request and no local write, and no request ever reached plain HTTP.
func TestNetworkFaults(t *testing.T) {
	start := time.Now()
	list := seeds(t, 300, 40)
	if testing.Short() && os.Getenv("SIM_SEED") == "" {
		t.Logf("-short: %d of the 300 seeds", len(list))
	}
	// One desktop trash for every seed (the trash follows $XDG_DATA_HOME, a process-wide
	// setting); contents carry their seed, so one seed never counts another's.
	base := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(base, "xdg-data"))
	trap := newTrap(t)
	totals := map[string]int{}
	var mu sync.Mutex
	next := make(chan int64)
	var wg sync.WaitGroup
	for range netWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range next {
				t.Run(fmt.Sprint(seed), func(t *testing.T) {
					n := runNetSeed(t, seed, trap, filepath.Join(base, "xdg-data", "Trash", "files"))
					mu.Lock()
					for k, v := range n {
						totals[k] += v
					}
					mu.Unlock()
				})
			}
		}()
	}
	for _, s := range list {
		next <- s
	}
	close(next)
	wg.Wait()
	if n := trap.hits.Load(); n > 0 {
		t.Errorf("%d requests followed a redirect to plain HTTP", n)
	}
	t.Logf("%d seeds in %v; faults injected: %v", len(list), time.Since(start).Round(time.Millisecond), totals)
}

// trap is the plain-HTTP target of the injected redirects: it counts what reaches it.
type trap struct {
	url  string
	hits atomic.Int64
}

func newTrap(t *testing.T) *trap {
	tr := &trap{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.hits.Add(1)
		http.Error(w, "plain HTTP", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	tr.url = srv.URL
	return tr
}

// netWorld is one installation of the network layer: a local folder and a served folder
// on disk, a WebDAV server, an engine and its store.
type netWorld struct {
	t      *testing.T
	seed   int64
	root   string // the set's local root
	cloud  string // the served folder's Docs (the set's cloud folder on disk)
	trash  string // the desktop trash's files/
	led    *ledger
	ft     *faultTransport
	clock  *fakeClock
	gate   *gate
	eng    *syncer.Engine
	store  model.Store
	server *serverLog

	unseen *unseen // what a person changed that the engine has not looked at yet

	mu     sync.Mutex
	rng    *rand.Rand
	trace  []string
	writes int
	// cloudTicks numbers the cloud writes of a person (each gets its own mtime).
	cloudTicks int
}

// serverLog sits in front of the WebDAV handler: it counts the mutating requests that
// reach the server and keeps what they replace or delete, as the trash and version history
// of a real server (Nextcloud) would: the ledger counts those as held.
type serverLog struct {
	dir       string // the served folder
	log       func(format string, args ...any)
	mu        sync.Mutex
	mutations int
	kept      map[string]bool // hashes of contents the server replaced or deleted
}

func (s *serverLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPut, http.MethodDelete, "MOVE", "MKCOL", "COPY", "PROPPATCH":
			s.mu.Lock()
			s.mutations++
			s.mu.Unlock()
			if r.Method == http.MethodPut || r.Method == http.MethodDelete {
				s.keepTree(filepath.Join(s.dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
			}
		}
		if r.Method == http.MethodGet || r.Method == "PROPFIND" {
			next.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.log("  server: %s %s%s → %d", r.Method, r.URL.Path, destination(r), rec.status)
	})
}

// keepTree keeps the contents of the files at or below p (a full path).
func (s *serverLog) keepTree(p string) {
	files := readTree(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, data := range files {
		s.kept[hashOf(data)] = true
	}
}

func (s *serverLog) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mutations
}

// readTree returns the contents of the files at or below p.
func readTree(p string) map[string]string {
	out := map[string]string{}
	_ = filepath.WalkDir(p, func(q string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, err := os.ReadFile(q); err == nil {
				out[q] = string(b)
			}
		}
		return nil
	})
	return out
}

// gatedFS is the set's OSFS behind the gate (a pass waits in its scan until admitted),
// tracing the engine's local mutations.
type gatedFS struct {
	exec.LocalFS
	g   *gate
	log func(format string, args ...any)
	u   *unseen
}

func (f gatedFS) Scan(ctx context.Context, opts exec.ScanOptions) ([]plan.Node, error) {
	f.g.enter()
	f.u.scanned(nil)
	return f.LocalFS.Scan(ctx, opts)
}

func (f gatedFS) Mkdir(p string) (plan.Node, error) {
	n, err := f.LocalFS.Mkdir(p)
	f.log("  engine: local mkdir %s: %v", p, err)
	return n, err
}

func (f gatedFS) Rename(from, to string) (plan.Node, error) {
	n, err := f.LocalFS.Rename(from, to)
	f.log("  engine: local rename %s → %s: %v", from, to, err)
	if err == nil {
		f.u.moved(true, from, to)
	}
	return n, err
}

func (f gatedFS) Trash(p string, expect plan.Node) error {
	err := f.LocalFS.Trash(p, expect)
	f.log("  engine: local trash %s: %v", p, err)
	return err
}

func (f gatedFS) Stage(ctx context.Context, p string, r io.Reader) (exec.Staged, error) {
	st, err := f.LocalFS.Stage(ctx, p, r)
	if err != nil {
		f.log("  engine: local stage %s: %v", p, err)
		return nil, err
	}
	return tracedStaged{Staged: st, p: p, log: f.log}, nil
}

type tracedStaged struct {
	exec.Staged
	p   string
	log func(format string, args ...any)
}

func (s tracedStaged) Commit(expect *plan.Node, backup string, mtime time.Time) (plan.Node, error) {
	n, err := s.Staged.Commit(expect, backup, mtime)
	s.log("  engine: local commit %s (%d bytes, backup %q): %v", s.p, s.Size(), backup, err)
	return n, err
}

func runNetSeed(t *testing.T, seed int64, tr *trap, trash string) map[string]int {
	w := newNetWorld(t, seed, tr, trash)
	for i, n := 0, 2+w.intn(4); i < n; i++ {
		w.randomEdit("before the first pass")
	}
	w.ft.setOn(true)
	w.logf("faults on")
	w.pass()
	for round, n := 0, 2+w.intn(3); round < n; round++ {
		for i, m := 0, 1+w.intn(3); i < m; i++ {
			w.randomEdit("")
		}
		w.pass()
		if w.intn(3) == 0 {
			w.clock.Advance(time.Duration(w.intn(30)) * time.Minute)
		}
	}
	w.ft.setOn(false)
	w.settle()
	return w.ft.injected()
}

func newNetWorld(t *testing.T, seed int64, tr *trap, trash string) *netWorld {
	base := t.TempDir()
	served := filepath.Join(base, "server")
	w := &netWorld{
		t: t, seed: seed, root: filepath.Join(base, "home", "Docs"), cloud: filepath.Join(served, "Docs"),
		trash: trash, led: newLedger(), rng: rand.New(rand.NewSource(seed)),
		clock:  &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		server: &serverLog{dir: served, kept: map[string]bool{}},
		gate:   newGate(), unseen: newUnseen(),
	}
	w.server.log = w.logf
	for _, d := range []string{w.root, w.cloud} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dav := &xwebdav.Handler{FileSystem: xwebdav.Dir(served), LockSystem: xwebdav.NewMemLS()}
	srv := httptest.NewUnstartedServer(w.server.wrap(scenario.BasicAuth("alice", "wonderland", dav)))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	// TLS sessions are resumed: a new connection after a reset costs no certificate signature.
	tlsTransport := srv.Client().Transport.(*http.Transport).Clone()
	tlsTransport.TLSClientConfig.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	w.ft = newFaultTransport(tlsTransport, seed, 0.10, tr.url, w.logf)
	w.ft.cut = func(sent, whole []byte) { w.led.cutUpload(string(sent), string(whole)) }
	hc := netClient(w.ft)

	if seed%8 == 0 {
		st, err := state.Open(filepath.Join(base, "state"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		w.store = st
	} else {
		w.store = memstore.New("installation-1")
	}
	opts := model.Options{IncludeSubfolders: true, AllowCloudDelete: true, DeleteLocalOnCloudDelete: true}
	if seed%4 == 3 {
		opts = model.DefaultOptions()
	}
	eng, err := syncer.New(syncer.Config{
		Store:   w.store,
		Secrets: credentials.NewMemory(),
		Dial: func(a model.Account, secret string) (remote.Remote, error) {
			c, err := webdav.New(webdav.Config{URL: a.URL, User: a.User, Password: secret, HTTPClient: hc})
			if err != nil {
				return nil, err
			}
			return seeingRemote{Remote: c, u: w.unseen}, nil
		},
		LocalFS: func(root string) exec.LocalFS {
			return gatedFS{LocalFS: exec.NewOSFS(root), g: w.gate, log: w.logf, u: w.unseen}
		},
		Now:            w.clock.Now,
		PollInterval:   time.Hour,
		RescanInterval: time.Hour,
		StallTimeout:   netStallTimeout,
		Parallel:       1 + int(seed%2),
		MassDeleteMin:  1 << 30, // random whole-folder deletions; the hold has its own scenario
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = eng.Run(ctx)
	}()
	t.Cleanup(func() {
		w.gate.release()
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Errorf("seed %d: the engine did not stop within 30 s", seed)
		}
	})
	w.eng = eng
	actx, acancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer acancel()
	if _, err := eng.AddAccount(actx, w.accountRequest(srv.URL)); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.CreateSet(actx, syncer.CreateSetRequest{
		Paths: []string{w.root}, Account: account, To: cloudFolder, Options: opts}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *netWorld) accountRequest(url string) syncer.AddAccountRequest {
	return syncer.AddAccountRequest{Name: account, Type: "webdav", URL: url, User: "alice", Password: "wonderland"}
}

func (w *netWorld) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	w.mu.Lock()
	w.trace = append(w.trace, line)
	w.mu.Unlock()
	if traceLive {
		fmt.Fprintf(os.Stderr, "seed %d: %s\n", w.seed, line)
	}
}

func (w *netWorld) fail(format string, args ...any) {
	w.t.Helper()
	w.mu.Lock()
	tr := strings.Join(w.trace, "\n  ")
	w.mu.Unlock()
	w.t.Fatalf("seed %d (rerun: SIM_SEED=%d go test -run TestNetworkFaults ./syncer/sim): %s\ntrace:\n  %s",
		w.seed, w.seed, fmt.Sprintf(format, args...), tr)
}

func (w *netWorld) intn(n int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rng.Intn(n)
}

// pass lets exactly one engine pass run and returns when it ended (see world.pass).
func (w *netWorld) pass() {
	w.t.Helper()
	w.logf("pass")
	if err := w.gate.onePass(w.eng, 60*time.Second); err != nil {
		w.fail("waiting for a pass: %v", err)
	}
	w.checkTruthfulStatus()
}

// settle checks the oracle once faults and edits stopped (see world.settle). A set-wide
// stop is confirmed with Request Sync and a paused account (a 401 mid-run) signed in
// again, once each, as a person would; the 3 passes count from there.
func (w *netWorld) settle() {
	w.t.Helper()
	w.logf("faults and edits stop; clock +2h")
	w.clock.Advance(2 * time.Hour)
	converged, confirmed := false, false
	for i := 1; i <= 3 && !converged; i++ {
		w.logf("settling pass %d", i)
		w.pass()
		converged = len(w.diff()) == 0
		if converged || confirmed {
			continue
		}
		acted := false
		if a, err := w.store.GetAccount(account); err == nil && a.Paused {
			w.logf("account paused (sign-in refused): signing in again")
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, err := w.eng.AddAccount(ctx, w.accountRequest(a.URL))
			cancel()
			if err != nil {
				w.fail("signing in again: %v", err)
			}
			acted = true
		}
		if s := w.setState(); s.Error != "" {
			w.logf("set stopped (%s): Request Sync", s.Error)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := w.eng.RequestSync(ctx, w.root)
			cancel()
			if err != nil {
				w.fail("request sync: %v", err)
			}
			acted = true
		}
		if acted {
			confirmed, i = true, -1 // one more pass for the one already waiting at the gate
		}
	}
	if !converged {
		s := w.setState()
		w.fail("not converged within 3 passes (set error %q: %s); differing paths %v; failed items %v\nlocal: %v\ncloud: %v",
			s.Error, s.ErrorDetails, w.diff(), w.failures(), show(w.localTree()), show(w.cloudTree()))
	}
	w.checkNoLostWrite()
	w.checkNoTemps()
	w.checkIdle()
}

func (w *netWorld) setState() model.Set {
	sets, err := w.store.ListSets()
	if err != nil || len(sets) != 1 {
		w.fail("reading the set: %v (%d sets)", err, len(sets))
	}
	return sets[0]
}

func (w *netWorld) failures() []string {
	var out []string
	_ = w.store.ListItems(w.setState().ID, func(it model.Item) bool {
		if it.Status == model.StatusFailed {
			out = append(out, fmt.Sprintf("%s (base %v): %s %s", it.Path, it.HasBase, it.Reason, it.Details))
		}
		return true
	})
	return out
}

func (w *netWorld) diff() []string {
	apart, folded := apartOf(w.store, idsByPath(exec.NewOSFS(w.root)))
	return diffTrees(w.localTree(), w.cloudTree(), apart, folded)
}

// localTree and cloudTree: set-relative paths, files → content, folders → "/". Ignored
// names (the engine's staged temp files) are left out.
func (w *netWorld) localTree() map[string]string { return dirTree(w.root) }
func (w *netWorld) cloudTree() map[string]string { return dirTree(w.cloud) }

func dirTree(root string) map[string]string {
	out := map[string]string{}
	_ = filepath.WalkDir(root, func(q string, d os.DirEntry, err error) error {
		if err != nil || q == root {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(q, root+string(filepath.Separator)))
		if exec.Ignored(d.Name()) {
			return nil
		}
		if d.IsDir() {
			out[rel] = "/"
		} else if b, err := os.ReadFile(q); err == nil {
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

// holdings: the hashes of every content held anywhere: both trees, the desktop trash,
// and what the server replaced or deleted. skipLocal/skipCloud leave out one subtree a
// person is about to destroy ("" leaves out nothing).
func (w *netWorld) holdings(skipLocal, skipCloud string) map[string]bool {
	out := map[string]bool{}
	add := func(tr map[string]string, skip string) {
		for p, data := range tr {
			if data != "/" && (skip == "" || !under(p, skip)) {
				out[hashOf(data)] = true
			}
		}
	}
	add(w.localTree(), skipLocal)
	add(w.cloudTree(), skipCloud)
	add(readTree(w.trash), "")
	w.server.mu.Lock()
	for h := range w.server.kept {
		out[h] = true
	}
	w.server.mu.Unlock()
	return out
}

// checkNoLostWrite: every content written is held somewhere unless a person destroyed
// its last copy, and every file under a final name on either side holds a complete
// written content (atomicity: no torn download, no torn upload).
func (w *netWorld) checkNoLostWrite() {
	w.t.Helper()
	if lost := w.led.lost(w.holdings("", "")); len(lost) > 0 {
		w.fail("lost writes: %v\nlocal: %v\ncloud: %v", lost, show(w.localTree()), show(w.cloudTree()))
	}
	for name, tr := range map[string]map[string]string{"local": w.localTree(), "cloud": w.cloudTree()} {
		for p, data := range tr {
			w.led.mu.Lock()
			who, allowed := w.led.written[hashOf(data)], w.led.partialAllowed(p, hashOf(data))
			w.led.mu.Unlock()
			if data != "/" && who == "" && !allowed {
				w.fail("%s %s holds content nobody wrote (partial?): %q", name, p, data)
			}
		}
	}
}

// checkNoTemps: no staged temp file is left in the local folder.
func (w *netWorld) checkNoTemps() {
	w.t.Helper()
	_ = filepath.WalkDir(w.root, func(q string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && exec.Ignored(d.Name()) && !strings.HasSuffix(d.Name(), ".tmp") {
			w.fail("staged temp file left behind: %s", q)
		}
		return nil
	})
}

// checkIdle: one more pass makes no mutating request and no local write.
func (w *netWorld) checkIdle() {
	w.t.Helper()
	muts, local := w.server.count(), w.localState()
	w.logf("idle pass")
	w.pass()
	if got := w.server.count(); got != muts {
		w.fail("idle pass made %d mutating requests", got-muts)
	}
	if got := w.localState(); got != local {
		w.fail("idle pass wrote locally:\nbefore:\n%s\nafter:\n%s", local, got)
	}
}

func (w *netWorld) localState() string {
	nodes, err := exec.NewOSFS(w.root).Scan(context.Background(), exec.ScanOptions{IncludeSubfolders: true})
	if err != nil {
		w.fail("scanning: %v", err)
	}
	var b strings.Builder
	for _, n := range nodes {
		b.WriteString(n.Path + "|" + n.ID + "|" + n.Version + "\n")
	}
	return b.String()
}
