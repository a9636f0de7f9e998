// Package watcher is an fsnotify tree watcher for a sync set's local root.
//
// It keeps one watch per folder (fsnotify watches are not recursive). A folder created
// inside the tree gets watches for itself and its whole subtree right away, and its
// existing contents are reported too, since files may have been written into it before
// its watch existed. Changes are debounced: the set-relative paths of a burst are
// reported as one Event after a quiet period (or at most maxDelay after the burst's first
// change). A kernel queue overflow is reported as a full rescan, and a periodic rescan
// is reported every rescan interval (default 10 minutes; at most 1 minute on network
// file systems detected with statfs, whose remote changes are never notified).
//
// The package does not depend on the sync engine; Event mirrors syncer.WatchEvent field
// for field so the caller converts with a plain loop.
//
// It may import nothing of this module.
package watcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Event is a local change notice: set-relative slash paths that changed (sorted, without
// duplicates), or Rescan when the watcher lost track (overflow, root gone) or the
// periodic rescan is due. A Rescan event covers every change before it.
type Event struct {
	Paths  []string
	Rescan bool
}

const (
	// DefaultDebounce is the quiet period used when Watch gets 0.
	DefaultDebounce = 300 * time.Millisecond
	// maxDelay bounds how long changes of a continuous burst are held back.
	maxDelay = 2 * time.Second
)

// Watch watches root (and, when recursive, every folder below it; symlinks are not
// followed) until ctx ends, then closes the returned channel. rescan is the base
// periodic rescan interval (see RescanInterval); debounce the quiet period after which
// collected paths are sent (DefaultDebounce when 0). The channel is never blocked on:
// while the receiver is busy, further changes are merged into the pending event.
func Watch(ctx context.Context, root string, recursive bool, rescan, debounce time.Duration) (<-chan Event, error) {
	root = filepath.Clean(root)
	fi, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("watcher: %s is not a directory", root)
	}
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	rescan = RescanInterval(root, rescan)

	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &treeWatcher{
		fw:        fw,
		root:      root,
		recursive: recursive,
		watched:   map[string]bool{},
		pending:   map[string]struct{}{},
	}
	if err := w.fw.Add(root); err != nil {
		fw.Close()
		return nil, fmt.Errorf("watcher: watch %s: %w", root, err)
	}
	w.watched[root] = true
	if recursive {
		if err := w.addTree(root, false); err != nil {
			fw.Close()
			return nil, err
		}
	}

	out := make(chan Event)
	go w.run(ctx, out, rescan, debounce)
	return out, nil
}

type treeWatcher struct {
	fw        *fsnotify.Watcher
	root      string
	recursive bool
	// watched holds the folders with a watch (absolute, as given to fw.Add).
	watched map[string]bool
	// pending collects set-relative paths of the current burst.
	pending map[string]struct{}
	// queued is the event waiting for the receiver, nil when none.
	queued *Event
}

func (w *treeWatcher) run(ctx context.Context, out chan<- Event, rescan, debounce time.Duration) {
	defer close(out)
	defer w.fw.Close()

	ticker := time.NewTicker(rescan)
	defer ticker.Stop()
	flush := time.NewTimer(time.Hour)
	flush.Stop()
	defer flush.Stop()
	var first, last time.Time // first and latest change of the pending burst

	events, errs := w.fw.Events, w.fw.Errors
	for {
		var send chan<- Event
		var next Event
		if w.queued != nil {
			send, next = out, *w.queued
		}
		select {
		case <-ctx.Done():
			return
		case send <- next:
			w.queued = nil
		case <-ticker.C:
			w.queueRescan(flush)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.queueRescan(flush)
			}
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			had := len(w.pending)
			if w.handle(ev) {
				w.queueRescan(flush)
				continue
			}
			if len(w.pending) == 0 {
				continue
			}
			now := time.Now()
			if had == 0 {
				first = now
			}
			last = now
			flush.Reset(min(last.Sub(now)+debounce, first.Sub(now)+maxDelay))
		case <-flush.C:
			w.flushPending()
		}
	}
}

// handle records one fsnotify event; it reports whether a full rescan is needed.
func (w *treeWatcher) handle(ev fsnotify.Event) (rescan bool) {
	name := filepath.Clean(ev.Name)
	if name == w.root {
		// The root itself: chmod (and anything else short of disappearing) is no change
		// of the set's contents; a removed or renamed root is left to the engine's rescan.
		return ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename)
	}
	rel, ok := w.rel(name)
	if !ok {
		return false
	}
	if !w.recursive && strings.Contains(rel, "/") {
		return false
	}
	w.pending[rel] = struct{}{}

	if !w.recursive {
		return false
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		w.unwatch(name)
	}
	if ev.Has(fsnotify.Create) && !w.watched[name] {
		if fi, err := os.Lstat(name); err == nil && fi.IsDir() {
			if err := w.addTree(name, true); err != nil {
				// Out of watches (or similar): changes below may be missed.
				return true
			}
		}
	}
	return false
}

// rel turns an absolute event path into a set-relative slash path.
func (w *treeWatcher) rel(name string) (string, bool) {
	rel, err := filepath.Rel(w.root, name)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// addTree adds watches for dir and every folder below it (without following symlinks).
// With report, every entry found below dir is recorded as changed: it may have been
// created before its folder's watch existed. Folders that vanish or cannot be read
// meanwhile are skipped; failing to add a watch otherwise is an error.
func (w *treeWatcher) addTree(dir string, report bool) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			// Only dir itself (d == nil) or a folder that cannot be read gets here.
			if d == nil || d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if report && p != dir {
			if rel, ok := w.rel(p); ok {
				w.pending[rel] = struct{}{}
			}
		}
		if d.IsDir() && !w.watched[p] {
			if err := w.fw.Add(p); err != nil {
				if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
					return filepath.SkipDir
				}
				return fmt.Errorf("watcher: watch %s: %w", p, err)
			}
			w.watched[p] = true
		}
		return nil
	})
}

// unwatch drops the watches of a removed or renamed-away folder and its subfolders, so
// that a folder moved elsewhere in the tree is watched afresh under its new name.
func (w *treeWatcher) unwatch(name string) {
	if !w.watched[name] {
		return
	}
	prefix := name + string(filepath.Separator)
	for p := range w.watched {
		if p == name || strings.HasPrefix(p, prefix) {
			delete(w.watched, p)
			_ = w.fw.Remove(p) // gone already when the kernel dropped it
		}
	}
}

// flushPending moves the collected paths into the queued event.
func (w *treeWatcher) flushPending() {
	if len(w.pending) == 0 {
		return
	}
	if w.queued == nil {
		w.queued = &Event{}
	}
	if !w.queued.Rescan {
		for p := range w.pending {
			w.queued.Paths = append(w.queued.Paths, p)
		}
		slices.Sort(w.queued.Paths)
		w.queued.Paths = slices.Compact(w.queued.Paths)
	}
	clear(w.pending)
}

// queueRescan replaces whatever is pending or queued by a full rescan, which covers it.
func (w *treeWatcher) queueRescan(flush *time.Timer) {
	flush.Stop()
	clear(w.pending)
	w.queued = &Event{Rescan: true}
}
