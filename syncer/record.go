package syncer

// record.go turns the executor's results into the items the store keeps (record, failed,
// restore), batched by results; execute.go runs the plan.

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// results are the item records a plan run has not written yet, one per key: the last
// record of a key wins (an item moved below its folder and then deleted in the same batch
// is deleted; the stores apply a batch's puts and deletes in different orders).
type results struct {
	order []string
	recs  map[string]*model.Item // nil: delete
}

func (b *results) put(it model.Item) { b.set(it.Key, &it) }
func (b *results) del(key string)    { b.set(key, nil) }

func (b *results) set(key string, it *model.Item) {
	if b.recs == nil {
		b.recs = map[string]*model.Item{}
	}
	if _, ok := b.recs[key]; !ok {
		b.order = append(b.order, key)
	}
	b.recs[key] = it
}

func (b *results) len() int { return len(b.order) }

// take returns the records to write and starts a new batch.
func (b *results) take() (put []model.Item, del []string) {
	for _, k := range b.order {
		if it := b.recs[k]; it != nil {
			put = append(put, *it)
		} else {
			del = append(del, k)
		}
	}
	b.order, b.recs = b.order[:0], nil
	return put, del
}

// record turns one result into the item to store. drop: delete the item; ok false:
// nothing to record (a race the next pass resolves, or a skipped action).
func (p *pass) record(res exec.Result) (it model.Item, drop, ok bool) {
	e, a := p.e, res.Action
	now := e.cfg.Now()
	it, exists := p.itemFor(a)
	switch {
	case res.Skipped, errors.Is(res.Err, exec.ErrLocalChanged),
		res.Err != nil && res.Reason == remote.ReasonNone && !errors.Is(res.Err, exec.ErrPlannedFailure),
		p.replanRace(res):
		return it, false, false
	case errors.Is(res.Err, remote.ErrAuth):
		e.authFailed(p.s.Account, p.signIns, res.Err)
		return it, false, false
	case errors.Is(res.Err, exec.ErrMetaFailed):
		if mit, ok := p.metaFailed(res); ok {
			return mit, false, true
		}
		return p.failed(it, exists, res), false, true
	case deleteRefused(res, it, exists):
		return p.restore(it, res), false, true
	case res.Err != nil:
		return p.failed(it, exists, res), false, true
	}
	switch a.Op {
	case plan.Forget, plan.DeleteLocal, plan.DeleteRemote:
		return it, true, exists
	case plan.Exclude:
		if a.Local == nil {
			it.Remote.Excl = true
		} else {
			it.Local.Excl = true
		}
		it.Status, it.Reason, it.Details = model.StatusSynced, "", ""
		return it, false, exists
	case plan.MarkGone:
		if a.Remote == nil {
			it.Remote.Gone = true
		} else {
			it.Local.Gone = true
		}
		res.Err = fmt.Errorf("%s was deleted in the cloud; the local copy is kept and no longer synced. "+
			"Request Sync uploads it again, Unsync stops tracking it", a.To)
		return p.failed(it, exists, res), false, true
	}
	// A transfer, move, mkdir, record or conflict: both sides now agree; this is the base.
	moved := exists && it.HasBase && !a.IsDir && (a.Op == plan.MoveLocal || a.Op == plan.MoveRemote)
	wasAt := shownPath(it) // where it was in the folder (a failed move before)
	it.Path, it.IsDir, it.HasBase = a.To, a.IsDir, true
	it.Local.Path = ""
	if res.Local != nil {
		it.Local = recorded(*res.Local, it.Local, it.Hash, moved)
	}
	if res.Remote != nil {
		it.Remote = recorded(p.normalizeRemote(*res.Remote), it.Remote, it.Hash, moved)
	}
	if res.Hash != "" {
		it.Hash = res.Hash
	}
	p.recordMeta(&it, a)
	if !p.unreadableKeys[it.Key] || it.Status != model.StatusFailed { // (an unreadable item stays failed)
		it.Status, it.Reason, it.Details, it.Attempts, it.NextRetry, it.Notified = model.StatusSynced, "", "", 0, time.Time{}, false
	}
	it.LastSync = now
	if !it.Restore {
		it.Note = "" // (a restore keeps the note that says why the item came back)
	}
	it.Restore = false
	if res.ConflictCopy != "" {
		it.Conflicts = append(without(it.Conflicts, res.ConflictCopy), res.ConflictCopy)
		e.emit(Event{Kind: "conflict", Title: "Conflict: " + path.Base(a.To),
			Body: fmt.Sprintf("%s was changed on both sides. The cloud version was kept; your version was saved as %s.",
				a.To, path.Base(res.ConflictCopy)),
			Path: p.abs(res.ConflictCopy), Account: p.s.Account})
	}
	p.lock(&it)
	if a.IsDir && (a.Op == plan.MoveLocal || a.Op == plan.MoveRemote) && a.Path != a.To {
		p.moveBelow(a.Path, a.To, wasAt)
	}
	return it, false, true
}

// moveBelow rewrites the paths (and path ids) of the items below a folder that moved from
// → to, as the planner expects: it finds an item's base parent by path. An item's own
// local path (a failed move below the folder, see shownPath) moves with the folder too, from
// below from or below the folder's path in the local folder before (localFrom: a failed move
// of the folder left it there). The rewritten items are stored with the next flush of the
// pass (through p.moved).
func (p *pass) moveBelow(from, to, localFrom string) {
	for k, it := range p.items {
		rest, ok := strings.CutPrefix(it.Path, from+"/")
		local, lok := under(it.Local.Path, to, from, localFrom)
		if !ok && !lok {
			continue
		}
		if ok {
			it.Path = to + "/" + rest
			if p.pathIDs && it.HasBase && it.Remote.ID != "" {
				it.Remote.ID = remote.Join(p.s.RemoteRoot, it.Path)
			}
		}
		if lok {
			it.Local.Path = local
		}
		if it.Local.Path == it.Path {
			it.Local.Path = ""
		}
		p.items[k] = it
		p.moved = append(p.moved, it)
	}
}

// movedHereBelow notes that the folder whose local side was at one of froms is now at to
// in the local folder while the cloud still has it where it was (its cloud move failed):
// every item below it gets its path in the folder in Local.Path, where Sync Info shows it
// (shownPath), and keeps its path, the base the planner pairs both sides with. The items
// that change are stored with the next flush of the pass (through p.moved).
func (p *pass) movedHereBelow(to string, froms ...string) {
	for k, it := range p.items {
		local, ok := under(shownPath(it), to, froms...)
		if !ok {
			continue
		}
		if local == it.Path {
			local = ""
		}
		if local == it.Local.Path {
			continue // as the last failure left it: nothing to write
		}
		it.Local.Path = local
		p.items[k] = it
		p.moved = append(p.moved, it)
	}
}

// under returns path q moved to folder to when it lies below one of the folders froms.
func under(q, to string, froms ...string) (string, bool) {
	if q == "" {
		return "", false
	}
	for _, from := range froms {
		if rest, ok := strings.CutPrefix(q, from+"/"); ok && from != "" {
			return to + "/" + rest, true
		}
	}
	return "", false
}

// itemFor finds the stored item an action is about: by key, or for an item new on both
// sides by its path (a failure record of an earlier pass), else a fresh item.
func (p *pass) itemFor(a plan.Action) (model.Item, bool) {
	if a.Key != "" {
		if it, ok := p.items[a.Key]; ok {
			return it, true
		}
	}
	for _, pth := range []string{a.To, a.Path} {
		if key, ok := p.unsynced[pth]; ok {
			if it, ok := p.items[key]; ok && !it.HasBase {
				return it, true
			}
		}
	}
	return model.Item{Set: p.s.ID, Key: p.newKey(), Path: a.To, IsDir: a.IsDir}, false
}

// newKey returns a fresh item key. One durable NextKey per pass gives a prefix no other
// pass can have; the items of this pass number under it, so a first sync of 10,000 files
// costs one store round trip for keys, not 10,000.
func (p *pass) newKey() string {
	if p.keyBase == "" {
		k, err := p.e.cfg.Store.NextKey(p.s.ID)
		if err != nil {
			k = fmt.Sprintf("t%019d", time.Now().UnixNano()) // unique enough to record this pass
		}
		p.keyBase = k
	}
	p.keySeq++
	return fmt.Sprintf("%s.%06d", p.keyBase, p.keySeq)
}

// failed marks it failed for res, with back-off, and notifies once per new failure.
func (p *pass) failed(it model.Item, exists bool, res exec.Result) model.Item {
	e, a := p.e, res.Action
	reason := res.Reason
	if reason == remote.ReasonNone {
		reason = remote.ReasonNetwork
	}
	if !exists {
		it.Path, it.IsDir = a.To, a.IsDir
		if it.Path == "" {
			it.Path = a.Path
		}
	}
	wasAt := shownPath(it)
	it.Local.Path = ""
	if exists && it.HasBase && a.Op == plan.MoveRemote && a.To != it.Path {
		it.Local.Path = a.To // moved in the folder, not in the cloud: Sync Info shows it there (shownPath)
		if it.IsDir {
			p.movedHereBelow(a.To, it.Path, wasAt, a.Path) // and so is everything below it
		}
	} else if exists && it.HasBase && a.Op == plan.Fail && a.Key != "" && a.Path != it.Path {
		it.Local.Path = a.Path // where the folder has it (failUnreadable: by its local id)
		if it.IsDir {
			p.movedHereBelow(a.Path, it.Path, wasAt) // and so is everything below it
		}
	}
	details := errDetails(res.Err)
	same := it.Status == model.StatusFailed && it.Reason == reason
	it.Status, it.Reason, it.Details = model.StatusFailed, reason, details
	it.Attempts++
	it.NextRetry, it.Waits = e.cfg.Now().Add(remote.RetryDelay(it.Attempts, p.s.ID+"/"+it.Path, remote.RetryAfterOf(res.Err))), ""
	switch {
	case remote.WaitsForChange(reason):
		it.NextRetry, it.Waits = time.Time{}, fingerprint(a)
	case errors.Is(res.Err, exec.ErrPlannedFailure):
		// The planner (or the scan) finds this again on every pass; no timer holds back
		// the item's other actions once the cause is gone.
		it.NextRetry = time.Time{}
	}
	if !same || !it.Notified {
		it.Notified = true
		shown := shownPath(it)
		e.cfg.Log.Info("an item failed", "set", p.s.ID, "path", shown, "op", a.Op, "reason", reason, "err", details)
		e.emit(Event{Kind: "failure", Title: "Could not sync " + path.Base(shown),
			Body: fmt.Sprintf("%s: %s", shown, reasonText(reason)), Path: p.abs(shown), Account: p.s.Account, Reason: reason})
	}
	return it
}

// reasonText is the one-line explanation of a failure reason shown in notifications.
func reasonText(r remote.Reason) string {
	switch r {
	case remote.ReasonNameClash:
		return "an item with the same name already exists"
	case remote.ReasonInvalidName:
		return "the name is not allowed on the other side"
	case remote.ReasonMissingDestination:
		return "the destination folder no longer exists"
	case remote.ReasonTargetDeleted:
		return "it was deleted in the cloud; the local copy is kept"
	case remote.ReasonPermissionDenied:
		return "permission denied"
	case remote.ReasonQuotaExceeded:
		return "the cloud storage quota is exceeded"
	case remote.ReasonTooLarge:
		return "the file is too large for the cloud"
	case remote.ReasonAuthFailed:
		return "sign-in failed"
	case remote.ReasonLocked:
		return "it is locked by someone else"
	case remote.ReasonUnsupported:
		return "it is a kind of item that is not synced (a symbolic link or special file, or a link or working copy in the cloud)"
	case remote.ReasonNetwork:
		return "the cloud could not be reached; will retry"
	case remote.ReasonLocalIO:
		return "a local read or write failed"
	}
	return string(r)
}

// side is the stored side of a result node, keeping what the node does not say.
func side(n plan.Node, old model.Side) model.Side {
	return model.Side{ID: n.ID, Version: n.Version, Size: n.Size, ModTime: n.ModTime, Hash: n.Hash, Mode: old.Mode, Locked: old.Locked}
}

// recorded is the side to store for a result node. A move records where the item is now,
// not its content: an edit that came with the move (a file renamed and edited between two
// passes) is transferred by the action after the move, which records the new content. Until
// that transfer succeeded the base keeps the content version it had, so that a failed
// transfer is retried instead of the edit being taken as synced (and later overwritten).
func recorded(n plan.Node, old model.Side, hash string, move bool) model.Side {
	s := side(n, old)
	if move && n.Version != old.Version && (n.Hash == "" || n.Hash != hash) {
		s.Version, s.Size, s.ModTime, s.Hash = old.Version, old.Size, old.ModTime, old.Hash
	}
	return s
}

// normalizeRemote makes a path id account-relative, as listings are (see remoteNode). On a
// server whose ids are paths, the id recorded is always the node's path now: a result can
// carry the snapshot the plan listed, whose id is its path before a move in the same pass
// (a file moved, then its cloud edit downloaded), and a stale id would pair the item with
// whatever appears at its old path next pass (plan.Options.RemoteIDsArePaths).
func (p *pass) normalizeRemote(n plan.Node) plan.Node {
	if n.ID == "" || p.pathIDs {
		n.ID = remote.Join(p.s.RemoteRoot, n.Path)
	}
	return n
}

// lock makes a synced local file read-only when the set has "lock on-premise copy" on.
// Folders are left writable so that cloud changes can still be written into them; their
// files are locked as they join.
func (p *pass) lock(it *model.Item) {
	if !p.s.Options.Lock || it.IsDir || it.Local.Locked || it.Local.ID == "" {
		return
	}
	prev, err := p.lfs.SetReadOnly(it.Path, true, 0)
	if err != nil {
		p.e.cfg.Log.Warn("locking local copy", "path", it.Path, "err", err)
		return
	}
	it.Local.Mode, it.Local.Locked = prev, true
}

// put stores one item at once (outside a plan run).
func (p *pass) put(it model.Item) {
	if err := p.e.cfg.Store.PutItems(p.s.ID, []model.Item{it}, nil); err != nil {
		p.e.cfg.Log.Error("storing item", "set", p.s.ID, "err", err)
	}
}

func (p *pass) abs(rel string) string {
	return path.Join(p.s.LocalRoot, rel)
}

// errDetails is the technical detail of a failure: the error and its HTTP status.
func errDetails(err error) string {
	details := err.Error()
	if st := remote.StatusOf(err); st != 0 {
		details += fmt.Sprintf(" [HTTP %d]", st)
	}
	return details
}

// A local delete the cloud refuses (permission denied: a read-only share, an Alfresco site
// role that may not delete someone else's content) is undone, as Alfresco Desktop Sync and
// the Nextcloud client do (FAILURE-MODES 21): the item — a folder with everything below
// it — is downloaded again. Failing it instead left the file missing locally and retried
// the delete on a timer forever. A delete that fails for another reason is an ordinary
// failure (failed), retried with back-off.

// deleteRefused reports whether result res is a refused delete of a synced item.
func deleteRefused(res exec.Result, it model.Item, exists bool) bool {
	return res.Action.Op == plan.DeleteRemote && res.Reason == remote.ReasonPermissionDenied && exists && it.HasBase
}

// restore marks it (and, for a folder, the items below it) to be downloaded again by the
// next pass (Item.Restore, plan.Base.Restore), pending until then, and tells the owner once:
// a log line, a notification and the item's note. It asks for the next pass at once.
func (p *pass) restore(it model.Item, res exec.Result) model.Item {
	e := p.e
	details := errDetails(res.Err)
	what := "file"
	if it.IsDir {
		what = "folder and its content"
	}
	it.Restore = true
	it.Note = fmt.Sprintf("deleted on this computer, but the cloud refused to delete it (permission denied), "+
		"so the %s were restored from the cloud", what)
	if !it.IsDir {
		it.Note = strings.Replace(it.Note, "were", "was", 1)
	}
	it.Status, it.Reason, it.Details = model.StatusPending, "", ""
	it.Attempts, it.NextRetry, it.Waits, it.Notified = 0, time.Time{}, "", false
	units := []model.Item{it}
	if it.IsDir {
		for k, below := range p.items {
			if strings.HasPrefix(below.Path, it.Path+"/") && below.HasBase {
				below.Restore, below.Note = true, fmt.Sprintf("restored with %s, which the cloud refused to delete", it.Path)
				p.items[k] = below
				p.moved = append(p.moved, below) // stored with this result
				units = append(units, below)
			}
		}
	}
	e.mu.Lock()
	for _, u := range units { // pending until the next pass restored them (settle closes the delete's)
		p.r.view.planned.add("k:"+u.Key, u.Path)
	}
	e.mu.Unlock()
	e.cfg.Log.Warn("the cloud refused a delete; the item is restored from the cloud", "set", p.s.ID, "path", it.Path, "err", details)
	e.emit(Event{Kind: "restored", Title: "“" + path.Base(it.Path) + "” was restored",
		Body: ExplainRefusedDelete(it.IsDir), Path: p.abs(it.Path), Account: p.s.Account})
	p.r.poke()
	return it
}
