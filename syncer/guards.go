package syncer

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// The set-wide guards of a pass (SPEC §4), shared by full and scoped passes: a cloud folder
// that cannot be read or answers with an empty listing stops the set; more deletions than
// the mass-delete threshold wait for confirmation.

// holdDeletes stops the set instead of deleting n of its total synced items: more than the
// mass-delete threshold waits for the user's confirmation (FAILURE-MODES 3).
func (p *pass) holdDeletes(n, total int) {
	e := p.e
	isNew := false
	s, err := e.updateSet(p.s.ID, func(s *model.Set) bool {
		isNew = s.PendingDeletes == 0
		s.PendingDeletes = n
		s.Error = ""
		s.ErrorDetails = fmt.Sprintf("this pass would delete %d of %d items; nothing was deleted. "+
			"If that is intended, confirm with Request Sync (cloudsync request-sync %s)", n, total, s.LocalRoot)
		return true
	})
	if err != nil {
		e.cfg.Log.Error("storing set", "set", p.s.ID, "err", err)
		return
	}
	if isNew { // announced once, not on every pass that holds them
		e.emit(Event{Kind: "failure", Title: "Many deletions held back", Body: s.ErrorDetails, Path: s.LocalRoot})
	}
	e.changed()
}

// listEntries lists the set's cloud folder; hadRemote is the number of synced items with a
// cloud side. ok false: the pass stops with state; the set's failure is recorded. Guards: a
// vanished cloud root (FAILURE-MODES 23) and an empty listing where the base expects items
// (FAILURE-MODES 2) stop the set instead of being read as deletions, unless the user
// confirmed with Request Sync.
func (p *pass) listEntries(ctx context.Context, hadRemote int) ([]remote.Entry, string, bool) {
	s := p.s
	entries, err := p.rem.List(ctx, s.RemoteRoot, p.r.prevRemoteList())
	if errors.Is(err, remote.ErrNotFound) && p.force {
		// Request Sync recreates a deleted cloud target and pushes the local items into it.
		if err = remote.MkdirAll(ctx, p.rem, s.RemoteRoot); err == nil {
			if err = p.forgetRemoteBases(); err == nil {
				entries, err = p.rem.List(ctx, s.RemoteRoot, nil)
				hadRemote = 0
			}
		}
	}
	if err != nil {
		return nil, p.cloudFailure(ctx, err), false
	}
	if len(entries) == 0 && hadRemote >= emptyListingGuard && !p.force {
		return nil, p.emptyRoot(hadRemote), false
	}
	p.hold(false) // the listing is believed (see view.held)
	return entries, StateIdle, true
}

// emptyRoot stops the set whose cloud folder answered with an empty listing although had
// synced items had a cloud side (FAILURE-MODES 2).
func (p *pass) emptyRoot(had int) string {
	s := p.s
	p.hold(true)
	return p.r.setFailure(s, remote.ReasonTargetDeleted,
		fmt.Sprintf("the cloud folder %s answered with an empty listing although %d items were synced; "+
			"nothing was deleted locally. If the cloud folder really was emptied, confirm with Request Sync", s.RemoteRoot, had))
}

// cloudFailure is the state a pass stops in when the set's cloud folder cannot be read:
// error after a refused sign-in (the account pauses) or when the folder is gone
// (FAILURE-MODES 23), offline when the cloud cannot be reached.
func (p *pass) cloudFailure(ctx context.Context, err error) string {
	e, s := p.e, p.s
	switch {
	case errors.Is(err, remote.ErrAuth):
		e.authFailed(s.Account, p.signIns, err)
		return StateError
	case errors.Is(err, remote.ErrNotFound):
		p.hold(true)
		return p.r.setFailure(s, remote.ReasonTargetDeleted,
			fmt.Sprintf("the cloud folder %s was deleted or moved; local items are kept. "+
				"Request Sync recreates it and uploads the local items", s.RemoteRoot))
	case ctx.Err() != nil:
		return StateIdle
	}
	reason := remote.ReasonOf(err, remote.ReasonNetwork)
	if reason == remote.ReasonNetwork {
		if p.r.lastStateIs(StateOffline) { // logged when the set went offline
			e.cfg.Log.Debug("cloud still unreachable", "set", s.ID, "err", err)
		} else {
			e.cfg.Log.Info("cloud unreachable", "set", s.ID, "err", err)
		}
		return StateOffline
	}
	return p.r.setFailure(s, reason, err.Error())
}

// deleteCount counts the deleting actions of pl.
func (p *pass) deleteCount(pl plan.Plan) int {
	l, r := pl.Deletes()
	return l + r
}

// stateUnread stops a scoped pass that could not read the set's items from the store:
// what its looks saw is not noted, so no item is known synced (view.held) until a full
// pass (the index is marked stale) read them and listed the cloud again.
func (p *pass) stateUnread(x *setIndex, err error) string {
	x.mu.Lock()
	x.stale = true
	x.mu.Unlock()
	p.hold(true)
	return p.r.setFailure(p.s, remote.ReasonLocalIO, "reading the sync state: "+err.Error())
}

// storeReadError is a look's failure to read the set's items (not the folder it looks at).
type storeReadError struct{ error }

func (e storeReadError) Unwrap() error { return e.error }
