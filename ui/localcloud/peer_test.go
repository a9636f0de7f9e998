package localcloud

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestTheOwnerBrowsesTheLocalCloudWithoutAPassword: View in Cloud opens the local cloud in
// the browser of the person whose cloud it is, who never saw its generated password; any
// other request still needs it (issue 13 point 5).
func TestTheOwnerBrowsesTheLocalCloudWithoutAPassword(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the owner is recognised from /proc/net/tcp on Linux only")
	}
	l := Local{Dir: t.TempDir(), Secrets: memSecrets{}}
	srv, pw, err := l.Create()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	os.MkdirAll(filepath.Join(l.Dir, "files", "Reports"), 0o700)
	os.WriteFile(filepath.Join(l.Dir, "files", "Reports", "plan.txt"), []byte("the plan"), 0o600)
	do := func(method, url, host string, auth bool) (int, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, method, url, nil)
		if host != "" {
			req.Host = host
		}
		if auth {
			req.SetBasicAuth(User, pw)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := do("GET", srv.URL+"Reports/plan.txt", "", false); code != 200 || body != "the plan" {
		t.Errorf("the owner's browser: %d %q", code, body)
	}
	if code, body := do("GET", srv.URL+"Reports/", "", false); code != 200 || !strings.Contains(body, "plan.txt") {
		t.Errorf("a folder in the owner's browser: %d %q", code, body)
	}
	port := strings.TrimSuffix(srv.URL[strings.LastIndex(srv.URL, ":")+1:], "/")
	if code, _ := do("GET", srv.URL+"Reports/plan.txt", "attacker.example:"+port, false); code != http.StatusUnauthorized {
		t.Errorf("a page rebound to 127.0.0.1 under another name got %d", code)
	}
	for _, m := range []string{"PUT", "DELETE", "PROPFIND"} {
		if code, _ := do(m, srv.URL+"Reports/plan.txt", "", false); code != http.StatusUnauthorized {
			t.Errorf("%s without the password: %d", m, code)
		}
	}
	if code, _ := do("PROPFIND", srv.URL, "", true); code != http.StatusMultiStatus {
		t.Errorf("WebDAV with the password: %d", code)
	}
}

func TestSocketOwnerReadsProcNetTCP(t *testing.T) {
	const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:9C40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D431 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1001        0 2 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:D432 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 20 4 30 10 -1
`
	server := netip.MustParseAddrPort("127.0.0.1:40000")
	for _, tc := range []struct {
		client string
		uid    int
		found  bool
	}{{"127.0.0.1:54321", 1001, true}, {"127.0.0.1:54322", 0, true}, {"127.0.0.1:1", 0, false}} {
		uid, found := socketOwner(strings.NewReader(table), netip.MustParseAddrPort(tc.client), server)
		if uid != tc.uid || found != tc.found {
			t.Errorf("%s: uid %d found %v, want %d %v", tc.client, uid, found, tc.uid, tc.found)
		}
	}
	a, err := parseProcAddr("00000000000000000000000001000000:1F90")
	if err != nil || a != netip.MustParseAddrPort("[::1]:8080") {
		t.Errorf("IPv6 loopback parsed as %v, %v", a, err)
	}
}
