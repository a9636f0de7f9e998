//go:build linux

package localcloud

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDeadPropertiesLiveInExtendedAttributes: a PROPPATCH of a Dublin Core title lands in
// the file's user.dublincore.title (the freedesktop name other programs read), any other
// property in user.webdav.*, both come back in PROPFIND and move with the file; a title
// another program set shows in PROPFIND.
func TestDeadPropertiesLiveInExtendedAttributes(t *testing.T) {
	dir := t.TempDir()
	if err := DeadPropsSupported(dir); err != nil {
		t.Skipf("the test folder's file system: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "report.txt"), []byte("x"), 0o600)
	hs := httptest.NewServer(Handler(dir, "", ""))
	defer hs.Close()
	do := func(method, p, body string, hdr ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, hs.URL+p, strings.NewReader(body))
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := do("PROPPATCH", "/report.txt", `<?xml version="1.0"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:z="urn:x">
 <D:set><D:prop><dc:title>Q4 &amp; plans</dc:title><z:color>blue</z:color></D:prop></D:set>
</D:propertyupdate>`)
	if code != http.StatusMultiStatus || !strings.Contains(body, "200 OK") {
		t.Fatalf("PROPPATCH: %d %s", code, body)
	}
	buf := make([]byte, 256)
	n, err := unix.Getxattr(filepath.Join(dir, "report.txt"), "user.dublincore.title", buf)
	if err != nil || string(buf[:n]) != "Q4 & plans" {
		t.Errorf("user.dublincore.title = %q, %v", buf[:max(n, 0)], err)
	}
	if _, err := unix.Getxattr(filepath.Join(dir, "report.txt"), "user.webdav.{urn:x}color", buf); err != nil {
		t.Errorf("user.webdav.{urn:x}color: %v", err)
	}
	if code, _ := do("MOVE", "/report.txt", "", "Destination", hs.URL+"/moved.txt"); code != http.StatusCreated {
		t.Fatalf("MOVE: %d", code)
	}
	unix.Setxattr(filepath.Join(dir, "moved.txt"), "user.dublincore.creator", []byte("Ana <ana@example>"), 0)
	code, body = do("PROPFIND", "/moved.txt", `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`, "Depth", "0")
	for _, want := range []string{"Q4 &amp; plans", ">blue<", "Ana &lt;ana@example&gt;"} {
		if code != http.StatusMultiStatus || !strings.Contains(body, want) {
			t.Errorf("PROPFIND after MOVE: %d, no %q in %s", code, want, body)
		}
	}
	code, _ = do("PROPFIND", "/moved.txt", `<propfind xmlns="DAV:"><prop><bar:foo xmlns:bar=""/></prop></propfind>`, "Depth", "0")
	if code != http.StatusBadRequest {
		t.Errorf("PROPFIND undeclaring a prefix: %d, want 400", code)
	}

	// A COPY of a locked file copies its dead properties but not its lock (RFC 4918 §7.6),
	// and the lock, listed with the file's properties, is kept in no attribute.
	code, _ = do("LOCK", "/moved.txt", `<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>`)
	if code != http.StatusOK {
		t.Fatalf("LOCK: %d", code)
	}
	if code, _ := do("COPY", "/moved.txt", "", "Destination", hs.URL+"/copy.txt"); code != http.StatusCreated {
		t.Fatalf("COPY of the locked file: %d", code)
	}
	code, body = do("PROPFIND", "/copy.txt", `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`, "Depth", "0")
	if code != http.StatusMultiStatus || !strings.Contains(body, "Q4 &amp; plans") || strings.Contains(body, "activelock") {
		t.Errorf("PROPFIND of the copy: %d %s", code, body)
	}
	// A folder keeps dead properties too (x/net/webdav opens a PROPPATCH's target
	// read-write, which a folder cannot be opened as).
	os.Mkdir(filepath.Join(dir, "reports"), 0o700)
	code, body = do("PROPPATCH", "/reports/", `<?xml version="1.0"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:dc="http://purl.org/dc/elements/1.1/"><D:set><D:prop><dc:title>Quarterly</dc:title></D:prop></D:set></D:propertyupdate>`)
	n, err = unix.Getxattr(filepath.Join(dir, "reports"), "user.dublincore.title", buf)
	if code != http.StatusMultiStatus || !strings.Contains(body, "200 OK") || err != nil || string(buf[:n]) != "Quarterly" {
		t.Errorf("PROPPATCH of a folder: %d %s; attribute %q, %v", code, body, buf[:max(n, 0)], err)
	}
	names := make([]byte, 4096)
	n, _ = unix.Listxattr(filepath.Join(dir, "copy.txt"), names)
	if strings.Contains(string(names[:max(n, 0)]), "lock") {
		t.Errorf("the copy's attributes hold a lock: %q", names[:n])
	}
}
