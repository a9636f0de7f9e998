package plan

import (
	"fmt"
	"strings"
)

// simExec runs a plan on the world's trees the way exec does, strictly: an action whose
// source is missing, whose target folder is missing or whose target name is taken is an
// error (no concurrent change happens in the simulation, so exec would fail the same
// way). After each action it records the result as the engine does: the new base of
// Action.Key (a new item for an empty Key).
type simExec struct {
	w      *world
	ident  [2]map[string]int // snapshot node id → identity at planning time
	failed [2]map[int]bool   // identities of nodes carried by Fail actions
}

func (w *world) newExec(in Input) *simExec {
	ex := &simExec{w: w, ident: [2]map[string]int{{}, {}}, failed: [2]map[int]bool{{}, {}}}
	for s, t := range []*simTree{w.loc, w.rem} {
		for p, n := range t.nodes {
			ex.ident[s][t.id(p, n)] = n.ident
		}
	}
	return ex
}

// run executes p in a random order that respects After.
func (ex *simExec) run(p Plan) error {
	done := map[int]bool{}
	left := append([]Action(nil), p.Actions...)
	for len(left) > 0 {
		var ready []int
		for i, a := range left {
			ok := true
			for _, d := range a.After {
				ok = ok && done[d]
			}
			if ok {
				ready = append(ready, i)
			}
		}
		if len(ready) == 0 {
			return fmt.Errorf("no runnable action left (cycle or unknown dependency): %v", left)
		}
		i := ready[ex.w.rng.IntN(len(ready))]
		a := left[i]
		left = append(left[:i], left[i+1:]...)
		if err := ex.do(a); err != nil {
			return fmt.Errorf("action %v: %w", a, err)
		}
		done[a.ID] = true
	}
	return nil
}

// at returns the node at p on side s if it is the snapshot node nd (same identity; for a
// file the same version), else an error.
func (ex *simExec) at(s int, p string, nd *Node) (*simNode, error) {
	t := ex.tree(s)
	n := t.nodes[p]
	switch {
	case n == nil:
		return nil, fmt.Errorf("%s %q does not exist", sideName(s), p)
	case nd == nil:
		return n, nil
	case n.ident != ex.ident[s][nd.ID] || n.dir != nd.IsDir:
		return nil, fmt.Errorf("%s %q is another item than %s", sideName(s), p, nd.ID)
	case !n.dir && !n.special && n.version != nd.Version:
		return nil, fmt.Errorf("%s %q changed since the snapshot", sideName(s), p)
	}
	return n, nil
}

// placeable checks that p can be created on side s (for ident, or a new node: -1).
func (ex *simExec) placeable(s int, p string, ident int) error {
	t := ex.tree(s)
	if !t.isDir(dirOf(p)) {
		return fmt.Errorf("%s folder of %q does not exist", sideName(s), p)
	}
	if q, clash := t.taken(p, ident); clash {
		return fmt.Errorf("%s name %q is taken by %q", sideName(s), p, q)
	}
	return nil
}

func (ex *simExec) tree(s int) *simTree {
	if s == sideL {
		return ex.w.loc
	}
	return ex.w.rem
}

func sideName(s int) string {
	if s == sideL {
		return "local"
	}
	return "cloud"
}

// node describes side s's node at p as a snapshot would.
func (ex *simExec) node(s int, p string) *Node {
	t := ex.tree(s)
	n := t.nodes[p]
	if n == nil {
		return nil
	}
	nd := &Node{Path: p, IsDir: n.dir, ID: t.id(p, n)}
	if !n.dir {
		nd.Version = n.version
	}
	return nd
}

// snapRemote is a.Remote as exec reports it back. Where the remote's ids are paths, the
// engine records a node's id as its path at that moment (the snapshot's id is stale when a
// folder above it moved in the same pass).
func (ex *simExec) snapRemote(a Action) *Node {
	r := a.Remote
	if r == nil || !ex.w.opt.RemoteIDsArePaths {
		return r
	}
	if p, ok := ex.w.rem.find(ex.ident[sideR][r.ID]); ok && p != r.ID {
		c := *r
		c.ID = p
		return &c
	}
	return r
}

func (ex *simExec) do(a Action) error {
	w := ex.w
	var resL, resR *Node
	hash := ""
	switch a.Op {
	case MkdirLocal, MkdirRemote:
		s := sideL
		if a.Op == MkdirRemote {
			s = sideR
		}
		if err := ex.placeable(s, a.To, -1); err != nil {
			return err
		}
		ex.tree(s).nodes[a.To] = &simNode{ident: w.next(), dir: true}
		resL, resR = a.Local, ex.snapRemote(a)
		if s == sideL {
			resL = ex.node(sideL, a.To)
		} else {
			resR = ex.node(sideR, a.To)
		}
	case MoveLocal, MoveRemote:
		s, nd := sideL, a.Local
		if a.Op == MoveRemote {
			s, nd = sideR, a.Remote
		}
		n, err := ex.at(s, a.Path, nd)
		if err != nil {
			return err
		}
		if strings.HasPrefix(a.To, a.Path+"/") {
			return fmt.Errorf("move into its own subtree")
		}
		if err := ex.placeable(s, a.To, n.ident); err != nil {
			return err
		}
		ex.tree(s).rename(a.Path, a.To)
		resL, resR = a.Local, ex.snapRemote(a)
		if s == sideL {
			resL = ex.node(sideL, a.To)
		} else {
			resR = ex.node(sideR, a.To)
		}
	case Upload:
		ln, err := ex.at(sideL, a.Path, a.Local)
		if err != nil || ln.dir || ln.special {
			return fmt.Errorf("upload source: %v", err)
		}
		if a.Remote != nil {
			rn, err := ex.at(sideR, a.To, a.Remote)
			if err != nil || rn.dir {
				return fmt.Errorf("upload target: %v", err)
			}
			rn.content, rn.version = ln.content, w.version(w.rem)
		} else {
			if err := ex.placeable(sideR, a.To, -1); err != nil {
				return err
			}
			w.rem.nodes[a.To] = &simNode{ident: w.next(), content: ln.content, version: w.version(w.rem)}
		}
		resL, resR, hash = ex.node(sideL, a.Path), ex.node(sideR, a.To), hashOf(ln.content)
	case Download:
		rn, err := ex.at(sideR, a.Path, a.Remote)
		if err != nil || rn.dir {
			return fmt.Errorf("download source: %v", err)
		}
		if a.Local != nil {
			if _, err := ex.at(sideL, a.To, a.Local); err != nil {
				return err
			}
		} else if err := ex.placeable(sideL, a.To, -1); err != nil {
			return err
		}
		// A committed download is a new file (exec renames a temp file over the target).
		w.loc.nodes[a.To] = &simNode{ident: w.next(), content: rn.content, version: w.version(w.loc)}
		resL, resR, hash = ex.node(sideL, a.To), ex.snapRemote(a), hashOf(rn.content)
	case Conflict:
		if err := ex.conflict(a); err != nil {
			return err
		}
		resL, resR = ex.node(sideL, a.To), ex.snapRemote(a)
		if rn := w.rem.nodes[a.Path]; !rn.dir {
			hash = hashOf(rn.content)
		}
	case DeleteLocal, DeleteRemote:
		s, nd := sideL, a.Local
		if a.Op == DeleteRemote {
			s, nd = sideR, a.Remote
		}
		if _, err := ex.at(s, a.Path, nd); err != nil {
			return err
		}
		ex.tree(s).remove(a.Path)
		resL, resR = a.Local, ex.snapRemote(a)
		if s == sideL {
			resL = nil
		} else {
			resR = nil
		}
	case Record:
		if a.Local != nil {
			if _, err := ex.at(sideL, a.To, a.Local); err != nil {
				return err
			}
		}
		if a.Remote != nil {
			if _, err := ex.at(sideR, a.To, a.Remote); err != nil {
				return err
			}
		}
		resL, resR = ex.node(sideL, a.To), ex.node(sideR, a.To)
		if a.Local != nil {
			hash = a.Local.Hash
		}
	case Fail:
		for s, nd := range []*Node{a.Local, a.Remote} {
			if nd != nil {
				ex.failed[s][ex.ident[s][nd.ID]] = true
			}
		}
		return nil
	case Forget, Exclude, MarkGone:
		resL, resR = a.Local, ex.snapRemote(a)
	default:
		return fmt.Errorf("unknown op")
	}
	ex.record(a, resL, resR, hash)
	return nil
}

// conflict: the cloud's version takes local To; a different local version is kept as a
// conflict copy (a local folder in the way leaves with its subtree).
func (ex *simExec) conflict(a Action) error {
	w := ex.w
	rn, err := ex.at(sideR, a.Path, a.Remote)
	if err != nil {
		return err
	}
	if a.Local == nil {
		if err := ex.placeable(sideL, a.To, -1); err != nil {
			return err
		}
	} else {
		ln, err := ex.at(sideL, a.To, a.Local)
		if err != nil {
			return err
		}
		switch {
		case ln.dir && rn.dir:
			return nil // folders merge
		case !ln.dir && !rn.dir && ln.content == rn.content:
			return nil // identical
		}
		for _, n := range w.loc.remove(a.To) {
			if !n.dir && !n.special {
				w.copies = append(w.copies, n.content)
			}
		}
	}
	if rn.dir {
		w.loc.nodes[a.To] = &simNode{ident: w.next(), dir: true}
	} else {
		w.loc.nodes[a.To] = &simNode{ident: w.next(), content: rn.content, version: w.version(w.loc)}
	}
	return nil
}

// record updates the base as the engine does with a result.
func (ex *simExec) record(a Action, l, r *Node, hash string) {
	w := ex.w
	b := w.base[a.Key]
	switch a.Op {
	case Forget:
		delete(w.base, a.Key)
		return
	case Exclude:
		if b != nil {
			b.Excluded = true
			if r != nil {
				b.RemoteID, b.RemoteVersion = r.ID, r.Version
			}
		}
		return
	case MarkGone:
		if b != nil {
			b.RemoteGone = true
			if l != nil {
				b.LocalID, b.LocalVersion = l.ID, l.Version
			}
		}
		return
	}
	if l == nil && r == nil {
		if a.Key != "" {
			delete(w.base, a.Key)
		}
		return
	}
	if b == nil {
		w.keySeq++
		b = &Base{Key: fmt.Sprintf("k%d", w.keySeq)}
		if a.Key != "" {
			b.Key = a.Key
		}
		w.base[b.Key] = b
	}
	if (a.Op == MoveLocal || a.Op == MoveRemote) && a.IsDir && b.Path != a.To {
		// A folder moved: the items below it follow (see Base.Path).
		old := b.Path
		for _, c := range w.base {
			if strings.HasPrefix(c.Path, old+"/") {
				c.Path = a.To + strings.TrimPrefix(c.Path, old)
				if w.opt.RemoteIDsArePaths && strings.HasPrefix(c.RemoteID, old+"/") {
					c.RemoteID = a.To + strings.TrimPrefix(c.RemoteID, old)
				}
			}
		}
	}
	b.Path, b.IsDir = a.To, a.IsDir
	b.LocalID, b.LocalVersion, b.RemoteID, b.RemoteVersion = "", "", "", ""
	if l != nil {
		b.LocalID, b.LocalVersion, b.IsDir = l.ID, l.Version, l.IsDir
	}
	if r != nil {
		b.RemoteID, b.RemoteVersion, b.IsDir = r.ID, r.Version, r.IsDir
	}
	if hash != "" {
		b.Hash = hash
	}
	if l != nil && r != nil {
		b.RemoteGone, b.LocalGone = false, false
	}
	if b.IsDir {
		b.Hash = ""
	}
}
