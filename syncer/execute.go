package syncer

import (
	"context"
	"fmt"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/plan"
)

// recordBatch bounds how many results are written to the store in one transaction. Results
// not yet written when the engine crashes are re-planned on the next pass, where the items
// already transferred are found equal on both sides (Record, or an identical Conflict):
// nothing is transferred twice in a way that could lose data.
const recordBatch = 256

// firstSyncSummary is the number of transfers from which the end of a set's first pass is
// announced (SPEC §6: "a summary when a large first sync finishes").
const firstSyncSummary = 100

// execute runs the plan and records every result. work counts the actions that did
// something (Fail actions do not: they are reported, not work); clean is true when every
// action succeeded.
func (p *pass) execute(ctx context.Context, pl plan.Plan) (work int, clean bool) {
	e, r := p.e, p.r
	if len(pl.Actions) == 0 {
		return 0, true
	}
	for _, a := range pl.Actions {
		if a.Op != plan.Fail {
			work++
		}
	}
	if !p.recordIntents(pl) {
		return work, false // still to do: the next pass plans it again
	}
	e.mu.Lock()
	r.total, r.left = work, work
	e.mu.Unlock()
	r.prog.begin(p.s.LocalRoot, pl, work, e.cfg.Now())
	defer r.prog.end()
	if work > 0 {
		e.changed()
	}
	clean = true
	var batch results
	transfers, conflicts := 0, 0
	flush := func() {
		put, del := batch.take()
		if len(put) == 0 && len(del) == 0 {
			return
		}
		if err := e.cfg.Store.PutItems(p.s.ID, put, del); err != nil {
			// The stored items no longer say what the sides hold: none is known synced
			// until a pass records its results (view.held). The next pass plans again.
			e.cfg.Log.Error("recording results", "set", p.s.ID, "err", err)
			p.hold(true)
		}
	}
	if p.made == nil {
		p.made = &exec.MadeFolders{} // shared by the pass's chunks (exec.Env.Made)
	}
	env := exec.Env{Local: p.lfs, Remote: p.rem, RemoteRoot: p.s.RemoteRoot, Parallel: e.cfg.actionsAtOnce(),
		Transfers: e.transfers, Now: e.cfg.Now,
		Progress: r.prog.moved, Made: p.made}
	exec.Run(ctx, env, pl, func(res exec.Result) {
		if res.Action.Op != plan.Fail {
			e.mu.Lock()
			r.left--
			r.echoes.wrote(p.lfs, res)
			e.mu.Unlock()
			r.prog.done()
		}
		if res.Err != nil || res.Skipped {
			clean = false
		}
		switch res.Action.Op {
		case plan.Upload, plan.Download, plan.Conflict, plan.ConflictUpload:
			if res.Err == nil {
				transfers++
			}
		}
		if res.ConflictCopy != "" {
			conflicts++
		}
		p.transferDone(res)
		it, drop, ok := p.record(res)
		p.settle(res, it, drop, ok)
		switch {
		case !ok:
		case drop:
			batch.del(it.Key)
			delete(p.items, it.Key)
		default:
			batch.put(it)
			p.items[it.Key] = it
			if !it.HasBase {
				p.unsynced[it.Path] = it.Key
			}
		}
		for _, m := range p.moved {
			batch.put(m)
		}
		p.moved = p.moved[:0]
		if batch.len() >= recordBatch {
			flush()
		}
	})
	flush()
	p.transferred += transfers
	if !p.chunked {
		p.summarize()
	}
	if work > 0 {
		e.changed()
	}
	return work, clean
}

// summarize announces the end of a set's first pass when it transferred many items
// (SPEC §6).
func (p *pass) summarize() {
	if p.transferred >= firstSyncSummary && p.s.LastSync.IsZero() {
		p.e.emit(Event{Kind: "first_sync_done", Title: "Sync finished",
			Body: fmt.Sprintf("%s: %d items synced", p.s.LocalRoot, p.transferred), Path: p.s.LocalRoot})
	}
}
