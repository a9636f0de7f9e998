package plan

import (
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Sides of an item, used as array indexes.
const (
	sideL = 0 // local
	sideR = 1 // remote
)

// Reconcile compares the base, the local tree and the remote tree of one sync set and
// returns the actions that bring both trees together (SPEC §3, §4).
//
// Items are matched by stable ids (local "dev:ino" with Base.LocalID, remote node id with
// Base.RemoteID); a path is only an attribute, so a rename or move on one side becomes one
// move on the other (a folder moves with its subtree in one action). Both sides moved
// differently: the cloud wins. A content change is a Version different from the base's on
// that side, unless the hash shows the same content (then the base is only refreshed with
// Record). Changes on both sides give a Conflict (the cloud wins, exec keeps the local
// version as a conflict copy); an edit beats a delete; deletes follow the options, and with
// TrustBase false nothing is ever deleted, excluded or marked gone. An Office "safe save"
// (new local id at the base path) is an edit of the same item. Names the remote refuses,
// names clashing in one folder and unsupported local nodes give Fail actions and leave the
// item untouched. Moves that block each other (a swap of two names, an item sitting where
// its own new parent must be created) go through a temporary name "NAME.cloudsync-move"
// beside the item; an order that still cannot be found fails one item.
//
// Reconcile is pure and deterministic: the same Input, whatever the order of its slices,
// gives the same Plan. Every action's After lists only earlier actions, and any execution
// order that respects After has the same effect.
func Reconcile(in Input) Plan {
	st := newState(in)
	st.build(in)
	thaws, last := 0, ""
	for {
		st.resolve()
		if sig := st.frozenSig(); thaws < maxThaws && sig != last && st.thaw() {
			thaws, last = thaws+1, sig
			continue
		}
		if acts, ok := st.emit(); ok {
			return Plan{Actions: acts}
		}
	}
}

// maxThaws bounds the thaw rounds of one Reconcile call.
const maxThaws = 4

// thaw unfreezes every item frozen for a name clash or a blocked folder, once the round
// settled: a freeze taken while another item still needed the name or folder may be
// unnecessary once the others moved (relocations are kept, so the next round is better
// informed). It reports whether it unfroze anything.
func (st *state) thaw() bool {
	any := false
	for _, it := range st.items {
		f, ok := st.frozen[it]
		if !ok || it.ignored || it.tomb || f.fixed ||
			f.reason != remote.ReasonNameClash && f.reason != remote.ReasonMissingDestination && !f.silent {
			continue
		}
		delete(st.frozen, it)
		any = true
	}
	return any
}

// frozenSig identifies the set of frozen items.
func (st *state) frozenSig() string {
	var b strings.Builder
	for _, it := range st.items {
		if _, ok := st.frozen[it]; ok {
			b.WriteString(strconv.Itoa(it.ord))
			b.WriteByte(',')
		}
	}
	return b.String()
}

// loc is a location in a tree: a parent item (st.root for the set root) and a name.
type loc struct {
	p    *item
	name string
}

// failure is why an item is left untouched; silent ones produce no Fail action (they sit
// under a failed or ignored folder, which carries the report).
type failure struct {
	reason remote.Reason
	note   string
	silent bool
	fixed  bool // never thawed: the snapshot itself keeps the item from syncing
}

// item is one file or folder as the planner sees it: its base (nil when new), its node
// on each side (nil when absent) and the decisions taken for it.
type item struct {
	ord  int
	key  string
	base *Base
	n    [2]*Node
	cur  [2]loc // location of n[s] in the snapshot
	// bloc is the base location (valid when hasBloc).
	bloc    loc
	hasBloc bool
	tomb    bool // an Excluded base: its nodes are ignored
	ignored bool // a node that never syncs (orphan, invalid cloud name, under such)
	attach  [2]string
	tgt     loc // merged location of an item synced on both sides

	// Decisions of the current resolve round.
	frozen    bool
	swallowed bool // under a local folder that becomes a conflict copy
	suspect   bool // a Conflict for local content lost without an edit (see shrunk)
	want      [2]bool
	content   contentOp
	status    statusOp
	note      string

	// Runtime state of emit's simulation.
	rtIn  [2]bool
	rtDir [2]bool
	rt    [2]loc
	kids  [2]map[string]*item
	gone  [2]int // id of the action that removed the item on that side (0: none)
}

type contentOp int

const (
	cNone contentOp = iota
	cUpload
	cDownload
	cConflict
	cConflictUpload
	cRecord
	cMeta // only the metadata differs (see decideMeta)
)

type statusOp int

const (
	sNone statusOp = iota
	sMarkGone
	sExclude
	sForget
)

// state is one Reconcile call.
type state struct {
	opt    Options
	root   *item
	items  []*item
	frozen map[*item]failure
	// remoteLoc: the item's merged location is forced to its remote one (a move cycle
	// was broken there).
	remoteLoc map[*item]bool
	nodeItem  [2]map[string]*item // snapshot path → item, per side
	byPath    map[string]*item    // base path → base item (not excluded)
}

func newState(in Input) *state {
	return &state{
		opt:       in.Options,
		root:      &item{key: "(root)"},
		frozen:    map[*item]failure{},
		remoteLoc: map[*item]bool{},
		nodeItem:  [2]map[string]*item{{}, {}},
		byPath:    map[string]*item{},
	}
}

func dirOf(p string) string {
	if d := path.Dir(p); d != "." && d != "/" {
		return d
	}
	return ""
}

func depth(p string) int { return strings.Count(p, "/") }

// sortedNodes copies nodes in (depth, path, id, version) order, dropping the root (local
// paths are cleaned; remote ones are validated as they are).
func sortedNodes(in []Node, clean bool) []*Node {
	out := make([]*Node, 0, len(in))
	for i := range in {
		n := in[i]
		if clean {
			n.Path = remote.Clean(n.Path)
		}
		if n.Path == "" {
			continue
		}
		out = append(out, &n)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if da, db := depth(a.Path), depth(b.Path); da != db {
			return da < db
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.IsDir != b.IsDir {
			return !a.IsDir
		}
		return a.Version < b.Version
	})
	return out
}

// validRemotePath reports whether every element of a remote node's path is a name
// ValidateRemoteName accepts and the path is canonical.
func validRemotePath(p string) bool {
	if p != remote.Clean(p) {
		return false
	}
	for _, e := range strings.Split(p, "/") {
		if remote.ValidateRemoteName(e) != nil {
			return false
		}
	}
	return true
}

// build creates the items: base items, matched to the nodes by id (then by the safe-save,
// kind-change and path-id-move rules), and new items for the nodes left over.
func (st *state) build(in Input) {
	bases := make([]*Base, len(in.Base))
	for i := range in.Base {
		b := in.Base[i]
		b.Path = remote.Clean(b.Path)
		bases[i] = &b
	}
	sort.Slice(bases, func(i, j int) bool {
		a, b := bases[i], bases[j]
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return a.Path < b.Path
	})
	var ids [2]map[string]*item
	ids[sideL], ids[sideR] = make(map[string]*item, len(bases)), make(map[string]*item, len(bases))
	st.nodeItem[sideL] = make(map[string]*item, len(in.Local))
	st.nodeItem[sideR] = make(map[string]*item, len(in.Remote))
	st.byPath = make(map[string]*item, len(bases))
	var tombIDs [2]map[string]*item
	tombIDs[sideL], tombIDs[sideR] = map[string]*item{}, map[string]*item{}
	var baseItems []*item
	seenKey := map[string]bool{}
	for _, b := range bases {
		if b.Key != "" && seenKey[b.Key] {
			continue // a duplicate key: the first one stands
		}
		seenKey[b.Key] = true
		it := &item{key: b.Key, base: b}
		st.items = append(st.items, it)
		bid := [2]string{b.LocalID, b.RemoteID}
		if b.Excluded {
			it.tomb = true
			for s := range 2 {
				if bid[s] != "" && tombIDs[s][bid[s]] == nil {
					tombIDs[s][bid[s]] = it
				}
			}
			continue
		}
		baseItems = append(baseItems, it)
	}
	// Ids: a gone side's id is matched only when no live item claims it, and never where
	// ids are paths (a new node at that path is another node).
	for pass := range 2 {
		for _, it := range baseItems {
			b := it.base
			bid := [2]string{b.LocalID, b.RemoteID}
			gone := [2]bool{b.LocalGone, b.RemoteGone}
			for s := range 2 {
				if bid[s] == "" || ids[s][bid[s]] != nil || gone[s] != (pass == 1) ||
					gone[s] && s == sideR && st.opt.RemoteIDsArePaths {
					continue
				}
				ids[s][bid[s]] = it
			}
		}
	}
	for _, it := range baseItems {
		b := it.base
		if b.Path != "" && st.byPath[b.Path] == nil {
			st.byPath[b.Path] = it
		}
	}

	// Nodes: ignored ones (under a tombstone, orphaned, invalid remote names) become
	// frozen items that only occupy their names; the others match base items by id.
	var unmatched [2][]*Node
	var nodes [2][]*Node
	nodes[sideL], nodes[sideR] = sortedNodes(in.Local, true), sortedNodes(in.Remote, false)
	for s := range 2 {
		at := make(map[string]*Node, len(nodes[s]))
		ignored := map[string]remote.Reason{} // path → why ("" = silently)
		for _, n := range nodes[s] {
			if at[n.Path] != nil {
				continue // duplicate path: the first one stands
			}
			at[n.Path] = n
			d := dirOf(n.Path)
			pwhy, pIgnored := ignored[d]
			parentOK := d == "" || at[d] != nil && at[d].IsDir && !pIgnored
			switch {
			case s == sideR && !validRemotePath(n.Path):
				silent := pIgnored && pwhy == remote.ReasonInvalidName
				ignored[n.Path] = remote.ReasonInvalidName
				st.ignoreNode(s, n, failure{reason: remote.ReasonInvalidName, note: "the cloud name is not valid here", silent: silent})
			case n.ID != "" && tombIDs[s][n.ID] != nil && tombIDs[s][n.ID].n[s] == nil:
				t := tombIDs[s][n.ID]
				t.n[s] = n
				st.nodeItem[s][n.Path] = t
				ignored[n.Path] = ""
			case !parentOK && at[d] == nil && n.ID != "" && ids[s][n.ID] != nil && ids[s][n.ID].n[s] == nil &&
				ids[s][n.ID].base.IsDir == n.IsDir:
				// A synced item whose folder the snapshot lacks (a folder the scan could not
				// read): it is there, so it is no deletion; it stays as it is (frozen).
				it := ids[s][n.ID]
				it.n[s] = n
				st.nodeItem[s][n.Path] = it
				st.frozen[it] = failure{silent: true, fixed: true}
				ignored[n.Path] = pwhy
			case !parentOK:
				ignored[n.Path] = pwhy
				st.ignoreNode(s, n, failure{silent: true})
			case n.ID != "" && (!n.Unsupported || s == sideR) && ids[s][n.ID] != nil && ids[s][n.ID].n[s] == nil && ids[s][n.ID].base.IsDir == n.IsDir:
				// (a remote node the backend cannot sync keeps its item: frozen below, it is
				// neither a delete nor a new item)
				it := ids[s][n.ID]
				it.n[s] = n
				st.nodeItem[s][n.Path] = it
			default:
				unmatched[s] = append(unmatched[s], n)
			}
		}
	}
	free := [2]map[string]*Node{{}, {}}
	for s := range 2 {
		for _, n := range unmatched[s] {
			free[s][n.Path] = n
		}
	}
	take := func(s int, it *item, n *Node, why string) {
		it.n[s] = n
		it.attach[s] = why
		st.nodeItem[s][n.Path] = it
		delete(free[s], n.Path)
	}
	if st.opt.RemoteIDsArePaths {
		st.matchPathMoves(baseItems, free[sideR], take)
	}
	// Safe save (FAILURE-MODES 8) and kind changes: a node with an unknown id at the base
	// path of an item whose node vanished on that side is that item.
	byDepth := append([]*item(nil), baseItems...)
	sort.SliceStable(byDepth, func(i, j int) bool { return depth(byDepth[i].base.Path) < depth(byDepth[j].base.Path) })
	for again := true; again; {
		again = false
		for _, it := range byDepth {
			for s := range 2 {
				if it.n[s] != nil {
					continue
				}
				// At the base path, or under the parent's node where that moved, or where the
				// item is on the other side.
				n := free[s][it.base.Path]
				if p := st.baseParent(it.base.Path); n == nil && p != nil && p != st.root && p.n[s] != nil {
					n = free[s][p.n[s].Path+"/"+path.Base(it.base.Path)]
				}
				if o := it.n[1-s]; n == nil && o != nil {
					if c := free[s][st.peerPath(1-s, o)]; c != nil && c.IsDir == o.IsDir {
						n = c
					}
				}
				if n == nil {
					continue
				}
				switch {
				case n.Unsupported:
					take(s, it, n, "unsupported")
					again = true
				case n.IsDir == it.base.IsDir && !(n.IsDir && (it.base.RemoteGone || it.base.LocalGone)):
					// (a folder made anew where a gone item was is a new item)
					take(s, it, n, "replaced")
					again = true
				case it.n[1-s] != nil && !(s == sideR && it.base.RemoteGone || s == sideL && it.base.LocalGone):
					take(s, it, n, "kind")
					again = true
				}
			}
		}
	}
	// New nodes: one item per node; a local and a remote one with the same name under the
	// same parent item are the same new item.
	type slot struct {
		p    *item
		name string
	}
	newLocal := map[slot]*item{}
	for s := range 2 {
		for _, n := range unmatched[s] {
			if free[s][n.Path] != n {
				continue
			}
			k := slot{st.nodeItem[s][dirOf(n.Path)], path.Base(n.Path)}
			if o := newLocal[k]; s == sideR && o != nil && o.n[sideR] == nil && !o.n[sideL].Unsupported {
				o.n[sideR] = n
				st.nodeItem[sideR][n.Path] = o
				continue
			}
			it := &item{}
			it.n[s] = n
			st.items = append(st.items, it)
			st.nodeItem[s][n.Path] = it
			if s == sideL {
				newLocal[k] = it
			}
		}
	}
	// Unsupported nodes freeze their item (the remote's reason first: it names the node
	// that blocks a local one of the same name).
	for _, it := range st.items {
		for _, s := range []int{sideR, sideL} {
			if n := it.n[s]; n != nil && n.Unsupported && !it.ignored && !it.tomb {
				if _, done := st.frozen[it]; !done {
					st.frozen[it] = failure{reason: remote.ReasonUnsupported, note: unsupportedNote(n)}
				}
			}
		}
	}
	st.locate()
}

// unsupportedNote says why node n is not synced.
func unsupportedNote(n *Node) string {
	if n.Why != "" {
		return n.Why
	}
	return "symlink or special file"
}

// ignoreNode makes n a frozen item of its own: it occupies its name and is never synced.
func (st *state) ignoreNode(s int, n *Node, f failure) {
	it := &item{ignored: true}
	it.n[s] = n
	st.items = append(st.items, it)
	st.nodeItem[s][n.Path] = it
	st.frozen[it] = f
}

// locate computes the items' snapshot locations, base locations and display order.
func (st *state) locate() {
	for _, it := range st.items {
		for s := range 2 {
			if n := it.n[s]; n != nil {
				p := st.root
				if d := dirOf(n.Path); d != "" {
					p = st.nodeItem[s][d]
				}
				it.cur[s] = loc{p, path.Base(n.Path)}
			}
		}
		if b := it.base; b != nil && !b.Excluded && b.Path != "" {
			if p := st.baseParent(b.Path); p != nil {
				it.bloc, it.hasBloc = loc{p, path.Base(b.Path)}, true
			}
		}
	}
	sort.SliceStable(st.items, func(i, j int) bool {
		a, b := st.items[i], st.items[j]
		if pa, pb := a.showPath(), b.showPath(); pa != pb {
			return pa < pb
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return a.idString() < b.idString()
	})
	for i, it := range st.items {
		it.ord = i + 1
	}
}

// baseParent is the item that was the folder of base path p at the last sync (st.root at
// the top), nil when unknown. A base path can be stale (recorded from one side while the
// sides' paths differed): then the folder now at that path on either side stands in.
func (st *state) baseParent(p string) *item {
	d := dirOf(p)
	if d == "" {
		return st.root
	}
	if q := st.byPath[d]; q != nil {
		return q
	}
	for _, s := range []int{sideR, sideL} {
		if q := st.nodeItem[s][d]; q != nil && q.base != nil && !q.tomb {
			return q
		}
	}
	return nil
}

// showPath is the path an item is listed under: remote, else local, else base.
func (it *item) showPath() string {
	switch {
	case it.n[sideR] != nil:
		return it.n[sideR].Path
	case it.n[sideL] != nil:
		return it.n[sideL].Path
	case it.base != nil:
		return it.base.Path
	}
	return ""
}

func (it *item) idString() string {
	var b strings.Builder
	for s := range 2 {
		if it.n[s] != nil {
			b.WriteString(it.n[s].ID)
		}
		b.WriteByte('|')
	}
	return b.String()
}
