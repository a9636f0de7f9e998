package davtest

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xwebdav "golang.org/x/net/webdav"
)

// BasicAuth wraps h with Basic auth for User and Password.
func BasicAuth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(User)) != 1 ||
			subtle.ConstantTimeCompare([]byte(p), []byte(Password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// XNetHandler is golang.org/x/net/webdav over fs under Prefix, behind Basic auth, with wrap
// (when not nil) between the authentication and the WebDAV handler.
func XNetHandler(fs xwebdav.FileSystem, wrap func(http.Handler) http.Handler) http.Handler {
	var h http.Handler = &xwebdav.Handler{
		Prefix:     strings.TrimSuffix(Prefix, "/"),
		FileSystem: fs,
		LockSystem: xwebdav.NewMemLS(),
	}
	if wrap != nil {
		h = wrap(h)
	}
	return BasicAuth(h)
}

// ServeXNet serves XNetHandler(fs, wrap) (fs nil: a fresh memory tree) on 127.0.0.1 until t
// ends and returns its base URL.
func ServeXNet(t testing.TB, fs xwebdav.FileSystem, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	if fs == nil {
		fs = xwebdav.NewMemFS()
	}
	url, stop, err := serve(XNetHandler(fs, wrap))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	return url
}

// serve runs h on a fresh 127.0.0.1 port and returns the base URL and a stop function.
func serve(h http.Handler) (string, func() error, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String() + Prefix, stop, nil
}

// startXNetDir serves a new temporary folder with x/net/webdav's Dir file system.
func startXNetDir() (*Server, error) {
	return startInProcess(XNet, "golang.org/x/net/webdav (in-process)", func(dir string) (string, func() error, error) {
		return serve(XNetHandler(xwebdav.Dir(dir), nil))
	})
}

// startOCDir serves a new temporary folder as the ownCloud-like server (ocFS over x/net/webdav's
// Dir): folder ETags that follow their subtree, for benchmarks of the pruned listing at
// sizes a memory tree does not suit. The ids live in memory: what is written into the folder
// directly has none.
func startOCDir() (*Server, error) {
	return startInProcess(OwnCloud, "ownCloud-like ocFS over golang.org/x/net/webdav (in-process)", func(dir string) (string, func() error, error) {
		url, stop, _, err := serveOC(xwebdav.Dir(dir))
		return url, stop, err
	})
}

// startInProcess serves a new temporary folder with an in-process server that serve starts.
func startInProcess(name, version string, serve func(dir string) (string, func() error, error)) (*Server, error) {
	top, err := os.MkdirTemp("", "cloudsync-"+name+"-")
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(top, "served")
	if err := os.Mkdir(dir, 0o755); err != nil {
		os.RemoveAll(top)
		return nil, err
	}
	url, stop, err := serve(dir)
	if err != nil {
		os.RemoveAll(top)
		return nil, err
	}
	host := strings.TrimPrefix(strings.TrimSuffix(url, Prefix), "http://")
	return &Server{Name: name, URL: url, Host: host, Dir: dir, Version: version,
		uid: -1, gid: -1, stop: stopAndRemove(stop, top)}, nil
}
