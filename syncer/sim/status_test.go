package sim

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// The oracle's "truthful status" (docs/TESTING.md 6, SPEC §3), checked after every single engine
// pass, not only at the end of a run: no item the engine reports synced (Sync Info, as
// `cloudsync info`, `list` and the app show it) may have sides that differ at the path it is
// reported at: a file with other content on the other side, a file or folder missing on
// one side, a folder on one side and a file on the other.
//
// The one exception is what SPEC §3 allows: a change nobody told the engine about. The
// simulation has no watcher, so a local change is told to the engine by its next local scan
// and a cloud change by its next cloud listing; a person's edit made after the last scan
// (or listing) that ran — mid-pass, or while the listing failed — is unseen, and the paths
// it touched (with everything below them) are left out until a scan (listing) runs again.
// Everything else is checked: an item below a folder moved in the pass must be reported at
// its new path, an item whose pairing is uncertain must not be synced.
//
// Items inside a folder kept apart (a name clash, an item gone or excluded on one side, an
// invalid name: see apart) are left out, as the convergence check leaves them out: the
// folder carries the failure, and its content may sit at another path on each side.

// statusEachPass reports whether the in-memory layers (TestSimulation, TestCrashAtEveryStep,
// TestStoreFaults*, TestLostOrRestoredStateNeverDeletes) check the oracle after every pass
// as well as at the end of each run: yes, unless SIM_STATUS_EACH_PASS=0 (to tell a per-pass
// failure from an end-of-run one). TestNetworkFaults always does. Issue 9: with the scoped
// passes of issue 11 a per-pass run failed about 20 of the 1000 simulation seeds, store-fault
// runs and crash seed 161 until the engine's fixes of issue 9's second round.
func statusEachPass() bool { return os.Getenv("SIM_STATUS_EACH_PASS") != "0" }

// unseen records the paths a person changed since the engine last looked at their side.
type unseen struct {
	mu           sync.Mutex
	local, cloud map[string]bool // set-relative paths; a path covers its subtree
}

func newUnseen() *unseen { return &unseen{local: map[string]bool{}, cloud: map[string]bool{}} }

// touch records a person's change of paths on one side.
func (u *unseen) touch(local bool, paths ...string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, p := range paths {
		if local {
			u.local[p] = true
		} else {
			u.cloud[p] = true
		}
	}
}

// scanned is called when a local scan starts: every local change so far is seen, except
// below a folder it cannot read (keep reports those).
func (u *unseen) scanned(keep func(string) bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	maps.DeleteFunc(u.local, func(p string, _ bool) bool { return keep == nil || !keep(p) })
}

// listing is called when a cloud listing starts: every cloud change so far will be seen
// by it. The returned function puts them back, for a listing that failed.
func (u *unseen) listing() (failed func()) {
	u.mu.Lock()
	defer u.mu.Unlock()
	before := u.cloud
	u.cloud = map[string]bool{}
	return func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		maps.Copy(u.cloud, before)
	}
}

// covers reports whether set-relative p is at or below a path changed unseen, on either
// side, and which.
func (u *unseen) covers(p string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, side := range []struct {
		name string
		m    map[string]bool
	}{{"local", u.local}, {"cloud", u.cloud}} {
		for q := range side.m {
			if under(p, q) {
				return side.name + " " + q
			}
		}
	}
	return ""
}

// statusLies lists the items of items (Synced content) reported synced whose sides differ
// in the trees l and c at their reported path, leaving out those kept apart and those whose
// change the engine was not told (skip says why).
func statusLies(root string, items []syncer.ItemInfo, l, c map[string]string, apart, folded []string, skip func(string) string) []string {
	var out []string
	for _, it := range items {
		rel, ok := strings.CutPrefix(it.Path, root+"/")
		if !ok || it.Status != model.StatusSynced || keptApart(rel, apart, folded) || skip(rel) != "" {
			continue
		}
		lv, lok := l[rel]
		cv, cok := c[rel]
		if !lok || !cok || lv != cv {
			out = append(out, fmt.Sprintf("%s is reported synced, but local %q (present %v) and cloud %q (present %v) differ",
				rel, short(lv), lok, short(cv), cok))
		}
	}
	slices.Sort(out)
	return out
}

// listItems is Synced content as `cloudsync list` shows it.
func listItems(eng *syncer.Engine) ([]syncer.ItemInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return eng.ListItems(ctx, false)
}

// checkTruthfulStatus checks the oracle (see above) on the running engine; at the end of a
// run (all unseen nil: after settling passes nothing is unseen) and after every pass.
func (w *world) checkTruthfulStatus() {
	w.t.Helper()
	if w.crash != nil && w.crash.isDead() {
		return // a crashed process reports nothing
	}
	w.reading.Store(true)
	defer w.reading.Store(false)
	items, err := listItems(w.eng)
	if err != nil {
		w.fail("listing items: %v", err)
	}
	l, c := w.localTree(), w.cloudTree()
	apart, folded := w.apart()
	if lies := statusLies(simRoot, items, l, c, apart, folded, w.unseen.covers); len(lies) > 0 {
		w.fail("status lies: %s\nlocal: %v\ncloud: %v\nunseen: %v\nfailed: %v",
			strings.Join(lies, "; "), show(l), show(c), w.unseen, w.failures())
	}
}

func (u *unseen) String() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return fmt.Sprintf("local %v, cloud %v", slices.Sorted(maps.Keys(u.local)), slices.Sorted(maps.Keys(u.cloud)))
}

func short(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

// renamed records a person's rename from → to on one side: both paths changed, and a change
// at or below from not seen yet is now at or below to.
func (u *unseen) renamed(local bool, from, to string) {
	u.moved(local, from, to)
	u.touch(local, from, to)
}

// moved carries the unseen changes at or below from to to: the engine itself renamed from
// (it moves the change it has not seen with the item).
func (u *unseen) moved(local bool, from, to string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	m := u.cloud
	if local {
		m = u.local
	}
	for q := range m {
		if q == from {
			m[to] = true
		} else if rest, ok := strings.CutPrefix(q, from+"/"); ok {
			m[to+"/"+rest] = true
		}
	}
}
