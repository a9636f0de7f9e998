package syncer

import (
	"fmt"
	"sort"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Documents sets (SPEC §1). Membership is fixed at creation: the chosen documents, then the
// items paired with them (by local file id and cloud id, so a rename keeps them). A set's
// home is the folder they were chosen from with its subfolders, and the cloud folder with
// its subfolders: a document moved anywhere inside its home, on either side, stays paired
// and moves on the other side too. Other files of the home are never read, listed to the
// planner or touched.
//
// The folders a document sits in are items of the set too (the planner needs a document's
// parent on both sides), with one rule folder sets do not have: a documents set never
// deletes a folder on either side, since it may hold files that are not the set's. A folder
// gone on one side is kept in the snapshot as the base knows it; it leaves the set once no
// document is in it on either side (both snapshots then leave it out: bookkeeping only).
//
// A pass reads only the folders the documents are in (exec.ScanOptions.Select); it walks the
// whole home when one of them is missing from its place, when the watcher asks for a rescan
// (its periodic one, an overflow, a change at a document's path) and at the engine's start.
//
// A document that vanishes from its home locally is deleted in the cloud only when it went
// to the desktop trash (exec.TrashFinder: a deletion in a file manager, allowed by the set's
// "allow deletion on cloud" option). Otherwise it was moved out of its home, or removed in a
// way that leaves no trace: it is never deleted in the cloud for that. It shows as
// moved_out (local only, in Synced with errors, no retry timer), stays in the snapshot as
// the base knows it, and is paired again when a scan finds it back (by its file id); Unsync
// forgets it.

// docSelect is the scan's Select of a documents set: its member documents, and the folders
// to walk: every folder of the home when whole, else only those its documents are in (and
// their parents), as the base and the chosen paths know them.
func (p *pass) docSelect(known map[string]model.Item, whole bool) func(n plan.Node) bool {
	var places map[string]bool
	if !whole {
		places = map[string]bool{}
		add := func(q string) {
			for d := parentOf(q); d != "" && !places[d]; d = parentOf(d) {
				places[d] = true
			}
		}
		for _, d := range p.s.Documents {
			add(d)
		}
		for _, it := range p.items {
			add(it.Path)
		}
	}
	return func(n plan.Node) bool {
		if n.IsDir {
			return whole || places[n.Path]
		}
		return p.isMember(n, known)
	}
}

// missingMember reports whether a document the set knows in place (not already moved out)
// is absent from a scan of only its documents' folders: it may have moved elsewhere in its
// home, which only a walk of the whole home can tell.
func (p *pass) missingMember(nodes []plan.Node) bool {
	ids := make(map[string]bool, len(nodes))
	at := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		ids[n.ID], at[n.Path] = true, true
	}
	for _, it := range p.items {
		if it.HasBase && !it.IsDir && it.Local.ID != "" && !it.Local.Gone && !it.Local.Excl && !it.Remote.Excl &&
			it.Reason != remote.ReasonMovedOut && !ids[it.Local.ID] && !at[it.Path] {
			return true
		}
	}
	return false
}

// homeSnapshots completes a documents set's snapshots before they are reconciled: the
// documents moved out are kept (and p.movedOut records them), and the folders the documents
// sit in on either side are added, a folder gone on one side being kept as the base knows
// it. local and cloud hold the member documents; p.localDirs and p.cloudDirs every folder
// of the home.
func (p *pass) homeSnapshots(local, cloud []plan.Node) ([]plan.Node, []plan.Node) {
	local = p.keepMovedOut(local)
	baseDir := map[string]model.Item{}
	need := map[string]bool{}
	for _, it := range p.items {
		if it.HasBase && it.IsDir && !it.Local.Excl && !it.Remote.Excl {
			baseDir[it.Path] = it
		}
	}
	for _, nodes := range [][]plan.Node{local, cloud} {
		for _, n := range nodes {
			for d := parentOf(n.Path); d != "" && !need[d]; d = parentOf(d) {
				need[d] = true
			}
		}
	}
	// A base folder gone from its path on one side is kept there, unless it moved to a path
	// the snapshots have (the planner then moves it on the other side).
	lids, cids := map[string]bool{}, map[string]bool{}
	dirs := make([]string, 0, len(need))
	for d := range need {
		dirs = append(dirs, d)
		if n, ok := p.localDirs[d]; ok {
			lids[n.ID] = true
		}
		if n, ok := p.cloudDirs[d]; ok {
			cids[n.ID] = true
		}
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		ln, lok := p.localDirs[d]
		cn, cok := p.cloudDirs[d]
		b, based := baseDir[d]
		switch {
		case based && !lok && cok && !lids[b.Local.ID]:
			ln, lok = plan.Node{Path: d, IsDir: true, ID: b.Local.ID, Version: b.Local.Version}, true
		case based && lok && !cok && !cids[b.Remote.ID]:
			cn, cok = plan.Node{Path: d, IsDir: true, ID: b.Remote.ID, Version: b.Remote.Version}, true
		}
		if lok {
			local = append(local, ln)
		}
		if cok {
			cloud = append(cloud, cn)
		}
	}
	return local, cloud
}

// keepMovedOut finds the documents gone from the local home: those in the desktop trash
// are left out (deleted), the others are kept as the base knows them and recorded in
// p.movedOut.
func (p *pass) keepMovedOut(local []plan.Node) []plan.Node {
	ids := make(map[string]bool, len(local))
	at := make(map[string]bool, len(local))
	for _, n := range local {
		ids[n.ID], at[n.Path] = true, true
	}
	tf, _ := p.lfs.(exec.TrashFinder)
	for _, it := range p.items {
		if !it.HasBase || it.IsDir || it.Local.ID == "" || it.Local.Gone || it.Local.Excl || it.Remote.Excl ||
			ids[it.Local.ID] || at[it.Path] {
			continue
		}
		if tf != nil && p.trashed(tf, it) {
			continue
		}
		if p.movedOut == nil {
			p.movedOut = map[string]string{}
		}
		p.movedOut[it.Path] = it.Key
		local = append(local, plan.Node{Path: it.Path, ID: it.Local.ID, Version: it.Local.Version, Size: it.Local.Size, Hash: it.Hash})
	}
	return local
}

// trashed reports whether item it, or a folder of the home it was in, went to the desktop
// trash since it last synced.
func (p *pass) trashed(tf exec.TrashFinder, it model.Item) bool {
	for q := it.Path; q != ""; q = parentOf(q) {
		if tf.WasTrashed(q, it.LastSync) {
			return true
		}
	}
	return false
}

// movedOutFailure is the Fail action of a document moved out of its home. It names neither
// side's state, so it stays the same while the document is away: recorded once, then the
// item waits (Item.Waits) and nothing else is done for it, whatever happens in the cloud.
func (p *pass) movedOutFailure(rel, key string, id int) plan.Action {
	return plan.Action{ID: id, Op: plan.Fail, Key: key, Path: rel, To: rel, Reason: remote.ReasonMovedOut,
		Note: fmt.Sprintf("it is no longer in %s or a folder below it; the cloud copy is kept", p.s.LocalRoot)}
}

// cloudMember reports whether cloud node n belongs to a documents set: a paired document
// (by id), a chosen one (by path), or on a server whose ids are paths, a file that may be a
// paired document moved in the cloud (the version of one whose path vanished): the planner
// pairs it or leaves it alone.
func (p *pass) cloudMember(n plan.Node, memberIDs map[string]bool, movedVersions map[string]bool) bool {
	return memberIDs[n.ID] || p.isDocPath(n.Path) || !n.IsDir && n.Version != "" && movedVersions[n.Version]
}

// pruneDocuments drops from a documents set's chosen paths those no item holds after a clean
// pass: each chosen document then has its item (membership lives in the items from there
// on, by id), so a path left behind by a document that moved or was deleted must not make a
// new file of that name a member. It reports whether s changed.
func (p *pass) pruneDocuments(s *model.Set) bool {
	if s.Kind != model.KindDocuments {
		return false
	}
	held := map[string]bool{}
	for _, it := range p.items {
		held[it.Path] = true
	}
	keep := s.Documents[:0:0]
	for _, d := range s.Documents {
		if held[d] {
			keep = append(keep, d)
		}
	}
	if len(keep) == len(s.Documents) {
		return false
	}
	s.Documents = keep
	return true
}
