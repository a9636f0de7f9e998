package sim

import (
	"io/fs"
	"maps"
	"slices"
	"strings"
)

// What happens while the engine is down (between a crash and the restart): a person edits
// both sides, and the crash (or a power loss with it) may have left a synced local file cut:
// empty, or shorter with its mtime kept (FAILURE-MODES 19). The content the file held
// before is still in the cloud, and must still be in a live file at the end: a cut file is
// no edit, so it must never replace the cloud's copy (that copy surviving only in the
// cloud's trash or version history would not do).

// whileDown makes a few edits on both sides, then maybe cuts a synced file.
func (w *world) whileDown() {
	for i, n := 0, w.intn(4); i < n; i++ {
		w.randomEdit("while the engine is down")
	}
	if w.chance(0.5) {
		w.cutSyncedFile()
	}
}

// cutSyncedFile truncates a non-empty local file whose cloud copy holds the same content:
// to zero bytes (mtime kept or not), or to half its size with its mtime kept.
func (w *world) cutSyncedFile() {
	l, c := w.localTree(), w.cloudTree()
	var synced []string
	for _, p := range slices.Sorted(maps.Keys(l)) {
		if l[p] != "/" && l[p] != "" && c[p] == l[p] {
			synced = append(synced, p)
		}
	}
	if len(synced) == 0 {
		return
	}
	p := synced[w.intn(len(synced))]
	data := l[p]
	size, keepMtime := int64(0), w.chance(0.5)
	if w.chance(0.3) {
		size, keepMtime = int64(len(data)/2), true
	}
	w.led.mustStayLive(data, "the content of "+p+" before the crash cut it")
	w.led.wrote(data[:size], "the crash that cut "+p)
	w.unseen.touch(true, p)
	if err := w.fs.Truncate(p, size, keepMtime); err != nil {
		w.fail("truncating %s: %v", p, err)
	}
	w.logf("local: the crash cut %s to %d of %d bytes (mtime kept: %v)", p, size, len(data), keepMtime)
	if w.opt.stats != nil {
		w.opt.stats.cutFiles.Add(1)
	}
}

// Unreadable subtrees (SPEC §4: one unreadable subfolder fails that item, not the set). A
// person makes a local folder unreadable (chmod 000) and later readable again; the scan
// cannot list it (MemFS's Fault hook answers "scan" of it with a permission error). The
// engine must never read it as emptied: no cloud item may be deleted while the local one at
// its path sits in an unreadable folder (simRemote.Delete notes it, settle fails on it). Faults stop at settle: every folder is readable
// again for the convergence check.

// toggleUnreadable makes local folder p unreadable, or readable again.
func (w *world) toggleUnreadable(p, why string) {
	w.mu.Lock()
	now := !w.unreadable[p]
	w.unreadable[p] = now
	if !now {
		delete(w.unreadable, p)
	}
	w.mu.Unlock()
	what := map[bool]string{true: "chmod 000 ", false: "chmod 755 "}[now] + p
	if why != "" {
		what += " (" + why + ")"
	}
	w.logf("local: %s", what)
}

// scanFault is MemFS's Fault hook: listing an unreadable folder fails, and so does any
// operation on a path inside it (without read and execute permission it cannot be
// traversed).
func (w *world) scanFault(op, p string) error {
	if p == "" {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if op == "scan" && w.unreadable[p] || w.insideUnreadableLocked(p) {
		return &fs.PathError{Op: op, Path: p, Err: fs.ErrPermission}
	}
	return nil
}

// insideUnreadable reports whether p lies strictly inside an unreadable folder: a person
// who is not root can neither write there nor move anything in or out.
func (w *world) insideUnreadable(p string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.insideUnreadableLocked(p)
}

func (w *world) insideUnreadableLocked(p string) bool {
	for u := range w.unreadable {
		if strings.HasPrefix(p, u+"/") {
			return true
		}
	}
	return false
}

// underUnreadable reports whether set-relative p is an unreadable folder or below one.
func (w *world) underUnreadable(p string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for u := range w.unreadable {
		if p == u || strings.HasPrefix(p, u+"/") {
			return true
		}
	}
	return false
}

// moveUnreadable carries the unreadable folders at or below from to to (a rename), or
// forgets them (to == "": deleted).
func (w *world) moveUnreadable(from, to string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for u := range w.unreadable {
		rest, ok := strings.CutPrefix(u, from)
		if !ok || rest != "" && !strings.HasPrefix(rest, "/") {
			continue
		}
		delete(w.unreadable, u)
		if to != "" {
			w.unreadable[to+rest] = true
		}
	}
}

// allReadable ends every unreadable folder (faults stop).
func (w *world) allReadable() {
	w.mu.Lock()
	n := len(w.unreadable)
	clear(w.unreadable)
	w.mu.Unlock()
	if n > 0 {
		w.logf("local: every folder readable again")
	}
}

// hasChildren reports whether local folder p holds anything.
func (w *world) hasChildren(p string) bool {
	for q := range w.fs.Tree() {
		if strings.HasPrefix(q, p+"/") {
			return true
		}
	}
	return false
}
