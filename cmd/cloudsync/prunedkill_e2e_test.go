package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
	"github.com/cloudsync/cloudsync/syncer/scenario"
)

// TestKillDashNineDuringAPrunedWalkLosesNothing: the built daemon polls an ownCloud-like
// server whose folder ETags follow their subtree, so a poll walks only the folders that
// changed and keeps, in memory, a tag for each folder it found clean (syncer/foldertags.go).
// Each round the cloud changes (an edit, adds, a delete, a file and a folder renamed, deep
// in the tree), a sync is asked for, and the daemon is killed with SIGKILL while the
// server holds one request of that pass: the 1st, 2nd, 3rd or 5th PROPFIND of the pruned
// walk, or the 1st or 2nd download after it. Then it restarts. After each restart, once the
// daemon settles: the folder holds every cloud file with the cloud's content, and the files
// deleted in the cloud (kept locally by default) with their last content; no file holds
// content nobody wrote and no temporary file is left; `list --json` lists each file once and
// only the files that exist, says synced exactly for the files that are the same on both
// sides and target_deleted for the others, and `status --json` has nothing pending or
// failed but those. Before each round the test checks that an unchanged poll is pruned (it
// lists the root alone), so the kills hit pruned walks.
func TestKillDashNineDuringAPrunedWalkLosesNothing(t *testing.T) {
	bin := builtBinary(t)
	t.Parallel()
	base := t.TempDir()
	trap := &requestTrap{}
	srv := davtest.ServeOC(t, trap.wrap)
	k := &prunedKill{t: t, bin: bin, trap: trap, root: filepath.Join(base, "Docs"), ever: map[string]bool{},
		deleted: map[string]string{}}
	k.cloud = scenario.FSTree{T: t, FS: srv.FileSystem(), Root: "/Docs", IDOf: srv.ID}
	k.env = childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+filepath.Join(base, "cs"), "CLOUDSYNC_KEYRING=memory",
		"XDG_DATA_HOME="+filepath.Join(base, "xdg"))
	k.ctl = &cliCtl{bin: bin, env: k.env}
	if err := os.MkdirAll(k.root, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"d1/d2/d3/d4", "d1/d2/x0", "d1/s", "e", "g/h", "m/n"} {
		for i := range 4 {
			k.write(fmt.Sprintf("%s/f%d.txt", d, i), fmt.Sprintf("%s/f%d.txt, first version\n", d, i))
		}
	}
	k.write("d1/d2/d3/d4/ren-0.txt", "the file renamed every round\n")

	k.daemon = startDaemon(t, bin, k.env, "--poll-interval", "1h") // passes come when the test asks
	mustRun(t, k.ctl, t.Context(), davtest.Password+"\n", []string{"account", "add", "oc", "--type", "webdav",
		"--url", srv.URL, "--user", davtest.User, "--password-stdin"})
	mustRun(t, k.ctl, t.Context(), "", []string{"sync", k.root, "--account", "oc", "--to", "Docs"})
	k.check("the first sync")

	moments := []struct {
		method string
		n      int
	}{{"PROPFIND", 1}, {"PROPFIND", 2}, {"PROPFIND", 3}, {"PROPFIND", 5}, {http.MethodGet, 1}, {http.MethodGet, 2}}
	for r, m := range moments {
		round := r + 1
		k.mustPrune()
		k.changeCloud(round)
		k.killAt(m.method, m.n)
		k.restart()
		k.check(fmt.Sprintf("round %d (killed at %s %d)", round, m.method, m.n))
	}
}

// prunedKill is the state of TestKillDashNineDuringAPrunedWalkLosesNothing.
type prunedKill struct {
	t       *testing.T
	bin     string
	env     []string
	ctl     *cliCtl
	daemon  *proc
	trap    *requestTrap
	root    string
	cloud   scenario.FSTree
	ever    map[string]bool   // every content ever written in the cloud
	touched []string          // the files the last round changed (their info is asked for too)
	deleted map[string]string // files deleted in the cloud → their last content (kept locally)
}

// write writes cloud file p as another client of the server does.
func (k *prunedKill) write(p, data string) {
	k.cloud.Write(p, data)
	k.touched = append(k.touched, p)
	k.ever[data] = true
}

// changeCloud changes the cloud deep in the tree and elsewhere, differently each round.
func (k *prunedKill) changeCloud(round int) {
	k.touched = nil
	deep := "d1/d2/d3/d4/"
	k.write(fmt.Sprintf("%sf%d.txt", deep, round%4), fmt.Sprintf("%sf%d.txt, edited in round %d\n", deep, round%4, round))
	k.write(fmt.Sprintf("%snew-%d.txt", deep, round), fmt.Sprintf("added deep in round %d\n", round))
	k.write(fmt.Sprintf("e/new-%d.txt", round), fmt.Sprintf("added in e in round %d\n", round))
	gone := fmt.Sprintf("g/h/f%d.txt", round%4)
	if data, ok := k.cloud.Read(gone); ok {
		k.cloud.Remove(gone)
		k.deleted[gone] = data
		k.touched = append(k.touched, gone)
	}
	k.cloud.Rename(fmt.Sprintf("%sren-%d.txt", deep, round-1), fmt.Sprintf("%sren-%d.txt", deep, round))
	k.touched = append(k.touched, fmt.Sprintf("%sren-%d.txt", deep, round), fmt.Sprintf("d1/d2/x%d/f0.txt", round))
	k.cloud.Rename(fmt.Sprintf("d1/d2/x%d", round-1), fmt.Sprintf("d1/d2/x%d", round))
}

// killAt asks for a pass (`cloudsync wait`) and kills the daemon with SIGKILL while the server holds the
// n-th request of the given method that the pass makes.
func (k *prunedKill) killAt(method string, n int) {
	k.t.Helper()
	hit, release := k.trap.arm(method, n)
	defer close(release)
	ctx, cancel := context.WithTimeout(k.t.Context(), 30*time.Second)
	waited := make(chan struct{})
	go func() { _ = k.ctl.Wait(ctx); close(waited) }()
	defer func() { cancel(); <-waited }()
	var held string
	select {
	case held = <-hit:
	case <-time.After(30 * time.Second):
		k.t.Fatalf("the pass made no %d-th %s within 30 s", n, method)
	}
	if err := k.daemon.cmd.Process.Kill(); err != nil {
		k.t.Fatal(err)
	}
	<-k.daemon.done
	k.daemon.failed = true
	k.t.Logf("killed the daemon (SIGKILL) while the server held %s %s", method, held)
}

// restart starts the daemon again and signs in (the password lived in its memory).
func (k *prunedKill) restart() {
	k.t.Helper()
	k.daemon = startDaemon(k.t, k.bin, k.env, "--poll-interval", "1h")
	mustRun(k.t, k.ctl, k.t.Context(), davtest.Password+"\n", []string{"account", "sign-in", "oc", "--password-stdin"})
}

// settle asks for passes until the folder holds what it must (within 30 s) and returns
// where it still differs.
func (k *prunedKill) settle() []string {
	k.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		k.syncOnce()
		d := k.differences()
		if len(d) == 0 || time.Now().After(deadline) {
			return d
		}
	}
}

// syncOnce runs `cloudsync wait`: a pass that looks as a poll does (request-sync would
// ask for a full pass, which walks without tags).
func (k *prunedKill) syncOnce() {
	ctx, cancel := context.WithTimeout(k.t.Context(), 30*time.Second)
	defer cancel()
	_ = k.ctl.Wait(ctx)
}

// mustPrune makes the daemon walk the unchanged cloud twice (the first walk after a start
// lists every folder and tags those it finds clean) and fails unless the second listed the
// root alone: what comes next is a pruned walk.
func (k *prunedKill) mustPrune() {
	k.t.Helper()
	k.syncOnce()
	before := k.trap.count("PROPFIND")
	k.syncOnce()
	if n := k.trap.count("PROPFIND") - before; n != 1 {
		k.t.Fatalf("a poll of the unchanged cloud made %d PROPFINDs, want 1 (the root's): the walk does not prune", n)
	}
}

// want is what the folder must hold: every cloud file, and the files deleted in the cloud.
func (k *prunedKill) want() map[string]string {
	w := map[string]string{}
	for p, data := range k.cloud.Files() {
		if data != "/" {
			w[p] = data
		}
	}
	for p, data := range k.deleted {
		w[p] = data
	}
	return w
}

// differences lists the paths where the folder differs from what it must hold.
func (k *prunedKill) differences() []string {
	have, want := tree(k.root), k.want()
	var out []string
	for _, p := range slices.Sorted(maps.Keys(want)) {
		if have[p] != want[p] {
			out = append(out, p)
		}
	}
	for p := range have {
		if _, ok := want[p]; !ok {
			out = append(out, p+" (not in the cloud)")
		}
	}
	return out
}

// check settles the daemon and checks the folder, the status of every file (first: what
// the status says is true even where the folder is wrong) and the engine's summary (what
// says after what).
func (k *prunedKill) check(what string) {
	k.t.Helper()
	differ := k.settle()
	for p, data := range tree(k.root) {
		if !k.ever[data] {
			k.t.Fatalf("%s: %s holds content nobody wrote (%q)", what, p, data)
		}
	}
	if s := stagedFiles(k.root, 0); len(s) > 0 {
		k.t.Fatalf("%s: temporary files left behind: %v", what, s)
	}
	var items []struct {
		Path   string        `json:"path"`
		IsDir  bool          `json:"is_dir"`
		Status model.Status  `json:"status"`
		Reason remote.Reason `json:"reason"`
	}
	if err := k.ctl.runJSON(k.t.Context(), &items, "list", "--json"); err != nil {
		k.t.Fatal(err)
	}
	local, cloud := tree(k.root), k.cloud.Files()
	for _, it := range items {
		rel, _ := strings.CutPrefix(it.Path, k.root+string(filepath.Separator))
		if lv, ok := local[filepath.ToSlash(rel)]; ok && it.Status == model.StatusPending && cloud[filepath.ToSlash(rel)] == lv {
			// What the watcher reports below a folder the pass moved is pending until a pass
			// looked (syncer/echo.go does not cover it): one more pass must settle it.
			k.t.Logf("%s: %s is pending right after the daemon settled; asking for one more pass", what, rel)
			k.syncOnce()
			items = nil
			if err := k.ctl.runJSON(k.t.Context(), &items, "list", "--json"); err != nil {
				k.t.Fatal(err)
			}
			break
		}
	}
	listed := map[string]model.Status{}
	for _, it := range items {
		rel, ok := strings.CutPrefix(it.Path, k.root+string(filepath.Separator))
		if !ok || it.IsDir {
			continue
		}
		rel = filepath.ToSlash(rel)
		if listed[rel] != "" {
			k.t.Fatalf("%s: %s is listed twice", what, rel)
		}
		listed[rel] = it.Status
		lv, here := local[rel]
		cv, there := cloud[rel]
		switch {
		case !here:
			k.t.Fatalf("%s: %s is listed (%s) but is not in the folder", what, rel, it.Status)
		case it.Status == model.StatusSynced && (!there || cv != lv):
			k.t.Fatalf("%s: %s is reported synced, but the folder holds %q and the cloud %q (there: %v)", what, rel, lv, cv, there)
		case it.Status != model.StatusSynced && there:
			k.t.Fatalf("%s: %s is %s (%s), but both sides hold %q", what, rel, it.Status, it.Reason, lv)
		case !there && (it.Status == model.StatusSynced || it.Reason != remote.ReasonTargetDeleted):
			k.t.Fatalf("%s: %s was deleted in the cloud but is %s (%s), want target_deleted", what, rel, it.Status, it.Reason)
		}
	}
	for p := range local {
		if listed[p] == "" {
			k.t.Fatalf("%s: %s is in the folder but not listed", what, p)
		}
	}
	for _, p := range k.touched { // `info` too (a moment later: a pass may look at it now)
		info, err := k.ctl.Info(k.t.Context(), filepath.Join(k.root, p))
		_, gone := k.deleted[p]
		switch {
		case err != nil:
			k.t.Fatalf("%s: info %s: %v", what, p, err)
		case info.Status == model.StatusSynced && (gone || local[p] != cloud[p]):
			k.t.Fatalf("%s: info says %s is synced, but the folder holds %q and the cloud %q", what, p, local[p], cloud[p])
		case gone && info.Reason != remote.ReasonTargetDeleted:
			k.t.Fatalf("%s: %s was deleted in the cloud but info says %s (%s)", what, p, info.Status, info.Reason)
		}
	}
	if len(differ) > 0 {
		k.t.Fatalf("%s: not converged within 30 s; differing: %v", what, differ)
	}
	st, err := k.ctl.Status(k.t.Context())
	if err != nil {
		k.t.Fatal(err)
	}
	if st.Pending != 0 {
		// Right after `wait` the watcher may still report what the pass wrote in the folder:
		// pending until a pass looked (SPEC §3; Status.Unsettled). One more pass must look
		// and leave nothing pending (11 pending for a moment, 1 run in 16 at load 3-5).
		k.t.Logf("%s: status says %d pending right after the daemon settled; asking for one more pass", what, st.Pending)
		k.syncOnce()
		if st, err = k.ctl.Status(k.t.Context()); err != nil {
			k.t.Fatal(err)
		}
	}
	if st.Pending != 0 || st.Syncing != 0 || st.Failed > len(k.deleted) {
		k.t.Fatalf("%s: status says %d pending, %d syncing, %d failed; want none but the %d files deleted in the cloud",
			what, st.Pending, st.Syncing, st.Failed, len(k.deleted))
	}
}

// requestTrap counts the requests a server answers by method and, when armed, holds one
// until the test lets it go (then answers 503: the daemon that sent it is gone).
type requestTrap struct {
	mu      sync.Mutex
	counts  map[string]*atomic.Int64
	method  string
	left    int
	hit     chan string
	release chan struct{}
}

// arm holds the n-th request of method from now on: hit gets its path when it arrives;
// closing release lets it go.
func (q *requestTrap) arm(method string, n int) (<-chan string, chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.method, q.left = method, n
	q.hit, q.release = make(chan string, 1), make(chan struct{})
	return q.hit, q.release
}

func (q *requestTrap) counter(method string) *atomic.Int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.counts == nil {
		q.counts = map[string]*atomic.Int64{}
	}
	c := q.counts[method]
	if c == nil {
		c = &atomic.Int64{}
		q.counts[method] = c
	}
	return c
}

func (q *requestTrap) count(method string) int64 { return q.counter(method).Load() }

func (q *requestTrap) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q.counter(r.Method).Add(1)
		q.mu.Lock()
		held := q.method == r.Method && q.left > 0
		if held {
			q.left--
			held = q.left == 0
		}
		hit, release := q.hit, q.release
		q.mu.Unlock()
		if held {
			hit <- path.Clean(r.URL.Path)
			<-release
			http.Error(w, "the client is gone", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}
