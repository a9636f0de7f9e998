package webdav

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	xwebdav "golang.org/x/net/webdav"

	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// TestMain stops the real servers the tests of this package shared (davtest.Shared).
func TestMain(m *testing.M) { os.Exit(davtest.Main(m)) }

// Test credentials: throwaway values for servers that live only for the test.
const (
	testUser     = davtest.User
	testPassword = davtest.Password
)

// davPrefix is where every test server mounts its tree (see davtest.Prefix).
const davPrefix = davtest.Prefix

// newXNetServer serves fs (nil: a fresh golang.org/x/net/webdav memory tree) behind Basic
// auth on 127.0.0.1, with wrap around the WebDAV handler, and returns its base URL.
func newXNetServer(t *testing.T, fs xwebdav.FileSystem, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	return davtest.ServeXNet(t, fs, wrap)
}

// newTestClient returns a Client for base with the test credentials.
func newTestClient(t testing.TB, base string, hc *http.Client) *Client {
	t.Helper()
	c, err := New(Config{URL: base, User: testUser, Password: testPassword, HTTPClient: hc})
	if err != nil {
		t.Fatalf("New(%q): %v", base, err)
	}
	return c
}

// newProbedClient returns a Client for base that knows what its server offers, as the
// engine dials one after `account add` probed the server.
func newProbedClient(t testing.TB, base string) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	caps, err := newTestClient(t, base, nil).Probe(ctx)
	if err != nil {
		t.Fatalf("Probe(%s): %v", base, err)
	}
	c, err := New(Config{URL: base, User: testUser, Password: testPassword, Capabilities: &caps})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// realServers are the WebDAV servers the conformance suite runs against as processes or
// over a real folder (see davtest).
var realServers = []string{davtest.Apache, davtest.Lighttpd, davtest.Nginx, davtest.Rclone, davtest.XNet}

// sharedFolder returns a probed Client rooted at a fresh folder of the shared server name.
func sharedFolder(t *testing.T, name string) *Client {
	t.Helper()
	url, _ := davtest.Shared(t, name).NewFolder(t)
	return newProbedClient(t, url)
}

// ocServer is an ownCloud-like server (davtest.ServeOC).
type ocServer struct {
	url string
	srv *davtest.OCServer
}

// propfinds returns how many PROPFIND requests the server has answered.
func (s *ocServer) propfinds() int64 { return s.srv.Propfinds() }

// newOCServer starts an ownCloud-like server on 127.0.0.1 for the test.
func newOCServer(t *testing.T) *ocServer {
	t.Helper()
	s := davtest.ServeOC(t)
	return &ocServer{url: s.URL, srv: s}
}
