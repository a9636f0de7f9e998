package alfresco

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

const (
	// listPage is maxItems of a full children listing (Alfresco has no upper cap).
	listPage = 1000
	// probePage is maxItems of a pruned listing, sorted newest first.
	probePage = 5
	// listParallel bounds the listings one List runs at once.
	listParallel = 4
	// fullWalkEvery is how often List ignores prev and walks everything afresh, so that a
	// change pruning could miss (a server clock stepping back, a folder timestamp update
	// that failed) is found within that time.
	fullWalkEvery = 30 * time.Minute
)

// rootState is what List remembers of a root between calls: the root folder's id and
// Version (see node.entry) and its number of children at the last List, when it last
// walked in full, and what it returned (for Delete's re-check, see seen).
type rootState struct {
	id, version string
	children    int
	fullAt      time.Time
	seen        seenSet
}

// List returns every entry below folder root, paths relative to root.
//
// Change detection (REAL-ALFRESCO.md §13 and §2): Alfresco has no delta feed, so List
// walks the tree with one children listing per folder. What it can prune uses Alfresco's
// timestamps: adding, deleting, renaming or moving a child changes the parent folder's
// modifiedAt, and a new version, a rename or a move changes the node's own. But the
// folder's change comes late (after the commit, in a transaction of its own), merged to
// 1-second steps, and not at all in some cases (a checkout, a move with
// system.auditableData.FileFolderService=true, a failed update). So a folder's children are
// reused from prev only when all of these hold:
//   - its modifiedAt equals prev's and was not recent when prev was listed (recentWindow):
//     a change after that listing cannot have been merged into it;
//   - the listing's totalItems equals prev's number of children: a delete or a move out
//     whose timestamp update is missing still changes the count;
//   - no child is newer than prev's newest (asked for newest first, probePage at a time):
//     new, moved-in, renamed and edited children carry a new modifiedAt.
//
// Every folder is still visited (a file's new version does not touch its folder), so a
// poll with nothing changed costs one small request per folder however many files it
// holds. Anything unexpected in a pruned listing falls back to a full listing of that
// folder, and every fullWalkEvery List walks in full.
//
// A node listed twice (moved during the walk, or found in its new folder while its old
// folder was reused from prev) is looked up and kept where it is now; when the copy
// dropped came from a reused folder, List walks again without prev. Links, working copies
// and other nodes the engine cannot sync are listed as Unsupported and not walked into.
//
// A folder that vanishes during the walk fails the List with ErrChanged instead of being
// reported empty.
func (c *Client) List(ctx context.Context, root string, prev []remote.Entry) ([]remote.Entry, error) {
	root = remote.Clean(root)
	l := c.locate(root)
	if l.depth < 2 {
		return nil, &remote.Error{Kind: remote.ErrUnsupported, Op: "list", Path: root,
			Message: "a sync folder must be a site or a folder inside one (NETWORK/SITE/path)"}
	}
	lib, err := c.doclib(ctx, l.network, l.site)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	st, known := c.rootSeen[l.full]
	c.mu.Unlock()
	prune := prev != nil && known && time.Since(st.fullAt) < fullWalkEvery
	out, self, pruned, err := c.walk(ctx, l, lib, prev, st, prune)
	if err == nil && pruned {
		// A stale copy came from a folder reused from prev: its listing cannot be trusted.
		out, self, _, err = c.walk(ctx, l, lib, nil, st, false)
		prune = false
	}
	if err != nil {
		return nil, err
	}
	ns := rootState{id: self.ID, version: self.version, children: self.children, fullAt: st.fullAt, seen: newSeen(out)}
	if !prune {
		ns.fullAt = time.Now()
	}
	c.mu.Lock()
	c.rootSeen[l.full] = ns
	c.mu.Unlock()
	return out, nil
}

// rootSelf is what a walk learnt of the root folder.
type rootSelf struct {
	ID, version string
	children    int
}

// walk lists the tree below l once; prune: reuse prev where it may. staleReused reports
// that a duplicate's stale copy came from a reused folder (the caller walks again).
func (c *Client) walk(ctx context.Context, l loc, lib string, prev []remote.Entry, st rootState, prune bool) ([]remote.Entry, rootSelf, bool, error) {
	w := &walker{c: c, network: l.network, sem: make(chan struct{}, listParallel), reused: map[string]bool{}}
	var self node
	var kids []remote.Entry
	var version string
	var err error
	if prune {
		w.ix = indexPrev(prev)
		prune = len(w.ix.kids[""]) == st.children
	}
	if prune {
		self, kids, version, err = w.pruned(ctx, lib, l.rest, "", st.version, w.ix.kids[""], true)
		if err == nil && self.ID != st.id {
			prune = false
		}
		if prune && err == nil && version == st.version && !recent(version) {
			w.reused[""] = true
		}
	}
	if !prune || err != nil {
		var date time.Time
		self, kids, date, err = c.listFolder(ctx, l.network, lib, l.rest, "", true)
		version = self.entry("", date).Version
	}
	if err != nil {
		return nil, rootSelf{}, false, err
	}
	if !self.IsFolder && self.ID != "" {
		return nil, rootSelf{}, false, &remote.Error{Kind: remote.ErrNotFound, Op: "list", Path: l.full, Message: "not a folder"}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w.cancel, w.root = cancel, self.ID
	w.add(ctx, "", kids)
	w.wg.Wait()
	if w.err != nil {
		return nil, rootSelf{}, false, w.err
	}
	out, staleReused, err := w.dedupe(ctx)
	if err != nil {
		return nil, rootSelf{}, false, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, rootSelf{ID: self.ID, version: version, children: len(kids)}, staleReused, nil
}

// recent reports whether a folder Version was marked too recent to be trusted.
func recent(version string) bool { return strings.HasSuffix(version, recentMark) }

// prevIndex is a previous List result by folder id.
type prevIndex struct {
	dirs map[string]remote.Entry   // folder id → its entry
	kids map[string][]remote.Entry // folder id ("" for the root) → its direct children
}

func indexPrev(prev []remote.Entry) *prevIndex {
	ix := &prevIndex{dirs: map[string]remote.Entry{}, kids: map[string][]remote.Entry{}}
	pathID := map[string]string{"": ""}
	for _, e := range prev {
		if e.IsDir && e.Unsupported == "" {
			ix.dirs[e.ID] = e
			pathID[e.Path] = e.ID
		}
	}
	for _, e := range prev {
		d := parentOf(e.Path)
		if id, ok := pathID[d]; ok {
			ix.kids[id] = append(ix.kids[id], e)
		}
	}
	return ix
}

type walker struct {
	c       *Client
	network string
	root    string // the root folder's id
	ix      *prevIndex
	sem     chan struct{}
	wg      sync.WaitGroup
	cancel  context.CancelFunc

	mu     sync.Mutex
	out    []remote.Entry
	parent []string        // parent folder path of out[i]
	reused map[string]bool // folder paths whose children came from prev
	err    error
}

// add records entries (children of folder dir) and walks the folders among them, each in
// its own goroutine (at most listParallel listing at once). Unsupported folders (links)
// are not walked.
func (w *walker) add(ctx context.Context, dir string, entries []remote.Entry) {
	w.mu.Lock()
	w.out = append(w.out, entries...)
	for range entries {
		w.parent = append(w.parent, dir)
	}
	w.mu.Unlock()
	for _, e := range entries {
		if !e.IsDir || e.Unsupported != "" {
			continue
		}
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			select {
			case w.sem <- struct{}{}:
			case <-ctx.Done():
				w.fail(ctx.Err())
				return
			}
			kids, err := w.folder(ctx, e)
			<-w.sem
			if err != nil {
				w.fail(err)
				return
			}
			w.add(ctx, e.Path, kids)
		}()
	}
}

func (w *walker) fail(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
		w.cancel()
	}
	w.mu.Unlock()
}

// folder lists the children of folder e (root-relative), pruned when prev has it unchanged
// and trusted (see List).
func (w *walker) folder(ctx context.Context, e remote.Entry) ([]remote.Entry, error) {
	var kids []remote.Entry
	var err error
	if old, ok := w.ix.dir(e.ID); ok && old.Version == e.Version && !recent(e.Version) {
		var reused bool
		_, kids, reused, err = w.prunedKids(ctx, e)
		if reused {
			w.mu.Lock()
			w.reused[e.Path] = true
			w.mu.Unlock()
		}
	} else {
		_, kids, _, err = w.c.listFolder(ctx, w.network, e.ID, "", e.Path, false)
	}
	if errors.Is(err, remote.ErrNotFound) {
		return nil, &remote.Error{Kind: remote.ErrChanged, Op: "GET nodes/{id}/children", Path: e.Path,
			Message: "a folder vanished during the listing", Err: err}
	}
	return kids, err
}

func (w *walker) prunedKids(ctx context.Context, e remote.Entry) (node, []remote.Entry, bool, error) {
	self, kids, version, err := w.pruned(ctx, e.ID, "", e.Path, e.Version, w.ix.kids[e.ID], false)
	return self, kids, err == nil && version == e.Version, err
}

func (ix *prevIndex) dir(id string) (remote.Entry, bool) {
	if ix == nil {
		return remote.Entry{}, false
	}
	e, ok := ix.dirs[id]
	return e, ok
}

// pruned lists folder id (or relativePath rel below it) whose Version was version when
// prevKids were its children: only children modified since come from the server. With
// wantSelf the folder itself comes back too (the root), and a folder whose version moved
// is listed in full. It returns the Version the listing found (version when prev's
// children were reused; another one when it listed in full).
func (w *walker) pruned(ctx context.Context, id, rel, p, version string, prevKids []remote.Entry, wantSelf bool) (node, []remote.Entry, string, error) {
	var newest time.Time
	byID := map[string]int{}
	for i, k := range prevKids {
		byID[k.ID] = i
		if k.ModTime.After(newest) {
			newest = k.ModTime
		}
	}
	full := func() (node, []remote.Entry, string, error) {
		self, kids, date, err := w.c.listFolder(ctx, w.network, id, rel, p, wantSelf)
		return self, kids, self.entry(p, date).Version, err
	}
	var self node
	var fresh []node
	var date time.Time
	for skip := 0; ; {
		q := url.Values{"skipCount": {fmt.Sprint(skip)}, "maxItems": {fmt.Sprint(probePage)}, "include": {nodeInclude},
			"orderBy": {"modifiedAt DESC"}, "where": {"(isPrimary=true)"}}
		if rel != "" {
			q.Set("relativePath", rel)
		}
		if wantSelf && skip == 0 {
			q.Set("includeSource", "true")
		}
		page, err := w.c.listPage(ctx, w.network, id, p, q)
		if err != nil {
			if remote.StatusOf(err) == http.StatusBadRequest {
				return self, nil, "", &remote.Error{Kind: remote.ErrNotFound, Op: "GET nodes/{id}/children", Path: p, Message: "not a folder"}
			}
			return self, nil, "", err
		}
		if skip == 0 {
			date = page.date
			if t := page.List.Pagination.TotalItems; t != nil && *t != len(prevKids) {
				return full() // children gone (or come) without the folder's timestamp
			}
		}
		if wantSelf && skip == 0 {
			if page.List.Source == nil {
				return full()
			}
			self = *page.List.Source
			if v := self.entry(p, date).Version; v != version || recent(v) {
				return full()
			}
		}
		older := false
		for _, e := range page.List.Entries {
			if t, err := ParseTime(e.Entry.ModifiedAt); err == nil && t.Before(newest) {
				older = true
				break
			}
			fresh = append(fresh, e.Entry)
		}
		if older || !page.List.Pagination.HasMoreItems || len(page.List.Entries) == 0 {
			break
		}
		skip += len(page.List.Entries)
	}
	kids := make([]remote.Entry, len(prevKids))
	for i, k := range prevKids {
		k.Path = remote.Join(p, path.Base(k.Path))
		kids[i] = k
	}
	for _, n := range fresh {
		i, ok := byID[n.ID]
		if !ok || n.Name != path.Base(prevKids[i].Path) || !w.c.usable(n, p) {
			// A child set that changed without the folder's modifiedAt (propagation can lag):
			// trust nothing from prev here.
			return full()
		}
		kids[i] = n.entry(remote.Join(p, n.Name), date)
	}
	return self, kids, version, nil
}

// dedupe resolves nodes listed more than once: each is looked up (GET nodes/{id}) and
// kept only where it is now; copies elsewhere go with their subtrees. staleReused reports
// that a dropped copy came from a folder reused from prev. A node that is in none of the
// places it was listed fails the List with ErrChanged (it moved again during the walk).
func (w *walker) dedupe(ctx context.Context) ([]remote.Entry, bool, error) {
	at := map[string][]int{}
	for i, e := range w.out {
		at[e.ID] = append(at[e.ID], i)
	}
	pathID := map[string]string{"": w.root}
	drop := map[string]bool{} // paths dropped with their subtrees
	staleReused := false
	for id, is := range at {
		if len(is) < 2 {
			continue
		}
		if len(pathID) == 1 {
			for _, e := range w.out {
				if e.IsDir {
					pathID[e.Path] = e.ID
				}
			}
		}
		n, err := w.c.getNode(ctx, w.network, id, "", w.out[is[0]].Path, nodeInclude)
		if err != nil && !errors.Is(err, remote.ErrNotFound) {
			return nil, false, err
		}
		keep := -1
		for _, i := range is {
			dir := w.parent[i]
			parentID, ok := pathID[dir]
			if err == nil && ok && parentID == n.ParentID && path.Base(w.out[i].Path) == n.Name && keep < 0 {
				keep = i
				continue
			}
			drop[w.out[i].Path] = true
			staleReused = staleReused || w.reused[dir]
		}
		if err == nil && keep < 0 {
			return nil, false, &remote.Error{Kind: remote.ErrChanged, Op: "list", Path: w.out[is[0]].Path,
				Message: "a node moved during the listing"}
		}
	}
	if len(drop) == 0 {
		return w.out, false, nil
	}
	out := w.out[:0:0]
	for _, e := range w.out {
		if !underAny(e.Path, drop) {
			out = append(out, e)
		}
	}
	return out, staleReused, nil
}

// underAny reports whether p is one of the paths in set or below one.
func underAny(p string, set map[string]bool) bool {
	for q := p; ; q = parentOf(q) {
		if set[q] {
			return true
		}
		if q == "" {
			return false
		}
	}
}
