package syncer

// dirtySet collects what a set's watcher reported since the set's last scan started:
// set-relative paths that changed, or full when the watcher lost track (a kernel queue
// overflow, the periodic rescan, more paths than maxDirty). It makes a seen change pending
// at once (SPEC §3), before any pass looked at it, and it is the input of subtree scans
// (docs/ARCHITECTURE.md, issue 11): a pass may then rescan only the folders of the dirty
// paths unless full is set. Only paths that belong to the set are kept (see view.relevant). Guarded by Engine.mu, like the rest of the runner's view.
type dirtySet struct {
	paths map[string]struct{}
	full  bool
}

// maxDirty bounds the paths kept; beyond it the set falls back to a full rescan, which a
// burst that large needs anyway.
const maxDirty = 50_000

// add records a watcher event; keep says whether a path belongs to the set. It reports
// whether the event asks for a pass: a rescan, or at least one path that belongs to the set
// (changes of cloudsync's own files, temp files or conflict copies do not).
func (d *dirtySet) add(ev WatchEvent, keep func(string) bool) bool {
	if ev.Rescan {
		d.full = true
		clear(d.paths)
		return true
	}
	wanted := false
	for _, p := range ev.Paths {
		if !keep(p) {
			continue
		}
		wanted = true
		if d.full {
			continue
		}
		if d.paths == nil {
			d.paths = map[string]struct{}{}
		}
		d.paths[p] = struct{}{}
		if len(d.paths) > maxDirty {
			d.full = true
			clear(d.paths)
		}
	}
	return wanted
}

// take returns what was collected and starts a new collection: a scan is about to look
// at it. Changes reported from now on belong to the next scan.
func (d *dirtySet) take() dirtySet {
	out := *d
	*d = dirtySet{}
	return out
}

// restore merges back what take returned, when the scan that took it failed.
func (d *dirtySet) restore(o dirtySet) {
	if o.full {
		d.full = true
		clear(d.paths)
		return
	}
	for p := range o.paths {
		d.add(WatchEvent{Paths: []string{p}}, func(string) bool { return true })
	}
}

// has reports whether p was reported changed (full does not say which paths changed).
func (d *dirtySet) has(p string) bool {
	_, ok := d.paths[p]
	return ok
}
