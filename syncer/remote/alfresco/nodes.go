package alfresco

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// node is the part of the API's Node the client reads.
type node struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	NodeType   string `json:"nodeType"`
	IsFolder   bool   `json:"isFolder"`
	IsFile     bool   `json:"isFile"`
	IsLink     bool   `json:"isLink"`
	ModifiedAt string `json:"modifiedAt"`
	ParentID   string `json:"parentId"`
	Content    *struct {
		SizeInBytes int64 `json:"sizeInBytes"`
	} `json:"content"`
	AspectNames []string       `json:"aspectNames"`
	Properties  map[string]any `json:"properties"`
	Path        *struct {
		Elements []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"elements"`
	} `json:"path"`
}

type nodeEntry struct {
	Entry node `json:"entry"`
}

type pagination struct {
	Count        int  `json:"count"`
	HasMoreItems bool `json:"hasMoreItems"`
	SkipCount    int  `json:"skipCount"`
	TotalItems   *int `json:"totalItems"` // may be absent (the definition does not require it)
}

type nodeList struct {
	List struct {
		Pagination pagination  `json:"pagination"`
		Entries    []nodeEntry `json:"entries"`
		Source     *node       `json:"source"`
	} `json:"list"`
	date time.Time // the server's time of the reply
}

// nodeInclude is what every node request asks for: properties carry cm:versionLabel and
// cm:autoVersion, aspectNames mark working copies and checked-out files, isLink links.
const nodeInclude = "properties,aspectNames,isLink"

// recentWindow is how close to the time of a listing a folder's modifiedAt may be for the
// listing to trust it next time. Alfresco updates a folder's modifiedAt after the change of
// its children commits, in a transaction of its own, and not at all when the folder's
// modifiedAt is within one second of the new time (REAL-ALFRESCO.md, "Folder timestamps"):
// a child set that changes within a second of the folder's last change leaves it as it was.
// A folder whose modifiedAt is older than this at the time of the listing cannot hide a
// change made after it.
const recentWindow = 10 * time.Second

// recentMark ends the Version of a folder whose modifiedAt was recent at the listing
// (within recentWindow of the server's clock): its children are listed in full next time.
const recentMark = "~"

// entry converts a node to an Entry at path p (relative to the Client's Folder); now is the
// server's time of the listing that returned it (zero: unknown).
//
// A file's Version is its version label and size when Alfresco makes a version for every
// content change (cm:versionable with cm:autoVersion on): the label changes with new content
// and not with renames, moves or metadata edits, so none of those reads as a content
// change. Otherwise (unversioned, or cm:autoVersion off: a same-size edit in Share keeps the
// label) it is modifiedAt and size, which also move with a rename, a move or a metadata
// edit by someone else: the engine's content check then finds the content equal.
// A folder's Version is its modifiedAt, which changes when its set of children changes,
// marked recentMark when too recent to be trusted (see recentWindow).
// Links, working copies and nodes that are neither file nor folder are Unsupported.
func (n node) entry(p string, now time.Time) remote.Entry {
	t, _ := ParseTime(n.ModifiedAt)
	e := remote.Entry{ID: n.ID, Path: p, IsDir: n.IsFolder, ModTime: t}
	if why := n.unsupported(); why != "" {
		e.Unsupported, e.Version = why, "m"+n.ModifiedAt
		return e
	}
	e.Meta = n.meta()
	if n.IsFolder {
		e.Version = "m" + n.ModifiedAt
		if now.IsZero() {
			now = time.Now()
		}
		if t.IsZero() || !t.Before(now.Add(-recentWindow)) {
			e.Version += recentMark
		}
		return e
	}
	if n.Content != nil {
		e.Size = n.Content.SizeInBytes
	}
	if l, ok := n.Properties["cm:versionLabel"].(string); ok && l != "" && n.Properties["cm:autoVersion"] == true {
		e.Version = fmt.Sprintf("v%s/%d", l, e.Size)
	} else {
		e.Version = fmt.Sprintf("m%s/%d", n.ModifiedAt, e.Size)
	}
	return e
}

// unsupported says why the engine cannot sync n, or "". Alfresco reports an app:filelink as
// a file and an app:folderlink as a folder, and a cm:link as whatever it points to, though
// a link has no content to download and no children (NodesImpl.getType); a working copy
// ("NAME (Working Copy).EXT", aspect cm:workingcopy) is someone's checkout in progress,
// synced when it is checked in as the original's new version.
func (n node) unsupported() string {
	switch {
	case n.IsLink || n.NodeType == "cm:link" || n.NodeType == "app:filelink" || n.NodeType == "app:folderlink":
		switch {
		case n.IsFolder:
			return "an Alfresco link to a folder (" + n.NodeType + "); links are not synced"
		case n.IsFile:
			return "an Alfresco link to a file (" + n.NodeType + "); links are not synced"
		}
		return "an Alfresco link (" + n.NodeType + "); links are not synced"
	case slices.Contains(n.AspectNames, "cm:workingcopy"):
		return "the working copy of a checked-out file; its content is synced when it is checked in"
	case !n.IsFolder && !n.IsFile:
		return "an Alfresco item of type " + n.NodeType + ", neither a file nor a folder"
	}
	return ""
}

// checkedOut says who holds n checked out or locked so that new content cannot be written
// by this user, or "". A checked-out original must never get new content from the client:
// Alfresco 7.x and 23.x refuse it (409), 26.2 and later write it into the working copy and
// check that in, completing the checkout of whoever made it (NodesImpl.updateContent).
func (n node) checkedOut(me string) string {
	owner := ""
	if o, ok := n.Properties["cm:lockOwner"].(map[string]any); ok {
		owner, _ = o["id"].(string)
	}
	switch {
	case slices.Contains(n.AspectNames, "cm:checkedOut"):
		if owner == "" {
			owner = "another user"
		}
		return "it is checked out (by " + owner + "); it can change again when it is checked in"
	case slices.Contains(n.AspectNames, "cm:workingcopy"):
		return "it is a working copy"
	case owner != "" && (owner != me || n.Properties["cm:lockType"] == "READ_ONLY_LOCK"):
		return "it is locked (by " + owner + ")"
	}
	return ""
}

// usable reports whether a listed node can be an entry: one whose name can be a path
// element. Names with other problems (backslash, NUL) are kept, so the engine reports them
// as invalid_name.
func (c *Client) usable(n node, dir string) bool {
	if n.Name == "" || strings.Contains(n.Name, "/") || n.Name == "." || n.Name == ".." {
		c.warned.Warn(c.log, n.ID, n.Name, "skipping a node whose name cannot be a path element", "folder", dir, "id", n.ID)
		return false
	}
	return true
}

// doclib returns the node id of a site's documentLibrary (cached: it never changes while
// the site exists; a 404 on it clears the cache).
func (c *Client) doclib(ctx context.Context, network, site string) (string, error) {
	key := network + "/" + site
	c.mu.Lock()
	id := c.doclibs[key]
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	op := "GET sites/{id}/containers/documentLibrary"
	resp, err := c.do(ctx, call{method: http.MethodGet, url: c.coreURL(network, "sites/"+site+"/containers/documentLibrary", nil),
		op: op, path: key, ok: []int{http.StatusOK}})
	if err != nil {
		return "", err
	}
	var out struct {
		Entry struct {
			ID string `json:"id"`
		} `json:"entry"`
	}
	if err := decode(op, key, resp, &out); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.doclibs[key] = out.Entry.ID
	c.mu.Unlock()
	return out.Entry.ID, nil
}

func (c *Client) forgetDoclib(l loc) {
	c.mu.Lock()
	delete(c.doclibs, l.network+"/"+l.site)
	c.mu.Unlock()
}

// getNode fetches a node by id, or the node at relativePath rel below it.
func (c *Client) getNode(ctx context.Context, network, id, rel, p string, include string) (node, error) {
	q := url.Values{"include": {include}}
	if rel != "" {
		q.Set("relativePath", rel)
	}
	op := "GET nodes/{id}"
	resp, err := c.do(ctx, call{method: http.MethodGet, url: c.coreURL(network, "nodes/"+id, q), op: op, path: p,
		ok: []int{http.StatusOK}, replayable: true})
	if err != nil {
		return node{}, err
	}
	var out nodeEntry
	err = decode(op, p, resp, &out)
	return out.Entry, err
}

// resolve returns the node at l (depth ≥ 2), checking that the names on the way match
// exactly: Alfresco resolves relativePath without regard to case, the engine's paths are
// exact. A path with a name relativePath cannot reach (see trimmed) is walked by listing.
func (c *Client) resolve(ctx context.Context, l loc) (node, error) {
	lib, err := c.doclib(ctx, l.network, l.site)
	if err != nil {
		return node{}, err
	}
	if i := trimmed(l.rest); i >= 0 {
		return c.resolveByListing(ctx, l, lib, i)
	}
	n, err := c.getNode(ctx, l.network, lib, l.rest, l.full, nodeInclude+",path")
	if errors.Is(err, remote.ErrNotFound) && l.rest == "" {
		c.forgetDoclib(l)
	}
	if err != nil || l.rest == "" {
		return n, err
	}
	var got []string
	if n.Path != nil {
		for i, el := range n.Path.Elements {
			if el.ID == lib {
				for _, e := range n.Path.Elements[i+1:] {
					got = append(got, e.Name)
				}
				break
			}
		}
	}
	got = append(got, n.Name)
	if n.Path != nil && strings.Join(got, "/") != l.rest {
		return node{}, &remote.Error{Kind: remote.ErrNotFound, Op: "GET nodes/{id}", Path: l.full,
			Message: fmt.Sprintf("only %q exists (names differ in case)", strings.Join(got, "/"))}
	}
	return n, nil
}

// trimmed returns the index of the first segment of rel that relativePath cannot resolve,
// or -1: Alfresco trims each segment as Java's String.trim does (leading and trailing
// characters up to U+0020, NodesImpl.getPathElements), so " draft.txt" would resolve to
// "draft.txt" or to nothing although Alfresco stores the name as it was given.
func trimmed(rel string) int {
	if rel == "" {
		return -1
	}
	for i, seg := range strings.Split(rel, "/") {
		if strings.TrimFunc(seg, func(r rune) bool { return r <= ' ' }) != seg {
			return i
		}
	}
	return -1
}

// resolveByListing resolves l.rest whose segment i is one relativePath would trim: the
// segments before it by relativePath, the others by listing each folder and taking the
// child with exactly that name (by its node id from then on).
func (c *Client) resolveByListing(ctx context.Context, l loc, lib string, i int) (node, error) {
	segs := strings.Split(l.rest, "/")
	cur := node{ID: lib, IsFolder: true}
	if i > 0 {
		pl := l
		pl.rest = strings.Join(segs[:i], "/")
		pl.full = remote.Join(l.network, l.site, pl.rest)
		n, err := c.resolve(ctx, pl)
		if err != nil {
			return node{}, err
		}
		cur = n
	}
	for _, seg := range segs[i:] {
		if !cur.IsFolder {
			return node{}, &remote.Error{Kind: remote.ErrNotFound, Op: "GET nodes/{id}/children", Path: l.full, Message: cur.Name + " is not a folder"}
		}
		next, found := node{}, false
		for skip := 0; !found; {
			q := url.Values{"skipCount": {fmt.Sprint(skip)}, "maxItems": {fmt.Sprint(listPage)}, "include": {nodeInclude},
				"where": {"(isPrimary=true)"}}
			page, err := c.listPage(ctx, l.network, cur.ID, l.full, q)
			if err != nil {
				return node{}, err
			}
			for _, e := range page.List.Entries {
				if e.Entry.Name == seg {
					next, found = e.Entry, true
				}
			}
			if !page.List.Pagination.HasMoreItems || len(page.List.Entries) == 0 {
				break
			}
			skip += len(page.List.Entries)
		}
		if !found {
			return node{}, &remote.Error{Kind: remote.ErrNotFound, Op: "GET nodes/{id}/children", Path: l.full, Message: fmt.Sprintf("no %q", seg)}
		}
		cur = next
	}
	return cur, nil
}

// Check signs in: a wrong user or password gives remote.ErrAuth.
func (c *Client) Check(ctx context.Context) error {
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	return c.relogin(ctx, gen)
}

// Stat returns the entry at p. The top level, a network and a site are folders whose ids
// are "networks", "network:ID" and the documentLibrary's node id.
func (c *Client) Stat(ctx context.Context, p string) (remote.Entry, error) {
	p = remote.Clean(p)
	l := c.locate(p)
	switch l.depth {
	case 0:
		if _, err := c.networks(ctx); err != nil {
			return remote.Entry{}, err
		}
		return remote.Entry{ID: "networks", Path: p, IsDir: true}, nil
	case 1:
		nets, err := c.networks(ctx)
		if err != nil {
			return remote.Entry{}, err
		}
		for _, n := range nets {
			if n == l.network {
				return remote.Entry{ID: "network:" + n, Path: p, IsDir: true}, nil
			}
		}
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNotFound, Op: "GET people/-me-/networks", Path: p,
			Message: "not one of the user's networks"}
	}
	n, err := c.resolve(ctx, l)
	if err != nil {
		return remote.Entry{}, err
	}
	return n.entry(p, time.Time{}), nil
}

// networks returns the ids of the user's networks.
func (c *Client) networks(ctx context.Context) ([]string, error) {
	var out []string
	err := c.pages(ctx, "GET people/-me-/networks", "", func(skip int) string {
		return c.coreURL("-default-", "people/-me-/networks", url.Values{"skipCount": {fmt.Sprint(skip)}, "maxItems": {"100"}})
	}, func(raw json.RawMessage) error {
		var e struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return err
		}
		out = append(out, e.ID)
		return nil
	})
	return out, err
}

// pages fetches every page of a paged list, handing each entry's "entry" to f.
func (c *Client) pages(ctx context.Context, op, p string, pageURL func(skip int) string, f func(json.RawMessage) error) error {
	for skip := 0; ; {
		resp, err := c.do(ctx, call{method: http.MethodGet, url: pageURL(skip), op: op, path: p, ok: []int{http.StatusOK}, replayable: true})
		if err != nil {
			return err
		}
		var out struct {
			List struct {
				Pagination pagination `json:"pagination"`
				Entries    []struct {
					Entry json.RawMessage `json:"entry"`
				} `json:"entries"`
			} `json:"list"`
		}
		if err := decode(op, p, resp, &out); err != nil {
			return err
		}
		for _, e := range out.List.Entries {
			if err := f(e.Entry); err != nil {
				return &remote.Error{Kind: remote.ErrBadResponse, Op: op, Path: p, Err: err}
			}
		}
		if !out.List.Pagination.HasMoreItems || len(out.List.Entries) == 0 {
			return nil
		}
		skip += len(out.List.Entries)
	}
}

// ReadDir lists the direct children of p: the user's networks at the top, the sites the
// user is a member of in a network (ids "site:NETWORK/SITE"), a folder's children below
// (without links and working copies: List reports those).
func (c *Client) ReadDir(ctx context.Context, p string) ([]remote.Entry, error) {
	p = remote.Clean(p)
	l := c.locate(p)
	switch l.depth {
	case 0:
		nets, err := c.networks(ctx)
		var out []remote.Entry
		for _, n := range nets {
			out = append(out, remote.Entry{ID: "network:" + n, Path: remote.Join(p, n), IsDir: true})
		}
		return out, err
	case 1:
		var out []remote.Entry
		err := c.pages(ctx, "GET people/-me-/sites", p, func(skip int) string {
			return c.coreURL(l.network, "people/-me-/sites", url.Values{"skipCount": {fmt.Sprint(skip)}, "maxItems": {"100"}})
		}, func(raw json.RawMessage) error {
			var e struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			out = append(out, remote.Entry{ID: "site:" + l.network + "/" + e.ID, Path: remote.Join(p, e.ID), IsDir: true})
			return nil
		})
		if errors.Is(err, remote.ErrAuth) {
			// Alfresco answers a network the user is not in with 401; the login itself works.
			if cerr := c.Check(ctx); cerr == nil {
				return nil, &remote.Error{Kind: remote.ErrNotFound, Op: "GET people/-me-/sites", Path: p, Message: "not one of the user's networks"}
			}
		}
		return out, err
	}
	_, kids, err := c.children(ctx, l, p, false)
	// Links and working copies are no place to sync to, nor anything to sync.
	return slices.DeleteFunc(kids, func(e remote.Entry) bool { return e.Unsupported != "" }), err
}

// children lists every child of folder l (all pages), paths under p.
func (c *Client) children(ctx context.Context, l loc, p string, source bool) (node, []remote.Entry, error) {
	lib, err := c.doclib(ctx, l.network, l.site)
	if err != nil {
		return node{}, nil, err
	}
	self, kids, _, err := c.listFolder(ctx, l.network, lib, l.rest, p, source)
	return self, kids, err
}

// listFolder lists the children of node id (or of relativePath rel below it), all pages of
// listPage entries, paths under p. With source it also returns the folder itself. date is
// the server's time of the first page.
func (c *Client) listFolder(ctx context.Context, network, id, rel, p string, source bool) (self node, out []remote.Entry, date time.Time, err error) {
	seen := map[string]bool{}
	op := "GET nodes/{id}/children"
	for skip := 0; ; {
		q := url.Values{"skipCount": {fmt.Sprint(skip)}, "maxItems": {fmt.Sprint(listPage)}, "include": {nodeInclude},
			"where": {"(isPrimary=true)"}}
		if rel != "" {
			q.Set("relativePath", rel)
		}
		if source && skip == 0 {
			q.Set("includeSource", "true")
		}
		page, err := c.listPage(ctx, network, id, p, q)
		if err != nil {
			if remote.StatusOf(err) == http.StatusBadRequest {
				return self, nil, date, &remote.Error{Kind: remote.ErrNotFound, Op: op, Path: p, Status: http.StatusBadRequest, Message: "not a folder"}
			}
			return self, nil, date, err
		}
		if skip == 0 {
			date = page.date
		}
		if page.List.Source != nil {
			self = *page.List.Source
		}
		for _, e := range page.List.Entries {
			if !seen[e.Entry.ID] && c.usable(e.Entry, p) {
				seen[e.Entry.ID] = true
				out = append(out, e.Entry.entry(remote.Join(p, e.Entry.Name), page.date))
			}
		}
		if !page.List.Pagination.HasMoreItems || len(page.List.Entries) == 0 {
			return self, out, date, nil
		}
		skip += len(page.List.Entries)
	}
}

// listPage fetches one page of a children listing. Its date is the server's clock at the
// reply (the Date header, which has whole seconds: one is taken off), else the local one.
func (c *Client) listPage(ctx context.Context, network, id, p string, q url.Values) (nodeList, error) {
	op := "GET nodes/{id}/children"
	var out nodeList
	resp, err := c.do(ctx, call{method: http.MethodGet, url: c.coreURL(network, "nodes/"+id+"/children", q), op: op, path: p,
		ok: []int{http.StatusOK}, replayable: true})
	if err != nil {
		return out, err
	}
	out.date = time.Now()
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		out.date = d.Add(-time.Second)
	}
	err = decode(op, p, resp, &out)
	return out, err
}
