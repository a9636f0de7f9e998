package scenario

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/webdav"
)

// What stands between the scenarios and a real WebDAV server: a Meter, which counts requests
// by kind and can inject error replies, in front of the server itself (x/net/webdav
// in-process) or of a Proxy to it (the servers of package davtest, shared by the
// environments of one test binary, each environment in a folder of its own).

// Meter counts WebDAV requests by kind and injects faults. It is safe for concurrent use.
type Meter struct {
	mu    sync.Mutex
	calls map[string]int
	fault func(op, p string) int
	stall func(op, p string) Stall
	cut   bool // see CutUploads
}

// Stall is how a metered server answers a request it stalls (see SetStall).
type Stall int

const (
	// NoStall serves the request.
	NoStall Stall = iota
	// Hang sends the headers and the first byte of the answer, then nothing.
	Hang
	// Endless sends an answer that never ends.
	Endless
)

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

// SetStall installs (nil removes) a hook choosing the requests the server stalls.
func (m *Meter) SetStall(f func(op, p string) Stall) {
	m.mu.Lock()
	m.stall = f
	m.mu.Unlock()
}

// stalled answers r as how says, until the client goes away.
func stalled(w http.ResponseWriter, r *http.Request, how Stall) {
	status := http.StatusOK
	if r.Method == "PROPFIND" {
		status = http.StatusMultiStatus
	}
	w.WriteHeader(status)
	chunk := []byte("<") // one byte: less than any file the scenarios stall

	for {
		if _, err := w.Write(chunk); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		if how == Hang {
			<-r.Context().Done()
			return
		}
		if r.Context().Err() != nil {
			return
		}
		chunk = make([]byte, 32<<10)
	}
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
		f, stall, cut := m.fault, m.stall, m.cut
		m.mu.Unlock()
		if cut && op == "upload" && r.ContentLength > 1 {
			cutUpload(w, r, next)
			return
		}
		if stall != nil {
			if how := stall(op, r.URL.Path); how != NoStall {
				stalled(w, r, how)
				return
			}
		}
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

// Proxy forwards requests to target, reading each answer whole before passing it on, so
// that a metered server behaves like the server itself. (httputil.ReverseProxy streamed
// answers and, under load, cut PROPFIND answers mid-body.)
func Proxy(t testing.TB, target *url.URL) http.Handler {
	// Idle connections close before a server's keep-alive timeout does (5 s on Apache and
	// lighttpd): a request net/http does not send again (PROPFIND, PUT) must not go out on
	// a connection the server is closing, which the client would see as a 502.
	tr := &http.Transport{MaxIdleConnsPerHost: 8, IdleConnTimeout: time.Second}
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
