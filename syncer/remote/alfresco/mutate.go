package alfresco

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

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
	return c.written(op, p, p, resp, err)
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
	return c.written(op, p, p, resp, err)
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
	if !cur.IsFile || cur.unsupported() != "" {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNameClash, Op: "PUT nodes/{id}/content", Path: p, Message: "the node is not a file"}
	}
	if why := cur.checkedOut(c.user); why != "" {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrLocked, Op: "PUT nodes/{id}/content", Path: p, Message: why}
	}
	if now := cur.entry(p, time.Time{}); old.Version != "" && now.Version != old.Version {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrChanged, Op: "PUT nodes/{id}/content", Path: p,
			Message: fmt.Sprintf("version %s on the server, %s expected", now.Version, old.Version)}
	}
	const op = "PUT nodes/{id}/content"
	resp, err := c.do(ctx, call{method: http.MethodPut, url: c.coreURL(l.network, "nodes/"+id+"/content",
		url.Values{"majorVersion": {"false"}, "include": {nodeInclude}}),
		op: op, path: p, ctype: "application/octet-stream",
		body: func() (io.Reader, int64) { return io.LimitReader(r, size), size }, ok: []int{http.StatusOK}})
	return c.written(op, p, p, resp, err)
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
	// No attachment=false: Alfresco ignores it for most types and logs a warning each time
	// (NodesImpl.getContent); the Content-Disposition header does no harm here.
	resp, err := c.do(ctx, call{method: http.MethodGet, url: c.coreURL(l.network, "nodes/"+id+"/content", nil),
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
	return c.written(cl.op, e.Path, newPath, resp, err)
}

// written decodes the node a write (op, on path) returned, as the entry at p, and notes it
// as seen (see recheckFolder); err is the request's.
func (c *Client) written(op, path, p string, resp *http.Response, err error) (remote.Entry, error) {
	if err != nil {
		return remote.Entry{}, err
	}
	var out nodeEntry
	if err := decode(op, path, resp, &out); err != nil {
		return remote.Entry{}, err
	}
	e := out.Entry.entry(p, time.Time{})
	c.noteSeen(remote.Join(c.folder, p), e)
	return e, nil
}

// Delete moves e (a folder with its subtree) to the trashcan (DELETE nodes/{id}); the node
// keeps its id there and can be restored. Something already gone is ErrNotFound. A folder
// is first walked afresh: anything in it the last listing did not show (or showed with
// another version) makes the delete fail with ErrChanged (see recheckFolder).
func (c *Client) Delete(ctx context.Context, e remote.Entry) error {
	l := c.locate(remote.Clean(e.Path))
	if l.depth < 3 {
		return &remote.Error{Kind: remote.ErrUnsupported, Op: "DELETE nodes/{id}", Path: e.Path, Message: "networks and sites are not deleted here"}
	}
	id, err := c.idOf(ctx, e)
	if err != nil {
		return err
	}
	if e.IsDir {
		if err := c.recheckFolder(ctx, l, id); err != nil {
			return err
		}
	}
	resp, err := c.do(ctx, call{method: http.MethodDelete, url: c.coreURL(l.network, "nodes/"+id, nil), op: "DELETE nodes/{id}",
		path: e.Path, replayable: true, ok: []int{http.StatusNoContent, http.StatusOK}})
	if err != nil {
		return err
	}
	drain(resp)
	return nil
}
