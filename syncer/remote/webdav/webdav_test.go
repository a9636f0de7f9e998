package webdav

import (
	"errors"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

func TestKindOfMapsStatusesByMethod(t *testing.T) {
	cases := []struct {
		method      string
		status      int
		noOverwrite bool
		want        error
	}{
		{"PROPFIND", 401, false, remote.ErrAuth},
		{"PUT", 403, false, remote.ErrPermission},
		{"PROPFIND", 404, false, remote.ErrNotFound},
		{"GET", 410, false, remote.ErrNotFound},
		{"MKCOL", 405, false, remote.ErrNameClash},
		{"PUT", 405, true, remote.ErrNameClash},
		{"DELETE", 405, false, remote.ErrUnsupported},
		{"MKCOL", 409, false, remote.ErrNotFound},
		{"PUT", 409, false, remote.ErrNotFound},
		{"MOVE", 409, true, remote.ErrNotFound},
		{"PROPFIND", 409, false, remote.ErrServer},
		{"MOVE", 412, true, remote.ErrNameClash},
		{"PUT", 412, true, remote.ErrNameClash},
		{"PUT", 412, false, remote.ErrChanged},
		{"GET", 412, false, remote.ErrChanged},
		{"GET", 416, false, remote.ErrChanged},
		{"PUT", 413, false, remote.ErrTooLarge},
		{"PUT", 400, false, remote.ErrInvalidName},
		{"MKCOL", 400, false, remote.ErrInvalidName},
		{"PROPFIND", 400, false, remote.ErrUnsupported},
		{"GET", 400, false, remote.ErrUnsupported},
		{"PUT", 414, false, remote.ErrInvalidName},
		{"PUT", 423, false, remote.ErrLocked},
		{"DELETE", 424, false, remote.ErrLocked},
		{"PUT", 507, false, remote.ErrQuota},
		{"PROPFIND", 429, false, remote.ErrNetwork},
		{"PROPFIND", 502, false, remote.ErrNetwork},
		{"PROPFIND", 504, false, remote.ErrNetwork},
		{"PROPFIND", 500, false, remote.ErrServer},
		{"PROPFIND", 503, false, remote.ErrServer},
		{"MOVE", 501, true, remote.ErrUnsupported},
		{"PROPFIND", 418, false, remote.ErrServer},
		{"PROPFIND", 200, false, remote.ErrBadResponse},
		{"GET", 304, false, remote.ErrBadResponse},
	}
	for _, tc := range cases {
		if got := kindOf(tc.method, tc.status, tc.noOverwrite); got != tc.want {
			t.Errorf("kindOf(%s, %d, noOverwrite=%v) = %v, want %v", tc.method, tc.status, tc.noOverwrite, got, tc.want)
		}
	}
}

func TestRelPathDecodesHrefsAndRefusesOutsideBase(t *testing.T) {
	c, err := New(Config{URL: "https://cloud.example.com/remote.php/dav/files/alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		href    string
		want    string
		wantErr error
	}{
		{"/remote.php/dav/files/alice@example.com/", "", nil},
		{"/remote.php/dav/files/alice@example.com", "", nil},
		{"/remote.php/dav/files/alice%40example.com/a/", "a", nil},
		{"/remote.php/dav/files/alice@example.com/dir%20with%20space/f%23x%3F.txt", "dir with space/f#x?.txt", nil},
		{"/remote.php/dav/files/alice@example.com/100%25.txt", "100%.txt", nil},
		{"/remote.php/dav/files/alice@example.com/%C3%BCn%C3%AF.txt", "ünï.txt", nil},
		{"/remote.php/dav/files/alice@example.com/ünï.txt", "ünï.txt", nil},
		{"https://cloud.example.com/remote.php/dav/files/alice@example.com/x/y", "x/y", nil},
		{"http://CLOUD.example.com/remote.php/dav/files/alice@example.com/x", "x", nil},
		{"a/b.txt", "a/b.txt", nil}, // relative reference, resolved against the base
		{"https://evil.example.net/remote.php/dav/files/alice@example.com/x", "", errOutsideBase},
		{"/remote.php/dav/files/bob/x", "", errOutsideBase},
		{"/remote.php/dav/files/alice@example.com/../bob/x", "", errOutsideBase},
		{"/remote.php/dav/files/alice@example.com/a/../../../../etc/passwd", "", errOutsideBase},
		{"/", "", errOutsideBase},
		{"/remote.php/dav/files/alice@example.com/a%2Fb", "", remote.ErrInvalidName},
		{"/remote.php/dav/files/alice@example.com/%2E%2E/x", "", remote.ErrInvalidName},
		{"/remote.php/dav/files/alice@example.com/a%00b", "", remote.ErrInvalidName},
		{"/remote.php/dav/files/alice@example.com/back%5Cslash", "", remote.ErrInvalidName},
		{"/remote.php/dav/files/alice@example.com/a//b", "", remote.ErrInvalidName},
		{"/remote.php/dav/files/alice@example.com/bad%zzescape", "", errOutsideBase},
	}
	for _, tc := range cases {
		got, err := c.relPath(tc.href)
		switch {
		case tc.wantErr == nil && err != nil:
			t.Errorf("relPath(%q): %v", tc.href, err)
		case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
			t.Errorf("relPath(%q) = %q, %v; want error %v", tc.href, got, err, tc.wantErr)
		case tc.wantErr == nil && got != tc.want:
			t.Errorf("relPath(%q) = %q, want %q", tc.href, got, tc.want)
		}
	}
}

func TestURLEscapesEveryPathElementAndRoundTrips(t *testing.T) {
	c, err := New(Config{URL: "http://127.0.0.1:8080/dav/my%20files/"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		p    string
		dir  bool
		want string
	}{
		{"", true, "http://127.0.0.1:8080/dav/my%20files/"},
		{"a b/c#d?.txt", false, "http://127.0.0.1:8080/dav/my%20files/a%20b/c%23d%3F.txt"},
		{"100%/x", true, "http://127.0.0.1:8080/dav/my%20files/100%25/x/"},
		{"a%2Fb", false, "http://127.0.0.1:8080/dav/my%20files/a%252Fb"},
		{"日本", false, "http://127.0.0.1:8080/dav/my%20files/%E6%97%A5%E6%9C%AC"},
		{"/lead/trail/", false, "http://127.0.0.1:8080/dav/my%20files/lead/trail"},
	}
	for _, tc := range cases {
		u := c.URL(tc.p, tc.dir)
		if got := u.String(); got != tc.want {
			t.Errorf("URL(%q) = %s, want %s", tc.p, got, tc.want)
		}
		back, err := c.relPath(u.String())
		if err != nil || back != remote.Clean(tc.p) {
			t.Errorf("relPath(URL(%q)) = %q, %v", tc.p, back, err)
		}
	}
}

func TestNewRefusesBadURLsWithoutNetwork(t *testing.T) {
	for _, u := range []string{
		"", "cloud.example.com/dav", "ftp://cloud.example.com/", "https:///dav",
		"https://user:secret@cloud.example.com/dav", "https://cloud.example.com/dav?x=1",
		"https://cloud.example.com/dav#frag", "http://[::1", "https://cloud.example.com/%zz",
	} {
		c, err := New(Config{URL: u})
		if err == nil {
			t.Errorf("New(%q) = %v, want an error", u, c.base)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("New(%q) error leaks the password: %v", u, err)
		}
	}
	for _, u := range []string{"https://cloud.example.com", "http://127.0.0.1:9/a/b/"} {
		if _, err := New(Config{URL: u}); err != nil {
			t.Errorf("New(%q): %v", u, err)
		}
	}
}

func TestBestChecksumPrefersStrongestValidSum(t *testing.T) {
	sha1 := "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"
	md5 := "5eb63bbbe01eeed093cb22bb8f5acdc3"
	sha256 := "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
	cases := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"SHA1:" + sha1 + " MD5:" + md5 + " ADLER32:1a0b045d"}, "sha1:" + sha1},
		{[]string{"MD5:" + strings.ToUpper(md5)}, "md5:" + md5},
		{[]string{"MD5:" + md5, "SHA256:" + sha256}, "sha256:" + sha256},
		{[]string{"SHA1:nothex", "ADLER32:1a0b045d"}, ""},
		{[]string{"SHA1:" + sha1[:10]}, ""},
		{[]string{"garbage"}, ""},
	}
	for _, tc := range cases {
		if got := bestChecksum(tc.in); got != tc.want {
			t.Errorf("bestChecksum(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWebURLUsesWebUIOrItemURL(t *testing.T) {
	plain, _ := New(Config{URL: "https://dav.example.com/files/"})
	if got, want := plain.WebURL(remote.Entry{Path: "a b/c.txt"}), "https://dav.example.com/files/a%20b/c.txt"; got != want {
		t.Errorf("WebURL without WebUI = %s, want %s", got, want)
	}
	nc, _ := New(Config{URL: "https://nc.example.com/remote.php/dav/files/u/",
		WebUI: "https://nc.example.com/apps/files/?dir={dir}&openfile={id}"})
	got := nc.WebURL(remote.Entry{ID: "42", Path: "a b/c.txt"})
	if want := "https://nc.example.com/apps/files/?dir=%2Fa+b&openfile=42"; got != want {
		t.Errorf("WebURL with WebUI = %s, want %s", got, want)
	}
}

func TestServerMessageIsTrimmed(t *testing.T) {
	cases := []struct{ body, want string }{
		{`<?xml version="1.0"?><d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns"><s:exception>Sabre\DAV\Exception\InsufficientStorage</s:exception><s:message>Insufficient space in /alice</s:message></d:error>`,
			"Insufficient space in /alice"},
		{"<html><body><h1>Service\n  Unavailable</h1></body></html>", "Service Unavailable"},
		{"plain text\n", "plain text"},
		{strings.Repeat("x", 500), strings.Repeat("x", 200) + "…"},
	}
	for _, tc := range cases {
		if got := serverMessage([]byte(tc.body)); got != tc.want {
			t.Errorf("serverMessage(%.30q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}
