// Package alfresco is the Alfresco Content Services remote: a remote.Remote over the public
// REST API v1, written by hand on net/http and encoding/json (no maintained Go SDK exists;
// REAL-ALFRESCO.md §15). It owns the Alfresco side of cloudsync: ticket login with one
// re-login on 401, networks, site memberships and their documentLibrary containers,
// children listings with paging, folder creation, multipart uploads, new versions (PUT nodes/{id}/content),
// ranged downloads, renames (PUT nodes/{id}), moves (POST nodes/{id}/move), deletes into the
// trashcan, Alfresco's timestamp format, its name rules (Namer), Share or Content App URLs
// (WebURLer), and the mapping of HTTP statuses to remote's error kinds (kindOf, the one
// place that does it).
//
// Where the API definition is silent the client follows what real Alfresco does, written
// down with its sources in REAL-ALFRESCO.md: links and working copies are listed as
// unsupported, a checked-out file is never written to, folder timestamps are trusted only
// as far as Alfresco keeps them, a folder is re-checked before it is deleted.
//
// Paths are account-relative "NETWORK/SITE/path/in/documentLibrary": the top level lists
// the user's networks ("-default-" on premise), the second the sites the user is a member
// of; a site stands for its documentLibrary. Items are keyed by node id, which survives
// renames and moves, so the engine recognises cloud-side renames and moves as such.
//
// Security: TLS verification is never turned off here; the password is sent only in the
// ticket login's body and never logged or put into errors; the ticket travels as Basic
// auth; a redirect from HTTPS to HTTP is refused.
//
// It may import syncer/model, syncer/remote, syncer/remote/httpclient and
// syncer/remote/registry of this module, never the engine.
package alfresco

import (
	"errors"
	"fmt"
	"github.com/cloudsync/cloudsync/syncer/remote/httpclient"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Config describes one Alfresco account.
type Config struct {
	// URL is the server, e.g. https://acs.example.com (then the API is at
	// /alfresco/api), or the API base itself (…/alfresco/api) or the webapp (…/alfresco).
	URL string
	// User and Password sign in for a ticket; the password is kept to sign in again when
	// the ticket expires.
	User, Password string
	// WebUI is the base of the web UI for View in Cloud: Share (…/share, the default:
	// SERVER/share) or the Content App / Digital Workspace (any other URL, e.g.
	// https://acs.example.com/content-app or …/workspace), whose hash routes are used.
	WebUI string
	// Folder, when set, is an account-relative folder ("NETWORK/SITE/path") that every path
	// the Client takes is relative to. Accounts leave it empty; tests use it to give each
	// case a fresh folder.
	Folder string
	// HTTPClient is used for every request when set; its CheckRedirect is replaced. Nil: a
	// client with dial, TLS and response-header timeouts but no total timeout.
	HTTPClient *http.Client
	// Logger receives warnings about entries the Client skipped. Nil discards them.
	Logger *slog.Logger
}

// Client is an Alfresco remote. It is safe for concurrent use.
type Client struct {
	api      *url.URL // …/alfresco/api (no trailing slash)
	user     string
	password string
	folder   string
	hc       *http.Client
	webUI    string
	share    bool
	log      *slog.Logger
	warned   remote.WarnOnce // nodes skipped by listings, logged once each

	mu       sync.Mutex
	ticket   string
	gen      int       // bumped at each login
	lastUse  time.Time // last request that succeeded with the ticket
	doclibs  map[string]string
	rootSeen map[string]rootState // List's memory of each root, see list.go
}

var (
	_ remote.Remote   = (*Client)(nil)
	_ remote.Checker  = (*Client)(nil)
	_ remote.WebURLer = (*Client)(nil)
	_ remote.Namer    = (*Client)(nil)
)

// New returns a Client for cfg. It does no network I/O; it fails on a URL that is not an
// absolute http(s) URL or that carries credentials, a query or a fragment.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	if err != nil {
		return nil, fmt.Errorf("alfresco: invalid URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, fmt.Errorf("alfresco: invalid URL %q: it must start with https:// (or http://)", u.Redacted())
	case u.User != nil:
		return nil, errors.New("alfresco: the URL must not carry credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("alfresco: the URL must not have a query or fragment")
	}
	p := strings.TrimRight(u.Path, "/")
	switch {
	case strings.HasSuffix(p, "/alfresco/api"):
	case strings.HasSuffix(p, "/alfresco"):
		p += "/api"
	default:
		p += "/alfresco/api"
	}
	u.Path, u.RawPath = p, ""
	c := &Client{api: u, user: cfg.User, password: cfg.Password, folder: remote.Clean(cfg.Folder),
		log: cfg.Logger, doclibs: map[string]string{}, rootSeen: map[string]rootState{}}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.webUI = strings.TrimRight(cfg.WebUI, "/")
	if c.webUI == "" {
		c.webUI = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/share"}).String()
	}
	c.share = strings.HasSuffix(c.webUI, "/share")
	c.hc = httpclient.New(cfg.HTTPClient, c.api)
	return c, nil
}

// loc is an account-relative path split into its parts.
type loc struct {
	full    string // account-relative, with the Client's Folder
	network string
	site    string
	rest    string // below the documentLibrary, "" for the library itself
	depth   int    // 0 top, 1 network, 2 site (library), 3+ inside
}

func (c *Client) locate(p string) loc {
	full := remote.Join(c.folder, p)
	l := loc{full: full}
	if full == "" {
		return l
	}
	parts := strings.SplitN(full, "/", 3)
	l.depth = len(parts)
	l.network = parts[0]
	if len(parts) > 1 {
		l.site = parts[1]
	}
	if len(parts) > 2 {
		l.rest = parts[2]
		l.depth = 3
	}
	return l
}

// rel turns an account-relative path back into one relative to the Client's Folder.
func (c *Client) rel(full string) string {
	if c.folder == "" {
		return full
	}
	if full == c.folder {
		return ""
	}
	return strings.TrimPrefix(full, c.folder+"/")
}

// ValidateName refuses names Alfresco's cm:filename constraint forbids (REAL-ALFRESCO.md §14):
// `* " < > \ / ? : |`, a trailing dot or space, the empty name, and names over 255
// characters (the practical limit of Share and of association names).
func (c *Client) ValidateName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty name", remote.ErrInvalidName)
	case strings.ContainsAny(name, `*"<>\/?:|`):
		return fmt.Errorf("%w: %q contains one of * \" < > \\ / ? : | which Alfresco does not allow", remote.ErrInvalidName, name)
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return fmt.Errorf("%w: %q ends with a dot or space, which Alfresco does not allow", remote.ErrInvalidName, name)
	case utf8.RuneCountInString(name) > 255:
		return fmt.Errorf("%w: %q is longer than 255 characters", remote.ErrInvalidName, name)
	}
	return nil
}

// FoldName returns the lower-cased name: Alfresco's names are unique in a folder without
// regard to case.
func (c *Client) FoldName(name string) string { return strings.ToLower(name) }

// WebURL returns the item's page in the web UI. Share: document-details for files, the
// site's document library (at the folder's path) for folders. Content App / Digital
// Workspace: the viewer for files, the library view of the folder's node for folders. ""
// for entries that have no page (the network list, a file without an id).
func (c *Client) WebURL(e remote.Entry) string {
	l := c.locate(e.Path)
	hasID := e.ID != "" && !e.IDIsPath && !strings.Contains(e.ID, ":")
	switch {
	case l.depth == 0:
		return c.webUI
	case l.depth == 1:
		if c.share {
			return c.webUI + "/page/site-finder"
		}
		return c.webUI + "/#/libraries"
	case !e.IsDir && !hasID:
		return ""
	case !e.IsDir && c.share:
		return c.webUI + "/page/document-details?nodeRef=workspace://SpacesStore/" + url.QueryEscape(e.ID)
	case !e.IsDir:
		return c.webUI + "/#/view/(viewer:" + url.PathEscape(e.ID) + ")"
	case c.share:
		u := c.webUI + "/page/site/" + url.PathEscape(l.site) + "/documentlibrary"
		if l.rest != "" {
			var segs []string
			for _, s := range strings.Split(l.rest, "/") {
				segs = append(segs, url.PathEscape(s))
			}
			u += "?path=/" + strings.Join(segs, "/")
		}
		return u
	case hasID:
		return c.webUI + "/#/libraries/" + url.PathEscape(e.ID)
	}
	return c.webUI + "/#/libraries"
}

func parentOf(p string) string {
	d := path.Dir("/" + p)
	return strings.TrimPrefix(d, "/")
}
