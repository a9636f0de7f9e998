package syncer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"time"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Transfer intents (SPEC §4: "an upload or download cut off by a crash or a stall is known
// after restart"). Before a pass runs its plan it stores one model.Intent per upload and
// download; after the plan ran it removes those that need no follow-up. An intent still
// there when a pass starts was left by a crash (or by an upload that failed mid-way):
//
//   - a download's temporary file may be left in the target's folder: it is removed;
//   - an upload may have left a partial file under the real name on a server that writes
//     uploads in place (rclone, x/net/webdav). A cloud file at the intent's path that
//     changed since the base, is no longer than the upload and holds exactly the first
//     bytes of the local content the upload sent is that partial: it is marked
//     plan.Node.Partial and the upload is redone. Anything else (longer, other bytes, or
//     the local content no longer there to compare) is judged by the ordinary rules, which
//     never lose either version (a conflict keeps both).

// transfers is what a pass keeps of the transfer intents.
type transfers struct {
	left       map[string]model.Intent // left by an earlier pass, by path
	batches    []string                // the stored batches: the leftovers', then this pass's
	keep       map[string]bool         // leftovers still needed after this pass
	unverified map[string]bool         // paths whose check failed: left out of this pass
	fresh      []model.Intent          // this pass's own
	uploaded   map[string]bool         // the paths this pass uploaded
	claimedIDs map[string]bool         // remote ids of the synced items, built when needed
}

// loadIntents reads the intents an earlier pass left.
func (p *pass) loadIntents() error {
	p.left, p.keep, p.unverified, p.uploaded = map[string]model.Intent{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	p.fresh, p.batches = nil, nil
	return p.e.cfg.Store.ListIntents(p.s.ID, func(batch string, in model.Intent) bool {
		if n := len(p.batches); n == 0 || p.batches[n-1] != batch {
			p.batches = append(p.batches, batch)
		}
		p.left[in.Path] = in // (a later batch's intent for a path replaces an earlier one's)
		return true
	})
}

// nextBatch names a new batch of intents: the time, after every stored batch's name.
func (p *pass) nextBatch() string {
	n := p.e.cfg.Now().UnixNano()
	for _, b := range p.batches {
		if v, err := strconv.ParseInt(b, 10, 64); err == nil && v >= n {
			n = v + 1
		}
	}
	return fmt.Sprintf("%020d", n)
}

// removeLeftoverTemps removes the temporary files of downloads a crash cut (a conflict copy
// kept before an upload is staged too), in the folders of the intents left over. A folder
// that fails keeps its intents for next time.
func (p *pass) removeLeftoverTemps() {
	dirs := map[string][]string{}
	for pth := range p.left {
		d := path.Dir("/" + pth)[1:]
		dirs[d] = append(dirs[d], pth)
	}
	for d, paths := range dirs {
		n, err := p.lfs.RemoveStaged(d)
		switch {
		case err != nil:
			p.e.cfg.Log.Warn("removing the temporary files of interrupted downloads", "set", p.s.ID, "folder", d, "err", err)
			for _, pth := range paths {
				p.keep[pth] = true
			}
		case n > 0:
			p.e.cfg.Log.Info("removed the temporary files of interrupted downloads", "set", p.s.ID, "folder", d, "files", n)
		}
	}
}

// checkInterruptedUploads marks the cloud nodes that are partial uploads of this engine's
// (see the top of this file) and gives the hash it read to the ones it checked. A cloud file
// that may be one but cannot be checked, because the local file changed again since, is
// marked MaybePartial (both versions are kept). A check that fails (the cloud or the local
// file could not be read) leaves that path out of this pass (unverified): judging it
// without the check could take the partial for a cloud edit.
//
// The partial is looked for where the upload went, else (moved in the cloud since, with
// its folder) as the synced item's node by id, or as a new cloud file of the same name.
func (p *pass) checkInterruptedUploads(ctx context.Context, local, rem []plan.Node) {
	var todo []string
	for pth, in := range p.left {
		if in.Op == model.IntentUpload {
			todo = append(todo, pth)
		}
	}
	if len(todo) == 0 {
		return
	}
	slices.Sort(todo)
	byPath, byID := map[string]int{}, map[string]int{}
	for i, n := range local {
		byPath[n.Path] = i
		byID[n.ID] = i
	}
	remAt, remID := make(map[string]int, len(rem)), make(map[string]int, len(rem))
	for i, n := range rem {
		remAt[n.Path], remID[n.ID] = i, i
	}
	for _, pth := range todo {
		in := p.left[pth]
		// The local file the upload read: by id (renamed since, maybe), else the file at its
		// path (replaced since, by a safe save).
		var l *plan.Node
		if i, ok := byID[in.LocalID]; ok && !local[i].IsDir {
			l = &local[i]
		} else if i, ok := byPath[pth]; ok && !local[i].IsDir {
			l = &local[i]
		}
		if l == nil && p.underUnreadable(pth) {
			p.unverified[pth] = true // its folder cannot be read: it waits for the next pass
			continue
		}
		if i, ok := remAt[pth]; ok {
			p.judgeSent(ctx, in, &rem[i], l)
			continue
		}
		if it, ok := p.items[in.Key]; ok && it.HasBase && !p.pathIDs {
			if i, ok := remID[it.Remote.ID]; ok {
				p.judgeSent(ctx, in, &rem[i], l)
			} else {
				p.awaitLate(in, l)
			}
			continue
		}
		found := false
		for i := range rem {
			r := &rem[i]
			if in.Key == "" && !r.IsDir && path.Base(r.Path) == path.Base(pth) && !p.claimed(r.ID) {
				if p.judgeSent(ctx, in, r, l); r.Partial || r.MaybePartial {
					found = true
					break
				}
			}
		}
		if !found {
			p.awaitLate(in, l)
		}
	}
}

// lateUploadGrace is how long after an interrupted upload started its intent is kept while
// the cloud shows nothing it left (awaitLate).
const lateUploadGrace = time.Hour

// awaitLate keeps the intent of an interrupted upload that left nothing the listing shows:
// a server that writes uploads in place may write the first bytes of a cut one after the
// client went on (it was still reading them when the client gave up or crashed; a restarted
// engine can list the cloud before that). The next pass must still know them for this
// engine's partial, not a cloud edit: taken for one, the partial became the file on both
// sides and the whole file a conflict copy (the UploadCutByACrash scenario on rclone at
// load 6-11). Kept while the local file is there, for lateUploadGrace after the upload
// started; the upload sent again replaces it.
func (p *pass) awaitLate(in model.Intent, l *plan.Node) {
	if l != nil && p.e.cfg.Now().Sub(in.Started) < lateUploadGrace {
		p.keep[in.Path] = true
	}
}

// judgeSent decides whether cloud file r is what the interrupted upload in left there: the
// whole upload (recorded now), a prefix of local file l (Partial), maybe one (MaybePartial:
// l changed since), or another content (left to the ordinary rules, with its hash).
func (p *pass) judgeSent(ctx context.Context, in model.Intent, r *plan.Node, l *plan.Node) {
	if r.IsDir || r.Size > in.Size {
		return // more than the upload sent: not its partial
	}
	if it, ok := p.items[in.Key]; ok && it.HasBase && r.Version == it.Remote.Version {
		p.awaitLate(in, l) // unchanged since the base: the upload left nothing there (yet)
		return
	}
	switch {
	case in.Hash != "" && r.Size == in.Size:
		p.checkArrived(ctx, in, r)
		return
	case l == nil:
		// The local file is gone: nothing to compare with; the ordinary rules keep the
		// cloud file.
		return
	case !(l.ID == in.LocalID && l.Version == in.LocalVersion || in.Hash != "" && l.Hash == in.Hash):
		// Changed again since: the bytes sent are not there to compare. An empty cloud file
		// holds nothing to keep.
		r.Partial, r.MaybePartial = r.Size == 0, r.Size > 0
		p.keep[in.Path] = true
	default:
		p.compareSent(ctx, in.Path, r, *l)
	}
	if (r.Partial || r.MaybePartial) && in.Key == "" && p.claimed(r.ID) {
		// The upload made a new file at a path a synced item had left (a move whose record a
		// crash lost): on a server whose ids are paths its id names that item. It is not:
		// without an id it pairs with its local file by name.
		r.ID = ""
	}
}

// claimed reports whether a synced item has remote id id.
func (p *pass) claimed(id string) bool {
	if p.claimedIDs == nil {
		p.claimedIDs = make(map[string]bool, len(p.items))
		for _, it := range p.items {
			if it.HasBase && it.Remote.ID != "" {
				p.claimedIDs[it.Remote.ID] = true
			}
		}
	}
	return p.claimedIDs[id]
}

// checkArrived handles a cloud file of the size an interrupted upload was sending: when it
// holds that content (its hash), the upload arrived whole and only its record was lost, so
// it is recorded now as the base, with the local file as the upload read it; the planner
// then sees any local change made since (a file a crash cut, for one) against that base.
// Other content is a cloud edit (its hash is kept for the planner).
func (p *pass) checkArrived(ctx context.Context, in model.Intent, r *plan.Node) {
	h, err := exec.HashRemote(ctx, p.rem, p.s.RemoteRoot, *r)
	switch {
	case err != nil && ctx.Err() == nil:
		p.e.cfg.Log.Warn("checking an interrupted upload failed; the file waits for the next pass",
			"set", p.s.ID, "path", in.Path, "err", err)
		p.unverified[in.Path] = true
		return
	case err != nil:
		return
	}
	r.Hash = h
	switch {
	case h != in.Hash:
		return // another content: a cloud edit
	case in.Key == "" && p.claimed(r.ID):
		r.ID = "" // a new file at a path a synced item left: see checkInterruptedUploads
		return
	}
	it, ok := p.items[in.Key]
	if !ok {
		if key, found := p.unsynced[in.Path]; found {
			it, ok = p.items[key], true
		}
	}
	if !ok {
		it = model.Item{Set: p.s.ID, Key: p.newKey()}
	}
	delete(p.unsynced, it.Path)
	it.Path, it.IsDir, it.HasBase, it.Hash = in.Path, false, true, in.Hash
	it.Local = model.Side{ID: in.LocalID, Version: in.LocalVersion, Size: in.Size, ModTime: in.LocalModTime,
		Hash: in.Hash, Mode: it.Local.Mode, Locked: it.Local.Locked}
	it.Remote = side(p.normalizeRemote(*r), it.Remote)
	if it.Status != model.StatusFailed {
		it.Status, it.LastSync = model.StatusSynced, p.e.cfg.Now()
	}
	p.items[it.Key] = it
	p.basePaths[it.Path] = true
	if p.claimedIDs != nil {
		p.claimedIDs[it.Remote.ID] = true
	}
	p.put(it)
	p.e.cfg.Log.Info("an interrupted upload had arrived whole; recorded it", "set", p.s.ID, "path", in.Path)
}

// compareSent compares cloud file r with the first bytes of local file l, the content an
// interrupted upload was sending, and marks r accordingly.
func (p *pass) compareSent(ctx context.Context, pth string, r *plan.Node, l plan.Node) {
	if r.Hash != "" && r.Size == l.Size {
		return // the listing's hash tells (the planner compares it)
	}
	rh, err := exec.HashRemote(ctx, p.rem, p.s.RemoteRoot, *r)
	lh := ""
	if err == nil {
		lh, err = exec.HashLocalPrefix(p.lfs, l, r.Size)
	}
	switch {
	case err != nil && ctx.Err() == nil:
		p.e.cfg.Log.Warn("checking an interrupted upload failed; the file waits for the next pass",
			"set", p.s.ID, "path", pth, "err", err)
		p.unverified[pth] = true
	case err != nil:
	case rh != lh:
		r.Hash = rh // other bytes: a cloud edit made meanwhile
	case r.Size == l.Size:
		r.Hash = rh // the whole upload arrived; only its record was lost
	default:
		r.Partial = true
		p.keep[pth] = true
		p.e.cfg.Log.Info("an interrupted upload left a partial file in the cloud; sending it again",
			"set", p.s.ID, "path", pth, "bytes", r.Size, "of", l.Size)
	}
}

// dropUnverified removes the actions on the paths whose interrupted upload could not be
// checked (and what depends on them): they wait for the next pass.
func (p *pass) dropUnverified(pl plan.Plan) plan.Plan {
	if len(p.unverified) == 0 {
		return pl
	}
	return dropActions(pl, func(a plan.Action) bool {
		return a.Op != plan.Fail && (p.unverified[a.To] || p.unverified[a.Path])
	})
}

// confirmMoves hashes the cloud files the planner may pair as moves only with a hash (see
// plan.MoveCandidates): a server without ids whose versions are mtime+size gives one
// version to two files of equal size written in the same tick. It returns an error only
// when the cloud could not be reached (the pass then stops as for a failed listing); a file
// that cannot be read otherwise stays unhashed, so it is not taken for a moved one.
func (p *pass) confirmMoves(ctx context.Context, in *plan.Input) error {
	cands := plan.MoveCandidates(*in)
	if len(cands) == 0 {
		return nil
	}
	at := make(map[string]int, len(in.Remote))
	for i, n := range in.Remote {
		at[n.Path] = i
	}
	for _, c := range cands {
		n := &in.Remote[at[c]]
		h, err := exec.HashRemote(ctx, p.rem, p.s.RemoteRoot, *n)
		switch {
		case err == nil:
			n.Hash = h
		case ctx.Err() != nil || remote.ReasonOf(err, remote.ReasonNetwork) == remote.ReasonNetwork && !errors.Is(err, remote.ErrChanged):
			return err
		default:
			p.e.cfg.Log.Info("a cloud file could not be read to confirm a move", "set", p.s.ID, "path", c, "err", err)
		}
	}
	return nil
}

// recordIntents stores an intent for every upload and download of pl before it runs. It
// reports false when that failed: then nothing of pl may run.
func (p *pass) recordIntents(pl plan.Plan) bool {
	now := p.e.cfg.Now()
	start := len(p.fresh) // a chunked pass's earlier chunks are in earlier batches
	for _, a := range pl.Actions {
		var in model.Intent
		switch {
		case (a.Op == plan.Upload || a.Op == plan.ConflictUpload) && a.Local != nil:
			in = model.Intent{Path: a.To, Op: model.IntentUpload, Key: a.Key, Size: a.Local.Size, Hash: a.Local.Hash,
				LocalID: a.Local.ID, LocalVersion: a.Local.Version, LocalModTime: a.Local.ModTime, Started: now}
			if a.Remote != nil {
				in.RemoteVersion = a.Remote.Version
			}
		case (a.Op == plan.Download || a.Op == plan.Conflict) && a.Remote != nil && !a.Remote.IsDir:
			in = model.Intent{Path: a.To, Op: model.IntentDownload, Key: a.Key, Started: now}
		default:
			continue
		}
		p.fresh = append(p.fresh, in)
	}
	if len(p.fresh) == start {
		return true
	}
	batch := p.nextBatch()
	if err := p.e.cfg.Store.PutIntents(p.s.ID, batch, p.fresh[start:], nil); err != nil {
		p.e.cfg.Log.Error("recording transfer intents; nothing is transferred this pass", "set", p.s.ID, "err", err)
		p.fresh = p.fresh[:start]
		return false
	}
	p.batches = append(p.batches, batch)
	return true
}

// transferDone notes an upload that succeeded: its intent is not needed any more.
func (p *pass) transferDone(res exec.Result) {
	if (res.Action.Op == plan.Upload || res.Action.Op == plan.ConflictUpload) && res.Err == nil && !res.Skipped {
		p.uploaded[res.Action.To] = true
	}
}

// settleChunk settles the intents of the chunk that just ran (p.fresh[start:], the last
// stored batch) as settleIntents does at the end of a pass: a chunked pass then holds the
// intents of one chunk, not one of every file of the set (issue 11: a first sync of a
// million files). A chunked pass has no leftovers (see runScoped), so only the chunk's own
// failed or skipped uploads are kept, in a new batch replacing the chunk's. If that write
// fails, everything stays as it was and settleIntents tries again at the end.
func (p *pass) settleChunk(start int) {
	if len(p.fresh) == start || len(p.left) > 0 {
		return
	}
	var keep []model.Intent
	for _, in := range p.fresh[start:] {
		if in.Op == model.IntentUpload && !p.uploaded[in.Path] {
			keep = append(keep, in)
		}
	}
	if len(keep) == len(p.fresh)-start {
		return // nothing settled: the batch stays as written
	}
	last := p.batches[len(p.batches)-1]
	batch := ""
	if len(keep) > 0 {
		batch = p.nextBatch()
	}
	if err := p.e.cfg.Store.PutIntents(p.s.ID, batch, keep, []string{last}); err != nil {
		p.e.cfg.Log.Error("removing settled transfer intents", "set", p.s.ID, "err", err)
		return
	}
	for _, in := range p.fresh[start:] {
		delete(p.uploaded, in.Path)
	}
	p.batches = p.batches[:len(p.batches)-1]
	if batch != "" {
		p.batches = append(p.batches, batch)
	}
	p.fresh = append(p.fresh[:start], keep...)
	if cap(p.fresh) > 2*len(p.fresh)+defaultChunk {
		p.fresh = slices.Clip(slices.Clone(p.fresh)) // let the chunk's array go
	}
}

// settleIntents removes the intents that need no follow-up once the plan ran: every
// download's (its temporary file was committed or discarded), every upload's that
// succeeded, and the leftovers this pass resolved. Kept, in one new batch replacing the
// stored ones: uploads that failed or did not run (a partial may sit in the cloud), partial
// uploads not sent again yet, and leftovers that could not be checked.
func (p *pass) settleIntents() {
	if len(p.batches) == 0 {
		return
	}
	var keep []model.Intent
	fresh := map[string]bool{}
	for _, in := range p.fresh {
		fresh[in.Path] = true
		if in.Op == model.IntentUpload && !p.uploaded[in.Path] {
			keep = append(keep, in)
		}
	}
	for _, pth := range slices.Sorted(maps.Keys(p.left)) {
		if !fresh[pth] && (p.keep[pth] || p.unverified[pth]) {
			keep = append(keep, p.left[pth])
		}
	}
	if len(p.batches) == 1 && len(p.fresh) > 0 && len(keep) == len(p.fresh) {
		return // the batch as written is what is kept (every upload failed)
	}
	batch := ""
	if len(keep) > 0 {
		batch = p.nextBatch()
	}
	if err := p.e.cfg.Store.PutIntents(p.s.ID, batch, keep, p.batches); err != nil {
		p.e.cfg.Log.Error("removing settled transfer intents", "set", p.s.ID, "err", err)
	}
}
