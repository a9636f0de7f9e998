package davlock

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/webdav"
)

// davServer is a Handler over a temporary folder on 127.0.0.1.
type davServer struct {
	t   *testing.T
	url string
	dir string
}

func newDAVServer(t *testing.T, fs func(dir string) webdav.FileSystem) *davServer {
	t.Helper()
	dir := t.TempDir()
	var f webdav.FileSystem = webdav.Dir(dir)
	if fs != nil {
		f = fs(dir)
	}
	ts := httptest.NewServer(New(f))
	t.Cleanup(ts.Close)
	return &davServer{t: t, url: ts.URL, dir: dir}
}

// do sends a request; hdr is name, value pairs.
func (s *davServer) do(method, p, body string, hdr ...string) (int, http.Header, string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url+p, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, p, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func (s *davServer) put(p, content string) {
	s.t.Helper()
	if code, _, body := s.do("PUT", p, content); code/100 != 2 {
		s.t.Fatalf("PUT %s: %d %s", p, code, body)
	}
}

func lockBody(scope string) string {
	return `<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:` + scope +
		`/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>cloudsync test</D:owner></D:lockinfo>`
}

// lock asks for a lock and returns the status and the granted token.
func (s *davServer) lock(p, scope, depth string, hdr ...string) (int, string) {
	s.t.Helper()
	code, h, body := s.do("LOCK", p, lockBody(scope), append([]string{"Depth", depth, "Timeout", "Second-600"}, hdr...)...)
	if code/100 == 2 && !strings.Contains(body, "<D:"+scope+"/>") {
		s.t.Errorf("LOCK %s answered %s", p, body)
	}
	return code, strings.Trim(h.Get("Lock-Token"), "<>")
}

func (s *davServer) mustLock(p, scope, depth string) string {
	s.t.Helper()
	code, token := s.lock(p, scope, depth)
	if code/100 != 2 || token == "" {
		s.t.Fatalf("LOCK %s %s: %d", p, scope, code)
	}
	return token
}

func (s *davServer) etag(p string) string {
	s.t.Helper()
	_, h, _ := s.do("HEAD", p, "")
	if h.Get("ETag") == "" {
		s.t.Fatalf("no ETag for %s", p)
	}
	return h.Get("ETag")
}

type discovered struct {
	Exclusive *struct{} `xml:"lockscope>exclusive"`
	Shared    *struct{} `xml:"lockscope>shared"`
	Depth     string    `xml:"depth"`
	Timeout   string    `xml:"timeout"`
	Token     string    `xml:"locktoken>href"`
	Root      string    `xml:"lockroot>href"`
	Owner     struct {
		Text string `xml:",chardata"`
		Href struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"owner"`
}

// discover reads DAV:lockdiscovery of p, and its DAV:supportedlock.
func (s *davServer) discover(p string) (locks []discovered, supported string) {
	s.t.Helper()
	code, _, body := s.do("PROPFIND", p, `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/><D:supportedlock/></D:prop></D:propfind>`, "Depth", "0")
	if code != http.StatusMultiStatus {
		s.t.Fatalf("PROPFIND %s: %d %s", p, code, body)
	}
	var ms struct {
		Locks     []discovered `xml:"response>propstat>prop>lockdiscovery>activelock"`
		Supported struct {
			Inner string `xml:",innerxml"`
		} `xml:"response>propstat>prop>supportedlock"`
	}
	if err := xml.Unmarshal([]byte(body), &ms); err != nil {
		s.t.Fatalf("PROPFIND %s: %v in %s", p, err, body)
	}
	return ms.Locks, ms.Supported.Inner
}

func TestSharedLocksCoexistAndExclusiveLocksConflict(t *testing.T) {
	t.Parallel()
	s := newDAVServer(t, nil)
	s.put("/f", "content")
	a := s.mustLock("/f", "shared", "0")
	b := s.mustLock("/f", "shared", "0")
	if code, _ := s.lock("/f", "exclusive", "0"); code != http.StatusLocked {
		t.Fatalf("exclusive LOCK beside two shared locks: %d, want 423", code)
	}
	locks, supported := s.discover("/f")
	if len(locks) != 2 || locks[0].Shared == nil || locks[1].Shared == nil ||
		locks[0].Token+locks[1].Token != min(a, b)+max(a, b) || locks[0].Owner.Text != "cloudsync test" ||
		locks[0].Root != "/f" || locks[0].Depth != "0" || locks[0].Timeout != "Second-600" {
		t.Fatalf("lockdiscovery of two shared locks %s, %s: %+v", a, b, locks)
	}
	if !strings.Contains(supported, "<D:shared/>") || !strings.Contains(supported, "<D:exclusive/>") {
		t.Fatalf("supportedlock: %s", supported)
	}
	for _, tok := range []string{a, b} {
		if code, _, _ := s.do("UNLOCK", "/f", "", "Lock-Token", "<"+tok+">"); code != http.StatusNoContent {
			t.Fatalf("UNLOCK: %d", code)
		}
	}
	s.mustLock("/f", "exclusive", "0")
	if code, _ := s.lock("/f", "shared", "0"); code != http.StatusLocked {
		t.Fatalf("shared LOCK beside an exclusive lock: %d, want 423", code)
	}
	if code, _ := s.lock("/", "shared", "infinity"); code != http.StatusLocked {
		t.Fatalf("infinite LOCK over an exclusive lock: %d, want 423", code)
	}
}

// TestEveryChangingMethodNeedsTheLockToken: without the token, 423 and nothing changes;
// with it, the change is made.
func TestEveryChangingMethodNeedsTheLockToken(t *testing.T) {
	t.Parallel()
	proppatch := `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:t">1</x></D:prop></D:set></D:propertyupdate>`
	cases := []struct {
		name, method, path, lockOn, depth, body string
		hdr                                     []string
		unchanged                               func(s *davServer) bool
	}{
		{"PUT", "PUT", "/c/f", "/c/f", "0", "new", nil,
			func(s *davServer) bool { b, _ := os.ReadFile(filepath.Join(s.dir, "c/f")); return string(b) == "old" }},
		{"PUT of a new member of a depth-0 locked collection", "PUT", "/c/g", "/c", "0", "new", nil,
			func(s *davServer) bool { return !exists(s, "c/g") }},
		{"DELETE", "DELETE", "/c/f", "/c/f", "0", "", nil, func(s *davServer) bool { return exists(s, "c/f") }},
		{"DELETE of a collection holding a locked file", "DELETE", "/c", "/c/f", "0", "", nil,
			func(s *davServer) bool { return exists(s, "c/f") }},
		{"MOVE of the locked file", "MOVE", "/c/f", "/c/f", "0", "", []string{"Destination", "/m"},
			func(s *davServer) bool { return exists(s, "c/f") && !exists(s, "m") }},
		{"COPY onto the locked file", "COPY", "/other", "/c/f", "0", "", []string{"Destination", "/c/f"},
			func(s *davServer) bool { b, _ := os.ReadFile(filepath.Join(s.dir, "c/f")); return string(b) == "old" }},
		{"PROPPATCH", "PROPPATCH", "/c/f", "/c/f", "0", proppatch, nil, nil},
		{"MKCOL in an infinitely locked collection", "MKCOL", "/c/d", "/c", "infinity", "", nil,
			func(s *davServer) bool { return !exists(s, "c/d") }},
		{"LOCK creating a member of a locked collection", "LOCK", "/c/new", "/c", "0", lockBody("shared"), nil,
			func(s *davServer) bool { return !exists(s, "c/new") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newDAVServer(t, nil)
			s.do("MKCOL", "/c", "")
			s.put("/c/f", "old")
			s.put("/other", "other")
			tok := s.mustLock(c.lockOn, "exclusive", c.depth)
			code, _, body := s.do(c.method, c.path, c.body, c.hdr...)
			if code != http.StatusLocked || !strings.Contains(body, "<D:lock-token-submitted><D:href>"+c.lockOn+"</D:href>") {
				t.Fatalf("%s without the token: %d %s, want 423 naming %s", c.method, code, body, c.lockOn)
			}
			if c.unchanged != nil && !c.unchanged(s) {
				t.Fatalf("%s refused with 423 changed the folder", c.method)
			}
			withToken := append([]string{"If", "<" + s.url + c.lockOn + "> (<" + tok + ">)"}, c.hdr...)
			if code, _, body := s.do(c.method, c.path, c.body, withToken...); code/100 != 2 {
				t.Fatalf("%s with the token: %d %s", c.method, code, body)
			}
			if c.unchanged != nil && c.unchanged(s) {
				t.Fatalf("%s with the token changed nothing", c.method)
			}
		})
	}
}

func exists(s *davServer, rel string) bool {
	_, err := os.Stat(filepath.Join(s.dir, rel))
	return err == nil
}

// TestIfHeaderDecidesEveryMethod: a precondition that fails is a 412 and changes nothing;
// one that holds lets the request through; a header that holds without the lock token
// is a 423 (litmus cond_put_corrupt_token).
func TestIfHeaderDecidesEveryMethod(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path, body string
		hdr                      []string
		wantOK                   int
	}{
		{"PUT", "PUT", "/f", "new", nil, http.StatusCreated},
		{"DELETE", "DELETE", "/f", "", nil, http.StatusNoContent},
		{"MOVE", "MOVE", "/f", "", []string{"Destination", "/g"}, http.StatusCreated},
		{"COPY", "COPY", "/f", "", []string{"Destination", "/g"}, http.StatusCreated},
		{"PROPPATCH", "PROPPATCH", "/f", `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:remove><D:prop><x xmlns="urn:t"/></D:prop></D:remove></D:propertyupdate>`, nil, http.StatusMultiStatus},
		{"LOCK", "LOCK", "/f", lockBody("exclusive"), nil, http.StatusOK},
		{"GET", "GET", "/f", "", nil, http.StatusOK},
		{"PROPFIND", "PROPFIND", "/f", "", []string{"Depth", "0"}, http.StatusMultiStatus},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newDAVServer(t, nil)
			s.put("/f", "old")
			etag := s.etag("/f")
			bad := etag[:len(etag)-2] + "x\""
			for _, failing := range []string{
				"([" + bad + "])",
				"(Not [" + etag + "])",
				"(<DAV:no-lock> [" + etag + "])",
				"(<urn:uuid:x> [" + etag + "]) (Not <DAV:no-lock> [" + bad + "])",
				"<" + s.url + "/f> ([" + bad + "])",
				"<http://elsewhere.example/f> ([" + etag + "])",
			} {
				if code, _, _ := s.do(c.method, c.path, c.body, append([]string{"If", failing}, c.hdr...)...); code != http.StatusPreconditionFailed {
					t.Errorf("%s with If: %s answered %d, want 412", c.method, failing, code)
				}
			}
			if code, _, _ := s.do(c.method, c.path, c.body, append([]string{"If", "(<unclosed"}, c.hdr...)...); code != http.StatusBadRequest {
				t.Errorf("%s with a malformed If header: %d, want 400", c.method, code)
			}
			if b, _ := os.ReadFile(filepath.Join(s.dir, "f")); string(b) != "old" || exists(s, "g") {
				t.Fatalf("refused requests changed the folder: f %q, g there %v", b, exists(s, "g"))
			}
			holding := "(<urn:uuid:x>) (Not <DAV:no-lock> [W/" + etag + "])"
			if code, _, body := s.do(c.method, c.path, c.body, append([]string{"If", holding}, c.hdr...)...); code != c.wantOK {
				t.Fatalf("%s with If: %s answered %d %s, want %d", c.method, holding, code, body, c.wantOK)
			}
		})
	}
}

func TestIfHeaderOnALockedResource(t *testing.T) {
	t.Parallel()
	s := newDAVServer(t, nil)
	s.put("/f", "old")
	tok := s.mustLock("/f", "exclusive", "0")
	cases := []struct {
		name, header string
		want         int
	}{
		{"litmus cond_put: token and etag", "(<" + tok + "> [{etag}])", http.StatusCreated},
		{"litmus fail_cond_put: no-lock and etag", "(<DAV:no-lock> [{etag}])", http.StatusPreconditionFailed},
		{"litmus cond_put_with_not", "(<" + tok + ">) (Not <DAV:no-lock>)", http.StatusCreated},
		{"litmus cond_put_corrupt_token: holds, token not submitted", "(<" + tok + "x>) (Not <DAV:no-lock>)", http.StatusLocked},
		{"litmus complex_cond_put", "(<" + tok + "> [{etag}]) (Not <DAV:no-lock> [{etag}])", http.StatusCreated},
		{"litmus fail_complex_cond_put", "(<" + tok + "> [{bad}]) (Not <DAV:no-lock> [{bad}])", http.StatusPreconditionFailed},
		{"a Not of the token still submits it", "(Not <" + tok + ">) (Not <DAV:no-lock>)", http.StatusCreated},
		{"a token in a tagged list of the resource", "<" + "/f> (<" + tok + ">)", http.StatusCreated},
	}
	for _, c := range cases {
		etag := s.etag("/f")
		h := strings.NewReplacer("{etag}", etag, "{bad}", etag[:len(etag)-2]+"x\"").Replace(c.header)
		if code, _, body := s.do("PUT", "/f", "v", "If", h); code != c.want {
			t.Errorf("%s: PUT with If: %s answered %d %s, want %d", c.name, h, code, body, c.want)
		}
	}
}

func TestLockRefreshUnlockAndLockRoots(t *testing.T) {
	t.Parallel()
	s := newDAVServer(t, nil)
	s.do("MKCOL", "/c", "")
	s.put("/c/f", "x")
	s.put("/g", "y")
	tok := s.mustLock("/c", "exclusive", "infinity")
	refresh := func(p, header string) int {
		code, _, body := s.do("LOCK", p, "", "If", header, "Timeout", "Second-900")
		if code == http.StatusOK && !strings.Contains(body, tok) && !strings.Contains(body, "Second-900") {
			t.Errorf("refresh answered %s", body)
		}
		return code
	}
	if code := refresh("/c", "(<"+tok+">)"); code != http.StatusOK {
		t.Fatalf("refresh: %d", code)
	}
	if code := refresh("/c/f", "(<"+tok+">)"); code != http.StatusOK { // litmus indirect_refresh
		t.Fatalf("refresh through a member: %d", code)
	}
	if code := refresh("/g", "(<"+tok+">)"); code != http.StatusPreconditionFailed {
		t.Fatalf("refresh through a resource outside the lock: %d, want 412", code)
	}
	if code := refresh("/c", "(<urn:uuid:bogus>) (Not <DAV:no-lock>)"); code != http.StatusPreconditionFailed {
		t.Fatalf("refresh of an unknown lock: %d, want 412", code)
	}
	if code, _, _ := s.do("LOCK", "/c", ""); code != http.StatusBadRequest {
		t.Fatalf("refresh without If header: %d, want 400", code)
	}
	for _, c := range []struct{ path, token string }{{"/c", "urn:uuid:bogus"}, {"/g", tok}} {
		code, _, body := s.do("UNLOCK", c.path, "", "Lock-Token", "<"+c.token+">")
		if code != http.StatusConflict || !strings.Contains(body, "lock-token-matches-request-uri") {
			t.Errorf("UNLOCK %s with %s: %d %s, want 409", c.path, c.token, code, body)
		}
	}
	if code, _, _ := s.do("UNLOCK", "/c/f", "", "Lock-Token", "<"+tok+">"); code != http.StatusNoContent {
		t.Fatalf("UNLOCK through a member of the lock: %d", code)
	}
	if code, _, _ := s.do("UNLOCK", "/c", "", "Lock-Token", "<"+tok+">"); code != http.StatusConflict {
		t.Fatalf("second UNLOCK: %d, want 409", code)
	}
	if code, _, _ := s.do("UNLOCK", "/c", ""); code != http.StatusBadRequest {
		t.Fatalf("UNLOCK without Lock-Token: %d, want 400", code)
	}
}

func TestLockOnAnUnmappedURLCreatesAnEmptyFile(t *testing.T) {
	t.Parallel()
	s := newDAVServer(t, nil)
	owner := `<?xml version="1.0"?><a:lockinfo xmlns:a="DAV:"><a:lockscope><a:shared/></a:lockscope><a:locktype><a:write/></a:locktype>` +
		`<a:owner><a:href>mailto:ann@example.com</a:href></a:owner></a:lockinfo>`
	code, h, _ := s.do("LOCK", "/new", owner, "Depth", "0")
	if code != http.StatusCreated || h.Get("Lock-Token") == "" {
		t.Fatalf("LOCK of an unmapped URL: %d", code)
	}
	if fi, err := os.Stat(filepath.Join(s.dir, "new")); err != nil || fi.Size() != 0 {
		t.Fatalf("no empty file: %v", err)
	}
	locks, _ := s.discover("/new")
	if len(locks) != 1 || locks[0].Owner.Href.XMLName != (xml.Name{Space: "DAV:", Local: "href"}) || locks[0].Owner.Href.Value != "mailto:ann@example.com" {
		t.Fatalf("owner with a prefix the response does not declare: %+v", locks)
	}
	if code, _, _ := s.do("LOCK", "/missing/new", lockBody("exclusive")); code != http.StatusConflict {
		t.Fatalf("LOCK under a missing collection: %d, want 409", code)
	}
	for _, body := range []string{"<nonsense", `<D:lockinfo xmlns:D="DAV:"><D:locktype><D:write/></D:locktype></D:lockinfo>`} {
		if code, _, _ := s.do("LOCK", "/x", body); code != http.StatusBadRequest {
			t.Errorf("LOCK with body %s: %d, want 400", body, code)
		}
	}
	if code, _, _ := s.do("LOCK", "/x", lockBody("exclusive"), "Depth", "1"); code != http.StatusBadRequest {
		t.Errorf("LOCK with Depth 1: %d, want 400", code)
	}
	if exists(s, "x") {
		t.Error("refused LOCKs created a file")
	}
}

func TestLocksStayOnTheirURLAndDoNotFollowCopiesOrMoves(t *testing.T) {
	t.Parallel()
	s := newDAVServer(t, nil)
	s.put("/f", "x")
	tok := s.mustLock("/f", "exclusive", "0")
	if code, _, _ := s.do("COPY", "/f", "", "Destination", "/copy"); code != http.StatusCreated {
		t.Fatalf("COPY of a locked file without its token: %d, want 201 (litmus copy)", code)
	}
	if locks, _ := s.discover("/copy"); len(locks) != 0 {
		t.Fatalf("the copy has locks: %+v", locks)
	}
	if code, _, _ := s.do("MOVE", "/f", "", "Destination", "/moved", "If", "(<"+tok+">)"); code != http.StatusCreated {
		t.Fatalf("MOVE with the token: %d", code)
	}
	if locks, _ := s.discover("/moved"); len(locks) != 0 {
		t.Fatalf("the lock followed the MOVE: %+v", locks)
	}
	s.put("/f", "again") // no lock left on the URL
	if code, _, _ := s.do("UNLOCK", "/f", "", "Lock-Token", "<"+tok+">"); code != http.StatusConflict {
		t.Fatalf("UNLOCK of the moved-away lock: %d, want 409", code)
	}
}

// TestPropPatchOfAFolderIsAnsweredPerProperty: on a file system without dead properties a
// folder's PROPPATCH is refused property by property (403 in a 207), as a file's is, not a
// 500 (x/net/webdav opens the target read-write, which a folder cannot be).
func TestPropPatchOfAFolderIsAnsweredPerProperty(t *testing.T) {
	t.Parallel()
	s := newDAVServer(t, nil)
	s.do("MKCOL", "/c", "")
	code, _, body := s.do("PROPPATCH", "/c/", `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:t">1</x></D:prop></D:set></D:propertyupdate>`)
	if code != http.StatusMultiStatus || !strings.Contains(body, "403 Forbidden") {
		t.Fatalf("PROPPATCH of a folder: %d %s", code, body)
	}
}

// gateFS stalls the first open of /slow for writing until gate is closed.
type gateFS struct {
	webdav.Dir
	entered, gate chan struct{}
}

func (fs gateFS) OpenFile(ctx context.Context, name string, flag int, perm os.FileMode) (webdav.File, error) {
	if name == "/slow" && flag&os.O_CREATE != 0 {
		select {
		case fs.entered <- struct{}{}:
			<-fs.gate
		default:
		}
	}
	return fs.Dir.OpenFile(ctx, name, flag, perm)
}

func TestARequestInProgressHoldsItsResource(t *testing.T) {
	t.Parallel()
	fs := gateFS{entered: make(chan struct{}), gate: make(chan struct{})}
	s := newDAVServer(t, func(dir string) webdav.FileSystem { fs.Dir = webdav.Dir(dir); return fs })
	done := make(chan int)
	go func() { code, _, _ := s.do("PUT", "/slow", "content"); done <- code }()
	<-fs.entered
	if code, _ := s.lock("/slow", "shared", "0"); code != http.StatusLocked {
		t.Errorf("LOCK during a PUT: %d, want 423", code)
	}
	if code, _, _ := s.do("DELETE", "/slow", ""); code != http.StatusLocked {
		t.Errorf("DELETE during a PUT: %d, want 423", code)
	}
	s.put("/other", "free")
	close(fs.gate)
	if code := <-done; code != http.StatusCreated {
		t.Fatalf("the held PUT: %d", code)
	}
	s.mustLock("/slow", "shared", "0")
}
