package webdav

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// TestUploadIntoAFreshFolderSkipsTheLookFirst: a new file uploaded into a folder the engine
// just made (remote.InFreshFolder) goes without the PROPFIND that asks whether it exists;
// any other new file is looked for first (servers that ignore If-None-Match would
// overwrite it).
func TestUploadIntoAFreshFolderSkipsTheLookFirst(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.URL.Path)
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
	c := newTestClient(t, newXNetServer(t, nil, count), nil)
	ctx := context.Background()
	if _, err := c.Mkdir(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	before := func(name string, ctx context.Context) []string {
		mu.Lock()
		seen = nil
		mu.Unlock()
		if _, err := c.Upload(ctx, "d/"+name, nil, strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, s := range seen {
			if strings.HasPrefix(s, "PUT") {
				break
			}
			out = append(out, s)
		}
		return out
	}
	if got := before("fresh.txt", remote.InFreshFolder(ctx)); len(got) != 0 {
		t.Fatalf("upload into a fresh folder asked %v first", got)
	}
	if got := before("other.txt", ctx); len(got) != 1 || !strings.HasPrefix(got[0], "PROPFIND") {
		t.Fatalf("an ordinary new file was not looked for first: %v", got)
	}
}

// TestListingAsksOnlyForWhatTheServerHas: a client that knows its server has neither file
// ids nor checksums asks for the DAV properties only; one that does not know asks for the
// ownCloud ones too.
func TestListingAsksOnlyForWhatTheServerHas(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	capture := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PROPFIND" {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				bodies = append(bodies, string(b))
				mu.Unlock()
				r.Body = io.NopCloser(strings.NewReader(string(b)))
			}
			next.ServeHTTP(w, r)
		})
	}
	url := newXNetServer(t, nil, capture)
	for _, c := range []struct {
		client *Client
		oc     bool
	}{{newTestClient(t, url, nil), true}, {newProbedClient(t, url), false}} {
		mu.Lock()
		bodies = nil
		mu.Unlock()
		if _, err := c.client.List(context.Background(), "", nil); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := strings.Contains(bodies[len(bodies)-1], "owncloud")
		mu.Unlock()
		if got != c.oc {
			t.Fatalf("listing asks for ownCloud properties: %v, want %v", got, c.oc)
		}
	}
}

// TestMoveAnsweredCreatedIsNotCheckedAgain: a probed server that answers a MOVE with 201
// Created moved the file (x/net, as Apache and rclone): no PROPFIND of the source follows;
// an unprobed client still checks it is gone (lighttpd answers 201 for a copy that kept
// it, and is recognised by its Server header once probed). A probed client asks nothing
// after the MOVE of a file: the entry it returns is the one the server lists.
func TestMoveAnsweredCreatedIsNotCheckedAgain(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.URL.Path)
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
	url := newXNetServer(t, nil, count)
	for i, c := range []struct {
		client *Client
		check  bool
	}{{newTestClient(t, url, nil), true}, {newProbedClient(t, url), false}} {
		ctx := context.Background()
		name := "f" + string(rune('0'+i))
		if _, err := c.client.Upload(ctx, name+".txt", nil, strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
		e, err := c.client.Stat(ctx, name+".txt") // as a listing gives it
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		seen = nil
		mu.Unlock()
		got, err := c.client.Move(ctx, e, name+"-moved.txt")
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		checked, asked := false, false
		after := false
		for _, s := range seen {
			after = after || strings.HasPrefix(s, "MOVE")
			checked = checked || after && strings.HasPrefix(s, "PROPFIND") && strings.HasSuffix(s, "/"+name+".txt")
			asked = asked || after && strings.HasPrefix(s, "PROPFIND")
		}
		mu.Unlock()
		if checked != c.check || asked != c.check {
			t.Fatalf("source looked at after the MOVE: %v, anything asked: %v, want %v (%v)", checked, asked, c.check, seen)
		}
		// The entry a probed client makes up is the one the server lists.
		want, err := c.client.Stat(ctx, name+"-moved.txt")
		if err != nil {
			t.Fatal(err)
		}
		if got.Path != want.Path || got.ID != want.ID || got.IDIsPath != want.IDIsPath || got.Version != want.Version ||
			got.Size != want.Size || !got.ModTime.Equal(want.ModTime) || got.IsDir != want.IsDir {
			t.Fatalf("Move returned %+v, the server lists %+v", got, want)
		}
	}
}

// slowReader gives its bytes one at a time, pausing before each.
type slowReader struct {
	data  []byte
	pause time.Duration
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.pause)
	p[0], r.data = r.data[0], r.data[1:]
	return 1, nil
}

// TestDeferredUploadBoundsTheStoredMtime: an upload whose caller lists the folder
// afterwards (remote.DeferLookup) is not looked at alone where the PUT's answer has no
// ETag (Apache), and the time it reports (remote.Pending.Until) is not before the stored
// file's mtime, even for a slow upload: Apache dates its answer when the request began.
func TestDeferredUploadBoundsTheStoredMtime(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	url, _ := davtest.Shared(t, davtest.Apache).NewFolder(t)
	caps, err := newTestClient(t, url, nil).Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == "PROPFIND" {
			n.Add(1)
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	c, err := New(Config{URL: url, User: testUser, Password: testPassword, Capabilities: &caps, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Mkdir(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	pd := &remote.Pending{}
	n.Store(0)
	e, err := c.Upload(remote.DeferLookup(remote.InFreshFolder(ctx), pd), "d/slow.txt", nil,
		&slowReader{data: []byte("slow"), pause: 600 * time.Millisecond}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !pd.Deferred || n.Load() != 0 || e.Size != 4 || e.Path != "d/slow.txt" {
		t.Fatalf("deferred %v after %d PROPFINDs, entry %+v", pd.Deferred, n.Load(), e)
	}
	got, err := c.Stat(ctx, "d/slow.txt")
	if err != nil {
		t.Fatal(err)
	}
	if pd.Until.IsZero() || got.ModTime.After(pd.Until.Add(time.Second)) {
		t.Fatalf("stored mtime %v is after the answer's bound %v", got.ModTime, pd.Until)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
