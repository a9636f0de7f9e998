package syncer

import (
	"fmt"
	"path"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// The empty-listing guard of cloud subfolders (FAILURE-MODES 2). The set's root has its
// own guard in listRemote (an empty listing stops the whole set); this one is for the
// folders below it, and its rule is:
//
// A cloud folder below the root that is listed itself but with nothing below it, while the
// base has more than Config.MassDeleteMin synced items below it (10 by default), is not
// believed. Its items stay as the base knows them (no local deletion, no target_deleted),
// the folder is marked failed (target_deleted, the details say what the listing answered)
// and the rest of the set syncs. The hold ends by itself as soon as a listing shows anything
// below the folder again (items missing then are deletions like any other, under the
// set-wide mass-delete threshold), or when the user confirms with Request Sync (on the
// folder or the set): then the deletions go ahead. A folder emptied of no more than
// MassDeleteMin items is believed at once, since emptying a small folder in the cloud is a
// common edit.
//
// The count is per folder, not per set, because an odd answer comes per folder (a Nextcloud
// external storage that is down lists as an empty folder; a server glitch answers one
// PROPFIND with nothing): in a set of 100,000 items a subfolder of 1,000 is 1 %, far below
// the set-wide 50 % threshold, and its loss would be no less real.

// holdEmptied applies the rule to the listed nodes: it returns them completed with the base
// of every held folder's items, and records the held folders in p.held (folder → items).
func (p *pass) holdEmptied(nodes []plan.Node) []plan.Node {
	p.held = nil
	if p.force {
		return nodes
	}
	listed := map[string]bool{} // folders listed
	full := map[string]bool{}   // folders with something listed below them
	for _, n := range nodes {
		if n.IsDir {
			listed[n.Path] = true
		}
		for d := parentOf(n.Path); d != "" && !full[d]; d = parentOf(d) {
			full[d] = true
		}
	}
	below := map[string]int{} // listed-empty folder → synced items the base has below it
	for _, it := range p.items {
		if !it.HasBase || it.Remote.Gone || it.Remote.Excl || it.Local.Excl {
			continue
		}
		for d := parentOf(it.Path); d != ""; d = parentOf(d) {
			if listed[d] && !full[d] {
				below[d]++
			}
		}
	}
	for d, n := range below {
		if n > p.e.cfg.MassDeleteMin {
			if p.held == nil {
				p.held = map[string]int{}
			}
			p.held[d] = n
		}
	}
	if len(p.held) == 0 {
		return nodes
	}
	for d := range p.held { // the outermost held folder speaks for the ones inside it
		for q := parentOf(d); q != ""; q = parentOf(q) {
			if _, ok := p.held[q]; ok {
				delete(p.held, d)
				break
			}
		}
	}
	for _, it := range p.items {
		if it.HasBase && !it.Remote.Gone && !it.Remote.Excl && !it.Local.Excl && p.inHeld(it.Path) && !p.held0(it.Path) {
			nodes = append(nodes, plan.Node{Path: it.Path, IsDir: it.IsDir, ID: it.Remote.ID, Version: it.Remote.Version,
				Size: it.Remote.Size, Hash: it.Remote.Hash})
		}
	}
	return nodes
}

// inHeld reports whether q lies below a held folder.
func (p *pass) inHeld(q string) bool {
	for d := parentOf(q); d != ""; d = parentOf(d) {
		if _, ok := p.held[d]; ok {
			return true
		}
	}
	return false
}

// held0 reports whether q is a held folder itself (listed, so not to be added again).
func (p *pass) held0(q string) bool {
	_, ok := p.held[q]
	return ok
}

// keepHeldListing drops the held folders' subtrees from a listing before it is kept for the
// next one (remotes reuse the subtrees of unchanged folders): an odd answer must not outlive
// the pass that got it.
func (p *pass) keepHeldListing(entries []remote.Entry) []remote.Entry {
	if len(p.held) == 0 {
		return entries
	}
	out := make([]remote.Entry, 0, len(entries))
	for _, en := range entries {
		q := remote.Clean(en.Path)
		if !p.held0(q) && !p.inHeld(q) {
			out = append(out, en)
		}
	}
	return out
}

// heldFailure is the Fail action of a held folder.
func (p *pass) heldFailure(d string, id int) plan.Action {
	a := plan.Action{ID: id, Op: plan.Fail, Path: d, To: d, IsDir: true, Reason: remote.ReasonTargetDeleted,
		Note: fmt.Sprintf("the cloud folder answered with an empty listing although %d items were synced below it; "+
			"nothing was deleted here. If it really was emptied, confirm with Request Sync on it", p.held[d])}
	for _, it := range p.items {
		if it.HasBase && it.Path == d {
			a.Key = it.Key
		}
	}
	return a
}

func parentOf(q string) string {
	if d := path.Dir(q); d != "." && d != "/" {
		return d
	}
	return ""
}
