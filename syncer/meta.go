package syncer

import (
	"errors"
	"fmt"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Metadata (SPEC §3): a set syncs its items' title, description and author when both sides
// keep them: the cloud (a remote.MetaKeeper whose server keeps them: Alfresco, a WebDAV
// server with dead properties) and the local file system (exec.MetaFS with user extended
// attributes). The planner merges them with the content's rules; a pass only decides
// whether they are synced, reads them, and records what the actions left on both sides.
// Where they are not synced, the set says why in one sentence, logged once (a warning for a
// local file system without user extended attributes: the person expects them) and shown in
// Sync Info; content sync is not affected.

// metaState is what a runner knows of its set's metadata sync; guarded by Engine.mu.
type metaState struct {
	probed   bool  // the local file system was asked (once per runner: it writes an attribute)
	localErr error // why the local file system keeps none
	on       bool  // the last pass synced metadata
	note     string
	logged   string // the note last logged
	bad      remote.WarnOnce
}

// decideMeta sets p.meta: whether this pass syncs metadata, and says why not once.
func (p *pass) decideMeta() {
	why := ""
	mk, ok := remote.As[remote.MetaKeeper](p.rem)
	switch {
	case !ok:
		why = "the cloud keeps no title, description or author"
	default:
		why = mk.MetaUnsupported()
	}
	local := false
	if why == "" {
		why, local = p.localMetaSupport(), true
	}
	r, e := p.r, p.e
	note := ""
	if why != "" {
		note = "Title, description and author are not synced: " + why
	}
	e.mu.Lock()
	r.meta.on, r.meta.note = why == "", note
	logIt := note != "" && note != r.meta.logged
	r.meta.logged = note
	e.mu.Unlock()
	p.meta = why == ""
	switch {
	case !logIt:
	case local && why != "":
		e.cfg.Log.Warn("metadata not synced", "set", p.s.ID, "root", p.s.LocalRoot, "why", note)
	default:
		e.cfg.Log.Info("metadata not synced", "set", p.s.ID, "why", note)
	}
}

// localMetaSupport asks the set's local file system whether it keeps metadata, once per
// runner, and returns why not ("" when it does).
func (p *pass) localMetaSupport() string {
	mfs, ok := p.lfs.(exec.MetaFS)
	if !ok {
		return "the local folder keeps no metadata"
	}
	e := p.e
	e.mu.Lock()
	probed, err := p.r.meta.probed, p.r.meta.localErr
	e.mu.Unlock()
	if !probed {
		err = mfs.MetaSupport()
		e.mu.Lock()
		p.r.meta.probed, p.r.meta.localErr = true, err
		e.mu.Unlock()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// rereadMeta makes the set's next listing read every item's metadata afresh where the
// remote's listings re-read it on a rotation (remote.MetaRereader): Request Sync asks for
// a look at everything, and an edit made elsewhere could otherwise take a few polls.
func (p *pass) rereadMeta() {
	if mr, ok := remote.As[remote.MetaRereader](p.rem); ok {
		mr.RereadMeta()
	}
}

// metaOn reports whether the set's last pass synced metadata (for a pass that may not
// sync now and only scans).
func (r *runner) metaOn() bool {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	return r.meta.on
}

// metaNote says why set id does not sync metadata, "" when it does (or is not running).
func (e *Engine) metaNote(id string) (note string, on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r := e.runners[id]; r != nil {
		return r.meta.note, r.meta.on
	}
	return "", false
}

// badMeta logs, once per path, a local item whose metadata is not text: it is left alone.
func (p *pass) badMeta(path string, err error) {
	p.r.meta.bad.Warn(p.e.cfg.Log, p.s.ID+"/"+path, err.Error(), "metadata not synced for an item: it is not text",
		"set", p.s.ID, "path", path, "err", err)
}

// withMeta gives remote node n its metadata when the pass syncs it (a zero Meta shared by
// the nodes without any).
func (p *pass) withMeta(n *plan.Node, en remote.Entry) {
	if !p.meta {
		return
	}
	if en.Meta != nil {
		n.Meta = en.Meta
		return
	}
	if p.noMeta == nil {
		p.noMeta = &remote.Meta{}
	}
	n.Meta = p.noMeta
}

// recordMeta updates the base metadata of item it for a successful result of action a: the
// metadata the action left on both sides, or unknown where it replaced the local file
// without setting any (so the next merge deletes nothing). A change on both sides that the
// cloud won is logged.
func (p *pass) recordMeta(it *model.Item, a plan.Action) {
	switch {
	case a.Meta != nil:
		if a.Local != nil && a.Remote != nil && a.Local.Meta != nil && a.Remote.Meta != nil {
			var base *remote.Meta
			if p.s.Trusted && p.s.Installation == p.e.cfg.Store.InstallationID() {
				base = it.Meta
			}
			if _, clash := plan.MergeMeta(base, *a.Local.Meta, *a.Remote.Meta); len(clash) > 0 {
				p.e.cfg.Log.Info("metadata changed on both sides; the cloud's kept", "set", p.s.ID, "path", a.To,
					"fields", clash, "local", *a.Local.Meta, "kept", *a.Meta)
			}
		}
		m := *a.Meta
		it.Meta = &m
	case a.Op == plan.Download, a.Op == plan.Conflict, a.Op == plan.ConflictUpload:
		it.Meta = nil
	}
}

// metaFailed records a result whose content step succeeded but whose metadata failed: the
// content is the new base, the metadata unknown (the next pass merges it without deleting
// anything), and the item fails with the metadata's reason; unless the metadata met a
// cloud edit made since the listing (a race, race.go).
func (p *pass) metaFailed(res exec.Result) (model.Item, bool) {
	if !errors.Is(res.Err, exec.ErrMetaFailed) {
		return model.Item{}, false
	}
	ok := res
	ok.Err, ok.Reason = nil, ""
	ok.Action.Meta = nil
	it, drop, recorded := p.record(ok)
	if !recorded || drop {
		return it, false
	}
	if p.noteRace(res) {
		// The cloud's metadata was edited since it was listed (SetMeta's check): the
		// content is synced and the metadata's base stays as it was, so the look again
		// (race.go) merges both edits, the cloud winning a clash. No failure.
		return it, true
	}
	it.Meta = nil
	res.Err = fmt.Errorf("the content is synced, but its title, description or author could not be written: %w", res.Err)
	return p.failed(it, true, res), true
}

// metaChanged reports whether a scanned node's metadata differs from its item's base: a
// local metadata edit is pending until the cloud has it.
func metaChanged(n, base *remote.Meta) bool {
	switch {
	case n == nil:
		return false
	case base == nil:
		return !n.IsZero()
	}
	return *n != *base
}
