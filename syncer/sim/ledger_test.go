package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// ledger records every content any actor wrote (by SHA-256), and the contents a person
// destroyed while no other copy of them existed anywhere (overwritten or removed on the
// same side before any sync copied it): only those may be missing at the end.
type ledger struct {
	mu      sync.Mutex
	written map[string]string // hash → who wrote it where
	gone    map[string]bool   // hashes whose last copy a person destroyed
	// live: hashes that must be in a live file at the end, not only in a trash or a
	// version history (a crash damaged one copy; the engine must keep the other).
	live map[string]string
	// partial: the first bytes of an upload a crash or a network failure cut, left in the
	// cloud under the real name (→ the hash of the whole content). No file under its final
	// name may end with them, with one exception: a local conflict copy may (the engine keeps
	// a cloud version it cannot prove its own), and so may any file once a person destroyed
	// the whole content before the engine could send it again: without those bytes to compare
	// with, the cut upload cannot be told from a cloud edit, which is kept (SPEC: an edit
	// beats a delete).
	partial map[string]string
}

// cutUpload records the bytes a cut upload of whole left in the cloud.
func (l *ledger) cutUpload(cut, whole string) {
	l.mu.Lock()
	l.partial[hashOf(cut)] = hashOf(whole)
	l.mu.Unlock()
}

// partialAllowed reports whether a file at p may hold content h (see partial); l.mu held.
func (l *ledger) partialAllowed(p, h string) bool {
	whole, ok := l.partial[h]
	return ok && l.written[h] == "" && (isConflictCopy(p) || l.gone[whole] || whole == adopted)
}

// adopted marks a cut upload's bytes a person moved in the cloud: they took them as a file
// of theirs, which may then end anywhere.
const adopted = "adopted"

// adoptPartials marks the cut uploads' bytes at or below cloud path p as adopted.
func (w *world) adoptPartials(p string) { w.led.adoptPartials(w.cloudTree(), p) }

// adoptPartials marks the cut uploads' bytes in the files of cloud tree tr at or below p
// as adopted (every layer's cloud rename calls it before it moves p).
func (l *ledger) adoptPartials(tr map[string]string, p string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for q, data := range tr {
		if under(q, p) {
			if _, ok := l.partial[hashOf(data)]; ok {
				l.partial[hashOf(data)] = adopted
			}
		}
	}
}

// mustStayLive records that data must still be in a live file (local or cloud) at the end.
func (l *ledger) mustStayLive(data, why string) {
	l.mu.Lock()
	l.live[hashOf(data)] = why
	l.mu.Unlock()
}

// lost returns, sorted, who wrote each content that held (hash → still somewhere) does
// not hold and that no person destroyed.
func (l *ledger) lost(held map[string]bool) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for h, who := range l.written {
		if !held[h] && !l.gone[h] {
			out = append(out, who)
		}
	}
	slices.Sort(out)
	return out
}

func newLedger() *ledger {
	return &ledger{written: map[string]string{}, gone: map[string]bool{}, live: map[string]string{}, partial: map[string]string{}}
}

func hashOf(data string) string {
	s := sha256.Sum256([]byte(data))
	return hex.EncodeToString(s[:])
}

// forget takes back a content recorded by wrote that was never written after all.
func (l *ledger) forget(data string) {
	l.mu.Lock()
	delete(l.written, hashOf(data))
	l.mu.Unlock()
}

func (l *ledger) wrote(data, who string) {
	l.mu.Lock()
	l.written[hashOf(data)] = who
	l.mu.Unlock()
}

// holdings returns the hashes of every content that exists somewhere: live local files
// (conflict copies included), live cloud files (the whole account), the desktop trash and
// the cloud's trash and version history. skipLocal/skipCloud leave out one subtree that a
// person is about to destroy ("" leaves out nothing).
func (w *world) holdings(skipLocal, skipCloud string) map[string]bool {
	out := map[string]bool{}
	for p, data := range w.fs.Tree() {
		if strings.HasSuffix(p, "/") || skipLocal != "" && under(p, skipLocal) {
			continue
		}
		out[hashOf(data)] = true
	}
	for p, data := range w.rem.Tree("") {
		if data == "/" || skipCloud != "" && under(p, cloudFolder+"/"+skipCloud) {
			continue
		}
		out[hashOf(data)] = true
	}
	for _, tr := range w.fs.Trashed() {
		for _, b := range tr.Files {
			out[hashOf(string(b))] = true
		}
	}
	for _, tr := range w.rem.Trash() {
		out[hashOf(string(tr.Data))] = true
	}
	return out
}

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// destroying is called before a person overwrites or removes p (with its subtree) on one
// side: contents of which that is the last copy are marked gone.
func (w *world) destroying(local bool, p string, files map[string]string) {
	var held map[string]bool
	if local {
		held = w.holdings(p, "")
	} else {
		held = w.holdings("", p)
	}
	w.led.mu.Lock()
	defer w.led.mu.Unlock()
	for fp, data := range files {
		if fp != p && !under(fp, p) || data == "/" {
			continue
		}
		if h := hashOf(data); !held[h] && w.led.written[h] != "" {
			w.led.gone[h] = true
		}
	}
}

// checkNoLostWrite: every content written is still held somewhere (or a person destroyed
// its last copy), and every live file holds a complete written content (atomicity).
func (w *world) checkNoLostWrite() {
	w.t.Helper()
	if lost := w.led.lost(w.holdings("", "")); len(lost) > 0 {
		w.fail("lost writes: %v\nlocal: %v\ncloud: %v", lost, show(w.localTree()), show(w.cloudTree()))
	}
	live := map[string]bool{}
	for p, data := range w.fs.Tree() {
		if !strings.HasSuffix(p, "/") {
			live[hashOf(data)] = true
		}
	}
	for _, data := range w.rem.Tree("") {
		live[hashOf(data)] = true
	}
	w.led.mu.Lock()
	defer w.led.mu.Unlock()
	for h, why := range w.led.live {
		if !live[h] && !w.led.gone[h] {
			w.fail("%s is in no live file any more (replaced by the damaged copy?)\nlocal: %v\ncloud: %v",
				why, show(w.localTree()), show(w.cloudTree()))
		}
	}
	for p, data := range w.fs.Tree() {
		if w.led.partialAllowed(p, hashOf(data)) {
			continue
		}
		if !strings.HasSuffix(p, "/") && w.led.written[hashOf(data)] == "" {
			w.fail("local %s holds content nobody wrote: %q", p, data)
		}
	}
	for p, data := range w.rem.Tree("") {
		if data != "/" && w.led.written[hashOf(data)] == "" && !w.led.partialAllowed(p, hashOf(data)) {
			w.fail("cloud %s holds content nobody wrote: %q", p, data)
		}
	}
}

// checkContained: the engine wrote nothing outside the set's roots.
func (w *world) checkContained() {
	w.t.Helper()
	for p := range w.rem.Tree("") {
		if !under(p, cloudFolder) {
			w.fail("containment: cloud %s is outside the set's folder", p)
		}
	}
	if n := len(w.outside.Tree()); n > 0 || len(w.outside.Trashed()) > 0 {
		w.fail("containment: %d items written to another local root", n)
	}
}

// localTree and cloudTree give both sides in one form: files → content, folders → "/".
func (w *world) localTree() map[string]string {
	out := map[string]string{}
	for p, data := range w.fs.Tree() {
		if d, ok := strings.CutSuffix(p, "/"); ok {
			out[d] = "/"
		} else {
			out[p] = data
		}
	}
	return out
}

func (w *world) cloudTree() map[string]string { return w.rem.Tree(cloudFolder) }

func isConflictCopy(p string) bool { return strings.Contains(p, "(conflict copy ") }

// failures lists the set's failed items, for failure messages.
func (w *world) failures() []string {
	var out []string
	for _, s := range must(w.store.ListSets()) {
		_ = w.store.ListItems(s.ID, func(it model.Item) bool {
			if it.Status == model.StatusFailed {
				out = append(out, fmt.Sprintf("%s (base %v): %s", it.Path, it.HasBase, it.Reason))
			}
			return true
		})
	}
	return out
}

func must[T any](v T, _ error) T { return v }

// apart lists the paths the set's options or failures keep apart on purpose: items whose
// other side is gone or excluded (wherever their local copy is now), and failures no retry
// can fix without the user: invalid names, unsupported items, and name clashes (SPEC §3: a
// rename onto a taken name fails; nothing is overwritten), with the names they clash with.
func (w *world) apart() (paths, folded []string) {
	return apartOf(w.store, w.scanByPath())
}

// apartOf is apart for the set of store (its only set), with the local paths by id.
func apartOf(store model.Store, byPath map[string]string) (paths, folded []string) {
	sets, err := store.ListSets()
	if err != nil || len(sets) != 1 {
		return nil, nil
	}
	var dependent []string
	where := map[string]string{} // local id → path
	for p, n := range byPath {
		where[n] = p
	}
	_ = store.ListItems(sets[0].ID, func(it model.Item) bool {
		clash := it.Status == model.StatusFailed && it.Reason == "name_clash"
		if it.Local.Gone || it.Remote.Gone || it.Local.Excl || it.Remote.Excl || clash ||
			it.Status == model.StatusFailed && (it.Reason == "invalid_name" || it.Reason == "unsupported") {
			paths = append(paths, it.Path)
			if p, ok := where[it.Local.ID]; ok && it.Local.ID != "" {
				paths = append(paths, p)
			}
		}
		if clash {
			folded = append(folded, strings.ToLower(it.Path))
		}
		if it.Status == model.StatusFailed && it.Reason == "missing_destination" {
			dependent = append(dependent, it.Path)
			if p, ok := where[it.Local.ID]; ok && it.Local.ID != "" {
				dependent = append(dependent, p) // (moved locally meanwhile)
			}
		}
		return true
	})
	// An item whose move or transfer into a folder kept apart fails (missing_destination)
	// stays apart with it until the user resolves that folder.
	if len(paths) > 0 {
		paths = append(paths, dependent...)
	}
	return paths, folded
}

// scanByPath maps the local paths to their ids.
func (w *world) scanByPath() map[string]string {
	return idsByPath(w.fs)
}

func idsByPath(fs exec.LocalFS) map[string]string {
	nodes, _ := fs.Scan(context.Background(), exec.ScanOptions{IncludeSubfolders: true})
	out := map[string]string{}
	for _, n := range nodes {
		out[n.Path] = n.ID
	}
	return out
}

// diff returns the paths where the two sides differ, ignoring conflict copies and the
// items kept apart.
func (w *world) diff() []string {
	apart, folded := w.apart()
	return diffTrees(w.localTree(), w.cloudTree(), apart, folded)
}

// keptApart reports whether the sides may differ at p: a conflict copy, or at or under an
// item kept apart (see apart).
func keptApart(p string, apart, folded []string) bool {
	if isConflictCopy(p) {
		return true
	}
	for _, a := range apart {
		if under(p, a) {
			return true
		}
	}
	for _, f := range folded {
		if under(strings.ToLower(p), f) {
			return true
		}
	}
	return false
}

// diffTrees is diff over two trees (files → content, folders → "/").
func diffTrees(l, c map[string]string, apart, folded []string) []string {
	skip := func(p string) bool { return keptApart(p, apart, folded) }
	var out []string
	for _, p := range slices.Sorted(maps.Keys(l)) {
		if !skip(p) && c[p] != l[p] {
			out = append(out, p)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(c)) {
		if _, ok := l[p]; !ok && !skip(p) {
			out = append(out, p)
		}
	}
	return out
}

// localState is the local tree with ids and versions, to tell whether a pass wrote.
func (w *world) localState() string {
	nodes, err := w.fs.Scan(context.Background(), exec.ScanOptions{IncludeSubfolders: true})
	if err != nil {
		w.fail("scanning: %v", err)
	}
	var b strings.Builder
	for _, n := range nodes {
		b.WriteString(n.Path + "|" + n.ID + "|" + n.Version + "\n")
	}
	return b.String()
}

func show(m map[string]string) string {
	var b strings.Builder
	b.WriteString("{")
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteString(", ")
		}
		v := m[k]
		if len(v) > 24 {
			v = v[:24] + "…"
		}
		b.WriteString(k + "=" + v)
	}
	return b.String() + "}"
}
