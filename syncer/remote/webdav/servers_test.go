package webdav

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xwebdav "golang.org/x/net/webdav"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Test credentials: throwaway values for servers that live only for the test.
const (
	testUser     = "alice"
	testPassword = "canary-pw-5b1e7"
)

// basicAuth wraps h with Basic auth for testUser/testPassword.
func basicAuth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(testUser)) != 1 ||
			subtle.ConstantTimeCompare([]byte(p), []byte(testPassword)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// davPrefix is where the in-process servers mount their tree: a base URL with a path
// (and an "@" that servers may escape differently) exercises href decoding for real.
const davPrefix = "/remote.php/dav/files/alice@example.com/"

// newXNetServer serves a fresh golang.org/x/net/webdav memory tree behind Basic auth on
// 127.0.0.1 and returns its base URL.
func newXNetServer(t *testing.T, fs xwebdav.FileSystem, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	if fs == nil {
		fs = xwebdav.NewMemFS()
	}
	var h http.Handler = &xwebdav.Handler{
		Prefix:     strings.TrimSuffix(davPrefix, "/"),
		FileSystem: fs,
		LockSystem: xwebdav.NewMemLS(),
	}
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(basicAuth(h))
	t.Cleanup(srv.Close)
	return srv.URL + davPrefix
}

// newTestClient returns a Client for base with the test credentials.
func newTestClient(t *testing.T, base string, hc *http.Client) *Client {
	t.Helper()
	c, err := New(Config{URL: base, User: testUser, Password: testPassword, HTTPClient: hc})
	if err != nil {
		t.Fatalf("New(%q): %v", base, err)
	}
	return c
}

// rcloneServer is a running `rclone serve webdav` over a temp dir.
type rcloneServer struct {
	url string
	n   int
}

// startRclone starts Debian's rclone serving a temp dir on a free 127.0.0.1 port, with
// the password passed in the environment (RCLONE_PASS), never in argv. It skips the test
// when rclone is missing, unless CI or CLOUDSYNC_REQUIRE_RCLONE is set.
func startRclone(t *testing.T) *rcloneServer {
	t.Helper()
	bin, err := exec.LookPath("rclone")
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("CLOUDSYNC_REQUIRE_RCLONE") != "" {
			t.Fatalf("rclone is not installed (run `make deps`), and CI/CLOUDSYNC_REQUIRE_RCLONE requires it")
		}
		t.Skip("rclone not on PATH: skipping the rclone serve webdav conformance run (`make deps` installs it)")
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o700); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		addr, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, bin, "serve", "webdav", root,
			"--addr", addr, "--user", testUser, "--dir-cache-time", "0s", "--log-level", "ERROR")
		cmd.Env = append(os.Environ(),
			"RCLONE_PASS="+testPassword,
			"RCLONE_CONFIG="+filepath.Join(dir, "rclone.conf"),
			"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
			"HOME="+dir,
		)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatalf("starting rclone: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop := func() {
			cancel()
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				t.Errorf("rclone did not exit")
			}
		}
		base := "http://" + addr + "/"
		if err = waitReady(base, exited, 15*time.Second); err == nil {
			t.Cleanup(stop)
			return &rcloneServer{url: base}
		}
		stop()
		lastErr = fmt.Errorf("%v; rclone said: %s", err, strings.TrimSpace(stderr.String()))
	}
	t.Fatalf("rclone serve webdav did not come up: %v", lastErr)
	return nil
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls base with an authenticated Check until it answers, the process exits,
// or the timeout passes.
func waitReady(base string, exited <-chan struct{}, timeout time.Duration) error {
	c, err := New(Config{URL: base, User: testUser, Password: testPassword})
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = c.Check(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if errors.Is(err, remote.ErrAuth) {
			return fmt.Errorf("rclone refused the test credentials: %w", err)
		}
		select {
		case <-exited:
			return fmt.Errorf("rclone exited: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return err
		}
	}
}

// newFolder makes a fresh folder on the server and returns a Client rooted there.
func (s *rcloneServer) newFolder(t *testing.T) *Client {
	t.Helper()
	s.n++
	root := newTestClient(t, s.url, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	name := fmt.Sprintf("case-%03d", s.n)
	if _, err := root.Mkdir(ctx, name); err != nil {
		t.Fatalf("making %s on rclone: %v", name, err)
	}
	return newTestClient(t, s.url+name+"/", nil)
}
