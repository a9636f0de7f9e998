package alfresco

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// node is the part of the API's Node the client reads.
type node struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	NodeType   string `json:"nodeType"`
	IsFolder   bool   `json:"isFolder"`
	IsFile     bool   `json:"isFile"`
	ModifiedAt string `json:"modifiedAt"`
	ParentID   string `json:"parentId"`
	Content    *struct {
		SizeInBytes int64 `json:"sizeInBytes"`
	} `json:"content"`
	Properties map[string]any `json:"properties"`
	Path       *struct {
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
}

type nodeList struct {
	List struct {
		Pagination pagination  `json:"pagination"`
		Entries    []nodeEntry `json:"entries"`
		Source     *node       `json:"source"`
	} `json:"list"`
}

// nodeInclude is what every node request asks for: properties carry cm:versionLabel.
const nodeInclude = "properties"

// entry converts a node to an Entry at path p (relative to the Client's Folder).
//
// A file's Version is its version label and size when it is versionable: the label
// changes with every new content and not with renames, moves or metadata edits, so none
// of those reads as a content change. Unversioned files fall back to modifiedAt and size.
// A folder's Version is its modifiedAt, which changes when its set of children changes.
func (n node) entry(p string) remote.Entry {
	t, _ := ParseTime(n.ModifiedAt)
	e := remote.Entry{ID: n.ID, Path: p, IsDir: n.IsFolder, ModTime: t}
	if n.IsFolder {
		e.Version = "m" + n.ModifiedAt
		return e
	}
	if n.Content != nil {
		e.Size = n.Content.SizeInBytes
	}
	if l, ok := n.Properties["cm:versionLabel"].(string); ok && l != "" {
		e.Version = fmt.Sprintf("v%s/%d", l, e.Size)
	} else {
		e.Version = fmt.Sprintf("m%s/%d", n.ModifiedAt, e.Size)
	}
	return e
}

// usable reports whether a listed node is something the engine syncs: a folder or a file
// with a name that can be a path element. Others (links, site containers, custom types) are
// skipped. Names with other problems (backslash, NUL) are kept, so the engine reports them
// as invalid_name.
func (c *Client) usable(n node, dir string) bool {
	switch {
	case !n.IsFolder && !n.IsFile:
		return false
	case n.Name == "" || strings.Contains(n.Name, "/") || n.Name == "." || n.Name == "..":
		c.log.Warn("skipping a node whose name cannot be a path element", "folder", dir, "id", n.ID)
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
// exact.
func (c *Client) resolve(ctx context.Context, l loc) (node, error) {
	lib, err := c.doclib(ctx, l.network, l.site)
	if err != nil {
		return node{}, err
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
	return n.entry(p), nil
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
// user is a member of in a network (ids "site:NETWORK/SITE"), a folder's children below.
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
	return kids, err
}

// children lists every child of folder l (all pages), paths under p.
func (c *Client) children(ctx context.Context, l loc, p string, source bool) (node, []remote.Entry, error) {
	lib, err := c.doclib(ctx, l.network, l.site)
	if err != nil {
		return node{}, nil, err
	}
	return c.listFolder(ctx, l.network, lib, l.rest, p, source)
}

// listFolder lists the children of node id (or of relativePath rel below it), all pages of
// listPage entries, paths under p. With source it also returns the folder itself.
func (c *Client) listFolder(ctx context.Context, network, id, rel, p string, source bool) (node, []remote.Entry, error) {
	var self node
	var out []remote.Entry
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
				return self, nil, &remote.Error{Kind: remote.ErrNotFound, Op: op, Path: p, Status: http.StatusBadRequest, Message: "not a folder"}
			}
			return self, nil, err
		}
		if page.List.Source != nil {
			self = *page.List.Source
		}
		for _, e := range page.List.Entries {
			if !seen[e.Entry.ID] && c.usable(e.Entry, p) {
				seen[e.Entry.ID] = true
				out = append(out, e.Entry.entry(remote.Join(p, e.Entry.Name)))
			}
		}
		if !page.List.Pagination.HasMoreItems || len(page.List.Entries) == 0 {
			return self, out, nil
		}
		skip += len(page.List.Entries)
	}
}

func (c *Client) listPage(ctx context.Context, network, id, p string, q url.Values) (nodeList, error) {
	op := "GET nodes/{id}/children"
	var out nodeList
	resp, err := c.do(ctx, call{method: http.MethodGet, url: c.coreURL(network, "nodes/"+id+"/children", q), op: op, path: p,
		ok: []int{http.StatusOK}, replayable: true})
	if err != nil {
		return out, err
	}
	err = decode(op, p, resp, &out)
	return out, err
}

// parent resolves the folder that will hold p: the documentLibrary for a site's top
// level, else the node at p's parent path (which must be a folder).
func (c *Client) parent(ctx context.Context, l loc, op string) (string, error) {
	switch {
	case l.depth < 3:
		return "", &remote.Error{Kind: remote.ErrUnsupported, Op: op, Path: l.full,
			Message: "networks and sites are not created here; choose a folder inside a site"}
	case !strings.Contains(l.rest, "/"):
		return c.doclib(ctx, l.network, l.site)
	}
	pl := l
	pl.rest = parentOf(l.rest)
	pl.full = parentOf(l.full)
	n, err := c.resolve(ctx, pl)
	if err != nil {
		return "", err
	}
	if !n.IsFolder {
		return "", &remote.Error{Kind: remote.ErrNotFound, Op: op, Path: l.full, Message: pl.rest + " is not a folder"}
	}
	return n.ID, nil
}

// Mkdir creates folder p (POST nodes/{parent}/children). A site that does not exist gives
// ErrNotFound; networks and sites themselves cannot be created.
func (c *Client) Mkdir(ctx context.Context, p string) (remote.Entry, error) {
	p = remote.Clean(p)
	l := c.locate(p)
	const op = "POST nodes/{id}/children"
	if l.depth == 2 {
		if _, err := c.doclib(ctx, l.network, l.site); err != nil {
			return remote.Entry{}, err
		}
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNameClash, Op: op, Path: p, Message: "the site exists"}
	}
	if l.depth == 3 {
		if err := c.ValidateName(path.Base(l.rest)); err != nil {
			return remote.Entry{}, err
		}
	}
	pid, err := c.parent(ctx, l, op)
	if err != nil {
		return remote.Entry{}, err
	}
	body, _ := json.Marshal(map[string]string{"name": path.Base(l.rest), "nodeType": "cm:folder"})
	resp, err := c.do(ctx, call{method: http.MethodPost, url: c.coreURL(l.network, "nodes/"+pid+"/children", url.Values{"include": {nodeInclude}}),
		op: op, path: p, ctype: "application/json", replayable: true,
		body: func() (io.Reader, int64) { return bytes.NewReader(body), int64(len(body)) }, ok: []int{http.StatusCreated}})
	if err != nil {
		return remote.Entry{}, err
	}
	var out nodeEntry
	if err := decode(op, p, resp, &out); err != nil {
		return remote.Entry{}, err
	}
	return out.Entry.entry(p), nil
}

// Upload stores a new file with a multipart POST nodes/{parent}/children (a clash is 409:
// nothing is overwritten), or a new version of replace's node with PUT nodes/{id}/content.
// Alfresco has no conditional update, so before a new version the node is read and
// ErrChanged returned when its version moved since replace was listed (a small race
// window remains; the overwritten version stays in the version history).
func (c *Client) Upload(ctx context.Context, p string, replace *remote.Entry, r io.Reader, size int64) (remote.Entry, error) {
	p = remote.Clean(p)
	l := c.locate(p)
	if l.depth < 3 {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrUnsupported, Op: "upload", Path: p, Message: "files live in folders inside a site"}
	}
	if err := c.ValidateName(path.Base(l.rest)); err != nil {
		return remote.Entry{}, err
	}
	if replace != nil {
		return c.newVersion(ctx, l, p, *replace, r, size)
	}
	const op = "POST nodes/{id}/children"
	pid, err := c.parent(ctx, l, op)
	if err != nil {
		return remote.Entry{}, err
	}
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	_ = mw.WriteField("name", path.Base(l.rest))
	_ = mw.WriteField("nodeType", "cm:content")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="filedata"; filename="%s"`, escapeQuotes(path.Base(l.rest))))
	h.Set("Content-Type", "application/octet-stream")
	if _, err := mw.CreatePart(h); err != nil {
		return remote.Entry{}, err
	}
	prefix := append([]byte(nil), head.Bytes()...)
	head.Reset()
	_ = mw.Close()
	suffix := head.Bytes()
	resp, err := c.do(ctx, call{method: http.MethodPost, url: c.coreURL(l.network, "nodes/"+pid+"/children", url.Values{"include": {nodeInclude}}),
		op: op, path: p, ctype: mw.FormDataContentType(),
		body: func() (io.Reader, int64) {
			return io.MultiReader(bytes.NewReader(prefix), io.LimitReader(r, size), bytes.NewReader(suffix)), int64(len(prefix)) + size + int64(len(suffix))
		}, ok: []int{http.StatusCreated}})
	if err != nil {
		return remote.Entry{}, err
	}
	var out nodeEntry
	if err := decode(op, p, resp, &out); err != nil {
		return remote.Entry{}, err
	}
	return out.Entry.entry(p), nil
}

func escapeQuotes(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) }

func (c *Client) newVersion(ctx context.Context, l loc, p string, old remote.Entry, r io.Reader, size int64) (remote.Entry, error) {
	id, err := c.idOf(ctx, old)
	if err != nil {
		return remote.Entry{}, err
	}
	cur, err := c.getNode(ctx, l.network, id, "", p, nodeInclude)
	if err != nil {
		return remote.Entry{}, err
	}
	if !cur.IsFile {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNameClash, Op: "PUT nodes/{id}/content", Path: p, Message: "the node is not a file"}
	}
	if now := cur.entry(p); old.Version != "" && now.Version != old.Version {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrChanged, Op: "PUT nodes/{id}/content", Path: p,
			Message: fmt.Sprintf("version %s on the server, %s expected", now.Version, old.Version)}
	}
	const op = "PUT nodes/{id}/content"
	resp, err := c.do(ctx, call{method: http.MethodPut, url: c.coreURL(l.network, "nodes/"+id+"/content",
		url.Values{"majorVersion": {"false"}, "include": {nodeInclude}}),
		op: op, path: p, ctype: "application/octet-stream",
		body: func() (io.Reader, int64) { return io.LimitReader(r, size), size }, ok: []int{http.StatusOK}})
	if err != nil {
		return remote.Entry{}, err
	}
	var out nodeEntry
	if err := decode(op, p, resp, &out); err != nil {
		return remote.Entry{}, err
	}
	return out.Entry.entry(p), nil
}

// idOf returns e's node id, looking it up by path when e carries none.
func (c *Client) idOf(ctx context.Context, e remote.Entry) (string, error) {
	if e.ID != "" && !e.IDIsPath && !strings.Contains(e.ID, ":") {
		return e.ID, nil
	}
	st, err := c.Stat(ctx, e.Path)
	if err != nil {
		return "", err
	}
	if strings.Contains(st.ID, ":") || st.ID == "networks" {
		return "", &remote.Error{Kind: remote.ErrUnsupported, Op: "node", Path: e.Path, Message: "a network or site list is not a node"}
	}
	return st.ID, nil
}

// Open reads file e's content from offset on (GET nodes/{id}/content with a Range).
func (c *Client) Open(ctx context.Context, e remote.Entry, offset int64) (io.ReadCloser, error) {
	l := c.locate(remote.Clean(e.Path))
	id, err := c.idOf(ctx, e)
	if err != nil {
		return nil, err
	}
	hdr := http.Header{}
	if offset > 0 {
		hdr.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := c.do(ctx, call{method: http.MethodGet, url: c.coreURL(l.network, "nodes/"+id+"/content", url.Values{"attachment": {"false"}}),
		op: "GET nodes/{id}/content", path: e.Path, header: hdr, replayable: true, ok: []int{http.StatusOK, http.StatusPartialContent}})
	if err != nil {
		if remote.StatusOf(err) == http.StatusBadRequest {
			return nil, &remote.Error{Kind: remote.ErrNotFound, Op: "GET nodes/{id}/content", Path: e.Path, Status: 400, Message: "not a file"}
		}
		return nil, err
	}
	if offset > 0 && resp.StatusCode == http.StatusOK {
		if _, err := io.CopyN(io.Discard, resp.Body, offset); err != nil {
			resp.Body.Close()
			return nil, &remote.Error{Kind: remote.ErrNetwork, Op: "GET nodes/{id}/content", Path: e.Path, Err: err}
		}
	}
	return resp.Body, nil
}

// Move renames e in place with one PUT nodes/{id} when newPath is in the same folder, and
// otherwise moves it with POST nodes/{id}/move into newPath's folder (under its new name).
// Alfresco refuses a taken name with 409, so nothing is overwritten; the id is kept.
func (c *Client) Move(ctx context.Context, e remote.Entry, newPath string) (remote.Entry, error) {
	newPath = remote.Clean(newPath)
	from, to := c.locate(remote.Clean(e.Path)), c.locate(newPath)
	if from.depth < 3 || to.depth < 3 {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrUnsupported, Op: "move", Path: e.Path, Message: "networks and sites cannot be moved or replaced"}
	}
	if from.network != to.network {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrUnsupported, Op: "move", Path: e.Path, Message: "nodes cannot move between networks"}
	}
	name := path.Base(to.rest)
	if err := c.ValidateName(name); err != nil {
		return remote.Entry{}, err
	}
	id, err := c.idOf(ctx, e)
	if err != nil {
		return remote.Entry{}, err
	}
	var cl call
	if parentOf(from.full) == parentOf(to.full) {
		body, _ := json.Marshal(map[string]string{"name": name})
		cl = call{method: http.MethodPut, url: c.coreURL(to.network, "nodes/"+id, url.Values{"include": {nodeInclude}}), op: "PUT nodes/{id}",
			body: func() (io.Reader, int64) { return bytes.NewReader(body), int64(len(body)) }}
	} else {
		pid, err := c.parent(ctx, to, "POST nodes/{id}/move")
		if err != nil {
			return remote.Entry{}, err
		}
		body, _ := json.Marshal(map[string]string{"targetParentId": pid, "name": name})
		cl = call{method: http.MethodPost, url: c.coreURL(to.network, "nodes/"+id+"/move", url.Values{"include": {nodeInclude}}), op: "POST nodes/{id}/move",
			body: func() (io.Reader, int64) { return bytes.NewReader(body), int64(len(body)) }}
	}
	cl.path, cl.ctype, cl.replayable, cl.ok = e.Path, "application/json", true, []int{http.StatusOK}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return remote.Entry{}, err
	}
	var out nodeEntry
	if err := decode(cl.op, e.Path, resp, &out); err != nil {
		return remote.Entry{}, err
	}
	return out.Entry.entry(newPath), nil
}

// Delete moves e (a folder with its subtree) to the trashcan (DELETE nodes/{id}); the node
// keeps its id there and can be restored. Something already gone is ErrNotFound.
func (c *Client) Delete(ctx context.Context, e remote.Entry) error {
	l := c.locate(remote.Clean(e.Path))
	if l.depth < 3 {
		return &remote.Error{Kind: remote.ErrUnsupported, Op: "DELETE nodes/{id}", Path: e.Path, Message: "networks and sites are not deleted here"}
	}
	id, err := c.idOf(ctx, e)
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, call{method: http.MethodDelete, url: c.coreURL(l.network, "nodes/"+id, nil), op: "DELETE nodes/{id}",
		path: e.Path, replayable: true, ok: []int{http.StatusNoContent, http.StatusOK}})
	if err != nil {
		return err
	}
	drain(resp)
	return nil
}
