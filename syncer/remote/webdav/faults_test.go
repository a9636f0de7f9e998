package webdav

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// faultServer answers every request with fn and serves on 127.0.0.1.
func faultServer(t *testing.T, fn http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(fn)
	t.Cleanup(srv.Close)
	return newTestClient(t, srv.URL+"/dav/", nil)
}

const okFile = `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/f.txt</d:href>` +
	`<d:propstat><d:prop><d:resourcetype/><d:getcontentlength>3</d:getcontentlength><d:getetag>"e1"</d:getetag></d:prop>` +
	`<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`

func TestServerFaultsMapToKindsWithDetails(t *testing.T) {
	stat := func(c *Client) error { _, err := c.Stat(testCtx(t), "f.txt"); return err }
	upload := func(c *Client) error {
		_, err := c.Upload(testCtx(t), "f.txt", nil, strings.NewReader("abc"), 3)
		return err
	}
	list := func(c *Client) error { _, err := c.List(testCtx(t), "", nil); return err }
	cases := []struct {
		name       string
		handler    http.HandlerFunc
		op         func(*Client) error
		kind       error
		status     int
		retryAfter time.Duration
		message    string
	}{
		{"quota on PUT", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PROPFIND" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(http.StatusInsufficientStorage)
			io.WriteString(w, `<?xml version="1.0"?><d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns"><s:message>Insufficient space</s:message></d:error>`)
		}, upload, remote.ErrQuota, 507, 0, "Insufficient space"},
		{"wrong password", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
			http.Error(w, "bad credentials", http.StatusUnauthorized)
		}, stat, remote.ErrAuth, 401, 0, "bad credentials"},
		{"rate limited", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "17")
			w.WriteHeader(http.StatusTooManyRequests)
		}, stat, remote.ErrNetwork, 429, 17 * time.Second, ""},
		{"maintenance", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "in maintenance mode", http.StatusServiceUnavailable)
		}, list, remote.ErrServer, 503, time.Minute, "in maintenance mode"},
		{"internal error", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, stat, remote.ErrServer, 500, 0, "boom"},
		{"invalid XML", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusMultiStatus)
			io.WriteString(w, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/f.txt</d:href></d:respons></d:multistatus>`)
		}, stat, remote.ErrBadResponse, 207, 0, "invalid multistatus XML"},
		{"XML cut short", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusMultiStatus)
			io.WriteString(w, okFile[:len(okFile)/2])
		}, stat, remote.ErrBadResponse, 207, 0, "invalid multistatus XML"},
		{"body cut by the connection", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100000")
			w.WriteHeader(http.StatusMultiStatus)
			io.WriteString(w, okFile[:len(okFile)/2])
			w.(http.Flusher).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}, stat, remote.ErrNetwork, 207, 0, ""},
		{"HTML instead of a multistatus", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<html>login page</html>")
		}, stat, remote.ErrBadResponse, 200, 0, "login page"},
		{"empty multistatus", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusMultiStatus)
			io.WriteString(w, `<d:multistatus xmlns:d="DAV:"/>`)
		}, list, remote.ErrBadResponse, 207, 0, "does not describe the requested path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := faultServer(t, tc.handler)
			err := tc.op(c)
			var re *remote.Error
			if !errors.As(err, &re) {
				t.Fatalf("err = %v (%T), want a *remote.Error", err, err)
			}
			if !errors.Is(err, tc.kind) || re.Status != tc.status || re.RetryAfter != tc.retryAfter {
				t.Errorf("err = %v (kind %v, status %d, retry after %v); want kind %v, status %d, retry after %v",
					err, re.Kind, re.Status, re.RetryAfter, tc.kind, tc.status, tc.retryAfter)
			}
			if !strings.Contains(re.Message, tc.message) {
				t.Errorf("message %q does not contain %q", re.Message, tc.message)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error text contains the password: %v", err)
			}
		})
	}
}

func TestCheckReportsWrongPasswordAsAuth(t *testing.T) {
	base := newXNetServer(t, nil, nil)
	if err := newTestClient(t, base, nil).Check(testCtx(t)); err != nil {
		t.Fatalf("Check with the right password: %v", err)
	}
	bad, err := New(Config{URL: base, User: testUser, Password: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	err = bad.Check(testCtx(t))
	if !errors.Is(err, remote.ErrAuth) || remote.StatusOf(err) != 401 {
		t.Fatalf("Check with a wrong password = %v, want ErrAuth (401)", err)
	}
	if remote.Retryable(err) {
		t.Errorf("an auth failure must not be retried automatically")
	}
}

func TestRedirectFromHTTPSToHTTPIsRefused(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		w.WriteHeader(http.StatusMultiStatus)
	}))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer tlsSrv.Close()
	c := newTestClient(t, tlsSrv.URL+"/dav/", tlsSrv.Client())
	_, err := c.Stat(testCtx(t), "f.txt")
	if !errors.Is(err, remote.ErrInsecureHTTP) {
		t.Fatalf("Stat through an HTTPS→HTTP redirect = %v, want ErrInsecureHTTP", err)
	}
	if remote.Retryable(err) {
		t.Errorf("an insecure redirect must not be retried automatically")
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain HTTP server got %d requests", n)
	}
}

func TestTLSCertificatesAreVerified(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusMultiStatus)
	}))
	defer tlsSrv.Close()
	c, err := New(Config{URL: tlsSrv.URL + "/", User: testUser, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(testCtx(t)); !errors.Is(err, remote.ErrNetwork) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Check against a self-signed server with the default client = %v, want a certificate error", err)
	}
}

func TestRedirectToAnotherHostDropsCredentials(t *testing.T) {
	var gotAuth atomic.Value
	gotAuth.Store("unset")
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, okFile)
	}))
	defer other.Close()
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			t.Errorf("the base host got no credentials")
		}
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer first.Close()
	c := newTestClient(t, first.URL+"/dav/", nil)
	c.Stat(testCtx(t), "f.txt") // the answer may not describe the base host; only the header matters
	if got := gotAuth.Load().(string); got != "" {
		t.Fatalf("the other host received Authorization %q", got)
	}
}

// TestInvalidNamesFromTheServer: hrefs outside the base or on another host are skipped;
// a child whose single name is invalid locally (NUL, backslash) is listed with that name so
// the engine can report it as invalid_name; names hiding a "/" cannot be represented and are
// skipped.
func TestInvalidNamesFromTheServer(t *testing.T) {
	item := func(href string, dir bool) string {
		rt := "<d:resourcetype/>"
		if dir {
			rt = "<d:resourcetype><d:collection/></d:resourcetype>"
		}
		return `<d:response><d:href>` + href + `</d:href><d:propstat><d:prop>` + rt +
			`<d:getetag>"x"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`
	}
	body := `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">` +
		item("/dav/", true) +
		item("/dav/good%20name.txt", false) +
		item("http://127.0.0.1:1/dav/other-host.txt", false) +
		item("/dav/..%2F..%2Fetc%2Fpasswd", false) +
		item("/dav/a%2Fb.txt", false) +
		item("/dav/nul%00.txt", false) +
		item("/dav/back%5Cslash.txt", false) +
		item("/dav/../escape.txt", false) +
		item("/elsewhere/x.txt", false) +
		item("/dav/deeper/not-a-child.txt", false) +
		item("/dav/sub/", true) +
		`</d:multistatus>`
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, body)
	})
	es, err := c.ReadDir(testCtx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Path)
	}
	if want := []string{"good name.txt", "nul\x00.txt", "back\\slash.txt", "sub"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("ReadDir = %q, want %q (foreign and out-of-base hrefs skipped, invalid single names listed)", got, want)
	}
	for _, e := range es {
		if e.Path != "good name.txt" && e.Path != "sub" && remote.ValidateRemoteName(e.Name()) == nil {
			t.Errorf("%q listed as a valid name", e.Path)
		}
	}
}

func TestOpenOfChangedFileIsChanged(t *testing.T) {
	c := newTestClient(t, newXNetServer(t, nil, nil), nil)
	ctx := testCtx(t)
	e, err := c.Upload(ctx, "f.txt", nil, strings.NewReader("first"), 5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Upload(ctx, "f.txt", &e, strings.NewReader("second!"), 7); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 2} {
		rc, err := c.Open(ctx, e, off)
		if err == nil {
			b, _ := io.ReadAll(rc)
			rc.Close()
			t.Errorf("Open(stale entry, %d) read %q, want ErrChanged", off, b)
		} else if !errors.Is(err, remote.ErrChanged) {
			t.Errorf("Open(stale entry, %d) = %v, want ErrChanged", off, err)
		}
	}
}

func TestOpenResumesOnServerThatIgnoresRange(t *testing.T) {
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "0123456789") // 200 with the whole body, Range ignored
	})
	rc, err := c.Open(testCtx(t), remote.Entry{Path: "f.txt", Size: 10}, 6)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != "6789" {
		t.Fatalf("Open at 6 = %q, want %q", b, "6789")
	}
}

// TestUploadSendsConditionalHeaders checks the headers that protect against a writer
// racing the pre-check: If-None-Match: * for a new file (412 → ErrNameClash), If-Match
// with the listed ETag for a new version (412 → ErrChanged).
func TestUploadSendsConditionalHeaders(t *testing.T) {
	stale := &remote.Entry{Path: "f.txt", Version: `"e1"`, ID: "f.txt", IDIsPath: true}
	cases := []struct {
		name    string
		replace *remote.Entry
		header  string
		want    string
		kind    error
	}{
		{"new file", nil, "If-None-Match", "*", remote.ErrNameClash},
		{"new version", stale, "If-Match", `"e1"`, remote.ErrChanged},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got atomic.Value
			c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == "PROPFIND" && tc.replace == nil:
					http.NotFound(w, r) // the pre-check sees nothing; another writer wins the race
				case r.Method == "PROPFIND":
					w.WriteHeader(http.StatusMultiStatus)
					io.WriteString(w, okFile)
				case r.Method == http.MethodPut:
					got.Store(r.Header.Get(tc.header))
					w.WriteHeader(http.StatusPreconditionFailed)
				}
			})
			_, err := c.Upload(testCtx(t), "f.txt", tc.replace, strings.NewReader("new"), 3)
			if !errors.Is(err, tc.kind) {
				t.Errorf("PUT answered 412 = %v, want %v", err, tc.kind)
			}
			if got.Load() != tc.want {
				t.Errorf("%s = %v, want %q", tc.header, got.Load(), tc.want)
			}
		})
	}
}
