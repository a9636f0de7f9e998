package alfresco

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
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
	// change pruning could miss (a server clock stepping back) is found within that time.
	fullWalkEvery = 30 * time.Minute
)

// rootState is what List remembers of a root between calls: the root folder's id and
// modifiedAt and its number of children at the last List, and when it last walked in full.
type rootState struct {
	id, version string
	children    int
	fullAt      time.Time
}

// List returns every entry below folder root, paths relative to root.
//
// Change detection (NOTES §6.1): Alfresco has no delta feed, so List walks the tree with
// one children listing per folder. What it can prune uses Alfresco's timestamps: adding,
// deleting, renaming or moving a child changes the parent folder's modifiedAt, and a new
// version or a rename changes the file's own. So for a folder whose modifiedAt equals
// prev's, the child set is prev's and only children modified since are new: List asks for
// the children newest first (orderBy=modifiedAt DESC, probePage at a time) and stops at
// the first one older than anything prev had, reusing prev's entries for the rest. Every
// folder is still visited (a file's new version does not touch its folder), so a poll
// with nothing changed costs one small request per folder however many files it holds.
// Anything unexpected in a pruned listing (a child prev did not have) falls back to a full
// listing of that folder, and every fullWalkEvery List walks in full.
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
	w := &walker{c: c, network: l.network, sem: make(chan struct{}, listParallel)}
	c.mu.Lock()
	st, seen := c.rootSeen[l.full]
	c.mu.Unlock()
	prune := prev != nil && seen && time.Since(st.fullAt) < fullWalkEvery
	if prune {
		w.ix = indexPrev(prev)
		prune = len(w.ix.kids[""]) == st.children
	}
	var self node
	var kids []remote.Entry
	if prune {
		self, kids, err = w.pruned(ctx, lib, l.rest, "", st.version, w.ix.kids[""], true)
		if err == nil && self.ID != st.id {
			self, kids, err = c.listFolder(ctx, l.network, lib, l.rest, "", true)
		}
	} else {
		self, kids, err = c.listFolder(ctx, l.network, lib, l.rest, "", true)
	}
	if err != nil {
		return nil, err
	}
	if !self.IsFolder && self.ID != "" {
		return nil, &remote.Error{Kind: remote.ErrNotFound, Op: "list", Path: root, Message: "not a folder"}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w.cancel = cancel
	w.add(ctx, kids)
	w.wg.Wait()
	if w.err != nil {
		return nil, w.err
	}
	ns := rootState{id: self.ID, version: "m" + self.ModifiedAt, children: len(kids), fullAt: st.fullAt}
	if !prune || !seen {
		ns.fullAt = time.Now()
	}
	c.mu.Lock()
	c.rootSeen[l.full] = ns
	c.mu.Unlock()
	sort.Slice(w.out, func(i, j int) bool { return w.out[i].Path < w.out[j].Path })
	return w.out, nil
}

// prevIndex is a previous List result by folder id.
type prevIndex struct {
	dirs map[string]remote.Entry   // folder id → its entry
	kids map[string][]remote.Entry // folder id ("" for the root) → its direct children
}

func indexPrev(prev []remote.Entry) *prevIndex {
	ix := &prevIndex{dirs: map[string]remote.Entry{}, kids: map[string][]remote.Entry{}}
	pathID := map[string]string{"": ""}
	for _, e := range prev {
		if e.IsDir {
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
	ix      *prevIndex
	sem     chan struct{}
	wg      sync.WaitGroup
	cancel  context.CancelFunc

	mu  sync.Mutex
	out []remote.Entry
	err error
}

// add records entries and walks the folders among them, each in its own goroutine (at
// most listParallel listing at once).
func (w *walker) add(ctx context.Context, entries []remote.Entry) {
	w.mu.Lock()
	w.out = append(w.out, entries...)
	w.mu.Unlock()
	for _, e := range entries {
		if !e.IsDir {
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
			w.add(ctx, kids)
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

// folder lists the children of folder e (root-relative), pruned when prev has it unchanged.
func (w *walker) folder(ctx context.Context, e remote.Entry) ([]remote.Entry, error) {
	var kids []remote.Entry
	var err error
	if old, ok := w.ix.dir(e.ID); ok && old.Version == e.Version {
		_, kids, err = w.pruned(ctx, e.ID, "", e.Path, e.Version, w.ix.kids[e.ID], false)
	} else {
		_, kids, err = w.c.listFolder(ctx, w.network, e.ID, "", e.Path, false)
	}
	if errors.Is(err, remote.ErrNotFound) {
		return nil, &remote.Error{Kind: remote.ErrChanged, Op: "GET nodes/{id}/children", Path: e.Path,
			Message: "a folder vanished during the listing", Err: err}
	}
	return kids, err
}

func (ix *prevIndex) dir(id string) (remote.Entry, bool) {
	if ix == nil {
		return remote.Entry{}, false
	}
	e, ok := ix.dirs[id]
	return e, ok
}

// pruned lists folder id (or relativePath rel below it) whose modifiedAt was version when
// prevKids were its children: only children modified since come from the server. With
// wantSelf the folder itself comes back too (the root), and a folder whose version moved
// is listed in full.
func (w *walker) pruned(ctx context.Context, id, rel, p, version string, prevKids []remote.Entry, wantSelf bool) (node, []remote.Entry, error) {
	var newest time.Time
	byID := map[string]int{}
	for i, k := range prevKids {
		byID[k.ID] = i
		if k.ModTime.After(newest) {
			newest = k.ModTime
		}
	}
	full := func() (node, []remote.Entry, error) { return w.c.listFolder(ctx, w.network, id, rel, p, wantSelf) }
	var self node
	var fresh []node
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
				return self, nil, &remote.Error{Kind: remote.ErrNotFound, Op: "GET nodes/{id}/children", Path: p, Message: "not a folder"}
			}
			return self, nil, err
		}
		if wantSelf && skip == 0 {
			if page.List.Source == nil {
				return full()
			}
			self = *page.List.Source
			if "m"+self.ModifiedAt != version {
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
		kids[i] = n.entry(remote.Join(p, n.Name))
	}
	return self, kids, nil
}
