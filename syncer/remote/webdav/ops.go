package webdav

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Stat returns the entry at account-relative p (PROPFIND Depth 0). ErrNotFound when it
// does not exist.
func (c *Client) Stat(ctx context.Context, p string) (remote.Entry, error) {
	res, err := c.stat(ctx, p)
	return res.self, err
}

// stat is Stat with what the PROPFIND said about the ETag. p is addressed as a file (no
// trailing slash), which every server tested answers for folders too (nginx and Apache
// directly, lighttpd with the folder's href); a server that redirects a folder to its
// slash form is asked again with the slash. A refusal that comes from p lying below a file
// (Apache answers 400, lighttpd 403 and x/net/webdav 405 to "f.txt/x") is ErrNotFound, as
// the contract says.
func (c *Client) stat(ctx context.Context, p string) (propfindResult, error) {
	p = remote.Clean(p)
	res, err := c.propfind(ctx, p, "0", p == "")
	switch st := remote.StatusOf(err); {
	case err == nil || p == "":
		return res, err
	case st >= 300 && st < 400:
		return c.propfind(ctx, p, "0", true)
	case st == http.StatusBadRequest || st == http.StatusForbidden || st == http.StatusMethodNotAllowed || st == http.StatusConflict:
		if c.parentMissing(ctx, p) {
			return res, &remote.Error{Kind: remote.ErrNotFound, Op: "PROPFIND", Path: p, Status: st,
				Message: "its parent is not a folder", Err: err}
		}
	}
	return res, err
}

// parentMissing reports whether the parent folder of p is gone or is a file (so p cannot
// exist), as a Stat shows it; false when that cannot be told.
func (c *Client) parentMissing(ctx context.Context, p string) bool {
	parent := pathDir(remote.Clean(p))
	if parent == "" {
		return false
	}
	e, err := c.Stat(ctx, parent)
	return errors.Is(err, remote.ErrNotFound) || err == nil && !e.IsDir
}

// ReadDir lists the direct children of folder p (PROPFIND Depth 1), paths account-relative.
// ErrNotFound when p does not exist or is a file.
func (c *Client) ReadDir(ctx context.Context, p string) ([]remote.Entry, error) {
	res, err := c.listFolder(ctx, p)
	return res.children, err
}

// listFolder runs PROPFIND Depth 1 on folder p (addressed with a trailing slash).
// ErrNotFound when p does not exist or is not a folder, also from servers that refuse a
// file's URL with a slash (Apache 400, lighttpd 403) instead of answering for the file.
func (c *Client) listFolder(ctx context.Context, p string) (propfindResult, error) {
	res, _, err := c.listFolderKept(ctx, p, false, nil, false)
	return res, err
}

// listFolderKept is listFolder for a walk: see propfindKept.
func (c *Client) listFolderKept(ctx context.Context, p string, keep bool, kept *listing, davOnly bool) (propfindResult, *listing, error) {
	p = remote.Clean(p)
	res, l, err := c.propfindKept(ctx, p, "1", true, keep, kept, davOnly)
	if err != nil {
		switch st := remote.StatusOf(err); {
		case st == http.StatusBadRequest, st == http.StatusForbidden, st == http.StatusConflict, st >= 300 && st < 400:
			if e, serr := c.Stat(ctx, p); errors.Is(serr, remote.ErrNotFound) || serr == nil && !e.IsDir {
				return propfindResult{}, nil, &remote.Error{Kind: remote.ErrNotFound, Op: "PROPFIND", Path: p, Status: st,
					Message: "not a folder", Err: err}
			}
		}
		return propfindResult{}, nil, err
	}
	if !res.self.IsDir {
		return propfindResult{}, nil, &remote.Error{Kind: remote.ErrNotFound, Op: "PROPFIND", Path: p, Message: "not a folder"}
	}
	return res, l, nil
}

// strongETag returns v as an If-Match value when it is a strong ETag the server gave us,
// or "" (a weak or size+mtime version cannot be used in If-Match).
func strongETag(v string) string {
	switch {
	case v == "", strings.HasPrefix(v, fallbackVersionPrefix), strings.HasPrefix(v, "W/"):
		return ""
	case strings.HasPrefix(v, `"`):
		return v
	}
	return `"` + v + `"`
}

// Open reads file e from byte offset on (GET, with Range when offset > 0). When e.Version
// is a strong ETag the request carries If-Match, so content that changed since e was
// listed gives ErrChanged instead of a mix of two versions. A server that ignores Range
// answers 200; the first offset bytes are then skipped here.
func (c *Client) Open(ctx context.Context, e remote.Entry, offset int64) (io.ReadCloser, error) {
	p := remote.Clean(e.Path)
	if offset < 0 {
		return nil, fmt.Errorf("webdav: open %s: negative offset %d", p, offset)
	}
	req, err := c.newRequest(ctx, http.MethodGet, p, false, nil)
	if err != nil {
		return nil, err
	}
	if et := strongETag(e.Version); et != "" {
		req.Header.Set("If-Match", et)
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	// Ask for the bytes as stored: a transparently decompressed body would not match
	// the size and offsets.
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := c.do(req, p, false, http.StatusOK, http.StatusPartialContent)
	if errors.Is(err, remote.ErrChanged) && req.Header.Get("If-Match") != "" && c.sameVersion(ctx, e) {
		// The version listed is still the current one: the server refused If-Match
		// because its ETag is weak right now (Apache, the second after a write).
		req = req.Clone(ctx)
		req.Header.Del("If-Match")
		resp, err = c.do(req, p, false, http.StatusOK, http.StatusPartialContent)
	}
	if err != nil {
		return nil, err
	}
	body := &bodyReader{rc: resp.Body, op: "GET", path: p}
	if offset > 0 && resp.StatusCode == http.StatusOK {
		if _, err := io.CopyN(io.Discard, body, offset); err != nil {
			body.Close()
			if errors.Is(err, io.EOF) {
				return nil, &remote.Error{Kind: remote.ErrChanged, Op: "GET", Path: p, Status: resp.StatusCode,
					Message: "file is shorter than the resume offset"}
			}
			return nil, err
		}
	}
	return body, nil
}

// sameVersion reports whether file e is still at e's version on the server.
func (c *Client) sameVersion(ctx context.Context, e remote.Entry) bool {
	cur, err := c.Stat(ctx, e.Path)
	return err == nil && !cur.IsDir && e.Version != "" && cur.Version == e.Version
}

// bodyReader turns read errors of a response body into ErrNetwork errors.
type bodyReader struct {
	rc       io.ReadCloser
	op, path string
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = &remote.Error{Kind: remote.ErrNetwork, Op: b.op, Path: b.path, Err: err}
	}
	return n, err
}

func (b *bodyReader) Close() error { return b.rc.Close() }

// Upload PUTs size bytes from r to file p. With replace == nil the file must not exist:
// the request carries If-None-Match: * and, since some servers (x/net/webdav, rclone,
// nginx) ignore it, an existing p found by a PROPFIND first gives ErrNameClash. With replace
// != nil, p must still be the node replace describes (same version, same id where ids are
// not paths), checked by PROPFIND and by If-Match with its ETag (once the server calls it
// strong: strongAgain): ErrChanged otherwise, and ErrNotFound when it is gone. A missing parent folder is
// ErrNotFound whatever the server answers (409, or 500 from nginx). The returned Entry is a
// fresh Stat of the stored file, or the PUT answer's when it says all (putEntry); a new
// file whose caller asked to list its folder afterwards (remote.DeferLookup) gets only
// what was written, and the caller checks the listed entry against it.
func (c *Client) Upload(ctx context.Context, p string, replace *remote.Entry, r io.Reader, size int64) (remote.Entry, error) {
	p = remote.Clean(p)
	if p == "" {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNameClash, Op: "PUT", Path: p, Message: "cannot write the base folder"}
	}
	if size < 0 {
		return remote.Entry{}, fmt.Errorf("webdav: upload %s: negative size %d", p, size)
	}
	var cur propfindResult
	err := error(&remote.Error{Kind: remote.ErrNotFound, Op: "PROPFIND", Path: p})
	if replace != nil || !remote.FreshFolder(ctx) {
		// A new file in a folder this engine just made needs no look first (see
		// remote.InFreshFolder); If-None-Match below still guards where it is honoured.
		cur, err = c.stat(ctx, p)
	}
	switch {
	case replace == nil && err == nil:
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNameClash, Op: "PUT", Path: p, Message: "already exists"}
	case replace == nil && !errors.Is(err, remote.ErrNotFound):
		return remote.Entry{}, err
	case replace != nil && err != nil:
		return remote.Entry{}, err
	case replace != nil && replacedMeanwhile(cur, *replace):
		return remote.Entry{}, changedError(p, *replace, cur)
	case replace != nil:
		if cur, err = c.strongAgain(ctx, p, *replace, cur); err != nil {
			return remote.Entry{}, err
		}
	}
	req, err := c.newRequest(ctx, http.MethodPut, p, false, io.LimitReader(r, size))
	if err != nil {
		return remote.Entry{}, err
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody
	}
	req.GetBody = nil // a stream cannot be replayed on a redirect
	req.Header.Set("Content-Type", "application/octet-stream")
	noOverwrite := replace == nil
	if noOverwrite {
		req.Header.Set("If-None-Match", "*")
	} else if et := strongETag(replace.Version); et != "" && !cur.weakETag {
		req.Header.Set("If-Match", et)
	}
	sent := time.Now()
	resp, err := c.do(req, p, noOverwrite, http.StatusOK, http.StatusCreated, http.StatusNoContent)
	if err != nil {
		return remote.Entry{}, c.destinationError(ctx, err, p)
	}
	closeBody(resp)
	if e, ok := c.putEntry(p, size, resp.Header); ok {
		return e, nil
	}
	if pd := remote.PendingOf(ctx); pd != nil && replace == nil && !c.caps.ProbedAt.IsZero() {
		// The caller lists the folder once after its uploads there (remote.DeferLookup)
		// and checks the size and mtime it finds against this write.
		pd.Deferred = true
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			// Apache dates its answer when the request began (r->request_time), before
			// the body was written: the request's length is added.
			pd.Until = t.UTC().Add(time.Since(sent))
		}
		return remote.Entry{Path: p, ID: p, IDIsPath: true, Size: size}, nil
	}
	return c.Stat(ctx, p)
}

// putEntry is the stored file's entry as a PUT's answer describes it, when it can: on a
// server the probe found without file ids (ids are paths) and with real ETags, a strong
// ETag in the answer is the one its listings give the file (rclone, lighttpd and
// x/net/webdav send it; the conformance suite checks Upload's entry against Stat), and it
// spares the PROPFIND that would ask the same. Apache and nginx send none, and servers
// with file ids get the PROPFIND (their answer's OC-FileId and OC-ETag do not always have
// the listing's form).
func (c *Client) putEntry(p string, size int64, h http.Header) (remote.Entry, bool) {
	if c.caps.ProbedAt.IsZero() || c.caps.FileIDs || !c.caps.ETags {
		return remote.Entry{}, false
	}
	etag := strings.TrimSpace(h.Get("ETag"))
	if len(etag) < 3 || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) {
		return remote.Entry{}, false // absent, weak (W/…) or malformed
	}
	e := remote.Entry{Path: p, ID: p, IDIsPath: true, Version: etag, Size: size}
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		e.ModTime = t.UTC()
	}
	return e, true
}

// Mkdir creates folder p (MKCOL). Its parent must exist (409 → ErrNotFound) and p must not
// (405 → ErrNameClash).
func (c *Client) Mkdir(ctx context.Context, p string) (remote.Entry, error) {
	p = remote.Clean(p)
	if p == "" {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNameClash, Op: "MKCOL", Path: p, Message: "the base folder exists"}
	}
	// MKCOL on an existing folder must fail with 405, but some servers (rclone) answer
	// 201: look first, so an existing name is always reported.
	if _, err := c.Stat(ctx, p); err == nil {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNameClash, Op: "MKCOL", Path: p, Message: "already exists"}
	} else if !errors.Is(err, remote.ErrNotFound) {
		return remote.Entry{}, err
	}
	req, err := c.newRequest(ctx, "MKCOL", p, true, nil)
	if err != nil {
		return remote.Entry{}, err
	}
	resp, err := c.do(req, p, false, http.StatusCreated, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return remote.Entry{}, c.destinationError(ctx, err, p)
	}
	closeBody(resp)
	return c.Stat(ctx, p)
}

// Move renames and/or moves e to newPath (MOVE with Overwrite: F, so an existing newPath
// is never replaced: 412 → ErrNameClash). A missing new parent gives ErrNotFound, checked
// before the MOVE because nginx creates missing parents instead of refusing. WebDAV keeps
// oc:fileid across a MOVE; path ids change with the path.
func (c *Client) Move(ctx context.Context, e remote.Entry, newPath string) (remote.Entry, error) {
	from, to := remote.Clean(e.Path), remote.Clean(newPath)
	if from == "" || to == "" {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrPermission, Op: "MOVE", Path: from, Message: "cannot move the base folder"}
	}
	if from == to {
		return c.Stat(ctx, to)
	}
	if strings.HasPrefix(to, from+"/") {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrPermission, Op: "MOVE", Path: from, Message: "cannot move a folder into itself"}
	}
	if !remote.FreshFolder(ctx) { // a folder this engine just made exists and has no such name
		if err := c.checkDestination(ctx, from, to); err != nil {
			return remote.Entry{}, err
		}
	}
	status, err := c.move(ctx, from, to, e.IsDir)
	if errors.Is(err, remote.ErrNameClash) && strings.EqualFold(from, to) && c.sameNode(ctx, e, from, to) {
		// A case-insensitive server (Alfresco, IIS, some Nextcloud storages) sees the
		// new name as taken by the node itself: rename through a temporary name.
		err = c.moveViaTemp(ctx, from, to, e.IsDir)
	}
	if err != nil {
		return remote.Entry{}, err
	}
	if strings.EqualFold(from, to) {
		return c.Stat(ctx, to)
	}
	if c.mayKeepSource(status) {
		if err := c.checkMoved(ctx, e, from, to); err != nil {
			return remote.Entry{}, err
		}
		return c.Stat(ctx, to)
	}
	if e.IsDir || !e.IDIsPath || e.Version == "" {
		return c.Stat(ctx, to)
	}
	// A file a probed server without file ids moved (201 Created): its ETag is made of
	// its size and mtime (and inode, which a rename keeps) on rclone, x/net/webdav and
	// Apache, so the MOVE left it as listed; only its path, its id, changed. Not asked
	// again: one request per moved file fewer.
	moved := e
	moved.Path, moved.ID = to, to
	return moved, nil
}

// mayKeepSource reports whether a MOVE answered with status may have left its source:
// lighttpd copies a file it may not move and answers 201 as for a move, so it is always
// checked, as is a server that was not probed and one answering 204 or 200 (nginx answers
// 204 for every file it moves). A probed server that answers 201 Created (Apache, rclone,
// x/net, Nextcloud) moved it: one request per moved file fewer.
func (c *Client) mayKeepSource(status int) bool {
	return status != http.StatusCreated || c.caps.ProbedAt.IsZero() ||
		strings.HasPrefix(strings.ToLower(c.caps.Server), "lighttpd")
}

// checkMoved makes sure that a MOVE the server answered with success left nothing at from:
// lighttpd, when it may not change the folder a file is in, copies it, fails to remove the
// original and still answers 204. The file's copy is then removed again (the original, at
// the version e describes, is intact) and the move fails as permission_denied; a folder's
// copy is left for the next listing to show, since its original may be incomplete.
func (c *Client) checkMoved(ctx context.Context, e remote.Entry, from, to string) error {
	orig, err := c.Stat(ctx, from)
	if err != nil {
		return nil // gone: moved (or the check failed; the next listing tells)
	}
	msg := "the server copied it to " + to + " but kept the original (it may not change the folder it is in)"
	if !e.IsDir && !orig.IsDir && orig.Version == e.Version {
		if cp, err := c.Stat(ctx, to); err == nil && !cp.IsDir && c.Delete(ctx, cp) == nil {
			msg += "; the copy was removed"
		}
	}
	return &remote.Error{Kind: remote.ErrPermission, Op: "MOVE", Path: from, Message: msg}
}

// checkDestination makes sure a MOVE from → to can only do what the contract says: to
// must not exist (lighttpd moves a file into a folder named by Destination instead of
// answering 412) and its parent must (nginx creates missing parents). A case-only rename
// is left to the MOVE: on a case-insensitive server to is from itself.
func (c *Client) checkDestination(ctx context.Context, from, to string) error {
	if !strings.EqualFold(from, to) {
		_, err := c.Stat(ctx, to)
		switch {
		case err == nil:
			return &remote.Error{Kind: remote.ErrNameClash, Op: "MOVE", Path: to, Message: "the destination exists"}
		case !errors.Is(err, remote.ErrNotFound):
			return err
		}
	}
	if c.parentMissing(ctx, to) {
		return &remote.Error{Kind: remote.ErrNotFound, Op: "MOVE", Path: pathDir(to), Message: "destination folder does not exist"}
	}
	return nil
}

// move is one MOVE from → to with Overwrite: F; it returns the server's success status.
func (c *Client) move(ctx context.Context, from, to string, dir bool) (int, error) {
	req, err := c.newRequest(ctx, "MOVE", from, dir, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Destination", c.URL(to, dir).String())
	req.Header.Set("Overwrite", "F")
	resp, err := c.do(req, from, true, http.StatusCreated, http.StatusNoContent, http.StatusOK)
	if err != nil {
		return 0, c.moveError(ctx, err, to)
	}
	closeBody(resp)
	return resp.StatusCode, nil
}

// sameNode reports whether the server resolves to (a case variant of from) to e itself:
// the entry it returns for to has from's exact path, or e's non-path id.
func (c *Client) sameNode(ctx context.Context, e remote.Entry, from, to string) bool {
	st, err := c.Stat(ctx, to)
	if err != nil {
		return false
	}
	return st.Path == from || !st.IDIsPath && !e.IDIsPath && e.ID != "" && st.ID == e.ID
}

// moveViaTemp renames from → temporary name → to (a case-only rename on a
// case-insensitive server). If the second step fails, it moves the node back.
func (c *Client) moveViaTemp(ctx context.Context, from, to string, dir bool) error {
	tmp := remote.Join(pathDir(from), ".~cloudsync-rename-"+path.Base(from))
	if _, err := c.move(ctx, from, tmp, dir); err != nil {
		return err
	}
	if _, err := c.move(ctx, tmp, to, dir); err != nil {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if _, berr := c.move(bctx, tmp, from, dir); berr != nil {
			return fmt.Errorf("%w (and moving it back from %s failed: %v)", err, tmp, berr)
		}
		return err
	}
	return nil
}

// moveError refines a failed MOVE by what the destination looks like: taken (nginx answers
// 409 for a file moved onto a folder's name) → ErrNameClash; its parent missing → ErrNotFound
// on the destination, also from servers that answer 403 (x/net/webdav, rclone) or 500
// (Apache) instead of 409.
func (c *Client) moveError(ctx context.Context, err error, to string) error {
	var re *remote.Error
	if !errors.As(err, &re) {
		return err
	}
	switch st := re.Status; {
	case st == http.StatusConflict, st == http.StatusForbidden, st == http.StatusInternalServerError,
		st == http.StatusBadRequest, st >= 300 && st < 400:
		// (Apache answers 301 when Destination names an existing folder without its slash.)
		if _, serr := c.Stat(ctx, to); serr == nil {
			re.Kind, re.Path, re.Message = remote.ErrNameClash, to, "the destination exists"
			return err
		}
		return c.destinationError(ctx, err, to)
	}
	return err
}

// destinationError refines a failed PUT, MKCOL or MOVE whose target is p: when p's parent
// folder is missing (or a file) it is ErrNotFound on the parent, whatever status the server
// chose (409 as RFC 4918 says, 403 from x/net/webdav and rclone, 500 from nginx and Apache).
func (c *Client) destinationError(ctx context.Context, err error, p string) error {
	var re *remote.Error
	if !errors.As(err, &re) || re.Kind == remote.ErrAuth || re.Status == 0 {
		return err
	}
	switch re.Status {
	case http.StatusConflict, http.StatusForbidden, http.StatusInternalServerError, http.StatusBadRequest, http.StatusNotFound:
		if parent := pathDir(p); parent != "" && c.parentMissing(ctx, p) {
			re.Kind, re.Path, re.Message = remote.ErrNotFound, parent, "destination folder does not exist"
		}
	}
	return err
}

// Delete removes e (DELETE; folders recursively, into the server's trash where it keeps
// one). ErrNotFound when it is already gone.
func (c *Client) Delete(ctx context.Context, e remote.Entry) error {
	p := remote.Clean(e.Path)
	if p == "" {
		return &remote.Error{Kind: remote.ErrPermission, Op: "DELETE", Path: p, Message: "cannot delete the base folder"}
	}
	req, err := c.newRequest(ctx, http.MethodDelete, p, e.IsDir, nil)
	if err != nil {
		return err
	}
	resp, err := c.do(req, p, false, http.StatusNoContent, http.StatusOK, http.StatusAccepted)
	if err != nil {
		return err
	}
	closeBody(resp)
	return nil
}
