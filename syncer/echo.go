package syncer

import (
	"errors"
	"io/fs"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/plan"
)

// The watcher reports the engine's own writes in the folder too (a download, a local
// move, a delete to the desktop trash), a moment after the pass that made them; until a
// pass looked, such a path counted as pending (SPEC §3: a change seen is pending at once),
// so a file just downloaded showed "pending" for a moment after the set was up to date, and
// each such echo asked for one more pass. The runner keeps what its last two passes wrote
// (path → the local version written, "" for gone) and a reported path that still is
// exactly that is the echo, not a change: it is neither pending nor a reason for a pass.
// A path changed since (another version, or there again) is a change as before, and so is
// any later report of it. Not covered: what is below a folder the engine moved or deleted,
// and metadata the engine wrote (a Meta action): those stay pending until a pass looked.

// maxEchoes bounds the writes kept per pass: past it (a first sync's thousands of
// downloads) an echo is pending until the next pass looks, as before.
const maxEchoes = 4096

// echoes is what a runner's last two passes wrote in the folder. Guarded by e.mu.
type echoes struct {
	fs        exec.LocalFS      // the set's folder, as the last pass that wrote saw it
	now, prev map[string]string // set-relative path → version written ("" for gone)
}

// turn starts a pass: what the pass before the last wrote is forgotten.
func (x *echoes) turn() { x.prev, x.now = x.now, nil }

// wrote notes what res, an action of a pass on lfs, wrote in the folder.
func (x *echoes) wrote(lfs exec.LocalFS, res exec.Result) {
	if res.Err != nil || res.Skipped || len(x.now) >= maxEchoes {
		return
	}
	a := res.Action
	if x.now == nil {
		x.now = map[string]string{}
	}
	x.fs = lfs
	switch {
	case a.IsDir && a.Op != plan.MkdirLocal:
		// A folder moved or deleted: what is below it is reported at paths of its own,
		// whose versions this does not know; the pass they ask for settles them.
	case a.Op == plan.Download, a.Op == plan.Conflict, a.Op == plan.MkdirLocal, a.Op == plan.MoveLocal:
		if res.Local != nil {
			x.now[a.To] = res.Local.Version
		}
		if a.Op == plan.MoveLocal && a.Path != a.To {
			x.now[a.Path] = ""
		}
	case a.Op == plan.DeleteLocal:
		x.now[a.Path] = ""
	}
}

// candidates returns the reported paths that may be echoes, with the version written.
func (x *echoes) candidates(paths []string) map[string]string {
	var out map[string]string
	for _, p := range paths {
		v, ok := x.now[p]
		if !ok {
			v, ok = x.prev[p]
		}
		if ok {
			if out == nil {
				out = map[string]string{}
			}
			out[p] = v
		}
	}
	return out
}

// isEcho reports whether path p of lfs still is what the engine wrote (version v, or
// gone for "").
func isEcho(lfs exec.LocalFS, p, v string) bool {
	n, err := lfs.Stat(p)
	if v == "" {
		return errors.Is(err, fs.ErrNotExist)
	}
	return err == nil && n.Version == v
}

// dropEchoes returns ev without the paths that are the echo of the engine's own writes.
// It stats them without e.mu held (the runner's goroutine: no pass runs meanwhile).
func (r *runner) dropEchoes(ev WatchEvent) WatchEvent {
	if ev.Rescan {
		return ev
	}
	r.e.mu.Lock()
	cands, lfs := r.echoes.candidates(ev.Paths), r.echoes.fs
	r.e.mu.Unlock()
	if len(cands) == 0 || lfs == nil {
		return ev
	}
	kept := make([]string, 0, len(ev.Paths))
	var echoed []string
	for _, p := range ev.Paths {
		if v, ok := cands[p]; ok && isEcho(lfs, p, v) {
			echoed = append(echoed, p)
			continue
		}
		kept = append(kept, p)
	}
	// An echo is heard once: a later report of the path is a change (a title set on a
	// file just downloaded changes no version).
	r.e.mu.Lock()
	for _, p := range echoed {
		delete(r.echoes.now, p)
		delete(r.echoes.prev, p)
	}
	r.e.mu.Unlock()
	ev.Paths = kept
	return ev
}
