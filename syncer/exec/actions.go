package exec

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// do runs one action and describes its outcome. It never panics on a malformed action.
func (r *planRunner) do(ctx context.Context, a plan.Action) Result {
	return r.finishMeta(ctx, r.doContent(ctx, a))
}

// doContent runs one action's content step (everything but the metadata it carries).
func (r *planRunner) doContent(ctx context.Context, a plan.Action) Result {
	res := Result{Action: a, Local: a.Local, Remote: a.Remote}
	if err := ctx.Err(); err != nil {
		res.Skipped, res.Err = true, fmt.Errorf("%w: %w", ErrSkipped, err)
		return res
	}
	switch a.Op {
	case plan.Download:
		return r.download(ctx, res)
	case plan.Upload:
		return r.upload(ctx, res)
	case plan.Conflict:
		return r.conflict(ctx, res)
	case plan.ConflictUpload:
		return r.conflictUpload(ctx, res)
	case plan.MkdirLocal:
		return r.mkdirLocal(res)
	case plan.MkdirRemote:
		return r.mkdirRemote(ctx, res)
	case plan.MoveLocal:
		return r.moveLocal(res)
	case plan.MoveRemote:
		return r.moveRemote(ctx, res)
	case plan.DeleteLocal:
		return r.deleteLocal(res)
	case plan.DeleteRemote:
		return r.deleteRemote(ctx, res)
	case plan.Record:
		return r.record(ctx, res)
	case plan.Meta:
		return r.meta(res)
	case plan.Forget, plan.Exclude:
		return res
	case plan.MarkGone:
		res.Reason = a.Reason
		return res
	case plan.Fail:
		why := string(a.Reason)
		if a.Note != "" {
			why += ": " + a.Note
		}
		res.Reason, res.Err = a.Reason, fmt.Errorf("%w: %s: %s", ErrPlannedFailure, a.Path, why)
		return res
	}
	return badPlan(res, "unknown op")
}

// mkdirLocal creates local folder To; an existing folder there is adopted.
func (r *planRunner) mkdirLocal(res Result) Result {
	a := res.Action
	n, err := r.env.Local.Mkdir(a.To)
	if err != nil {
		return localFailure(res, "mkdir", err, remote.ReasonMissingDestination)
	}
	res.Local, res.Remote = at(&n, a.To), at(a.Remote, a.Path)
	res.lm = fresh(nil) // new, or an existing folder adopted: its metadata is unknown
	return res
}

// mkdirRemote creates remote folder To. A folder already there (made by an earlier pass
// whose record was lost, or by someone else) is adopted; a file there is a name clash.
func (r *planRunner) mkdirRemote(ctx context.Context, res Result) Result {
	a := res.Action
	e, err := r.env.Remote.Mkdir(ctx, r.remotePath(a.To))
	res.rm, res.made = fresh(noMeta()), err == nil
	if errors.Is(err, remote.ErrNameClash) {
		if cur, serr := r.env.Remote.Stat(ctx, r.remotePath(a.To)); serr == nil && cur.IsDir {
			e, err, res.rm = cur, nil, fresh(cur.Meta) // adopted: it has what it has
			if cur.Meta == nil {
				res.rm.m = noMeta()
			}
		}
	}
	if err != nil {
		return remoteFailure(res, "mkdir", err, remote.ReasonMissingDestination)
	}
	res.Local, res.Remote = at(a.Local, a.Path), r.node(e)
	return res
}

// moveLocal renames local Path to To after checking Path is still the planned item. It
// never overwrites: a taken To is a name clash.
func (r *planRunner) moveLocal(res Result) Result {
	a := res.Action
	if a.Local != nil {
		cur, err := r.env.Local.Stat(a.Path)
		if err != nil || cur.ID != a.Local.ID {
			return localFailure(res, "re-check", recheckErr(err), remote.ReasonNone)
		}
	}
	n, err := r.env.Local.Rename(a.Path, a.To)
	if err != nil {
		if _, serr := r.env.Local.Stat(a.Path); errors.Is(serr, fs.ErrNotExist) {
			err = fmt.Errorf("%w: %w", ErrLocalChanged, err) // the source went away meanwhile
		}
		return localFailure(res, "rename", err, remote.ReasonMissingDestination)
	}
	res.Local, res.Remote = at(&n, a.To), at(a.Remote, a.To)
	return res
}

// moveRemote renames/moves remote Path to To (a server-side move keeping the node id).
func (r *planRunner) moveRemote(ctx context.Context, res Result) Result {
	a := res.Action
	if a.Remote == nil {
		return badPlan(res, "no remote snapshot")
	}
	e, err := r.env.Remote.Move(ctx, r.entry(a.Remote, a.Path), r.remotePath(a.To))
	if err != nil {
		return remoteFailure(res, "move", err, r.notFoundAt(ctx, a.To, true))
	}
	res.Local, res.Remote = at(a.Local, a.To), r.node(e)
	return res
}

// deleteLocal moves local Path to the desktop trash if it is still the planned item
// (LocalFS.Trash re-checks). An item already gone counts as deleted.
func (r *planRunner) deleteLocal(res Result) Result {
	a := res.Action
	if a.Local == nil {
		return badPlan(res, "no local snapshot")
	}
	if err := r.env.Local.Trash(a.Path, *a.Local); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return localFailure(res, "trash", err, remote.ReasonNone)
	}
	res.Local = nil
	return res
}

// deleteRemote deletes remote Path (into the remote's trash where it has one). The local
// side is re-checked first (localStillGone), so a stale plan never deletes in the cloud what
// is still there locally. A remote file is re-checked too, so an edit made after the listing
// is not deleted (edit beats delete); folders are not, as their version may change with any
// child. Already gone counts as deleted.
func (r *planRunner) deleteRemote(ctx context.Context, res Result) Result {
	a := res.Action
	if a.Remote == nil {
		return badPlan(res, "no remote snapshot")
	}
	if err := r.localStillGone(a); err != nil {
		return localFailure(res, "local re-check", err, remote.ReasonNone)
	}
	e := r.entry(a.Remote, a.Path)
	if !a.Remote.IsDir && a.Remote.Version != "" {
		cur, err := r.env.Remote.Stat(ctx, e.Path)
		switch {
		case errors.Is(err, remote.ErrNotFound):
			res.Remote = nil
			return res
		case err != nil:
			return remoteFailure(res, "stat", err, remote.ReasonTargetDeleted)
		case cur.Version != a.Remote.Version || cur.ID != a.Remote.ID && !e.IDIsPath:
			return remoteFailure(res, "re-check", fmt.Errorf("%w: %s", remote.ErrChanged, e.Path), remote.ReasonTargetDeleted)
		}
	}
	if err := r.env.Remote.Delete(ctx, e); err != nil && !errors.Is(err, remote.ErrNotFound) {
		return remoteFailure(res, "delete", err, remote.ReasonTargetDeleted)
	}
	res.Remote = nil
	return res
}

// localStillGone checks, just before a cloud delete, that local Path (where the plan saw the
// item go) does not hold the item (a.Local's id) or an item of the cloud item's kind: a cloud
// folder delete takes everything under it, so a plan made from a stale view must not run
// (issue 9). Such an item fails the action with ErrLocalChanged (the next pass replans).
// What does not stop the delete: a local item of the other kind (a file replaced by a
// folder), a symlink, or an item the plan knows as another item (on a case-insensitive
// file system, "b" renamed to "B" answers for "B" whose cloud copy is deleted first). A
// path that cannot be checked is an error too: nothing is deleted unchecked.
func (r *planRunner) localStillGone(a plan.Action) error {
	cur, err := r.env.Local.Stat(a.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	owner, known := r.localOwner[cur.ID]
	if a.Local != nil && cur.ID == a.Local.ID || !cur.Unsupported && cur.IsDir == a.Remote.IsDir && (!known || owner == a.Key) {
		return fmt.Errorf("%w: %s is still there", ErrLocalChanged, a.Path)
	}
	return nil
}

// localOwners maps the local ids p's actions carry to their item's key.
func localOwners(p plan.Plan) map[string]string {
	m := map[string]string{}
	for _, a := range p.Actions {
		if a.Local != nil && a.Local.ID != "" {
			m[a.Local.ID] = a.Key
		}
	}
	return m
}

// record checks that both sides still are what the plan saw at To and returns their fresh
// entries; it changes nothing. A file changed meanwhile fails the action (ErrLocalChanged,
// or remote.ErrChanged) so a stale base is never recorded.
func (r *planRunner) record(ctx context.Context, res Result) Result {
	a := res.Action
	if a.Local != nil {
		cur, err := r.env.Local.Stat(a.To)
		if err != nil || !sameLocal(cur, *a.Local) {
			return localFailure(res, "re-check", recheckErr(err), remote.ReasonNone)
		}
		cur.Hash = a.Local.Hash
		res.Local, res.Hash = at(&cur, a.To), a.Local.Hash
	}
	if a.Remote != nil {
		e, err := r.env.Remote.Stat(ctx, r.remotePath(a.To))
		if err != nil {
			return remoteFailure(res, "stat", err, remote.ReasonTargetDeleted)
		}
		if !a.Remote.IsDir && e.Version != a.Remote.Version {
			return remoteFailure(res, "re-check", fmt.Errorf("%w: %s", remote.ErrChanged, e.Path), remote.ReasonTargetDeleted)
		}
		res.Remote = r.node(e)
		if res.Remote.Hash == "" {
			res.Remote.Hash = a.Remote.Hash
		}
	}
	return res
}

// recheckErr is the error of a re-check that found the local item changed (err nil: it is
// another version or item now) or failed with err; a vanished item is a change too.
func recheckErr(err error) error {
	switch {
	case err == nil:
		return ErrLocalChanged
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %w", ErrLocalChanged, err)
	}
	return err
}
