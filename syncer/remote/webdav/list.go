package webdav

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// listParallel bounds the PROPFINDs one List runs at once (a variable for the benchmark
// that compares bounds). 8 and not 4 (issue 11): on two cores shared with the server, 4
// left the server waiting on the client between answers. BenchmarkPollPass at 10,000
// files, 4 then 8 (load 1.6-2.8): rclone 0.117/0.128 s then 0.111/0.118 s, Apache
// 0.146/0.119 s then 0.097/0.113 s; BenchmarkListTree's walk of the same tree on rclone
// 103 ms with 4, 97 ms with 8. net/http keeps up to 8 idle connections per host
// (httpclient), so the walk's connections are reused.
var listParallel = 8

// List returns every entry below folder root, paths relative to root (ids of path-id
// servers stay account-relative, like Stat's). It walks with PROPFIND Depth 1, since many
// servers refuse Depth: infinity, running up to listParallel requests at once.
//
// prev is reused only where it is safe: when the probe found that folder ETags change with
// their subtree (Capabilities.FolderETags: Nextcloud, ownCloud) and the folders have a stable
// oc:fileid and an ETag, the subtree of a folder whose id and ETag equal prev's is copied
// from prev instead of listed again. Other servers get a full walk every time.
//
// A folder that vanishes during the walk fails the List with ErrChanged instead of being
// reported empty, so a concurrent change never reads as mass deletion.
func (c *Client) List(ctx context.Context, root string, prev []remote.Entry) ([]remote.Entry, error) {
	w, res, err := c.startWalk(ctx, root)
	if err != nil {
		return nil, err
	}
	if c.caps.FolderETags && propagatesFolderVersions(res.self) {
		w.prev = indexPrev(prev)
		// Room for a listing like the previous one, taken once: grown by appending, a
		// million entries were copied about twice more (issue 11).
		w.out = make([]remote.Entry, 0, len(prev)+len(res.children))
	}
	return w.run(ctx, res.children)
}

// startWalk lists folder root for a walk of it, which keeps its listings for the next
// walk of root (listcache.go). Where the walk can prune nothing (no folder ETags that
// cover their subtree), the root is not listed here but by run, beside the folders the
// last walk found below it (walkahead.go); res is then empty.
func (c *Client) startWalk(ctx context.Context, root string) (*walker, propfindResult, error) {
	root = remote.Clean(root)
	k := newKeeping(c.lists.get(root))
	w := &walker{c: c, root: root, keeping: k, s: newWalkState()}
	if !c.caps.FolderETags {
		w.ahead, w.s.keepOrder = c.ahead.get(root), true
		if w.rotate = c.rotates(); w.rotate {
			w.n = c.lists.walk(root)
		}
		return w, propfindResult{}, nil
	}
	res, l, err := c.listFolderKept(ctx, root, true, k.old[root], false)
	if err != nil {
		return nil, propfindResult{}, err
	}
	k.keep(root, l)
	return w, res, nil
}

// propagatesFolderVersions reports whether a folder's own entry can vouch for its subtree
// on a server whose folder ETags propagate: it has an oc:fileid and a real ETag.
func propagatesFolderVersions(folder remote.Entry) bool {
	return !folder.IDIsPath && folder.Version != "" && !strings.HasPrefix(folder.Version, fallbackVersionPrefix)
}

// prevIndex is a previous List result by folder: the folders' own entries, and the result
// sorted by path, where every folder's subtree is one run of entries (those whose path
// starts with the folder's and a slash). A subtree is a part of that slice, not a copy:
// the subtrees of a million files' folders were copied once per folder above each entry
// (two or three copies of the whole listing per poll; issue 11).
type prevIndex struct {
	dirs   map[string]remote.Entry // root-relative path → folder entry
	sorted []remote.Entry          // prev sorted by (cleaned) path
	paths  []string                // the cleaned paths of sorted
}

func indexPrev(prev []remote.Entry) *prevIndex {
	if len(prev) == 0 {
		return nil
	}
	ix := &prevIndex{dirs: map[string]remote.Entry{}, sorted: prev, paths: make([]string, len(prev))}
	for i, e := range prev {
		ix.paths[i] = remote.Clean(e.Path)
	}
	if !sort.StringsAreSorted(ix.paths) { // (List's results are sorted)
		order := make([]int, len(prev))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return ix.paths[order[a]] < ix.paths[order[b]] })
		paths := ix.paths
		ix.sorted, ix.paths = make([]remote.Entry, len(prev)), make([]string, len(prev))
		for i, j := range order {
			ix.sorted[i], ix.paths[i] = prev[j], paths[j]
		}
	}
	for i, e := range ix.sorted {
		if e.IsDir {
			ix.dirs[ix.paths[i]] = e
		}
	}
	return ix
}

// reusable returns prev's subtree of folder e (root-relative) when e is unchanged.
func (ix *prevIndex) reusable(e remote.Entry) ([]remote.Entry, bool) {
	if ix == nil || e.IDIsPath || e.Version == "" || e.Path == "" {
		return nil, false
	}
	old, ok := ix.dirs[e.Path]
	if !ok || old.ID != e.ID || old.Version != e.Version {
		return nil, false
	}
	lo := sort.SearchStrings(ix.paths, e.Path+"/")
	hi := sort.SearchStrings(ix.paths, e.Path+"0") // ('0' follows '/')
	return ix.sorted[lo:hi:hi], true
}

type walker struct {
	c      *Client
	root   string // account-relative
	prefix string // root + "/", or "" for the account's root
	prev   *prevIndex
	// keeping collects the listings for the next walk of root; they are kept when this
	// one succeeds.
	keeping *keeping
	out     []remote.Entry
	// emit, when set, takes each entry instead of out (Walk): the listing is not held.
	emit func(remote.Entry) error
	// known, when set, says which unchanged folders are not listed (WalkPruned).
	known func(remote.Entry) bool
	err   error // emit's first error
	// s is what the walk knows of its folders; ahead, when s.keepOrder is set, the
	// folders the last walk listed below root, and run lists the root too (walkahead.go).
	s     *walkState
	ahead []string
	// rotate: the walk reads the folders' metadata on a rotation; n is its number among
	// the walks of root (walkmeta.go).
	rotate bool
	n      uint64
}

// Walk is List without holding the listing (remote.Walker): fn gets every entry below
// folder root, paths relative to root, a folder before its content and otherwise in no
// particular order; an error from fn stops the walk and is returned. It fails as List
// does, and reuses no previous listing. A poll of a large tree on a server whose folder
// versions do not cover their subtree lists everything; this way it costs the engine
// the folders being listed, not the whole tree at once (issue 11).
func (c *Client) Walk(ctx context.Context, root string, fn func(remote.Entry) error) error {
	w, res, err := c.startWalk(ctx, root)
	if err != nil {
		return err
	}
	w.emit = fn
	_, err = w.run(ctx, res.children)
	return err
}

// WalkPruned is Walk that does not list below the folders known vouches for
// (remote.PruningWalker). It prunes under the conditions List reuses prev under (see
// List): elsewhere known is never asked. What is pruned is the caller's to know: this
// walk keeps no listing for it (a million entries kept between polls were about 290 MB;
// issue 11). Nor does it keep the folders' answers for the next walk (listcache.go)
// beyond the root's: the folders it lists are those that changed, whose next answers
// differ again, and up to listCacheEntries decoded entries would stay for nothing.
func (c *Client) WalkPruned(ctx context.Context, root string, known func(remote.Entry) bool, fn func(remote.Entry) error) error {
	w, res, err := c.startWalk(ctx, root)
	if err != nil {
		return err
	}
	w.emit = fn
	if c.caps.FolderETags && propagatesFolderVersions(res.self) {
		w.known = known
		w.keeping.off = true
	}
	_, err = w.run(ctx, res.children)
	return err
}

type listResult struct {
	dir      string // account-relative
	children []remote.Entry
	kept     *listing
	err      error
	ahead    bool // started before a listed folder named it (walkahead.go)
}

// run walks the folders below the root breadth-first with at most listParallel PROPFINDs
// in flight, starting with the root's children (first), or where startWalk left the root
// to it, with the root and the folders listed ahead (walkahead.go). It stops at the first
// error, after every request it started has returned.
func (w *walker) run(ctx context.Context, first []remote.Entry) ([]remote.Entry, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if w.root != "" {
		w.prefix = w.root + "/"
	}
	s := w.s
	var queue []string
	if s.keepOrder {
		s.named[w.root] = true
		queue = append([]string{w.root}, w.ahead...)
	} else {
		queue = w.add(queue, first, nil)
		w.c.spare.put(first)
	}
	results := make(chan listResult)
	inflight := 0
	var firstErr error
	// dispatch starts the listings of queued folders up to the bound and returns the rest.
	dispatch := func(queue []string) []string {
		for firstErr == nil && inflight < listParallel && len(queue) > 0 {
			dir := queue[0]
			queue = queue[1:]
			ahead, ok := s.start(dir)
			if !ok {
				continue
			}
			inflight++
			old, keep := w.keeping.old[dir], w.keeping.wants()
			go func() {
				res, l, err := w.list(ctx, dir, keep, old)
				results <- listResult{dir: dir, children: res.children, kept: l, err: err, ahead: ahead}
			}()
		}
		return queue
	}
	for len(queue) > 0 && firstErr == nil || inflight > 0 {
		if queue = dispatch(queue); inflight == 0 {
			break // (what was queued was not to be listed)
		}
		s.ready = append(s.ready, <-results)
		inflight--
		for len(s.ready) > 0 && firstErr == nil {
			r := s.ready[0]
			s.ready = s.ready[1:]
			var ok bool
			if queue, ok = s.take(r, queue); !ok {
				continue
			}
			if r.err != nil {
				if r.dir != w.root && errors.Is(r.err, remote.ErrNotFound) {
					r.err = &remote.Error{Kind: remote.ErrChanged, Op: "PROPFIND", Path: r.dir,
						Message: "a folder vanished or became a file during the listing", Err: r.err}
				}
				firstErr = r.err
				cancel()
				continue
			}
			w.keeping.keep(r.dir, r.kept)
			queue = w.add(queue, r.children, dispatch)
			w.c.spare.put(r.children) // (add copied what it kept of them)
			if w.err != nil {
				firstErr = w.err
				cancel()
			}
		}
		s.ready = s.ready[:0]
	}
	if firstErr != nil {
		return nil, firstErr
	}
	w.c.lists.put(w.root, w.keeping.fresh)
	if s.keepOrder {
		w.c.ahead.put(w.root, s.aheadOrder(w.root))
	}
	byPath := func(a, b remote.Entry) int { return strings.Compare(a.Path, b.Path) }
	if !slices.IsSortedFunc(w.out, byPath) { // (unchanged subtrees come sorted, in their place)
		slices.SortFunc(w.out, byPath)
	}
	return w.out, nil
}

var (
	_ remote.Walker        = (*Client)(nil)
	_ remote.PruningWalker = (*Client)(nil)
)

// add records account-relative entries as root-relative ones and returns the queue with
// the folders that must be listed; unchanged folders get prev's subtree instead. The
// folders are queued and handed to start (when given), which starts their listings, before
// the entries are recorded: recording runs the caller's fn, and the server need not wait
// for it. A folder is still recorded before its content, which only this goroutine records.
func (w *walker) add(queue []string, entries []remote.Entry, start func([]string) []string) []string {
	for _, e := range entries {
		if !e.IsDir {
			continue
		}
		if !w.pruned(w.rel(e)) && w.s.name(e.Path) {
			queue = append(queue, e.Path)
		}
	}
	if start != nil {
		queue = start(queue)
	}
	for _, e := range entries {
		e = w.rel(e)
		if w.emit != nil {
			if w.err == nil {
				w.err = w.emit(e)
			}
		} else {
			w.out = append(w.out, e)
		}
		if sub, ok := w.prev.reusable(e); ok && e.IsDir {
			w.out = append(w.out, sub...)
		}
	}
	return queue
}

// pruned reports whether folder e (root-relative) is not listed: prev has its subtree
// (List), or the caller knows it (WalkPruned). The folder's own entry vouches for it as
// in reusable.
func (w *walker) pruned(e remote.Entry) bool {
	if _, ok := w.prev.reusable(e); ok {
		return true
	}
	return w.known != nil && !e.IDIsPath && e.ID != "" && e.Version != "" && e.Path != "" &&
		!strings.HasPrefix(e.Version, fallbackVersionPrefix) && w.known(e)
}

// rel is account-relative entry e with its path relative to the walk's root.
func (w *walker) rel(e remote.Entry) remote.Entry {
	if w.prefix != "" {
		e.Path = strings.TrimPrefix(e.Path, w.prefix)
	}
	return e
}
