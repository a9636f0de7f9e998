package webdav

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// metaServers are the real servers that keep metadata and whose walks prune nothing: their
// walks read the metadata on a rotation (walkmeta.go).
var metaServers = []string{davtest.Apache, davtest.Lighttpd}

// askRecorder is a transport that notes, for every PROPFIND, the folder asked (the URL's
// path) and whether it asked for the Dublin Core properties.
type askRecorder struct {
	mu   sync.Mutex
	asks map[string][2]int // path → [DAV properties alone, with the metadata]
}

func (r *askRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == "PROPFIND" && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		meta := 0
		if strings.Contains(string(b), remote.DublinCoreNS) {
			meta = 1
		}
		r.mu.Lock()
		n := r.asks[req.URL.Path]
		n[meta]++
		r.asks[req.URL.Path] = n
		r.mu.Unlock()
		req.Body = io.NopCloser(strings.NewReader(string(b)))
	}
	return http.DefaultTransport.RoundTrip(req)
}

// take returns the PROPFINDs since the last take.
func (r *askRecorder) take() map[string][2]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.asks
	r.asks = map[string][2]int{}
	return got
}

// recordedClient is a client of the folder at url (probed as other was) whose PROPFINDs
// are noted.
func recordedClient(t *testing.T, url string, other *Client) (*Client, *askRecorder) {
	t.Helper()
	rec := &askRecorder{asks: map[string][2]int{}}
	caps := other.caps
	c, err := New(Config{URL: url, User: testUser, Password: testPassword, Capabilities: &caps,
		HTTPClient: &http.Client{Transport: rec}})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// metaTree is 12 folders of 2 files in a fresh folder of server name: a client with its
// PROPFINDs noted, and another client of the same folder.
func metaTree(t *testing.T, name string) (c *Client, rec *askRecorder, other *Client) {
	t.Helper()
	url, _ := davtest.Shared(t, name).NewFolder(t)
	other = newProbedClient(t, url)
	if other.MetaUnsupported() != "" || !other.rotates() {
		t.Fatalf("%s: keeps metadata %q, rotates %v", name, other.MetaUnsupported(), other.rotates())
	}
	var spec []string
	for i := range 12 {
		spec = append(spec, fmt.Sprintf("d%02d/", i), fmt.Sprintf("d%02d/a.txt", i), fmt.Sprintf("d%02d/b.txt", i))
	}
	buildTree(t, other, spec...)
	time.Sleep(1100 * time.Millisecond) // (Apache makes a file's weak ETag strong a second after it was written)
	c, rec = recordedClient(t, url, other)
	return c, rec, other
}

// TestWalkReadsMetadataOnARotation: on the servers whose walks read the metadata on a
// rotation, a client's first walk asks every folder for it; over the next metaPeriod walks
// of an unchanged tree each folder is asked for it exactly once and for the DAV
// properties alone the other times, no walk asking more than a few folders for it; and
// every walk gives the same entries with their metadata.
func TestWalkReadsMetadataOnARotation(t *testing.T) {
	for _, name := range metaServers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, rec, other := metaTree(t, name)
			ctx := testCtx(t)
			if _, err := other.SetMeta(ctx, statOf(t, other, "d03/a.txt"), remote.Meta{Title: "T3"}); err != nil {
				t.Fatal(err)
			}
			first := walkAll(t, c)
			folders := rec.take()
			if len(folders) != 13 {
				t.Fatalf("the first walk asked %d folders, want 13: %v", len(folders), folders)
			}
			for p, n := range folders {
				if n != [2]int{0, 1} {
					t.Errorf("the first walk asked %s %d times for the DAV properties alone and %d with the metadata, want once with", p, n[0], n[1])
				}
			}
			if m := first["d03/a.txt"].Meta; m == nil || m.Title != "T3" {
				t.Fatalf("the first walk gave d03/a.txt %+v", first["d03/a.txt"])
			}
			total := map[string][2]int{}
			for i := range int(metaPeriod) {
				got := walkAll(t, c)
				if !sameWalk(got, first) {
					t.Fatalf("walk %d of an unchanged tree gave\n%v\nthe first gave\n%v", i+2, got, first)
				}
				asked, withMeta := rec.take(), 0
				for p, n := range asked {
					withMeta += n[1]
					total[p] = [2]int{total[p][0] + n[0], total[p][1] + n[1]}
				}
				if withMeta > 6 {
					t.Errorf("walk %d asked %d of 13 folders for the metadata: %v", i+2, withMeta, asked)
				}
			}
			for p, n := range total {
				if n != [2]int{int(metaPeriod) - 1, 1} {
					t.Errorf("in %d walks %s was asked %d times for the DAV properties alone and %d with the metadata, want %d and 1",
						metaPeriod, p, n[0], n[1], metaPeriod-1)
				}
			}
			if len(total) != 13 {
				t.Errorf("the walks asked %d folders, want 13", len(total))
			}
		})
	}
}

// sameWalk reports whether two walks gave the same entries, metadata included.
func sameWalk(a, b map[string]remote.Entry) bool {
	if len(a) != len(b) {
		return false
	}
	for p, e := range a {
		if o, ok := b[p]; !ok || !sameEntry(e, o) {
			return false
		}
	}
	return true
}

func statOf(t *testing.T, c *Client, p string) remote.Entry {
	t.Helper()
	e, err := c.Stat(testCtx(t), p)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestWalkSeesAnotherClientsMetadataEditWithinThePeriod: a title another client changes or
// removes (a PROPPATCH, which changes nothing a listing of DAV properties shows) is in a
// walk within metaPeriod walks, and no walk in between gives the item without its old
// title; a new file with a title, and a file whose content and title another client
// changed, come with their title in the first walk after; the client's own edit is in its
// next walk; a new client (a restart) reads all metadata in its first walk.
func TestWalkSeesAnotherClientsMetadataEditWithinThePeriod(t *testing.T) {
	for _, name := range metaServers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, rec, other := metaTree(t, name)
			ctx := testCtx(t)
			set := func(who *Client, p string, m remote.Meta) {
				t.Helper()
				if _, err := who.SetMeta(ctx, statOf(t, who, p), m); err != nil {
					t.Fatal(err)
				}
			}
			set(other, "d01/a.txt", remote.Meta{Title: "old"})
			set(other, "d02/a.txt", remote.Meta{Title: "gone soon", Author: "Ann"})
			walkAll(t, c)
			walkAll(t, c)

			set(other, "d01/a.txt", remote.Meta{Title: "new"})
			set(other, "d02/a.txt", remote.Meta{})
			// A new file with a title, and a file changed in content and title.
			if _, err := other.Upload(ctx, "d04/new.txt", nil, strings.NewReader("new"), 3); err != nil {
				t.Fatal(err)
			}
			set(other, "d04/new.txt", remote.Meta{Title: "born with a title"})
			old := statOf(t, other, "d05/a.txt")
			if _, err := other.Upload(ctx, "d05/a.txt", &old, strings.NewReader("changed"), 7); err != nil {
				t.Fatal(err)
			}
			set(other, "d05/a.txt", remote.Meta{Description: "changed too"})
			rec.take()
			got := walkAll(t, c)
			if m := got["d04/new.txt"].Meta; m == nil || m.Title != "born with a title" {
				t.Errorf("the first walk after a new file with a title gave %+v", got["d04/new.txt"])
			}
			if m := got["d05/a.txt"].Meta; m == nil || m.Description != "changed too" || got["d05/a.txt"].Size != 7 {
				t.Errorf("the first walk after a file changed in content and metadata gave %+v", got["d05/a.txt"])
			}
			if n := rec.take()[c.base.Path+"d04/"]; n[1] != 1 {
				t.Errorf("d04 (a new file) was asked %d times for the DAV properties alone and %d with the metadata in the walk, want once with", n[0], n[1])
			}
			seen := map[string]int{}
			for i := 1; ; i++ {
				if m := got["d01/a.txt"].Meta; m == nil || m.Title != "old" && m.Title != "new" || seen["d01"] > 0 && m.Title != "new" {
					t.Fatalf("walk %d after another client changed a title gave %+v", i, got["d01/a.txt"])
				} else if m.Title == "new" && seen["d01"] == 0 {
					seen["d01"] = i
				}
				switch m := got["d02/a.txt"].Meta; {
				case m == nil && seen["d02"] == 0:
					seen["d02"] = i
				case m != nil && (seen["d02"] > 0 || *m != remote.Meta{Title: "gone soon", Author: "Ann"}):
					t.Fatalf("walk %d after another client removed a title gave %+v", i, got["d02/a.txt"])
				}
				if seen["d01"] > 0 && seen["d02"] > 0 || i == int(metaPeriod)+1 {
					break
				}
				got = walkAll(t, c)
			}
			if seen["d01"] == 0 || seen["d02"] == 0 {
				t.Fatalf("within %d walks: the changed title seen in walk %d, the removed one in walk %d (0: never)", metaPeriod, seen["d01"], seen["d02"])
			}

			// The client's own edit, in a folder listed with the DAV properties alone next.
			set(c, "d06/b.txt", remote.Meta{Author: "me"})
			for range 3 {
				if m := walkAll(t, c)["d06/b.txt"].Meta; m == nil || m.Author != "me" {
					t.Fatalf("a walk after the client's own edit gave %+v", m)
				}
			}
			// A restart: a new client has no kept listings and reads everything.
			again, rec2 := recordedClient(t, c.base.String(), other)
			first := walkAll(t, again)
			for p, n := range rec2.take() {
				if n != [2]int{0, 1} {
					t.Errorf("a new client's first walk asked %s %v, want once with the metadata", p, n)
				}
			}
			if m := first["d01/a.txt"].Meta; m == nil || m.Title != "new" || first["d02/a.txt"].Meta != nil {
				t.Errorf("a new client's first walk gave %+v and %+v", first["d01/a.txt"], first["d02/a.txt"])
			}
			// Request Sync: every folder read afresh.
			walkAll(t, c)
			rec.take()
			c.RereadMeta()
			walkAll(t, c)
			for p, n := range rec.take() {
				if n[1] != 1 {
					t.Errorf("the walk after RereadMeta asked %s %v, want once with the metadata", p, n)
				}
			}
		})
	}
}

// TestSetMetaChecksTheCloudsMetadataFirst: a write of metadata given what the caller last
// saw (e.Meta) reads the item's metadata first; another client's edit since is not
// overwritten (ErrChanged, nothing written), and the next walk reads the folder afresh.
func TestSetMetaChecksTheCloudsMetadataFirst(t *testing.T) {
	for _, name := range metaServers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, _, other := metaTree(t, name)
			ctx := testCtx(t)
			walkAll(t, c)
			seen := walkAll(t, c)["d07/a.txt"] // no title
			if _, err := other.SetMeta(ctx, statOf(t, other, "d07/a.txt"), remote.Meta{Title: "theirs"}); err != nil {
				t.Fatal(err)
			}
			e := seen
			e.Meta = &remote.Meta{}
			_, err := c.SetMeta(ctx, e, remote.Meta{Title: "mine"})
			if !errors.Is(err, remote.ErrChanged) {
				t.Fatalf("SetMeta over another client's title: %v, want ErrChanged", err)
			}
			if m := statOf(t, other, "d07/a.txt").Meta; m == nil || m.Title != "theirs" {
				t.Fatalf("the cloud's title after the refused write: %+v", m)
			}
			if m := walkAll(t, c)["d07/a.txt"].Meta; m == nil || m.Title != "theirs" {
				t.Fatalf("the walk after the refused write gave %+v, want the cloud's title", m)
			}
			e.Meta = &remote.Meta{Title: "theirs"}
			if got, err := c.SetMeta(ctx, e, remote.Meta{Title: "mine"}); err != nil || got.Meta == nil || got.Meta.Title != "mine" {
				t.Fatalf("SetMeta given the cloud's metadata: %+v, %v", got, err)
			}
		})
	}
}
