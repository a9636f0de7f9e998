package webdav

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// TestSuccessfulAnswersKeepTheConnection: one request after the other, MKCOL, PUT, MOVE and
// DELETE go over one connection on every real server. Apache answers a MOVE or MKCOL 201
// with a small HTML body; a body closed unread made net/http drop the connection, so 1,000
// files moved cost 1,000 new connections (issue 11).
func TestSuccessfulAnswersKeepTheConnection(t *testing.T) {
	for _, name := range realServers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url, _ := davtest.Shared(t, name).NewFolder(t)
			var dials atomic.Int32
			d := &net.Dialer{}
			hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				dials.Add(1)
				return d.DialContext(ctx, network, addr)
			}}}
			caps, err := newTestClient(t, url, hc).Probe(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			c, err := New(Config{URL: url, User: testUser, Password: testPassword, HTTPClient: hc, Capabilities: &caps})
			if err != nil {
				t.Fatal(err)
			}
			ctx := testCtx(t)
			if _, err := c.Mkdir(ctx, "from"); err != nil {
				t.Fatal(err)
			}
			before := dials.Load()
			if _, err := c.Mkdir(ctx, "to"); err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				e, err := c.Upload(ctx, fmt.Sprintf("from/f%d.txt", i), nil, strings.NewReader("x"), 1)
				if err != nil {
					t.Fatal(err)
				}
				moved, err := c.Move(ctx, e, fmt.Sprintf("to/f%d.txt", i))
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Delete(ctx, moved); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.Delete(ctx, remote.Entry{Path: "to", IsDir: true}); err != nil {
				t.Fatal(err)
			}
			if n := dials.Load() - before; n != 0 {
				t.Fatalf("%d new connections for requests sent one after the other (want 0: the first one is reused)", n)
			}
		})
	}
}
