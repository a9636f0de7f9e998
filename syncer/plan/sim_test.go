package plan

import (
	"fmt"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
)

// The simulated world of the property test: a local and a remote tree, the base an engine
// would keep (recorded from each action's result as exec reports it), and the places where
// content can survive besides the trees (conflict copies).

type simNode struct {
	ident   int // identity across moves; a recreated item gets a new one
	dir     bool
	content string
	version string
	special bool
}

type simTree struct {
	remote  bool
	pathIDs bool
	fold    func(string) string
	nodes   map[string]*simNode
}

func newTree(remote, pathIDs bool, fold func(string) string) *simTree {
	if fold == nil {
		fold = func(s string) string { return s }
	}
	return &simTree{remote: remote, pathIDs: pathIDs, fold: fold, nodes: map[string]*simNode{}}
}

func (t *simTree) clone() *simTree {
	c := newTree(t.remote, t.pathIDs, t.fold)
	for p, n := range t.nodes {
		nn := *n
		c.nodes[p] = &nn
	}
	return c
}

func (t *simTree) paths() []string {
	out := make([]string, 0, len(t.nodes))
	for p := range t.nodes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// id is the node id a scan or listing reports for n at p.
func (t *simTree) id(p string, n *simNode) string {
	switch {
	case t.remote && t.pathIDs:
		return p
	case t.remote:
		return fmt.Sprintf("R%d", n.ident)
	}
	return fmt.Sprintf("L%d", n.ident)
}

func (t *simTree) isDir(p string) bool {
	if p == "" {
		return true
	}
	n := t.nodes[p]
	return n != nil && n.dir
}

// taken returns the path of a node other than ident whose name folds like p's.
func (t *simTree) taken(p string, ident int) (string, bool) {
	dir, key := dirOf(p), t.fold(path.Base(p))
	for _, q := range t.paths() {
		if dirOf(q) == dir && t.fold(path.Base(q)) == key && t.nodes[q].ident != ident {
			return q, true
		}
	}
	return "", false
}

// subtree lists p and the paths below it.
func (t *simTree) subtree(p string) []string {
	var out []string
	for _, q := range t.paths() {
		if q == p || strings.HasPrefix(q, p+"/") {
			out = append(out, q)
		}
	}
	return out
}

func (t *simTree) remove(p string) []*simNode {
	var out []*simNode
	for _, q := range t.subtree(p) {
		out = append(out, t.nodes[q])
		delete(t.nodes, q)
	}
	return out
}

func (t *simTree) rename(from, to string) {
	for _, q := range t.subtree(from) {
		n := t.nodes[q]
		delete(t.nodes, q)
		t.nodes[to+strings.TrimPrefix(q, from)] = n
	}
}

func (t *simTree) find(ident int) (string, bool) {
	for p, n := range t.nodes {
		if n.ident == ident {
			return p, true
		}
	}
	return "", false
}

func hashOf(content string) string { return "h-" + content }

// snapshot is the scan (local) or listing (remote) of the tree. The local scan hashes
// every file; the remote gives hashes only when withHash.
func (t *simTree) snapshot(withHash bool) []Node {
	var out []Node
	for _, p := range t.paths() {
		n := t.nodes[p]
		nd := Node{Path: p, IsDir: n.dir, ID: t.id(p, n), Unsupported: n.special}
		if !n.dir && !n.special {
			nd.Version, nd.Size = n.version, int64(len(n.content))
			if !t.remote || withHash {
				nd.Hash = hashOf(n.content)
			}
		}
		out = append(out, nd)
	}
	return out
}

type world struct {
	rng      *rand.Rand
	opt      Options
	withHash bool
	loc, rem *simTree
	seq      int
	keySeq   int
	base     map[string]*Base
	copies   []string // contents kept in local conflict copies
	written  map[string]bool
}

func (w *world) next() int { w.seq++; return w.seq }

var simNames = []string{"a", "b", "c", "A", "B", "x.txt", "X.txt", "y.doc"}

func (w *world) pick(list []string) string { return list[w.rng.IntN(len(list))] }

// newWorld builds a synced tree of up to 30 nodes, depth ≤ 4, with its base.
func newWorld(rng *rand.Rand, opt Options, withHash bool) *world {
	w := &world{rng: rng, opt: opt, withHash: withHash, base: map[string]*Base{}, written: map[string]bool{}}
	w.loc = newTree(false, false, opt.LocalFoldName)
	w.rem = newTree(true, opt.RemoteIDsArePaths, opt.FoldName)
	n := rng.IntN(31)
	for range n {
		parent := w.pickFolder(w.loc)
		p := joinPath(parent, w.pick(simNames))
		if _, ok := w.loc.nodes[p]; ok || depth(p) >= 4 {
			continue
		}
		if _, clash := w.rem.taken(p, -1); clash {
			continue
		}
		if _, clash := w.loc.taken(p, -1); clash {
			continue
		}
		dir := rng.IntN(3) == 0
		content := ""
		if !dir {
			content = fmt.Sprintf("c%d", w.next())
		}
		ln := &simNode{ident: w.next(), dir: dir, content: content, version: fmt.Sprintf("v%d", w.next())}
		rn := &simNode{ident: w.next(), dir: dir, content: content, version: fmt.Sprintf("e%d", w.next())}
		if dir {
			ln.version, rn.version = "", ""
		}
		w.loc.nodes[p], w.rem.nodes[p] = ln, rn
		w.keySeq++
		b := &Base{Key: fmt.Sprintf("k%d", w.keySeq), Path: p, IsDir: dir,
			LocalID: w.loc.id(p, ln), LocalVersion: ln.version, RemoteID: w.rem.id(p, rn), RemoteVersion: rn.version}
		if !dir {
			b.Hash = hashOf(content)
		}
		w.base[b.Key] = b
	}
	return w
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// pickFolder returns the root or a random folder of t.
func (w *world) pickFolder(t *simTree) string {
	dirs := []string{""}
	for _, p := range t.paths() {
		if t.nodes[p].dir {
			dirs = append(dirs, p)
		}
	}
	return dirs[w.rng.IntN(len(dirs))]
}

func (w *world) pickNode(t *simTree, files bool) (string, *simNode) {
	var list []string
	for _, p := range t.paths() {
		if n := t.nodes[p]; !n.special && (!files || !n.dir) {
			list = append(list, p)
		}
	}
	if len(list) == 0 {
		return "", nil
	}
	p := list[w.rng.IntN(len(list))]
	return p, t.nodes[p]
}

// canPlace reports whether a user could create or move ident to p in t.
func canPlace(t *simTree, p string, ident int) bool {
	if p == "" || depth(p) >= 5 || !t.isDir(dirOf(p)) {
		return false
	}
	_, clash := t.taken(p, ident)
	return !clash
}

func (w *world) newFile(t *simTree) *simNode {
	c := fmt.Sprintf("c%d", w.next())
	w.written[c] = true
	return &simNode{ident: w.next(), content: c, version: w.version(t)}
}

func (w *world) version(t *simTree) string {
	if t.remote {
		return fmt.Sprintf("e%d", w.next())
	}
	return fmt.Sprintf("v%d", w.next())
}

// edit makes one random user change on t, as a person or another program would.
func (w *world) edit(t *simTree) string {
	rng := w.rng
	names := simNames
	if !t.remote && rng.IntN(6) == 0 {
		names = append([]string{"q?"}, simNames...) // a name the remote may refuse
	}
	switch op := rng.IntN(12); op {
	case 0, 1: // create a file
		p := joinPath(w.pickFolder(t), w.pick(names))
		if n := w.newFile(t); canPlace(t, p, n.ident) {
			t.nodes[p] = n
			return "create " + p
		}
	case 2: // create a folder
		p := joinPath(w.pickFolder(t), w.pick(names))
		if n := (&simNode{ident: w.next(), dir: true}); canPlace(t, p, n.ident) {
			t.nodes[p] = n
			return "mkdir " + p
		}
	case 3, 4: // edit a file in place
		if p, n := w.pickNode(t, true); n != nil {
			n.content = fmt.Sprintf("c%d", w.next())
			w.written[n.content] = true
			n.version = w.version(t)
			return "edit " + p
		}
	case 5: // delete
		if p, n := w.pickNode(t, false); n != nil {
			t.remove(p)
			return "delete " + p
		}
	case 6: // rename in place
		if p, n := w.pickNode(t, false); n != nil {
			q := joinPath(dirOf(p), w.pick(names))
			if canPlace(t, q, n.ident) && q != p {
				t.rename(p, q)
				return "rename " + p + " " + q
			}
		}
	case 7: // move into another folder (maybe its own subtree: refused like a real FS)
		if p, n := w.pickNode(t, false); n != nil {
			q := joinPath(w.pickFolder(t), path.Base(p))
			if q != p && !strings.HasPrefix(q, p+"/") && canPlace(t, q, n.ident) {
				t.rename(p, q)
				return "move " + p + " " + q
			}
		}
	case 8: // case-only rename
		if p, n := w.pickNode(t, false); n != nil {
			b := path.Base(p)
			nb := strings.ToUpper(b[:1]) + b[1:]
			if nb == b {
				nb = strings.ToLower(b[:1]) + b[1:]
			}
			q := joinPath(dirOf(p), nb)
			if q != p && canPlace(t, q, n.ident) {
				t.rename(p, q)
				return "case " + p + " " + q
			}
		}
	case 9: // file ⇄ folder
		if p, n := w.pickNode(t, false); n != nil {
			t.remove(p)
			if n.dir {
				t.nodes[p] = w.newFile(t)
			} else {
				t.nodes[p] = &simNode{ident: w.next(), dir: true}
			}
			return "kind " + p
		}
	case 10: // local: safe save (new id, new content) or touch (new mtime only)
		if p, n := w.pickNode(t, true); n != nil && !t.remote {
			if rng.IntN(2) == 0 {
				nn := w.newFile(t)
				t.nodes[p] = nn
				return "safesave " + p
			}
			n.version = w.version(t)
			return "touch " + p
		}
	case 11: // odd names: a symlink locally, an invalid name in the cloud
		if rng.IntN(3) == 0 {
			p := joinPath(w.pickFolder(t), "odd")
			if !t.remote {
				n := &simNode{ident: w.next(), special: true}
				if canPlace(t, p, n.ident) {
					t.nodes[p] = n
					return "symlink " + p
				}
			} else if q := joinPath(w.pickFolder(t), `a\b`); canPlace(t, q, 0) {
				t.nodes[q] = w.newFile(t)
				return "badname " + q
			}
		}
	}
	return ""
}

// bases returns the base as the engine would pass it.
func (w *world) bases() []Base {
	keys := make([]string, 0, len(w.base))
	for k := range w.base {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Base, 0, len(keys))
	for _, k := range keys {
		out = append(out, *w.base[k])
	}
	return out
}

func (w *world) input() Input {
	return Input{Base: w.bases(), Local: w.loc.snapshot(true), Remote: w.rem.snapshot(w.withHash), Options: w.opt}
}
