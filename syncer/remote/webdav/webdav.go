// Package webdav is the WebDAV (RFC 4918) remote: a remote.Remote over a base URL on
// Nextcloud, ownCloud, Apache mod_dav, rclone, Alfresco or any other WebDAV server. It owns
// the HTTP side of that protocol for cloudsync: PROPFIND listings with the ownCloud
// extensions (oc:fileid for ids stable across moves, oc:checksums for hashes), conditional
// PUT (If-None-Match: * for new files, If-Match with the listed ETag for new versions),
// MKCOL, MOVE with Overwrite: F, DELETE, ranged GET, and the mapping of HTTP statuses to
// remote's error kinds (see kindOf, the one place that does it).
//
// The protocol is written by hand on net/http and encoding/xml. The two maintained Go
// clients were checked (STYLE rule 11): github.com/studio-b12/gowebdav v0.13 takes no
// context.Context, asks PROPFIND for a fixed property set (no oc:fileid, no oc:checksums),
// sends no If-Match / If-None-Match and creates missing parent folders on PUT (which breaks
// the "parent must exist" contract); github.com/emersion/go-webdav v0.6 also has a fixed
// property set in its exported API, no conditional headers, no Range on Open and no way
// to read the ETag a PUT returns. Each would have needed the hand-written requests anyway.
//
// Security: TLS verification is never turned off here; a redirect from HTTPS to HTTP is
// refused (remote.ErrInsecureHTTP); the Authorization header is dropped on a redirect to
// another host; the password is sent only as Basic auth and never logged or put in errors.
//
// It may import syncer/model, syncer/remote, syncer/remote/httpclient and
// syncer/remote/registry of this module, never the engine.
package webdav

import (
	"context"
	"errors"
	"fmt"
	"github.com/cloudsync/cloudsync/syncer/remote/httpclient"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Config describes one WebDAV account.
type Config struct {
	// URL is the account's base folder, e.g.
	// https://cloud.example.com/remote.php/dav/files/alice/ (http or https; no user info,
	// query or fragment). Every path the Client takes is relative to it.
	URL string
	// User and Password are sent as Basic auth on every request (none when User is empty).
	User, Password string
	// HTTPClient is used for every request when set (tests pass httptest's TLS client).
	// Its CheckRedirect is replaced by the Client's redirect policy. Nil: a client with
	// dial, TLS-handshake and response-header timeouts but no total timeout.
	HTTPClient *http.Client
	// WebUI is the server's web page for an item, for View in Cloud. "{path}" is replaced
	// by the item's escaped account-relative path, "{dir}" by its folder's, "{id}" by its
	// id; without placeholders it is used as is. Empty: WebURL returns the item's WebDAV URL.
	WebUI string
	// Logger receives warnings about entries the server sent and the Client skipped
	// (invalid names). Nil discards them. The password is never logged.
	Logger *slog.Logger
	// Capabilities are what Probe found on this server (kept with the account), or nil when
	// unknown: the Client then assumes nothing beyond RFC 4918 (no listing reuse, every
	// name allowed).
	Capabilities *remote.Capabilities
}

// Client is a WebDAV remote. It is safe for concurrent use. What it keeps between calls
// changes no answer: the buffers of listings, and the last walk's listings (listcache.go).
type Client struct {
	base     *url.URL // scheme://host/path/ (path ends with "/")
	basePath string   // base.Path, decoded, ending with "/"
	user     string
	password string
	hc       *http.Client
	webUI    string
	log      *slog.Logger
	warned   remote.WarnOnce // entries skipped by listings, logged once each
	caps     remote.Capabilities
	// strictBase is the base path with every character but the unreserved ones escaped,
	// as some servers (Apache) write it in hrefs (see plainRelPath).
	strictBase string
	bufs       sync.Pool // *listingBuf for PROPFIND answers
	lists      listCache
	spare      entryBufs                      // slices of entries a walk is done with, for the kept listings it unpacks
	ahead      aheadFolders                   // the folders of the last walks, listed ahead by the next (walkahead.go)
	marks      metaMarks                      // this client's writes of metadata (walkmeta.go)
	decoded    atomic.Int64                   // listing answers decoded (a test counts them)
	weakStays  atomic.Bool                    // the server's ETags stayed weak (weaketag.go)
	onDecode   func(folder string, news bool) // called with each folder whose answer is decoded, and whether it said something the kept listing did not (tests; nil)
}

var (
	_ remote.Remote   = (*Client)(nil)
	_ remote.Checker  = (*Client)(nil)
	_ remote.WebURLer = (*Client)(nil)
	_ remote.Namer    = (*Client)(nil)
)

// New returns a Client for cfg. It does no network I/O; it fails on a URL that is not an
// absolute http(s) URL, or that carries credentials, a query or a fragment.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		// url.Parse's error quotes the URL; it has no password field of ours in it.
		return nil, fmt.Errorf("webdav: invalid URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("webdav: URL %q: scheme must be http or https", redactURL(u))
	case u.Host == "":
		return nil, fmt.Errorf("webdav: URL %q has no host", redactURL(u))
	case u.User != nil:
		return nil, errors.New("webdav: URL must not contain credentials; use User and Password")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("webdav: URL %q must not have a query or fragment", redactURL(u))
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		base:     u,
		basePath: u.Path,
		user:     cfg.User,
		password: cfg.Password,
		webUI:    cfg.WebUI,
		log:      log,
	}
	if cfg.Capabilities != nil {
		c.caps = *cfg.Capabilities
	}
	c.strictBase = strictEscape(u.Path)
	c.hc = httpclient.New(cfg.HTTPClient, c.base)
	return c, nil
}

// strictEscape escapes every byte of path p but "/" and the unreserved characters of RFC
// 3986 (letters, digits, "-", ".", "_", "~").
func strictEscape(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// redactURL returns u without user info, for messages.
func redactURL(u *url.URL) string {
	v := *u
	v.User = nil
	return v.String()
}

// URL returns the absolute URL of account-relative path p (a folder URL ends with "/").
func (c *Client) URL(p string, dir bool) *url.URL {
	p = remote.Clean(p)
	raw := c.base.EscapedPath()
	if p != "" {
		parts := strings.Split(p, "/")
		for i, el := range parts {
			parts[i] = url.PathEscape(el)
		}
		raw += strings.Join(parts, "/")
		if dir {
			raw += "/"
		}
	}
	u := *c.base
	u.Path = c.basePath + p
	if dir && p != "" {
		u.Path += "/"
	}
	u.RawPath = raw
	return &u
}

// Check verifies the account: a PROPFIND with Depth 0 on the base URL. A wrong user or
// password gives an error wrapping remote.ErrAuth; a base that is not a WebDAV folder gives
// ErrNotFound or ErrBadResponse.
func (c *Client) Check(ctx context.Context) error {
	res, err := c.propfind(ctx, "", "0", true)
	if err != nil {
		return err
	}
	if !res.self.IsDir {
		return &remote.Error{Kind: remote.ErrNotFound, Op: "PROPFIND", Path: "", Message: "the base URL is not a folder"}
	}
	return nil
}

// ValidateName refuses names the server takes but cannot list back: on a server whose
// listings leave out names starting with "." (nginx's dav-ext; see Capabilities), such a
// file would look deleted from the cloud right after its upload. The error wraps
// remote.ErrUnsupported. Other names are the server's to judge.
func (c *Client) ValidateName(name string) error {
	if c.caps.HidesDotFiles && strings.HasPrefix(name, ".") {
		return &remote.Error{Kind: remote.ErrUnsupported, Op: "PUT", Path: name,
			Message: "this server (" + c.caps.Server + ") does not list names starting with a dot, so it cannot sync them; rename it to sync it"}
	}
	return nil
}

// FoldName returns name: WebDAV names are compared as they are (a case-insensitive server
// answers a clash with 405/412, which Move and Upload handle).
func (c *Client) FoldName(name string) string { return name }

// WebURL returns the page for e: Config.WebUI with its placeholders filled in, or e's
// WebDAV URL when no web UI is configured.
func (c *Client) WebURL(e remote.Entry) string {
	if c.webUI == "" {
		return c.URL(e.Path, e.IsDir).String()
	}
	p := remote.Clean(e.Path)
	dir := p
	if !e.IsDir {
		dir = remote.Clean(pathDir(p))
	}
	r := strings.NewReplacer(
		"{path}", url.QueryEscape("/"+p),
		"{dir}", url.QueryEscape("/"+dir),
		"{id}", url.QueryEscape(e.ID),
	)
	return r.Replace(c.webUI)
}

// pathDir is path.Dir for canonical relative paths ("" for a top-level name).
func pathDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}
