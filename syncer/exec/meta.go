package exec

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Metadata (SPEC §3): an action carrying plan.Action.Meta leaves both sides with that title,
// description and author. A download writes them into the staged file before it is renamed
// into place (content and metadata appear together); every other side whose metadata
// differs after the action's content step is written after it, the local one after a
// re-check that the item and its metadata are still what the plan saw.

// MetaFS is implemented by a LocalFS that can keep items' metadata: on Linux the user
// extended attributes of the freedesktop "Common Extended Attributes" convention,
// user.dublincore.title, user.dublincore.description and user.dublincore.creator.
type MetaFS interface {
	// MetaSupport returns nil when the file system of the root keeps such metadata, and
	// otherwise an error saying why not (a tmpfs or FAT without user extended attributes).
	// It may set and remove an attribute of its own on the root to find out.
	MetaSupport() error
	// SetMeta gives p (a file or folder) the metadata m: fields empty in m are removed. It
	// first checks that p is still expect (same ID; for files, same Version) and, when
	// expect.Meta is not nil, still has that metadata; else ErrLocalChanged and nothing is
	// written. A file made read-only by its owner (the lock option) is written all the same.
	SetMeta(p string, expect plan.Node, m remote.Meta) error
}

// MetaStaged is implemented by the Staged files of a MetaFS: SetMeta gives the staged file
// metadata m, which it has once committed.
type MetaStaged interface {
	SetMeta(m remote.Meta) error
}

// ErrMetaFailed is wrapped by Result.Err of an action whose content step succeeded but whose
// metadata could not be written: Local, Remote and Hash describe both sides after the
// content step (the caller records them as the base, with the metadata unknown) and Reason
// says why the metadata failed.
var ErrMetaFailed = errors.New("metadata not written")

// sideMeta is what an action's content step left as one side's metadata.
type sideMeta struct {
	set bool         // the step made the side's item anew (or adopted one)
	m   *remote.Meta // its metadata then; nil: unknown
}

// fresh notes that the step made a side's item anew, holding m (nil: unknown).
func fresh(m *remote.Meta) sideMeta { return sideMeta{set: true, m: m} }

var zeroMeta = remote.Meta{}

// noMeta is the metadata of an item just made: none.
func noMeta() *remote.Meta { m := zeroMeta; return &m }

// stageMeta gives a staged download the action's metadata before it is committed, and notes
// what the committed file will hold (finishMeta retries on the file when it failed here).
func (r *planRunner) stageMeta(res *Result, st Staged) {
	a := res.Action
	res.lm = fresh(noMeta())
	if a.Meta == nil || a.Meta.IsZero() {
		return
	}
	if ms, ok := st.(MetaStaged); ok && ms.SetMeta(*a.Meta) == nil {
		m := *a.Meta
		res.lm = fresh(&m)
	}
}

// finishMeta writes the action's metadata on each side whose metadata differs after the
// content step of a successful action res.
func (r *planRunner) finishMeta(ctx context.Context, res Result) Result {
	a := res.Action
	if a.Meta == nil || res.Err != nil || res.Skipped {
		return res
	}
	want := *a.Meta
	if res.Local != nil {
		var cur *remote.Meta
		if a.Local != nil {
			cur = a.Local.Meta
		}
		if res.lm.set {
			cur = res.lm.m
		}
		if cur == nil || *cur != want {
			mfs, ok := r.env.Local.(MetaFS)
			if !ok {
				return metaFailure(res, localFailure(res, "set metadata", errors.New("the local file system keeps no metadata"), remote.ReasonNone))
			}
			expect := *res.Local
			expect.Meta = cur
			if err := mfs.SetMeta(res.Local.Path, expect, want); err != nil {
				return metaFailure(res, localFailure(res, "set metadata", err, remote.ReasonMissingDestination))
			}
		}
	}
	if res.Remote != nil {
		cur := noMeta() // an upload of a new file made it
		if a.Remote != nil {
			cur = a.Remote.Meta
		}
		if res.rm.set {
			cur = res.rm.m
		}
		if cur == nil || *cur != want {
			mk, ok := remote.As[remote.MetaKeeper](r.env.Remote)
			if !ok {
				return metaFailure(res, remoteFailure(res, "set metadata", fmt.Errorf("%w: the remote keeps no metadata", remote.ErrUnsupported), remote.ReasonNone))
			}
			en := r.entry(res.Remote, res.Remote.Path)
			if cur != nil {
				seen := *cur // what the plan merged: the keeper checks the cloud still has it
				en.Meta = &seen
			}
			e, err := mk.SetMeta(ctx, en, want)
			if errors.Is(err, remote.ErrChanged) && a.Op == plan.Meta {
				// Edited in the cloud since it was listed (a listing may show a metadata edit
				// late): nothing is recorded, and the next pass, which lists it afresh, merges
				// the edit with the local one (the cloud wins a clash).
				res = remoteFailure(res, "set metadata", err, remote.ReasonNone)
				res.Reason = remote.ReasonNone
				return res
			}
			if err != nil {
				return metaFailure(res, remoteFailure(res, "set metadata", err, remote.ReasonTargetDeleted))
			}
			n := r.node(e)
			if n.Hash == "" {
				n.Hash = res.Remote.Hash
			}
			res.Remote = n
		}
	}
	return res
}

// metaFailure is res (whose content step succeeded) failed as failed says, wrapping
// ErrMetaFailed. A local item that changed meanwhile stays a plain ErrLocalChanged for the
// caller (nothing recorded; the next pass sees the change).
func metaFailure(res, failed Result) Result {
	res.Reason = failed.Reason
	res.Err = fmt.Errorf("%w: %w", ErrMetaFailed, failed.Err)
	return res
}

// meta runs a plan.Meta action: both sides hold the same content at To. The local item is
// re-checked (as Record does); finishMeta then writes the metadata where it differs.
func (r *planRunner) meta(res Result) Result {
	a := res.Action
	if a.Meta == nil || a.Local == nil || a.Remote == nil {
		return badPlan(res, "a metadata action needs both sides and the metadata")
	}
	cur, err := r.env.Local.Stat(a.To)
	if err != nil || !sameLocal(cur, *a.Local) {
		return localFailure(res, "re-check", recheckErr(err), remote.ReasonNone)
	}
	cur.Hash = a.Local.Hash
	res.Local, res.Remote, res.Hash = at(&cur, a.To), at(a.Remote, a.To), a.Local.Hash
	return res
}
