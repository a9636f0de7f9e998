package syncer

import (
	"errors"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// One unreadable subfolder or file fails that item, not the whole set (SPEC §4). The scan
// reports what it could not read (exec.ScanOptions.Unreadable) and goes on; the pass then
//   - keeps the synced items below an unreadable folder in the local snapshot as the base
//     knows them, so their absence is never read as local deletions (their cloud copies
//     stay; a cloud change below still comes down, or fails there by itself);
//   - leaves out an unreadable folder that never synced (nothing of it is known, nothing is
//     created in the cloud);
//   - fails the unreadable item itself (permission_denied, or local_io for other errors),
//     and clears that failure once a pass reads it again and finds nothing to do for it.

// underUnreadable reports whether set-relative path q is an unreadable path or below one.
func (p *pass) underUnreadable(q string) bool {
	for u := range p.unreadable {
		if q == u || strings.HasPrefix(q, u+"/") {
			return true
		}
	}
	return false
}

// keepUnreadable completes the local snapshot for the unreadable paths (see above).
func (p *pass) keepUnreadable(nodes []plan.Node) []plan.Node {
	if len(p.unreadable) == 0 {
		return nodes
	}
	synced := make(map[string]model.Item, len(p.items)) // by local id
	for _, it := range p.items {
		if it.HasBase && it.Local.ID != "" {
			synced[it.Local.ID] = it
		}
	}
	ids := make(map[string]bool, len(nodes))
	at := make(map[string]bool, len(nodes))
	// An unreadable synced folder renamed or moved since (found by id) holds its items at
	// its new path: base path → path now.
	moved := map[string]string{}
	out := nodes[:0]
	for _, n := range nodes {
		if _, bad := p.unreadable[n.Path]; bad {
			it, ok := synced[n.ID]
			if !p.basePaths[n.Path] && !ok {
				continue // never synced (not even under another path): left out
			}
			if ok && it.Path != n.Path {
				moved[it.Path] = n.Path
			}
		}
		ids[n.ID], at[n.Path] = true, true
		out = append(out, n)
	}
	for _, it := range p.items {
		if !it.HasBase || it.Local.ID == "" || it.Local.Gone || it.Local.Excl || it.Remote.Excl || ids[it.Local.ID] {
			continue
		}
		now := it.Path
		for from, to := range moved {
			if rest, ok := strings.CutPrefix(it.Path, from+"/"); ok {
				now = to + "/" + rest
			}
		}
		if at[now] || !p.underUnreadable(now) {
			continue
		}
		out = append(out, plan.Node{Path: now, IsDir: it.IsDir, ID: it.Local.ID, Version: it.Local.Version,
			Size: it.Local.Size, Hash: it.Hash})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// failUnreadable adds a Fail action for each unreadable path and each cloud folder the
// empty-listing guard holds (emptyguard.go), and clears such failures of items that are
// readable or listed again and need nothing (pl is the plan as reconciled: an item it has no
// action for agrees with its base on both sides). An unreadable path is a path in the local
// folder: the item there is the one with its local id, shown there (shownPath), which
// below a folder whose cloud move failed, or moved since, is not its path. Matched by its
// path, it was cleared while unreadable and a failure record of no item was made beside it,
// both listed at the same place; cleared once readable, it keeps the local path noted (it
// is still not where the cloud has it: pending there until the move).
//
// An unreadable item the plan fails already (a cloud move of the folder onto a name taken
// in the local folder: name_clash) keeps the plan's failure, the one that waits for the
// user: a second Fail of the same item made its reason the one recorded last, which hung
// on the order the parallel workers finished in (at one worker permission_denied, and both
// failures notified again on every pass).
func (p *pass) failUnreadable(pl plan.Plan) plan.Plan {
	acted, planFailed := map[string]bool{}, map[string]bool{}
	next := 0
	for _, a := range pl.Actions {
		acted["k:"+a.Key], acted["p:"+a.Path], acted["p:"+a.To] = true, true, true
		if a.Op == plan.Fail && a.Key != "" {
			planFailed[a.Key] = true
		}
		next = max(next, a.ID+1)
	}
	var unreadable []plan.Action // their Fail actions
	if p.unreadableKeys == nil {
		p.unreadableKeys = map[string]bool{} // no failure of theirs is cleared (nor by record)
	}
	paths := make([]string, 0, len(p.unreadable))
	for u := range p.unreadable {
		paths = append(paths, u)
	}
	sort.Strings(paths)
	for _, u := range paths {
		err := p.unreadable[u]
		reason := remote.ReasonLocalIO
		if errors.Is(err, fs.ErrPermission) {
			reason = remote.ReasonPermissionDenied
		}
		a := plan.Action{ID: next, Op: plan.Fail, Path: u, To: u, Reason: reason, Note: "cannot be read here: " + err.Error()}
		next++
		n, err := p.lfs.Stat(u)
		if err == nil {
			a.IsDir = n.IsDir
		}
		for _, it := range p.items { // the synced item there: by its local id, else the one shown there
			if it.HasBase && (err == nil && n.ID != "" && it.Local.ID == n.ID || err != nil && shownPath(it) == u) {
				a.Key, a.IsDir = it.Key, it.IsDir
			}
		}
		if a.Key != "" {
			p.unreadableKeys[a.Key] = true
		}
		if !planFailed[a.Key] {
			unreadable = append(unreadable, a)
		}
	}
	var clear []model.Item
	for _, it := range p.items {
		if it.HasBase && it.Status == model.StatusFailed && !it.Local.Gone && !it.Remote.Gone &&
			(it.Reason == remote.ReasonPermissionDenied || it.Reason == remote.ReasonLocalIO ||
				it.Reason == remote.ReasonTargetDeleted || it.Reason == remote.ReasonMovedOut) &&
			!acted["k:"+it.Key] && !p.unreadableKeys[it.Key] && !p.underUnreadable(it.Path) && !p.held0(it.Path) && p.movedOut[it.Path] == "" {
			it.Status, it.Reason, it.Details, it.Attempts, it.NextRetry, it.Notified = model.StatusSynced, "", "", 0, time.Time{}, false
			clear = append(clear, it)
			p.items[it.Key] = it
		}
	}
	if len(clear) > 0 {
		if err := p.e.cfg.Store.PutItems(p.s.ID, clear, nil); err != nil {
			p.e.cfg.Log.Error("clearing failures of items readable again", "set", p.s.ID, "err", err)
		}
	}
	pl.Actions = append(pl.Actions, unreadable...)
	held := make([]string, 0, len(p.held))
	for d := range p.held {
		held = append(held, d)
	}
	sort.Strings(held)
	for _, d := range held {
		pl.Actions = append(pl.Actions, p.heldFailure(d, next))
		next++
	}
	moved := make([]string, 0, len(p.movedOut))
	for q := range p.movedOut {
		moved = append(moved, q)
	}
	sort.Strings(moved)
	for _, q := range moved {
		pl.Actions = append(pl.Actions, p.movedOutFailure(q, p.movedOut[q], next))
		next++
	}
	return pl
}
