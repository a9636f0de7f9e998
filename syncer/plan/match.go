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
		if n := byVersion[v][0]; free[n.Path] == n && sameContent(it.base, n) {
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

// sameContent reports whether remote file n, found with base b's remote version at another
// path, holds b's content, so that pairing them as a move is safe. Where versions are only
// mtime+size (x/net/webdav, Apache, rclone), two different files of equal size written in
// the same tick share one, so the version alone proves nothing: the sizes must agree, and
// the hashes when both are known; without n's hash only a file that kept its name (its
// folder moved or it moved to another folder) is trusted. The engine hashes the other
// candidates before planning (see MoveCandidates).
func sameContent(b *Base, n *Node) bool {
	switch {
	case b.RemoteSize != 0 && n.Size != b.RemoteSize:
		return false
	case n.Hash != "" && b.Hash != "":
		return n.Hash == b.Hash
	}
	return path.Base(n.Path) == path.Base(b.Path)
}

// MoveCandidates lists the remote files whose pairing as a move needs their content hash
// (see sameContent) on a remote whose ids are paths: files without a hash whose version is
// the base remote version of a file that vanished from the listing, under another name. It
// may list more than Reconcile would pair; the engine hashes them (a download each) and
// puts the hash in their nodes before calling Reconcile. Without RemoteIDsArePaths it
// returns nil.
func MoveCandidates(in Input) []string {
	if !in.Options.RemoteIDsArePaths {
		return nil
	}
	listed := make(map[string]bool, len(in.Remote))
	for _, n := range in.Remote {
		listed[n.ID] = true
	}
	names := map[string][]string{} // remote version → names of the vanished base files
	for _, b := range in.Base {
		if !b.IsDir && !b.RemoteGone && !b.Excluded && b.RemoteVersion != "" && !listed[b.RemoteID] {
			names[b.RemoteVersion] = append(names[b.RemoteVersion], path.Base(b.Path))
		}
	}
	if len(names) == 0 {
		return nil
	}
	claimed := make(map[string]bool, len(in.Base))
	for _, b := range in.Base {
		claimed[b.RemoteID] = true
	}
	var out []string
	for _, n := range in.Remote {
		if n.IsDir || n.Hash != "" || claimed[n.ID] {
			continue
		}
		for _, name := range names[n.Version] {
			if name != path.Base(n.Path) {
				out = append(out, n.Path)
				break
			}
		}
	}
	sort.Strings(out)
	return out
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
