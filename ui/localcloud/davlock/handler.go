package davlock

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/net/webdav"
)

// Handler serves a webdav.FileSystem with class 2 locking. It answers LOCK and UNLOCK
// itself and admits every other request before golang.org/x/net/webdav serves it:
//
//   - the If header (RFC 4918 §10.4) is evaluated for every method, tagged and untagged
//     lists, state tokens and entity tags: 412 when no list holds;
//   - a request that changes resources (PUT, DELETE, MKCOL, PROPPATCH, COPY, MOVE) must
//     have submitted, in its If header, the token of every lock protecting them (§7): 423
//     with DAV:lock-token-submitted otherwise;
//   - while it runs, it holds those resources against other changing requests and new
//     locks (423), as x/net/webdav's temporary locks did.
//
// x/net/webdav then sees a request without If header and a LockSystem that grants all.
type Handler struct {
	fs    webdav.FileSystem
	locks *Manager
	dav   *webdav.Handler
}

// New returns a Handler serving fs. Its locks live in memory: a restart drops them, as
// RFC 4918 §6.8 permits ("lost locks").
func New(fs webdav.FileSystem) *Handler {
	m := NewManager(time.Now)
	return &Handler{fs: fs, locks: m, dav: &webdav.Handler{FileSystem: discoveryFS{fs, m}, LockSystem: admitted{}}}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ih, err := ifHeaderOf(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch r.Method {
	case "LOCK":
		h.serveLock(w, r, ih)
	case "UNLOCK":
		h.serveUnlock(w, r, ih)
	case "PUT", "DELETE", "MKCOL", "PROPPATCH", "COPY", "MOVE":
		h.serveChange(w, r, ih)
	default: // reads: the If header is still a precondition (§10.4.1)
		if ih != nil {
			if err := h.locks.Do(func(tx *Tx) error { return h.check(tx, r, ih, cleanPath(r.URL.Path)) }); err != nil {
				refuse(w, err)
				return
			}
		}
		if r.Method != "PROPFIND" {
			h.dav.ServeHTTP(w, withoutIf(r))
			return
		}
		sw := &supportedLockWriter{ResponseWriter: w}
		h.dav.ServeHTTP(sw, withoutIf(r))
		sw.flush()
	}
}

var (
	errPrecondition  = errors.New("the If header matches no state of its resources")
	errTokenMismatch = errors.New("the lock token names no lock on the request URI")
	errNoParent      = errors.New("the parent collection does not exist")
)

// missingError is a lock whose token a request did not submit.
type missingError struct{ lock Lock }

func (e *missingError) Error() string {
	return fmt.Sprintf("%s is locked and its lock token was not submitted", e.lock.Root)
}

// check evaluates the If header (nil: none) with the Request-URI p.
func (h *Handler) check(tx *Tx, r *http.Request, ih *IfHeader, p string) error {
	if ih != nil && !ih.Eval(h.state(tx, r, p)) {
		return errPrecondition
	}
	return nil
}

// serveChange admits a request that changes resources, lets x/net/webdav serve it, then
// drops the locks whose roots it unmapped.
func (h *Handler) serveChange(w http.ResponseWriter, r *http.Request, ih *IfHeader) {
	ctx := r.Context()
	src, dst := cleanPath(r.URL.Path), ""
	if r.Method == "COPY" || r.Method == "MOVE" {
		var ok bool
		if dst, ok = destination(r); !ok {
			h.dav.ServeHTTP(w, withoutIf(r)) // which answers the bad Destination
			return
		}
	}
	var release func()
	err := h.locks.Do(func(tx *Tx) error {
		if err := h.check(tx, r, ih, src); err != nil {
			return err
		}
		needs, holds := h.changes(ctx, r.Method, src, dst)
		if l, ok := tx.Missing(needs, submitted(ih)); ok {
			return &missingError{l}
		}
		var err error
		release, err = tx.Hold(holds...)
		return err
	})
	if err != nil {
		refuse(w, err)
		return
	}
	defer release()
	sw := &statusWriter{ResponseWriter: w}
	h.dav.ServeHTTP(sw, withoutIf(r))
	if sw.code/100 != 2 {
		return
	}
	var gone []string
	switch r.Method {
	case "DELETE":
		gone = []string{src}
	case "MOVE":
		gone = []string{src, dst}
	case "COPY":
		gone = []string{dst}
	}
	if len(gone) > 0 {
		h.locks.Do(func(tx *Tx) error {
			for _, p := range gone {
				tx.Prune(p, func(p string) bool { return h.exists(ctx, p) })
			}
			return nil
		})
	}
}

// changes are what a request changes: the locks it must show tokens for, and the paths it
// holds while it runs.
func (h *Handler) changes(ctx context.Context, method, src, dst string) ([]Need, []Hold) {
	switch method {
	case "PUT": // a new file is a new member of its collection
		return []Need{{Path: src, Member: !h.exists(ctx, src)}}, []Hold{{Path: src}}
	case "MKCOL":
		return []Need{{Path: src, Member: true}}, []Hold{{Path: src}}
	case "PROPPATCH":
		return []Need{{Path: src}}, []Hold{{Path: src}}
	case "DELETE":
		return []Need{{Path: src, Member: true, Tree: true}}, []Hold{{Path: src, Infinite: true}}
	}
	// COPY and MOVE create the destination as a new member, or replace its subtree; a
	// COPY leaves its source alone (RFC 4918 §7.6: a locked source may be copied).
	exists := h.exists(ctx, dst)
	needs := []Need{{Path: dst, Member: !exists, Tree: exists}}
	holds := []Hold{{Path: dst, Infinite: true}}
	if method == "MOVE" {
		needs = append(needs, Need{Path: src, Member: true, Tree: true})
		holds = append(holds, Hold{Path: src, Infinite: true})
	}
	return needs, holds
}

func (h *Handler) serveLock(w http.ResponseWriter, r *http.Request, ih *IfHeader) {
	timeout, err := parseTimeout(r.Header.Get("Timeout"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	li, err := readLockInfo(r.Body)
	if err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, errLockType) {
			code = http.StatusNotImplemented
		}
		http.Error(w, err.Error(), code)
		return
	}
	p := cleanPath(r.URL.Path)
	if li.empty {
		h.refresh(w, r, ih, p, timeout)
		return
	}
	infinite := true // RFC 4918 §9.10.3: no Depth is infinity
	switch d := r.Header.Get("Depth"); strings.ToLower(d) {
	case "", "infinity":
	case "0":
		infinite = false
	default:
		http.Error(w, "Depth "+d+": a lock's depth is 0 or infinity", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	var granted Lock
	var now time.Time
	created := false
	err = h.locks.Do(func(tx *Tx) error {
		if err := h.check(tx, r, ih, p); err != nil {
			return err
		}
		exists := h.exists(ctx, p)
		if !exists { // a LOCK on an unmapped URL creates an empty resource (§7.3)
			if l, ok := tx.Missing([]Need{{Path: p, Member: true}}, submitted(ih)); ok {
				return &missingError{l}
			}
		}
		var err error
		granted, err = tx.Create(Lock{Root: p, Href: r.URL.EscapedPath(), Scope: li.scope, Infinite: infinite, Owner: li.owner}, timeout)
		if err != nil {
			return err
		}
		if !exists {
			if created, err = h.createEmpty(ctx, p); err != nil {
				tx.Remove(granted.Token)
				return err
			}
		}
		now = tx.Now()
		return nil
	})
	if err != nil {
		refuse(w, err)
		return
	}
	w.Header().Set("Lock-Token", "<"+granted.Token+">")
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	writeLock(w, code, granted, now)
}

// refresh restarts the timeout of the lock the If header names (RFC 4918 §9.10.2): it
// must cover the Request-URI.
func (h *Handler) refresh(w http.ResponseWriter, r *http.Request, ih *IfHeader, p string, timeout time.Duration) {
	if ih == nil {
		http.Error(w, "a LOCK without body refreshes the lock its If header names, and there is none", http.StatusBadRequest)
		return
	}
	var l Lock
	var now time.Time
	err := h.locks.Do(func(tx *Tx) error {
		if err := h.check(tx, r, ih, p); err != nil {
			return err
		}
		for _, tok := range ih.Tokens() {
			if o, ok := tx.Lookup(tok); ok && o.Covers(p) {
				l, _ = tx.Refresh(tok, timeout)
				now = tx.Now()
				return nil
			}
		}
		return errTokenMismatch
	})
	if errors.Is(err, errTokenMismatch) {
		writeError(w, http.StatusPreconditionFailed, "lock-token-matches-request-uri", "")
		return
	}
	if err != nil {
		refuse(w, err)
		return
	}
	writeLock(w, http.StatusOK, l, now)
}

// serveUnlock removes the lock named by Lock-Token, which must cover the Request-URI
// (RFC 4918 §9.11).
func (h *Handler) serveUnlock(w http.ResponseWriter, r *http.Request, ih *IfHeader) {
	t := strings.TrimSpace(r.Header.Get("Lock-Token"))
	if len(t) < 3 || t[0] != '<' || t[len(t)-1] != '>' {
		http.Error(w, "UNLOCK needs a Lock-Token header: <token>", http.StatusBadRequest)
		return
	}
	tok, p := t[1:len(t)-1], cleanPath(r.URL.Path)
	err := h.locks.Do(func(tx *Tx) error {
		if err := h.check(tx, r, ih, p); err != nil {
			return err
		}
		if l, ok := tx.Lookup(tok); !ok || !l.Covers(p) {
			return errTokenMismatch
		}
		tx.Remove(tok)
		return nil
	})
	if err != nil {
		refuse(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// refuse answers a request that was not admitted.
func refuse(w http.ResponseWriter, err error) {
	var missing *missingError
	var conflict *ConflictError
	switch {
	case errors.Is(err, errPrecondition):
		http.Error(w, err.Error(), http.StatusPreconditionFailed)
	case errors.Is(err, errTokenMismatch):
		writeError(w, http.StatusConflict, "lock-token-matches-request-uri", "")
	case errors.Is(err, errNoParent):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.As(err, &missing):
		writeError(w, http.StatusLocked, "lock-token-submitted", missing.lock.Href)
	case errors.As(err, &conflict) && conflict.Lock != nil:
		writeError(w, http.StatusLocked, "no-conflicting-lock", conflict.Lock.Href)
	case errors.As(err, &conflict):
		http.Error(w, err.Error(), http.StatusLocked)
	default:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func writeError(w http.ResponseWriter, code int, condition, href string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(code)
	w.Write(davError(condition, href))
}

// writeLock answers a LOCK with the lock's DAV:lockdiscovery (RFC 4918 §9.10.1).
func writeLock(w http.ResponseWriter, code int, l Lock, now time.Time) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:prop xmlns:D=\"DAV:\"><D:lockdiscovery>%s</D:lockdiscovery></D:prop>\n",
		activeLock(l, now))
}

// state is what the If header sees of a list's resource: the Request-URI p, or the
// resource its tag names on this server; a tag naming another host is an unmapped URL.
func (h *Handler) state(tx *Tx, r *http.Request, p string) func(string) State {
	return func(tag string) State {
		if tag != "" {
			u, err := url.Parse(tag)
			if err != nil || u.Host != "" && u.Host != r.Host || !strings.HasPrefix(u.Path, "/") {
				return State{}
			}
			p = cleanPath(u.Path)
		}
		fi, err := h.fs.Stat(r.Context(), p)
		if err != nil {
			return State{}
		}
		st := State{Tokens: tx.Tokens(p)}
		if !fi.IsDir() {
			st.ETag = etag(r.Context(), fi)
		}
		return st
	}
}

// etag is the entity tag x/net/webdav serves for a file (prop.go findETag): the
// FileInfo's own when it has one, else modification time and size.
func etag(ctx context.Context, fi os.FileInfo) string {
	if e, ok := fi.(webdav.ETager); ok {
		t, err := e.ETag(ctx)
		if err == nil {
			return t
		}
		if !errors.Is(err, webdav.ErrNotImplemented) {
			return ""
		}
	}
	return fmt.Sprintf(`"%x%x"`, fi.ModTime().UnixNano(), fi.Size())
}

func (h *Handler) exists(ctx context.Context, p string) bool {
	_, err := h.fs.Stat(ctx, p)
	return err == nil
}

// createEmpty creates the empty file a LOCK on an unmapped URL makes; false when it was
// created meanwhile.
func (h *Handler) createEmpty(ctx context.Context, p string) (bool, error) {
	if fi, err := h.fs.Stat(ctx, path.Dir(p)); err != nil || !fi.IsDir() {
		return false, errNoParent
	}
	f, err := h.fs.OpenFile(ctx, p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, f.Close()
}

// ifHeaderOf parses the request's If header; nil when it has none.
func ifHeaderOf(r *http.Request) (*IfHeader, error) {
	v := strings.TrimSpace(strings.Join(r.Header.Values("If"), " "))
	if v == "" {
		return nil, nil
	}
	ih, err := ParseIf(v)
	if err != nil {
		return nil, err
	}
	return &ih, nil
}

// submitted are the lock tokens the request submits: those its If header names.
func submitted(ih *IfHeader) []string {
	if ih == nil {
		return nil
	}
	return ih.Tokens()
}

// destination is the path of a COPY or MOVE's Destination on this server.
func destination(r *http.Request) (string, bool) {
	d := r.Header.Get("Destination")
	u, err := url.Parse(d)
	if d == "" || err != nil || u.Host != "" && u.Host != r.Host {
		return "", false
	}
	return cleanPath(u.Path), true
}

func cleanPath(p string) string { return path.Clean("/" + p) }

// withoutIf is r without its If header, which Handler has evaluated (x/net/webdav would
// judge it again, without entity tags and against its own lock table).
func withoutIf(r *http.Request) *http.Request {
	if _, ok := r.Header["If"]; !ok {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.Header.Del("If")
	return r2
}

// statusWriter notes the status x/net/webdav answered.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// admitted is the LockSystem x/net/webdav sees: Handler has admitted every request it
// passes on and answers LOCK and UNLOCK itself, so every call succeeds.
type admitted struct{}

func (admitted) Confirm(time.Time, string, string, ...webdav.Condition) (func(), error) {
	return func() {}, nil
}
func (admitted) Create(time.Time, webdav.LockDetails) (string, error) { return "admitted", nil }
func (admitted) Refresh(time.Time, string, time.Duration) (webdav.LockDetails, error) {
	return webdav.LockDetails{}, webdav.ErrNoSuchLock
}
func (admitted) Unlock(time.Time, string) error { return nil }
