// Package alfrescotest is an Alfresco Content Services test server, in the manner of
// net/http/httptest: it keeps a real repository in memory (networks, users, sites with
// their documentLibrary, a node tree with ids, version labels, modifiedAt timestamps with
// Alfresco's one-level propagation to the parent, locks, permissions, a trashcan, a quota)
// and speaks the public REST API v1 with Alfresco's status codes, error bodies, date
// format and name rules (REAL-ALFRESCO.md §10–§14): ticket login, networks, site
// memberships and containers, node get / children (paging, orderBy, where, include, includeSource,
// relativePath) / create (JSON and multipart) / update / move / delete / content (Range) /
// new version / lock.
//
// Every request it receives and every response it sends is checked against the official
// API definitions (Swagger 2.0, converted to OpenAPI 3 by kin-openapi; see Contract), so
// the server cannot drift from the real API. A violation is reported through
// Options.Violation (Start makes it fail the test).
//
// The exported helper methods (Write, Mkdir, Rename, Remove, Lock, …) act on the tree
// directly, as another client of the repository would, so tests can change the cloud
// side behind the client's back. The server also counts requests and can answer with
// injected error statuses.
//
// It may import nothing of this module (it stands for a server cloudsync does not control).
package alfrescotest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultNetwork is the network id of an on-premise repository (and the alias of every
// user's home network).
const DefaultNetwork = "-default-"

// Options configure a Server.
type Options struct {
	// Contract validates every request and response; nil: no validation (Start loads the
	// shared one unless NoContract).
	Contract *Contract
	// NoContract makes Start skip validation (for measurements on big trees, where it would
	// dominate the time).
	NoContract bool
	// Violation receives each contract violation (required with a Contract).
	Violation func(msg string)
	// TicketIdle is the inactivity after which a ticket expires (default one hour, as
	// Alfresco's authentication.ticket.validDuration).
	TicketIdle time.Duration
	// MaxFileSize (413) and Quota (507, total content bytes) limit uploads; 0: no limit.
	MaxFileSize, Quota int64
	// Clock is the repository's clock (modifiedAt, folder timestamp delays); nil: time.Now.
	Clock func() time.Time

	// The behaviours below are real Alfresco's where the API definition says nothing; each
	// follows the Alfresco source named in the client's REAL-ALFRESCO.md. Realistic turns on
	// those of a default 26.2 repository; a test may turn on any of them alone.

	// LateFolderTimestamps: a folder's modifiedAt follows a change of its children late
	// (FolderDelay after the change, default 50 ms), in 1-second steps, and not when the
	// folder is newer than the change; a checkout does not change it at all. See
	// childChanged. Without it the folder is touched at once, every time.
	LateFolderTimestamps bool
	FolderDelay          time.Duration
	// NoTimestampPropagation: system.enableTimestampPropagation=false: no folder's
	// modifiedAt follows its children.
	NoTimestampPropagation bool
	// MoveTouchesNode: a move also sets the moved node's own modifiedAt (a rename always
	// does).
	MoveTouchesNode bool
	// PreserveAuditableOnMove: system.auditableData.FileFolderService=true: a move (not a
	// rename) touches neither the node nor its folders. Not a default setting.
	PreserveAuditableOnMove bool
	// OwnerRoles: site roles with Alfresco's owner rules (see allowed).
	OwnerRoles bool
	// TrimRelativePath: relativePath segments are trimmed before they are resolved.
	TrimRelativePath bool
	// CheckinOnPut: Alfresco 26.2 and later: new content PUT to a checked-out original is
	// written to the working copy, which is then checked in. Without it (7.x, 23.x): 409.
	CheckinOnPut bool
	// NoAutoVersion: version.store.enableAutoVersioning=false: new files get
	// cm:autoVersion=false, so content changes make no new version (the label stays).
	NoAutoVersion bool
	// AutoVersionOnUpdateProps: version.store.enableAutoVersionOnUpdateProps=true: new
	// files get cm:autoVersionOnUpdateProps=true, so property changes (a title, a rename)
	// make a new version.
	AutoVersionOnUpdateProps bool
}

// Realistic returns options with every behaviour of a default Alfresco 26.2 repository on:
// late, merged folder timestamps, moves that touch the node, owner-aware site roles,
// trimmed relativePath segments, check-in on PUT to a checked-out original.
func Realistic() Options {
	return Options{LateFolderTimestamps: true, MoveTouchesNode: true, OwnerRoles: true, TrimRelativePath: true, CheckinOnPut: true}
}

// WarnAttachmentIgnored counts (Calls) the downloads with attachment=false of a type not in
// content.nonAttach.mimetypes, each of which Alfresco logs as a warning.
const WarnAttachmentIgnored = "warning: attachment=false ignored"

// nonAttachTypes is content.nonAttach.mimetypes' default.
var nonAttachTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/gif": true, "image/png": true,
	"image/tiff": true, "image/bmp": true, "application/octet-stream": true}

type user struct {
	password string
	networks []string // the first is the home network
	name     string
}

type ticket struct {
	user string
	used time.Time
}

type network struct {
	id      string
	root    *node // Company Home
	sites   *node // Company Home/Sites
	created time.Time
}

type site struct {
	id, title, visibility string
	network               string
	node, doclib          *node
	members               map[string]string // user → role
}

// Server is a running test repository. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL (http://127.0.0.1:PORT) once started by Start.
	URL string

	opts Options

	mu       sync.Mutex
	last     time.Time
	nodes    map[string]*node
	trash    []*node
	users    map[string]*user
	tickets  map[string]*ticket
	networks map[string]*network
	sites    map[string]*site // by network + "/" + site id
	calls    map[string]int
	bytesOut int64
	fault    func(op, p string) int
	pending  []propagation // folder timestamps not yet updated (LateFolderTimestamps)
}

// New returns a Server (not listening; it is an http.Handler) with the default network.
func New(opts Options) *Server {
	if opts.TicketIdle <= 0 {
		opts.TicketIdle = time.Hour
	}
	s := &Server{opts: opts, nodes: map[string]*node{}, users: map[string]*user{}, tickets: map[string]*ticket{},
		networks: map[string]*network{}, sites: map[string]*site{}, calls: map[string]int{}}
	s.AddNetwork(DefaultNetwork)
	return s
}

// Start starts a Server on 127.0.0.1 for the test, validating against the API definitions
// found by FindDefinitions (a violation fails the test). Without the definitions it logs
// that validation is skipped and still runs. It stops when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Contract == nil && !opts.NoContract {
		c, err := SharedContract()
		switch {
		case err != nil:
			t.Logf("alfrescotest: contract validation skipped: %v", err)
		default:
			opts.Contract = c
		}
	}
	if opts.Violation == nil {
		opts.Violation = func(msg string) { t.Errorf("alfrescotest: API contract violation: %s", msg) }
	}
	s := New(opts)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// AddNetwork adds a network (tenant) with its Company Home and Sites folders. Adding an
// existing one does nothing.
func (s *Server) AddNetwork(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.networks[id] != nil {
		return
	}
	root := s.newNode(nil, "Company Home", "cm:folder", "System")
	root.network = id
	sites := s.newNode(root, "Sites", "st:sites", "System")
	s.newNode(root, "Shared", "cm:folder", "System")
	s.networks[id] = &network{id: id, root: root, sites: sites, created: s.now()}
}

// AddUser adds a user with a password, member of the given networks (default: the
// default network; the first is the home network).
func (s *Server) AddUser(id, password string, networks ...string) {
	if len(networks) == 0 {
		networks = []string{DefaultNetwork}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[id] = &user{password: password, networks: networks, name: id}
}

// AddSite adds a site with its documentLibrary to a network; members maps users to their
// site role (SiteManager, SiteCollaborator, SiteContributor, SiteConsumer).
func (s *Server) AddSite(networkID, siteID, title string, members map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nw := s.networks[networkID]
	if nw == nil {
		panic("alfrescotest: AddSite on unknown network " + networkID) // a test setup mistake
	}
	sn := s.newNode(nw.sites, siteID, "st:site", "System")
	dl := s.newNode(sn, "documentLibrary", "cm:folder", "System")
	m := map[string]string{}
	for u, r := range members {
		m[u] = r
	}
	s.sites[networkID+"/"+siteID] = &site{id: siteID, title: title, visibility: "PRIVATE", network: networkID, node: sn, doclib: dl, members: m}
}

// SetRole changes a user's role in a site ("" removes the membership).
func (s *Server) SetRole(networkID, siteID, userID, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.sites[networkID+"/"+siteID]; st != nil {
		if role == "" {
			delete(st.members, userID)
		} else {
			st.members[userID] = role
		}
	}
}

func (s *Server) siteOf(n *node) *site {
	for m := n; m != nil; m = m.parent {
		if m.typ == "st:site" {
			return s.sites[m.network+"/"+m.name]
		}
	}
	return nil
}

// ExpireTickets makes every issued ticket invalid, as a server restart or the inactivity
// timeout would: the next request with one gets 401.
func (s *Server) ExpireTickets() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tickets = map[string]*ticket{}
}

// Calls returns the number of requests of a kind so far. kind is either an operation
// ("login", "list", "stat", "upload", "download", "mkdir", "move", "delete", "other") or a
// request template as in the API definition, e.g. "PUT /nodes/{nodeId}" (core API paths;
// the auth API's are "POST /tickets" and so on).
func (s *Server) Calls(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[kind]
}

// TotalCalls returns the number of requests served so far and the bytes of their bodies.
func (s *Server) TotalCalls() (requests int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls["*"], s.bytesOut
}

// SetFault installs (nil removes) a hook that answers a request with an error status
// instead of serving it: f gets the operation (see Calls) and the request's URL path and
// returns the status (0: serve normally). Injected replies carry Alfresco's error body.
func (s *Server) SetFault(f func(op, p string) int) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// request is one parsed API request.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	api     string   // "alfresco" or "authentication"
	net     string   // the network id in the URL
	seg     []string // unescaped path segments after versions/1
	tmpl    string   // e.g. "GET /nodes/{nodeId}/children"
	op      string
	user    string
	network *network
}

// ServeHTTP serves one API request, validating it and its response when a Contract is set.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q, perr := parse(w, r)
	if s.opts.Contract != nil {
		body, err := s.opts.Contract.checkRequest(r)
		if err != nil {
			s.opts.Violation(fmt.Sprintf("request %s %s: %v", r.Method, r.URL.RequestURI(), err))
		}
		rec := newRecorder()
		q.w = rec
		defer func() {
			if err := s.opts.Contract.checkResponse(r, body, rec.status, rec.header, rec.body.Bytes()); err != nil {
				s.opts.Violation(fmt.Sprintf("response %d to %s %s: %v", rec.status, r.Method, r.URL.RequestURI(), err))
			}
			rec.copyTo(w)
		}()
	}
	q.w.Header().Set("Date", s.clock().UTC().Format(http.TimeFormat)) // the repository's clock
	cw := &countingWriter{ResponseWriter: q.w}
	q.w = cw
	s.mu.Lock()
	s.settle(false)
	s.calls["*"]++
	s.calls[q.op]++
	if q.tmpl != "" {
		s.calls[q.tmpl]++
	}
	fault := s.fault
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.bytesOut += cw.n
		s.mu.Unlock()
	}()
	if fault != nil {
		if st := fault(q.op, r.URL.Path); st != 0 {
			writeErr(q.w, errf(st, "injected %d", st))
			return
		}
	}
	if perr != nil {
		writeErr(q.w, perr)
		return
	}
	if q.tmpl == "POST /tickets" {
		s.login(q)
		return
	}
	if e := s.authenticate(q); e != nil {
		writeErr(q.w, e)
		return
	}
	s.dispatch(q)
}

// parse splits /alfresco/api/{network}/public/{api}/versions/1/{path…}.
func parse(w http.ResponseWriter, r *http.Request) (*request, *apiError) {
	q := &request{w: w, r: r, op: "other"}
	var segs []string
	for _, p := range strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/") {
		u, err := urlUnescape(p)
		if err != nil {
			return q, errf(http.StatusBadRequest, "bad path")
		}
		segs = append(segs, u)
	}
	if len(segs) < 7 || segs[0] != "alfresco" || segs[1] != "api" || segs[3] != "public" || segs[5] != "versions" || segs[6] != "1" {
		return q, errf(http.StatusNotFound, "no API at %s", r.URL.Path)
	}
	q.net, q.api, q.seg = segs[2], segs[4], segs[7:]
	q.tmpl, q.op = template(r, q.api, q.seg)
	return q, nil
}

// template names the request as the API definition does, and its operation kind.
func template(r *http.Request, api string, seg []string) (string, string) {
	m := r.Method
	if api == "authentication" {
		switch {
		case len(seg) == 1 && seg[0] == "tickets":
			return m + " /tickets", "login"
		case len(seg) == 2 && seg[0] == "tickets":
			return m + " /tickets/{ticketId}", "other"
		}
		return "", "other"
	}
	if len(seg) == 0 {
		return "", "other"
	}
	switch {
	case seg[0] == "nodes" && len(seg) == 2:
		return m + " /nodes/{nodeId}", map[string]string{"GET": "stat", "PUT": "move", "DELETE": "delete"}[m]
	case seg[0] == "nodes" && len(seg) == 3:
		t := m + " /nodes/{nodeId}/" + seg[2]
		switch t {
		case "GET /nodes/{nodeId}/children":
			return t, "list"
		case "POST /nodes/{nodeId}/children":
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
				return t, "upload"
			}
			return t, "mkdir"
		case "POST /nodes/{nodeId}/move":
			return t, "move"
		case "GET /nodes/{nodeId}/content":
			return t, "download"
		case "PUT /nodes/{nodeId}/content":
			return t, "upload"
		}
		return t, "other"
	case seg[0] == "deleted-nodes" && len(seg) == 1:
		return m + " /deleted-nodes", "list"
	case seg[0] == "deleted-nodes" && len(seg) == 2:
		return m + " /deleted-nodes/{nodeId}", map[string]string{"GET": "stat", "DELETE": "purge"}[m]
	case seg[0] == "deleted-nodes" && len(seg) == 3:
		return m + " /deleted-nodes/{nodeId}/" + seg[2], map[string]string{"content": "download", "restore": "restore"}[seg[2]]
	case seg[0] == "people" && len(seg) == 3:
		return m + " /people/{personId}/" + seg[2], "list"
	case seg[0] == "sites" && len(seg) == 4 && seg[2] == "containers":
		return m + " /sites/{siteId}/containers/{containerId}", "stat"
	}
	return "", "other"
}

// authenticate checks the Basic credentials or ticket and the URL's network.
func (s *Server) authenticate(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	deny := errf(http.StatusUnauthorized, "Authentication failed for Web Script org/alfresco/api/ResourceWebScript.%s", strings.ToLower(q.r.Method))
	userID := ""
	var tk string
	if h, ok := strings.CutPrefix(q.r.Header.Get("Authorization"), "Basic "); ok {
		raw, err := base64.StdEncoding.DecodeString(h)
		if err != nil {
			return deny
		}
		u, p, hasColon := strings.Cut(string(raw), ":")
		switch {
		case !hasColon:
			tk = u
		case u == "" || u == "ROLE_TICKET":
			tk = p
		default:
			if us := s.users[u]; us != nil && us.password == p {
				userID = u
			} else {
				return deny
			}
		}
	} else if t := q.r.URL.Query().Get("alf_ticket"); t != "" {
		tk = t
	}
	if tk != "" {
		t := s.tickets[tk]
		if t == nil || time.Since(t.used) > s.opts.TicketIdle {
			return deny
		}
		t.used = time.Now()
		userID = t.user
	}
	if userID == "" {
		return deny
	}
	us := s.users[userID]
	netID := q.net
	if netID == DefaultNetwork || netID == "-system-" {
		netID = us.networks[0]
	}
	member := false
	for _, n := range us.networks {
		member = member || n == netID
	}
	if !member || s.networks[netID] == nil {
		return deny
	}
	q.user, q.network = userID, s.networks[netID]
	return nil
}

func (s *Server) login(q *request) {
	var body struct {
		UserID   string `json:"userId"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(q.r.Body).Decode(&body); err != nil || body.UserID == "" || body.Password == "" {
		writeErr(q.w, errf(http.StatusBadRequest, "Invalid login details."))
		return
	}
	s.mu.Lock()
	us := s.users[body.UserID]
	if us == nil || us.password != body.Password {
		s.mu.Unlock()
		writeErr(q.w, errf(http.StatusForbidden, "Login failed"))
		return
	}
	id := ""
	for k, t := range s.tickets { // one ticket per user, as useSingleTicketPerUser
		if t.user == body.UserID && time.Since(t.used) <= s.opts.TicketIdle {
			id = k
		}
	}
	if id == "" {
		id = "TICKET_" + strings.ReplaceAll(newID(), "-", "")
		s.tickets[id] = &ticket{user: body.UserID}
	}
	s.tickets[id].used = time.Now()
	s.mu.Unlock()
	writeJSON(q.w, http.StatusCreated, map[string]any{"entry": map[string]any{"id": id, "userId": body.UserID}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"statusCode":500,"briefSummary":"encoding","stackTrace":"","descriptionURL":""}}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeErr writes Alfresco's error envelope (REAL-ALFRESCO.md §12.1).
func writeErr(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, map[string]any{"error": map[string]any{
		"errorKey":       e.key,
		"statusCode":     e.status,
		"briefSummary":   fmt.Sprintf("%08d %s", time.Now().Nanosecond()%100000000, e.msg),
		"stackTrace":     "For security reasons the stack trace is no longer displayed, but the property is kept for previous versions",
		"descriptionURL": "https://api-explorer.alfresco.com",
	}})
}

type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

// SetLimits changes the per-file size limit (413) and the storage quota (507, total
// content bytes); 0 removes a limit.
func (s *Server) SetLimits(maxFileSize, quota int64) {
	s.mu.Lock()
	s.opts.MaxFileSize, s.opts.Quota = maxFileSize, quota
	s.mu.Unlock()
}
