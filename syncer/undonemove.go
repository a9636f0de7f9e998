package syncer

import (
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// A local move whose cloud move failed is recorded failed at its old path, the base both
// sides pair through, with Local.Path where it is in the folder (shownPath). When the user
// then moves it back, nothing is left to do: the planner sees both sides at the base and
// plans nothing, so no result ever cleared the failure. It was shown, failed, at a path
// where no file is, what was below a folder stayed pending there, and `wait` reported a
// failure for ever, through request-sync and restarts. undoneMoves clears it.

// undoneMoves clears the failure of each failed move whose file or folder is back at its
// path in the local folder, with the same local id and, for a file, the same version:
// synced again, as it was before the move. A file moved back and edited is shown at its
// path, still failed: its upload is planned and runs when its retry is due. What was below
// a folder comes back to its path too; load reads the items below a folder that the pass
// has not read (nil for a pass that holds every item). The items are stored at once.
func (p *pass) undoneMoves(load func(dir string) error) {
	var put []model.Item
	for k, it := range p.items {
		if it.Local.Path == "" || it.Status != model.StatusFailed || !it.HasBase {
			continue
		}
		back, same := p.backWhereItWas(it)
		if !back {
			continue
		}
		was := it.Local.Path
		if !same { // edited meanwhile: its upload is planned, when its retry is due
			it.Local.Path = ""
			p.items[k] = it
			put = append(put, it)
			continue
		}
		if it.IsDir && load != nil {
			if err := load(it.Path); err != nil {
				p.e.cfg.Log.Error("reading the items below a folder moved back", "set", p.s.ID, "path", it.Path, "err", err)
				continue
			}
		}
		it.Local.Path = ""
		it.Status, it.Reason, it.Details, it.Waits = model.StatusSynced, "", "", ""
		it.Attempts, it.NextRetry, it.Notified = 0, time.Time{}, false
		p.items[k] = it
		put = append(put, it)
		if it.IsDir {
			p.movedHereBelow(it.Path, was)
		}
		p.e.cfg.Log.Info("moved back where it was: the failed move is no longer needed", "set", p.s.ID, "path", it.Path, "from", was)
	}
	p.storeMoved(put)
}

// noteBelowFailedMoves notes again, for each folder whose failed move left it elsewhere in
// the local folder, where the items of the pass below it are (Local.Path; see
// movedHereBelow). The failure wrote that with its record, but a store splits a record too
// big for one transaction, and a kill -9 between two left some items below without it:
// listed at their old paths. Only the items that differ are stored.
func (p *pass) noteBelowFailedMoves() {
	for _, it := range p.items {
		if it.IsDir && it.HasBase && it.Status == model.StatusFailed && it.Local.Path != "" {
			p.movedHereBelow(it.Local.Path, it.Path)
		}
	}
	p.storeMoved(nil)
}

// followLocal notes that the scan saw the local side of item it at path at. An item shown
// away from its path (Local.Path: its cloud move, or the move of a folder above it, failed)
// is shown where its file or folder is now: one moved on, out of the folder whose move
// failed or back into it, was shown at the path it left (where no file is) and listed a
// second time, pending, where it is. Its path stays the base both sides pair through. A
// failed item back at its path is undoneMoves' to clear, not this. The item is stored with
// the next storeMoved.
func (p *pass) followLocal(it model.Item, at string) {
	if it.Local.Path == "" || at == it.Local.Path || at == it.Path && it.Status == model.StatusFailed {
		return
	}
	it.Local.Path = at
	if at == it.Path {
		it.Local.Path = ""
	}
	p.items[it.Key] = it
	p.moved = append(p.moved, it)
}

// storeMoved stores put and the items the pass rewrote (p.moved) at once.
func (p *pass) storeMoved(put []model.Item) {
	put = append(put, p.moved...)
	p.moved = p.moved[:0]
	if len(put) == 0 {
		return
	}
	if err := p.e.cfg.Store.PutItems(p.s.ID, put, nil); err != nil {
		p.e.cfg.Log.Error("storing the paths of moved items", "set", p.s.ID, "err", err)
	}
}

// backWhereItWas reports whether the local folder holds item it at its path again (its
// local id as the base recorded it), and not at the path its failed move took it to; same:
// as the base recorded it (a folder, or a file of the same version).
func (p *pass) backWhereItWas(it model.Item) (back, same bool) {
	n, err := p.lfs.Stat(it.Path)
	if err != nil || n.ID != it.Local.ID || n.IsDir != it.IsDir {
		return false, false
	}
	if m, err := p.lfs.Stat(it.Local.Path); err == nil && m.ID == it.Local.ID {
		return false, false
	}
	return true, it.IsDir || n.Version == it.Local.Version
}
