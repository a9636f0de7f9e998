package plan

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
)

// The planner property test (docs/TESTING.md, "planner properties"): random synced trees,
// random edits on both sides, plan, run the plan in a random order allowed by After on
// the simulated trees (emulating exec), then check that
//
//	(a) both trees are equal, apart from conflict copies, failed items and items the
//	    options keep on one side (excluded, gone);
//	(b) every content written by an edit survives, live or as a conflict copy;
//	(c) with an untrusted base no action deletes, excludes or marks gone;
//	(d) every action is valid when it runs (source there, target folder there, target
//	    name free), whatever order After allows;
//
// and that planning again converges (see checkPass).

var (
	propSeed  = flag.Uint64("plan.seed", 20260101, "first seed of the planner property test")
	propCases = flag.Int("plan.cases", 20000, "seeds of the planner property test (each a random tree with random edits, planned and followed up)")
)

func TestPlannerProperties(t *testing.T) {
	start := time.Now()
	n := *propCases
	if testing.Short() {
		n /= 10
	}
	passes := 0
	for i := range n {
		seed := *propSeed + uint64(i)
		p, err := runCase(seed)
		passes += p
		if err != nil {
			t.Fatalf("seed %d (reproduce: go test ./syncer/plan -run TestPlannerProperties -plan.seed %d -plan.cases 1):\n%v",
				seed, seed, err)
		}
	}
	t.Logf("%d seeds, %d planned passes checked in %v", n, passes, time.Since(start).Round(time.Millisecond))
}

func randomOptions(rng *rand.Rand) (Options, bool) {
	opt := Options{
		AllowCloudDelete:         rng.IntN(10) < 7,
		DeleteLocalOnCloudDelete: rng.IntN(10) < 3,
		TrustBase:                rng.IntN(10) < 8,
		RemoteIDsArePaths:        rng.IntN(4) == 0,
	}
	if rng.IntN(2) == 0 {
		opt.FoldName = strings.ToLower
	}
	if rng.IntN(7) == 0 {
		opt.LocalFoldName = strings.ToLower
	}
	if rng.IntN(2) == 0 {
		opt.ValidRemoteName = func(n string) error {
			if strings.Contains(n, "?") {
				return fmt.Errorf("%q: ? is not allowed", n)
			}
			return nil
		}
	}
	return opt, rng.IntN(2) == 0
}

// runCase runs two passes (edits, plan, apply, checks) on one random world. It returns
// the number of passes checked.
func runCase(seed uint64) (int, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	opt, withHash := randomOptions(rng)
	w := newWorld(rng, opt, withHash)
	for pass := 1; pass <= 2; pass++ {
		var edits []string
		w.written = map[string]bool{}
		for range rng.IntN(9) {
			if e := w.edit(w.loc); e != "" {
				edits = append(edits, "local: "+e)
			}
		}
		for range rng.IntN(9) {
			if e := w.edit(w.rem); e != "" {
				edits = append(edits, "remote: "+e)
			}
		}
		in := w.input()
		if err := w.checkPass(in); err != nil {
			return pass - 1, fmt.Errorf("pass %d, %s\nedits:\n  %s\n%s\n%v", pass, describeOptions(opt, withHash),
				strings.Join(edits, "\n  "), dumpInput(in), err)
		}
	}
	return 2, nil
}

// checkPass plans in, applies the plan and checks the properties and convergence.
func (w *world) checkPass(in Input) error {
	p := Reconcile(in)
	sh := Input{Options: in.Options, Base: append([]Base(nil), in.Base...),
		Local: append([]Node(nil), in.Local...), Remote: append([]Node(nil), in.Remote...)}
	shuf := rand.New(rand.NewPCG(uint64(len(in.Base)), uint64(w.seq))) // not the scenario's rng
	shuf.Shuffle(len(sh.Base), func(i, j int) { sh.Base[i], sh.Base[j] = sh.Base[j], sh.Base[i] })
	shuf.Shuffle(len(sh.Local), func(i, j int) { sh.Local[i], sh.Local[j] = sh.Local[j], sh.Local[i] })
	shuf.Shuffle(len(sh.Remote), func(i, j int) { sh.Remote[i], sh.Remote[j] = sh.Remote[j], sh.Remote[i] })
	if again := Reconcile(sh).String(); again != p.String() {
		return fmt.Errorf("not deterministic (input order):\n%s\nthen:\n%s", p, again)
	}
	live := w.liveContents()
	var survivors []string
	for c := range live {
		if w.written[c] {
			survivors = append(survivors, c)
		}
	}
	sort.Strings(survivors)
	if !w.opt.TrustBase {
		for _, a := range p.Actions {
			switch a.Op {
			case DeleteLocal, DeleteRemote, Exclude, MarkGone:
				return fmt.Errorf("untrusted base, yet %v\nplan:\n%s", a, p)
			}
		}
	}
	ex := w.newExec(in)
	if err := ex.run(p); err != nil {
		return fmt.Errorf("%v\nplan:\n%s", err, p)
	}
	after := w.liveContents()
	for _, c := range w.copies {
		after[c] = true
	}
	for _, c := range survivors {
		if !after[c] {
			return fmt.Errorf("edited content %s was lost\nplan:\n%s\n%s", c, p, w.dumpTrees())
		}
	}
	if err := w.checkEqual(ex); err != nil {
		return fmt.Errorf("%v\nplan:\n%s\n%s", err, p, w.dumpTrees())
	}
	// Convergence (docs/TESTING.md): with no more edits, follow-up passes never delete or
	// replace anything and reach a plan of only Fail actions within 3 passes. The first
	// follow-up only records or forgets (bookkeeping that touches neither tree), except for
	// items that failed (or lie under a failed node): not being synced, they may be settled
	// differently once the rest moved (a move, a transfer or a re-classification), but never
	// destructively.
	failedKeys, failedIDs := failedSubtrees(in, p)
	final := ex
	for round := 1; ; round++ {
		in2 := w.input()
		p2 := Reconcile(in2)
		final = w.newExec(in2)
		failOnly := true
		for _, a := range p2.Actions {
			failOnly = failOnly && a.Op == Fail
			failed := failedKeys[a.Key] || a.Local != nil && failedIDs[sideL][a.Local.ID] ||
				a.Remote != nil && failedIDs[sideR][a.Remote.ID]
			var bad bool
			switch {
			case a.Op == DeleteLocal || a.Op == DeleteRemote || a.Op == Conflict:
				bad = true
			case round == 1:
				bad = a.Op != Fail && a.Op != Record && a.Op != Forget && !failed
			}
			if bad {
				return fmt.Errorf("not converged (follow-up %d): %v\nplan:\n%s\nfollow-up:\n%s\n%s\n%s", round, a, p, p2, dumpInput(in2), w.dumpTrees())
			}
		}
		if failOnly {
			if err := final.run(p2); err != nil { // records the failures
				return err
			}
			break
		}
		if round == 3 {
			return fmt.Errorf("still acting after 3 follow-up passes:\n%s\n%s", p2, dumpInput(in2))
		}
		if err := final.run(p2); err != nil {
			return fmt.Errorf("follow-up %d: %v\nplan:\n%s", round, err, p2)
		}
	}
	if err := w.checkEqual(final); err != nil {
		return fmt.Errorf("after the follow-ups: %v\nplan:\n%s\n%s", err, p, w.dumpTrees())
	}
	return nil
}

// failedSubtrees returns the keys of the items that failed in p and of the items whose
// local or cloud node lies below a failed item's node, and the ids of those nodes.
func failedSubtrees(in Input, p Plan) (map[string]bool, [2]map[string]bool) {
	out := map[string]bool{}
	ids := [2]map[string]bool{{}, {}}
	var under [2][]string
	for _, a := range p.Actions {
		if a.Op != Fail {
			continue
		}
		out[a.Key] = true
		if a.Local != nil {
			under[sideL] = append(under[sideL], a.Local.Path+"/")
			ids[sideL][a.Local.ID] = true
		}
		if a.Remote != nil {
			under[sideR] = append(under[sideR], a.Remote.Path+"/")
			ids[sideR][a.Remote.ID] = true
		}
	}
	for s, nodes := range [][]Node{in.Local, in.Remote} {
		for _, n := range nodes {
			for _, u := range under[s] {
				if strings.HasPrefix(n.Path, u) {
					ids[s][n.ID] = true
				}
			}
		}
	}
	var at [2]map[string]string // id → path
	at[sideL], at[sideR] = map[string]string{}, map[string]string{}
	for _, n := range in.Local {
		at[sideL][n.ID] = n.Path
	}
	for _, n := range in.Remote {
		at[sideR][n.ID] = n.Path
	}
	for _, b := range in.Base {
		for s, id := range []string{b.LocalID, b.RemoteID} {
			p, ok := at[s][id]
			for _, u := range under[s] {
				if ok && strings.HasPrefix(p, u) {
					out[b.Key] = true
				}
			}
		}
	}
	delete(out, "")
	return out, ids
}

func (w *world) liveContents() map[string]bool {
	out := map[string]bool{}
	for _, t := range []*simTree{w.loc, w.rem} {
		for _, n := range t.nodes {
			if !n.dir && !n.special {
				out[n.content] = true
			}
		}
	}
	return out
}

// checkEqual compares the trees, leaving out failed items (with their subtrees), excluded
// cloud items (with theirs), local items kept after a cloud delete, and symlinks.
func (w *world) checkEqual(ex *simExec) error {
	skip := [2]map[int]bool{{}, {}}
	skipTree := [2]map[int]bool{{}, {}}
	for s, t := range []*simTree{w.loc, w.rem} {
		for ident := range ex.failed[s] {
			skipTree[s][ident] = true
		}
		for _, p := range t.paths() {
			n := t.nodes[p]
			id := t.id(p, n)
			for _, b := range w.base {
				bid := b.LocalID
				if s == sideR {
					bid = b.RemoteID
				}
				if bid != id {
					continue
				}
				if b.Excluded {
					skipTree[s][n.ident] = true
				}
				if s == sideL && b.RemoteGone || s == sideR && b.LocalGone {
					skip[s][n.ident] = true
				}
			}
		}
	}
	view := func(s int, t *simTree) map[string]string {
		out := map[string]string{}
		hidden := map[string]bool{}
		for _, p := range t.paths() {
			n := t.nodes[p]
			if hidden[dirOf(p)] || skipTree[s][n.ident] {
				hidden[p] = true
				continue
			}
			if n.special || skip[s][n.ident] {
				continue
			}
			if n.dir {
				out[p] = "dir"
			} else {
				out[p] = n.content
			}
		}
		return out
	}
	l, r := view(sideL, w.loc), view(sideR, w.rem)
	var diffs []string
	for p, v := range l {
		if r[p] != v {
			diffs = append(diffs, fmt.Sprintf("%s: local %s, cloud %q", p, v, r[p]))
		}
	}
	for p, v := range r {
		if _, ok := l[p]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: cloud %s, not local", p, v))
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		return fmt.Errorf("trees differ after the plan ran:\n  %s", strings.Join(diffs, "\n  "))
	}
	return nil
}

func describeOptions(o Options, withHash bool) string {
	return fmt.Sprintf("options: allowCloudDelete=%v deleteLocal=%v trust=%v foldRemote=%v foldLocal=%v pathIDs=%v validName=%v remoteHashes=%v",
		o.AllowCloudDelete, o.DeleteLocalOnCloudDelete, o.TrustBase, o.FoldName != nil, o.LocalFoldName != nil,
		o.RemoteIDsArePaths, o.ValidRemoteName != nil, withHash)
}

func dumpInput(in Input) string {
	var b strings.Builder
	b.WriteString("base:\n")
	for _, x := range in.Base {
		fmt.Fprintf(&b, "  %s %q dir=%v L=%s@%s R=%s@%s hash=%s gone=%v/%v excl=%v\n", x.Key, x.Path, x.IsDir,
			x.LocalID, x.LocalVersion, x.RemoteID, x.RemoteVersion, x.Hash, x.LocalGone, x.RemoteGone, x.Excluded)
	}
	for _, side := range []struct {
		name  string
		nodes []Node
	}{{"local", in.Local}, {"remote", in.Remote}} {
		b.WriteString(side.name + ":\n")
		for _, n := range side.nodes {
			fmt.Fprintf(&b, "  %q dir=%v id=%s ver=%s hash=%s unsupported=%v\n", n.Path, n.IsDir, n.ID, n.Version, n.Hash, n.Unsupported)
		}
	}
	return b.String()
}

func (w *world) dumpTrees() string {
	var b strings.Builder
	for _, t := range []*simTree{w.loc, w.rem} {
		name := "local"
		if t.remote {
			name = "remote"
		}
		b.WriteString(name + " tree after:\n")
		for _, p := range t.paths() {
			n := t.nodes[p]
			fmt.Fprintf(&b, "  %q id=%s dir=%v content=%s\n", p, t.id(p, n), n.dir, n.content)
		}
	}
	fmt.Fprintf(&b, "conflict copies: %v\n", w.copies)
	return b.String()
}
