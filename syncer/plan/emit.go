package plan

import (
	"sort"
	"strconv"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Emission: emit turns the decisions into actions by simulating both trees. It runs the
// pending operations greedily, each as soon as it is valid on the simulated tree (its
// source exists, its target folder exists, its target name is free), so that paths are
// those at run time. Two actions touching related paths on one side (equal, or one below
// the other) are ordered by After; unrelated ones commute, so any order respecting After
// has the same effect. When nothing can run (a swap of two names), one item is frozen
// and the round is redone.

type opKind int

const (
	opMoveR opKind = iota
	opMoveL
	opCreate
	opContent
	opDelete
)

type pendingOp struct {
	kind opKind
	s    int
	it   *item
	done bool
}

type emitter struct {
	st   *state
	acts []Action
	// exact and below index, per side, the actions touching a folded path exactly and
	// touching something strictly below it.
	exact [2]map[string][]int
	below [2]map[string][]int
}

// emit returns the plan of the current decisions, or ok false when it froze an item whose
// operations could not be ordered (the caller resolves again).
func (st *state) emit() ([]Action, bool) {
	e := &emitter{st: st}
	for s := range 2 {
		e.exact[s], e.below[s] = map[string][]int{}, map[string][]int{}
	}
	all := append([]*item{st.root}, st.items...)
	for _, it := range all {
		it.rtIn, it.rtDir, it.rt, it.gone = [2]bool{}, [2]bool{}, [2]loc{}, [2]int{}
		it.kids = [2]map[string]*item{{}, {}}
	}
	st.root.rtIn, st.root.rtDir = [2]bool{true, true}, [2]bool{true, true}
	for s := range 2 {
		for _, it := range st.items {
			if it.n[s] != nil && it.cur[s].p != nil { // (an orphan node is frozen: never placed)
				it.rtIn[s], it.rtDir[s] = true, it.n[s].IsDir
				e.place(s, it, it.cur[s])
			}
		}
	}
	ops := st.pendingOps()
	temps := 0
	for left := len(ops); left > 0; {
		progress := false
		for _, o := range ops {
			if o.done {
				continue
			}
			if o.kind == opDelete && !o.it.rtIn[o.s] {
				o.done, left = true, left-1 // removed with a folder meanwhile
				progress = true
				continue
			}
			if e.valid(o) {
				e.apply(o)
				o.done, left, progress = true, left-1, true
			}
		}
		if !progress && temps < len(ops) && e.moveAside(ops) {
			temps++
			continue
		}
		if !progress {
			for _, o := range ops {
				if !o.done {
					st.freeze(o.it, failure{reason: remote.ReasonNameClash,
						note: "its move or creation waits on a name held by another item (swap); retried next pass"})
					return nil, false
				}
			}
		}
	}
	e.statusActions()
	return e.acts, true
}

// moveAside breaks a blocked order (a swap of two names, or an item sitting where its own
// new parent must be created): an operation waits for a name held by an item that has a
// move of its own still to do, so that item first moves to a temporary name beside it. It
// reports whether it did.
func (e *emitter) moveAside(ops []*pendingOp) bool {
	st := e.st
	moving := [2]map[*item]bool{{}, {}}
	for _, o := range ops {
		if !o.done && (o.kind == opMoveL || o.kind == opMoveR) {
			moving[o.s][o.it] = true
		}
	}
	for _, o := range ops {
		if o.done || o.kind != opMoveL && o.kind != opMoveR && o.kind != opCreate {
			continue
		}
		s, t := o.s, st.tl(o.it, o.s)
		if t.p == nil || !isFolderAt(s, t.p) {
			continue
		}
		h := t.p.kids[s][st.fold(s, t.name)]
		if h == nil || h == o.it || !moving[s][h] || !h.rtIn[s] {
			continue
		}
		cur := h.rt[s]
		tmp := ""
		for i := 1; ; i++ {
			tmp = cur.name + ".cloudsync-move"
			if i > 1 {
				tmp += "-" + strconv.Itoa(i)
			}
			if e.free(s, cur.p, tmp, nil) {
				break
			}
		}
		src := e.rtPath(s, h)
		e.unplace(s, h)
		e.place(s, h, loc{cur.p, tmp})
		dst := e.rtPath(s, h)
		a := Action{Key: h.key, Local: h.n[sideL], Remote: h.n[sideR], Op: MoveLocal, Path: src, To: dst,
			IsDir: h.n[s].IsDir, Note: "temporary name, to free the way for another move"}
		if s == sideR {
			a.Op = MoveRemote
		}
		e.add(a, touches(s, []string{src, dst}, nil))
		return true
	}
	return false
}

// pendingOps lists what must happen, in a fixed order: cloud moves, local moves,
// creations, content transfers, deletions.
func (st *state) pendingOps() []*pendingOp {
	var ops []*pendingOp
	for _, it := range st.items {
		if it.frozen || it.swallowed {
			continue
		}
		for s := range 2 {
			switch {
			case it.want[s] && it.n[s] != nil && it.cur[s] != st.tl(it, s):
				k := opMoveL
				if s == sideR {
					k = opMoveR
				}
				ops = append(ops, &pendingOp{kind: k, s: s, it: it})
			case it.want[s] && it.n[s] == nil:
				ops = append(ops, &pendingOp{kind: opCreate, s: s, it: it})
			case !it.want[s] && it.n[s] != nil && (it.cur[s].p == st.root || it.cur[s].p.want[s]):
				// (under a folder deleted too, it goes with that folder: one action)
				ops = append(ops, &pendingOp{kind: opDelete, s: s, it: it})
			}
		}
		moved := it.n[sideL] != nil && it.cur[sideL] != st.tl(it, sideL) || it.n[sideR] != nil && it.cur[sideR] != st.tl(it, sideR)
		if it.content != cNone && it.n[sideL] != nil && it.n[sideR] != nil && it.synced() && !(it.content == cRecord && moved) {
			// (a move's result records the base already)
			ops = append(ops, &pendingOp{kind: opContent, it: it})
		}
	}
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].kind < ops[j].kind })
	return ops
}

// place puts it at l on side s of the simulated tree.
func (e *emitter) place(s int, it *item, l loc) {
	it.rt[s] = l
	l.p.kids[s][e.st.fold(s, l.name)] = it
}

func (e *emitter) unplace(s int, it *item) {
	l := it.rt[s]
	k := e.st.fold(s, l.name)
	if l.p != nil && l.p.kids[s][k] == it {
		delete(l.p.kids[s], k)
	}
}

// rtPath is it's path on side s in the simulated tree.
func (e *emitter) rtPath(s int, it *item) string {
	var parts []string
	for x := it; x != e.st.root && x != nil; x = x.rt[s].p {
		parts = append(parts, x.rt[s].name)
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "/")
}

// isFolderAt reports whether p exists as a folder on side s of the simulated tree.
func isFolderAt(s int, p *item) bool { return p != nil && p.rtIn[s] && p.rtDir[s] }

// free reports whether name is free in folder p on side s, or held by it itself.
func (e *emitter) free(s int, p *item, name string, it *item) bool {
	o := p.kids[s][e.st.fold(s, name)]
	return o == nil || o == it
}

// under reports whether x is a or lies below a on side s of the simulated tree.
func (e *emitter) under(s int, x, a *item) bool {
	for ; x != nil && x != e.st.root; x = x.rt[s].p {
		if x == a {
			return true
		}
	}
	return false
}

// holdsWanted reports whether something below it on side s must stay on that side.
func (e *emitter) holdsWanted(s int, it *item) bool {
	for _, k := range sortedKids(it.kids[s]) {
		if k.want[s] && !k.swallowed || e.holdsWanted(s, k) {
			return true
		}
	}
	return false
}

func sortedKids(m map[string]*item) []*item {
	out := make([]*item, 0, len(m))
	for _, k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ord < out[j].ord })
	return out
}

func (e *emitter) valid(o *pendingOp) bool {
	st, it, s := e.st, o.it, o.s
	switch o.kind {
	case opMoveL, opMoveR:
		t := st.tl(it, s)
		return it.rtIn[s] && isFolderAt(s, t.p) && !e.under(s, t.p, it) && e.free(s, t.p, t.name, it)
	case opCreate:
		t := st.tl(it, s)
		return it.rtIn[1-s] && isFolderAt(s, t.p) && e.free(s, t.p, t.name, it)
	case opContent:
		for s := range 2 {
			if !it.rtIn[s] || it.rt[s] != st.tl(it, s) {
				return false
			}
		}
		if it.content == cConflict && it.n[sideL].IsDir && !it.n[sideR].IsDir {
			return !e.holdsWanted(sideL, it)
		}
		return true
	case opDelete:
		return !e.holdsWanted(s, it)
	}
	return false
}

// apply runs o on the simulated tree and emits its action.
func (e *emitter) apply(o *pendingOp) {
	st, it, s := e.st, o.it, o.s
	l, r := it.n[sideL], it.n[sideR]
	a := Action{Key: it.key, Local: l, Remote: r, Note: it.note}
	switch o.kind {
	case opMoveL, opMoveR:
		src := e.rtPath(s, it)
		e.unplace(s, it)
		e.place(s, it, st.tl(it, s))
		dst := e.rtPath(s, it)
		a.Op, a.Path, a.To, a.IsDir = MoveLocal, src, dst, it.n[s].IsDir
		if s == sideR {
			a.Op = MoveRemote
		}
		a.Note = moveNote(s, it)
		e.add(a, touches(s, []string{src, dst}, nil))
	case opCreate:
		src := e.rtPath(1-s, it)
		it.rtIn[s], it.rtDir[s] = true, it.n[1-s].IsDir
		e.place(s, it, st.tl(it, s))
		dst := e.rtPath(s, it)
		a.Path, a.To, a.IsDir = src, dst, it.n[1-s].IsDir
		switch {
		case s == sideR && a.IsDir:
			a.Op = MkdirRemote
		case s == sideR:
			a.Op = Upload
		case a.IsDir:
			a.Op = MkdirLocal
		default:
			a.Op = Download
		}
		if a.Note == "" {
			a.Note = "folder kept for what it holds"
		}
		a.Meta = st.actionMeta(it)
		e.add(a, touches(s, []string{dst}, []string{src}))
	case opContent:
		lp, rp := e.rtPath(sideL, it), e.rtPath(sideR, it)
		a.IsDir, a.Meta = r.IsDir, st.actionMeta(it)
		switch it.content {
		case cUpload:
			a.Op, a.Path, a.To = Upload, lp, rp
		case cDownload:
			a.Op, a.Path, a.To = Download, rp, lp
		case cConflictUpload:
			a.Op, a.Path, a.To = ConflictUpload, lp, rp
		case cConflict:
			a.Op, a.Path, a.To = Conflict, rp, lp
			if b := it.base; b != nil && e.st.opt.TrustBase && !b.IsDir && !l.IsDir && !r.IsDir && !it.suspect {
				// (not for a suspect local file: the cloud keeping the base's content is
				// exactly why the cut local file must not be uploaded over it)
				a.BaseHash = b.Hash
			}
			if l.IsDir != r.IsDir {
				e.dropSubtree(sideL, it, len(e.acts)+1) // the local folder leaves as a conflict copy
				it.rtDir[sideL] = r.IsDir
			}
		case cRecord, cMeta:
			if lp != rp {
				return // the sides' paths differ (a failed rename above): nothing to record
			}
			a.Op, a.Path, a.To = Record, lp, lp
			if it.content == cMeta {
				a.Op = Meta
			}
		}
		e.add(a, [2][]string{sideL: {lp}, sideR: {rp}})
	case opDelete:
		p := e.rtPath(s, it)
		a.Op, a.Path, a.To, a.IsDir = DeleteLocal, p, p, it.n[s].IsDir
		if s == sideR {
			a.Op = DeleteRemote
		}
		id := e.add(a, touches(s, []string{p}, nil))
		it.gone[s] = id
		e.dropSubtree(s, it, id)
		e.unplace(s, it)
		it.rtIn[s] = false
	}
}

// dropSubtree removes what lies below it on side s of the simulated tree; id is the
// action that removed it (0: none to wait for).
func (e *emitter) dropSubtree(s int, it *item, id int) {
	for _, k := range sortedKids(it.kids[s]) {
		e.dropSubtree(s, k, id)
		k.rtIn[s] = false
		if k.gone[s] == 0 {
			k.gone[s] = id
		}
	}
	it.kids[s] = map[string]*item{}
}

func moveNote(s int, it *item) string {
	if s == sideR {
		return "moved locally"
	}
	if it.n[sideL] != nil && it.cur[sideL] != it.bloc && it.hasBloc {
		return "moved in the cloud (the cloud wins)"
	}
	return "moved in the cloud"
}

// touches is the paths an action touches: mine on side s, other on the other side.
func touches(s int, mine, other []string) [2][]string {
	var t [2][]string
	t[s], t[1-s] = mine, other
	return t
}

// add appends a, after the earlier actions touching related paths, and returns its id.
func (e *emitter) add(a Action, touch [2][]string) int { return e.addAction(a, touch, true) }

// addAction appends a after the earlier actions touching related paths; with register
// false later actions do not wait for a (it changes no tree).
func (e *emitter) addAction(a Action, touch [2][]string, register bool) int {
	a.ID = len(e.acts) + 1
	seen := map[int]bool{}
	for s := range 2 {
		for _, p := range touch[s] {
			k := e.key(s, p)
			for q := k; ; q = dirOf(q) {
				for _, id := range e.exact[s][q] {
					seen[id] = true
				}
				if q == "" {
					break
				}
			}
			for _, id := range e.below[s][k] {
				seen[id] = true
			}
		}
	}
	for id := range seen {
		a.After = append(a.After, id)
	}
	sort.Ints(a.After)
	for s := range 2 {
		for _, p := range touch[s] {
			if !register {
				break
			}
			k := e.key(s, p)
			e.exact[s][k] = append(e.exact[s][k], a.ID)
			for q := dirOf(k); q != ""; q = dirOf(q) {
				e.below[s][q] = append(e.below[s][q], a.ID)
			}
		}
	}
	e.acts = append(e.acts, a)
	return a.ID
}

// key folds p for the interference index: lower case and the side's folding, so that
// names the file system or remote might confuse are ordered too.
func (e *emitter) key(s int, p string) string {
	parts := strings.Split(p, "/")
	for i, x := range parts {
		parts[i] = strings.ToLower(e.st.fold(s, x))
	}
	return strings.Join(parts, "/")
}

// statusActions appends the actions that touch no tree: Fail, MarkGone, Exclude, Forget.
func (e *emitter) statusActions() {
	st := e.st
	for _, it := range st.items {
		l, r := it.n[sideL], it.n[sideR]
		a := Action{Key: it.key, Local: l, Remote: r, Note: it.note}
		switch {
		case it.frozen:
			f := st.frozen[it]
			if f.silent || it.tomb {
				continue
			}
			a.Op, a.Reason, a.Note = Fail, f.reason, f.note
			a.Path, a.IsDir = it.showPath(), it.targetDir(sideR)
			if l != nil {
				a.Path, a.IsDir = l.Path, l.IsDir
			}
			a.To = a.Path
		case it.status == sForget:
			a.Op, a.Path, a.To, a.IsDir = Forget, it.base.Path, it.base.Path, it.base.IsDir
		case it.base != nil && !it.want[sideL] && !it.want[sideR]:
			// Removed by a folder's delete or conflict copy: forget it once that ran. Removed
			// by its own delete: that result ends the item.
			own := false
			for s := range 2 {
				if it.n[s] == nil || it.gone[s] == 0 {
					continue
				}
				if by := e.acts[it.gone[s]-1]; by.Key == it.key && by.Op != Conflict {
					own = true
				} else {
					a.After = append(a.After, it.gone[s])
				}
			}
			if own && len(a.After) == 0 {
				continue
			}
			sort.Ints(a.After)
			a.Op, a.Path, a.To, a.IsDir = Forget, it.base.Path, it.base.Path, it.base.IsDir
			if a.Note == "" {
				a.Note = "removed with its folder"
			}
		case it.status == sMarkGone && it.want == [2]bool{true, false}:
			// After the moves above it, so that it names the item where it is then.
			a.Op, a.Reason, a.IsDir = MarkGone, remote.ReasonTargetDeleted, l.IsDir
			a.Path = e.rtPath(sideL, it)
			a.To = a.Path
			e.addAction(a, touches(sideL, []string{a.Path}, nil), false)
			continue
		case it.status == sExclude && it.want == [2]bool{false, true}:
			a.Op, a.IsDir = Exclude, r.IsDir
			a.Path = e.rtPath(sideR, it)
			a.To = a.Path
			e.addAction(a, touches(sideR, []string{a.Path}, nil), false)
			continue
		default:
			continue
		}
		a.ID = len(e.acts) + 1
		e.acts = append(e.acts, a)
	}
}
