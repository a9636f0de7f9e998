package sim

import (
	"maps"
	"slices"
)

// What happens while the engine is down (between a crash and the restart): a person edits
// both sides, and the crash (or a power loss with it) may have left a synced local file cut:
// empty, or shorter with its mtime kept (KNOWN-FAILURES 19). The content the file held
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
	if err := w.fs.Truncate(p, size, keepMtime); err != nil {
		w.fail("truncating %s: %v", p, err)
	}
	w.logf("local: the crash cut %s to %d of %d bytes (mtime kept: %v)", p, size, len(data), keepMtime)
	if w.opt.stats != nil {
		w.opt.stats.cutFiles.Add(1)
	}
}
