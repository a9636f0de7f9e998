package scenario

import (
	"bufio"
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/webdav"
)

// Real WebDAV servers for scenarios and tests: golang.org/x/net/webdav in-process, and
// Debian's rclone started as a process, both on 127.0.0.1 and serving a directory the test
// can also change directly (as another client of the cloud would). Both are fronted by a
// Meter, which counts requests by kind and can inject error replies.

// Meter counts WebDAV requests by kind and injects faults. It is safe for concurrent use.
type Meter struct {
	mu    sync.Mutex
	calls map[string]int
	fault func(op, p string) int
}

// Op names the kind of a WebDAV request as the scenarios count them.
func Op(method string) string {
	switch method {
	case http.MethodPut:
		return "upload"
	case http.MethodGet:
		return "download"
	case "MOVE":
		return "move"
	case http.MethodDelete:
		return "delete"
	case "MKCOL":
		return "mkdir"
	case "PROPFIND":
		return "list"
	}
	return strings.ToLower(method)
}

// Calls returns the number of requests of a kind so far.
func (m *Meter) Calls(op string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[op]
}

// SetFault installs (nil removes) a hook returning an HTTP status to answer with instead of
// serving the request (0: serve it).
func (m *Meter) SetFault(f func(op, p string) int) {
	m.mu.Lock()
	m.fault = f
	m.mu.Unlock()
}

// Wrap returns next behind the meter.
func (m *Meter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := Op(r.Method)
		m.mu.Lock()
		if m.calls == nil {
			m.calls = map[string]int{}
		}
		m.calls[op]++
		f := m.fault
		m.mu.Unlock()
		if f != nil {
			if st := f(op, r.URL.Path); st != 0 {
				http.Error(w, fmt.Sprintf("injected %d", st), st)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// BasicAuth wraps next with HTTP Basic authentication.
func BasicAuth(user, pass string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(user)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(pass)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serve runs h on a fresh 127.0.0.1 port until the test ends and returns its base URL.
func serve(t testing.TB, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String() + "/"
}

// StartXNetWebDAV serves dir with golang.org/x/net/webdav behind Basic auth and m.
func StartXNetWebDAV(t testing.TB, dir, user, pass string, m *Meter) string {
	h := &webdav.Handler{FileSystem: webdav.Dir(dir), LockSystem: webdav.NewMemLS()}
	return serve(t, m.Wrap(BasicAuth(user, pass, h)))
}

// StartRclone serves dir with `rclone serve webdav` on 127.0.0.1 behind m (a reverse proxy)
// and returns the proxy's URL. Without rclone on PATH it skips the test, unless CI or
// CLOUDSYNC_REQUIRE_RCLONE is set: then a missing rclone fails it (make deps installs it).
func StartRclone(t testing.TB, dir, user, pass string, m *Meter) string {
	bin, err := exec.LookPath("rclone")
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("CLOUDSYNC_REQUIRE_RCLONE") != "" {
			t.Fatal("rclone is not installed (make deps installs it)")
		}
		t.Skip("rclone is not installed; skipping the rclone WebDAV server (make deps installs it)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	// The credentials go through rclone's environment, not its command line.
	cmd := exec.CommandContext(ctx, bin, "serve", "webdav", dir, "--addr", addr,
		"--dir-cache-time", "0s", "--poll-interval", "0", "--config", "/dev/null", "--log-level", "ERROR")
	cmd.Env = append(os.Environ(), "RCLONE_USER="+user, "RCLONE_PASS="+pass)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting rclone: %v", err)
	}
	var logMu sync.Mutex
	var logs []string
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logMu.Lock()
			logs = append(logs, sc.Text())
			logMu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			logMu.Lock()
			defer logMu.Unlock()
			t.Fatalf("rclone did not start listening on %s: %v\n%s", addr, err, strings.Join(logs, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	target, _ := url.Parse("http://" + addr + "/")
	return serve(t, m.Wrap(Proxy(t, target)))
}

// Proxy forwards requests to target, reading each answer whole before passing it on, so
// that a metered server behaves like the server itself. (httputil.ReverseProxy streamed
// answers and, under load, cut PROPFIND answers mid-body.)
func Proxy(t testing.TB, target *url.URL) http.Handler {
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	t.Cleanup(tr.CloseIdleConnections)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.URL.Scheme, out.URL.Host = target.Scheme, target.Host // Host stays: MOVE's Destination names it
		if r.ContentLength == 0 {
			out.Body = nil
		}
		res, err := tr.RoundTrip(out)
		if err != nil {
			if r.Context().Err() == nil {
				t.Logf("proxy: %s %s: %v", r.Method, r.URL.Path, err)
			}
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Logf("proxy: reading the answer to %s %s: %v", r.Method, r.URL.Path, err)
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(body)
	})
}
