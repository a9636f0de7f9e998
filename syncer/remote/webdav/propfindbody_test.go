package webdav

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// bodyRecorder is a transport that keeps the body of every PROPFIND it sends.
type bodyRecorder struct {
	mu     sync.Mutex
	bodies []string
}

func (r *bodyRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == "PROPFIND" && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		r.mu.Lock()
		r.bodies = append(r.bodies, string(b))
		r.mu.Unlock()
		req.Body = io.NopCloser(strings.NewReader(string(b)))
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (r *bodyRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bodies...)
}

// TestListingAsksForWhatTheServerKeeps: a listing asks for the ownCloud properties only on
// a server the probe found with file ids or checksums, and for the Dublin Core ones only
// on a server that keeps them (each costs the server work per entry: propfind.go). On the
// servers that keep metadata, a client's first listing asks every folder for them, and a
// title another client sets after a listing is in a listing within metaPeriod walks
// (walkmeta.go): a poll still sees a metadata change in the cloud.
func TestListingAsksForWhatTheServerKeeps(t *testing.T) {
	for _, name := range []string{davtest.Apache, davtest.Lighttpd, davtest.Rclone, davtest.Nginx, "owncloud-like"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var url string
			if name == "owncloud-like" {
				url = newOCServer(t).url
			} else {
				url, _ = davtest.Shared(t, name).NewFolder(t)
			}
			other := newProbedClient(t, url) // another client of the cloud
			caps := other.caps
			rec := &bodyRecorder{}
			c, err := New(Config{URL: url, User: testUser, Password: testPassword, Capabilities: &caps,
				HTTPClient: &http.Client{Transport: rec}})
			if err != nil {
				t.Fatal(err)
			}
			ctx := testCtx(t)
			if _, err := c.Mkdir(ctx, "d"); err != nil {
				t.Fatal(err)
			}
			e, err := c.Upload(ctx, "d/f.txt", nil, strings.NewReader("x"), 1)
			if err != nil {
				t.Fatal(err)
			}
			metaOf := func() *remote.Meta {
				t.Helper()
				var got *remote.Meta
				found := false
				err := c.Walk(ctx, "", func(en remote.Entry) error {
					if en.Path == "d/f.txt" {
						got, found = en.Meta, true
					}
					return nil
				})
				if err != nil || !found {
					t.Fatalf("Walk: %v (file listed: %v)", err, found)
				}
				return got
			}
			if m := metaOf(); m != nil {
				t.Fatalf("a new file listed with metadata %+v", m)
			}
			firstWalk := len(rec.all())
			keeps := caps.DeadProperties
			if keeps {
				if _, err := other.SetMeta(ctx, e, remote.Meta{Title: "set by another client"}); err != nil {
					t.Fatal(err)
				}
				for i := 1; ; i++ {
					if m := metaOf(); m != nil && m.Title == "set by another client" {
						break
					} else if m != nil || i == int(metaPeriod) {
						t.Fatalf("listing %d after another client set a title has %+v", i, m)
					}
				}
			}
			wantOC := caps.FileIDs || caps.Checksums
			bodies := rec.all()
			if len(bodies) == 0 {
				t.Fatal("no PROPFIND sent")
			}
			for i, b := range bodies {
				asksMeta := strings.Contains(b, remote.DublinCoreNS)
				if strings.Contains(b, "owncloud.org") != wantOC || asksMeta && !keeps || !asksMeta && keeps && i < firstWalk ||
					!strings.Contains(b, "<d:getetag/>") || strings.Contains(b, "allprop") {
					t.Fatalf("%s (file ids %v, checksums %v, dead properties %v) was asked for:\n%s",
						name, caps.FileIDs, caps.Checksums, keeps, b)
				}
			}
		})
	}
}
