package e2e

import (
	"context"
	"crypto/subtle"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/ui/localcloud"
)

// testCloud is the user's cloud in the real-window test: golang.org/x/net/webdav (the
// local cloud's handler) over a folder, behind a front on 127.0.0.1 that checks the
// password (which the test can change: "the password changed on the server"), can be down
// (connections refused: "the server is down"), and can slow uploads down (to see the
// progress of a transfer).
type testCloud struct {
	URL  string
	user string

	mu       sync.Mutex
	password string
	down     bool
	rate     int // bytes per second of request bodies; 0: unlimited

	ln  net.Listener
	srv *http.Server
	dav *localcloud.Server
}

func startTestCloud(t testing.TB, dir, user, password string) *testCloud {
	t.Helper()
	dav, err := localcloud.Start(dir, "127.0.0.1:0", "", "")
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(dav.URL)
	c := &testCloud{user: user, password: password, dav: dav}
	proxy := httputil.NewSingleHostReverseProxy(target)
	c.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.URL = "http://" + c.ln.Addr().String() + "/"
	c.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		down, pw, rate := c.down, c.password, c.rate
		c.mu.Unlock()
		if down {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close() // the server is down: the connection breaks
					return
				}
			}
		}
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(c.user)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(pw)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="test cloud"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		if rate > 0 && r.Body != nil {
			r.Body = &slowBody{ReadCloser: r.Body, rate: rate}
		}
		r.Header.Del("Authorization")
		proxy.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	go c.srv.Serve(c.ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		c.srv.Shutdown(ctx)
		c.dav.Close(ctx)
	})
	return c
}

func (c *testCloud) set(f func(c *testCloud)) {
	c.mu.Lock()
	f(c)
	c.mu.Unlock()
}

// slowBody reads at most rate bytes per second.
type slowBody struct {
	io.ReadCloser
	rate int
}

func (s *slowBody) Read(p []byte) (int, error) {
	chunk := max(s.rate/20, 1)
	if len(p) > chunk {
		p = p[:chunk]
	}
	time.Sleep(50 * time.Millisecond)
	return s.ReadCloser.Read(p)
}
