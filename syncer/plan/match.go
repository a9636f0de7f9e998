package plan

import (
	"path"
	"sort"
)

// Matching a base item whose node vanished on one side to a node with another id: the
// remote-move detection for remotes whose ids are paths, and the place (peer path) where
// an item's node of one side would be on the other.

// matchPathMoves pairs base items whose remote node vanished with a new remote node when
// the remote's ids are paths (rule: a remote move looks like delete + create). A file is
// paired with the only new file of the same version when it is the only candidate for
// it; a folder with the new folder all its paired children went to; anything else with
// the new node at the same place under its (paired) parent.
func (st *state) matchPathMoves(bases []*item, free map[string]*Node, take func(int, *item, *Node, string)) {
	var lost []*item
	for _, it := range bases {
		if it.n[sideR] == nil && !it.base.RemoteGone {
			lost = append(lost, it)
		}
	}
	byVersion := map[string][]*Node{}
	var freeList []*Node
	for _, n := range free {
		freeList = append(freeList, n)
	}
	sort.Slice(freeList, func(i, j int) bool { return freeList[i].Path < freeList[j].Path })
	for _, n := range freeList {
		if !n.IsDir && n.Version != "" {
			byVersion[n.Version] = append(byVersion[n.Version], n)
		}
	}
	wanted := map[string]int{}
	for _, it := range lost {
		if !it.base.IsDir && it.base.RemoteVersion != "" {
			wanted[it.base.RemoteVersion]++
		}
	}
	for _, it := range lost {
		v := it.base.RemoteVersion
		if it.base.IsDir || v == "" || wanted[v] != 1 || len(byVersion[v]) != 1 {
			continue
		}
		if n := byVersion[v][0]; free[n.Path] == n {
			take(sideR, it, n, "moved")
		}
	}
	// Folders, deepest first: the new folder holding every paired child.
	sort.SliceStable(lost, func(i, j int) bool { return depth(lost[i].base.Path) > depth(lost[j].base.Path) })
	for _, it := range lost {
		if !it.base.IsDir || it.n[sideR] != nil {
			continue
		}
		votes := map[string]int{}
		for _, c := range bases {
			byBase := dirOf(c.base.Path) == it.base.Path && c.attach[sideR] == "moved"
			byLocal := it.n[sideL] != nil && c.n[sideL] != nil && dirOf(c.n[sideL].Path) == it.n[sideL].Path
			if c.n[sideR] == nil || !byBase && !byLocal {
				continue
			}
			if d := dirOf(c.n[sideR].Path); d != "" && free[d] != nil && free[d].IsDir {
				if byBase {
					votes[d] += 2
				}
				if byLocal {
					votes[d]++
				}
			}
		}
		best, bestN, tie := "", 0, false
		for d, n := range votes {
			switch {
			case n > bestN || n == bestN && d < best:
				tie = n == bestN
				best, bestN = d, n
			case n == bestN:
				tie = true
			}
		}
		if best != "" && !tie {
			take(sideR, it, free[best], "moved")
		}
	}
	// Anything else: at its place under its paired parent (parents first).
	sort.SliceStable(lost, func(i, j int) bool { return depth(lost[i].base.Path) < depth(lost[j].base.Path) })
	for _, it := range lost {
		if it.n[sideR] != nil {
			continue
		}
		// The parent: by the base path, or (base paths of children go stale when their
		// folder moves) the parent of the local node.
		var parents []*item
		if d := dirOf(it.base.Path); d != "" {
			parents = append(parents, st.byPath[d])
		}
		if l := it.n[sideL]; l != nil && dirOf(l.Path) != "" {
			parents = append(parents, st.nodeItem[sideL][dirOf(l.Path)])
		}
		for _, p := range parents {
			if p == nil || p.n[sideR] == nil {
				continue
			}
			want := p.n[sideR].Path + "/" + path.Base(it.base.Path)
			if n := free[want]; n != nil && n.IsDir == it.base.IsDir {
				take(sideR, it, n, "moved")
				break
			}
		}
		// Or renamed like the local node: at the local node's place.
		if l := it.n[sideL]; it.n[sideR] == nil && l != nil {
			if n := free[st.peerPath(sideL, l)]; n != nil && n.IsDir == it.base.IsDir {
				take(sideR, it, n, "moved")
			}
		}
	}
}

// peerPath is where node n of side s would be on the other side: under the other side's
// node of n's parent item, with n's name ("" when that parent has no node there).
func (st *state) peerPath(s int, n *Node) string {
	d := dirOf(n.Path)
	if d == "" {
		return n.Path
	}
	p := st.nodeItem[s][d]
	if p == nil || p.n[1-s] == nil {
		return ""
	}
	return p.n[1-s].Path + "/" + path.Base(n.Path)
}
