package webdav

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// walkAll walks c's root as a poll does and returns the entries by path.
func walkAll(t *testing.T, c *Client) map[string]remote.Entry {
	t.Helper()
	out := map[string]remote.Entry{}
	if err := c.Walk(testCtx(t), "", func(e remote.Entry) error { out[e.Path] = e; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// decodes records which folders' answers c decodes: all of them, and those that said
// something the walk's kept listing of the folder did not (news).
type decodes struct {
	mu        sync.Mutex
	got, news map[string]int
}

func recordDecodes(c *Client) *decodes {
	d := &decodes{got: map[string]int{}, news: map[string]int{}}
	c.onDecode = func(p string, news bool) {
		d.mu.Lock()
		d.got[p]++
		if news {
			d.news[p]++
		}
		d.mu.Unlock()
	}
	return d
}

// take returns the folders decoded since the last take.
func (d *decodes) take() map[string]int { got, _ := d.takeBoth(); return got }

// takeBoth returns the folders decoded since the last take, and of those the ones whose
// answer said something new.
func (d *decodes) takeBoth() (got, news map[string]int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	got, news = d.got, d.news
	d.got, d.news = map[string]int{}, map[string]int{}
	return got, news
}

// TestWalkDecodesOnlyTheAnswersThatChanged: on every real server, a walk of an unchanged
// tree decodes none of its answers, those of the folders holding files nor that of the
// folder holding folders (the root), and gives what the last one gave; a file written
// anew, and on the servers that keep metadata a title set by another client (a PROPPATCH,
// which changes neither the file's ETag nor its folder's), are seen by the next walk, which
// decodes the changed folder's answer and not the answers of the folders nothing changed
// in. (Apache writes the namespace declarations of each entry in an order that varies,
// which answerSum does not hash; see SERVERS.md.)
func TestWalkDecodesOnlyTheAnswersThatChanged(t *testing.T) {
	for _, name := range realServers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := sharedFolder(t, name)
			d := recordDecodes(c)
			ctx := testCtx(t)
			// The root holds 8 folders: on Apache its answer has up to 2^9 byte forms.
			buildTree(t, c, "a/", "a/1.txt", "b/", "b/2.txt", "c/", "c/3.txt", "d/", "e/", "f/", "g/", "h/")
			first := settled(t, c, d, "", "a", "b", "c", "d")
			if len(first) != 11 {
				t.Fatalf("walk gave %d entries, want 11: %v", len(first), first)
			}

			old := first["b/2.txt"]
			if _, err := c.Upload(ctx, "b/2.txt", &old, strings.NewReader("new content"), 11); err != nil {
				t.Fatal(err)
			}
			got := walkAll(t, c)
			if e := got["b/2.txt"]; e.Size != 11 || e.Version == old.Version {
				t.Errorf("after a new version of b/2.txt the walk gave %+v (before: %+v)", e, old)
			}
			if all, n := d.takeBoth(); n["b"] != 1 || all["a"] != 0 || all["c"] != 0 {
				t.Errorf("the walk after one file of b changed decoded %v with news in %v, want news in b's answer and neither a's nor c's decoded", all, n)
			}

			if c.MetaUnsupported() != "" {
				return
			}
			e := got["c/3.txt"]
			other := newProbedClient(t, c.base.String()) // another client of the same folder
			if _, err := other.SetMeta(ctx, e, remote.Meta{Title: "set elsewhere"}); err != nil {
				t.Fatal(err)
			}
			// The walks read the metadata of a folder whose entries are unchanged once every
			// metaPeriod walks (walkmeta.go): the title is there within that many walks.
			d.take()
			for i := 1; ; i++ {
				got = walkAll(t, c)
				if m := got["c/3.txt"].Meta; m != nil && m.Title == "set elsewhere" {
					break
				} else if m != nil || i == int(metaPeriod) {
					t.Fatalf("walk %d after another client set the title of c/3.txt gave %+v", i, got["c/3.txt"])
				}
			}
			if all, n := d.takeBoth(); n["c"] != 1 || all["a"] != 0 || n["b"] != 0 {
				t.Errorf("the walks until a title in c was seen decoded %v with news in %v, want news in c's answer, none in b's and a's not decoded", all, n)
			}
		})
	}
}

// settled walks c's root until the answers of folders stayed undecoded for more than a
// second (Apache makes a file's weak ETag strong a second after it was written, which
// changes its folder's answer once, and its folder's folder's) and for 30 walks in a row,
// and fails unless that comes within a few seconds. A walk must give what the walk before
// gave.
func settled(t *testing.T, c *Client, d *decodes, folders ...string) map[string]remote.Entry {
	t.Helper()
	last, changed, calm := walkAll(t, c), time.Now(), 0
	d.take()
	all := map[string]int{} // the decodes of all walks
	for deadline := time.Now().Add(10 * time.Second); ; {
		time.Sleep(40 * time.Millisecond)
		got := walkAll(t, c)
		n := d.take()
		for f, k := range n {
			all[f] += k
		}
		if !reflect.DeepEqual(got, last) {
			t.Fatalf("a walk of an unchanged tree gave\n%v\nthe one before gave\n%v", got, last)
		}
		calm++
		if slices.ContainsFunc(folders, func(f string) bool { return n[f] > 0 }) {
			changed, calm = time.Now(), 0
		}
		if calm >= 30 && time.Since(changed) > 1100*time.Millisecond {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the walks of an unchanged tree keep decoding the answers of %q: %v in all", folders, all)
		}
	}
}

// TestWalkSeesOneChangedByte: an answer that differs from the last one in a single byte
// (an ETag of the same length) is decoded, and what it says is what the walk gives; the
// same bytes again are not decoded. A failed walk keeps the last listings.
func TestWalkSeesOneChangedByte(t *testing.T) {
	const folder = `<d:response><d:href>/dav/%s</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop>` +
		`<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`
	const file = `<d:response><d:href>/dav/sub/f.txt</d:href><d:propstat><d:prop><d:resourcetype/><d:getcontentlength>3</d:getcontentlength>` +
		`<d:getetag>"%s"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`
	var etag atomic.Value
	etag.Store("v1")
	var fail atomic.Bool
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		body := `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">`
		switch r.URL.Path {
		case "/dav/":
			body += fmt.Sprintf(folder, "") + fmt.Sprintf(folder, "sub/")
		case "/dav/sub/":
			if fail.Load() {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
			body += fmt.Sprintf(folder, "sub/") + fmt.Sprintf(file, etag.Load())
		}
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, body+`</d:multistatus>`)
	})
	version := func() string { return walkAll(t, c)["sub/f.txt"].Version }
	if v := version(); v != `"v1"` {
		t.Fatalf("first walk: version %s", v)
	}
	d0 := c.decoded.Load()
	if v := version(); v != `"v1"` || c.decoded.Load() != d0 {
		t.Fatalf("same answers: version %s, %d decoded", v, c.decoded.Load()-d0)
	}
	etag.Store("v2")
	if v := version(); v != `"v2"` || c.decoded.Load() != d0+1 {
		t.Fatalf("one byte changed in sub's answer: version %s, %d decoded (want \"v2\", 1)", v, c.decoded.Load()-d0)
	}
	fail.Store(true)
	if err := c.Walk(testCtx(t), "", func(remote.Entry) error { return nil }); err == nil {
		t.Fatal("the walk did not fail")
	}
	fail.Store(false)
	d0 = c.decoded.Load()
	if v := version(); v != `"v2"` || c.decoded.Load() != d0 {
		t.Errorf("after a failed walk: version %s, %d decoded (want the last good walk's listings kept)", v, c.decoded.Load()-d0)
	}
}

// TestWalkKeepsABoundedListing: a walk keeps at most listCacheEntries entries decoded; the
// folders beyond are decoded every time and still listed right. (x/net/webdav over a
// folder: over its memory tree it lists a folder in another order each time, from a map,
// and no answer is ever the same.)
func TestWalkKeepsABoundedListing(t *testing.T) {
	defer func(n int) { listCacheEntries = n }(listCacheEntries)
	listCacheEntries = 5
	c := sharedFolder(t, davtest.XNet)
	var spec []string
	for i := range 4 {
		spec = append(spec, fmt.Sprintf("d%d/", i), fmt.Sprintf("d%d/f.txt", i))
	}
	buildTree(t, c, spec...)
	first := walkAll(t, c)
	d0 := c.decoded.Load()
	again := walkAll(t, c)
	// The root (4 entries) and one folder (1) fit; three folders are decoded again.
	if n := c.decoded.Load() - d0; n != 3 || !reflect.DeepEqual(again, first) {
		t.Errorf("second walk decoded %d answers (want 3) and gave %v (want %v)", n, slices.Sorted(maps.Keys(again)), slices.Sorted(maps.Keys(first)))
	}
}

// TestWalkKeepsEachAnswerThatSaysTheSame: a server that writes an unchanged folder's answer
// in one of two byte forms that answerSum does not make one (here: an attribute's quotes)
// gets each form decoded once; after that neither is decoded, and a changed ETag still is.
// One that writes it with its namespace declarations in either order (Apache) gets the
// second order not decoded at all.
func TestWalkKeepsEachAnswerThatSaysTheSame(t *testing.T) {
	for _, c := range []struct {
		name   string
		forms  []string
		decode int // the answers decoded in the first two walks
	}{
		{"quotes", []string{`xmlns:g0="DAV:" xmlns:g1="urn:x"`, `xmlns:g0='DAV:' xmlns:g1='urn:x'`}, 2},
		{"declarations in either order", []string{`xmlns:g0="DAV:" xmlns:g1="urn:x"`, `xmlns:g1="urn:x" xmlns:g0="DAV:"`}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var n atomic.Int32
			var etag atomic.Value
			etag.Store("v1")
			cl := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusMultiStatus)
				fmt.Fprintf(w, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response %s><d:href>/dav/</d:href>`+
					`<d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`+
					`<d:response><d:href>/dav/f.txt</d:href><d:propstat><d:prop><d:resourcetype/><d:getcontentlength>3</d:getcontentlength>`+
					`<d:getetag>"%s"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`,
					c.forms[n.Add(1)%2], etag.Load())
			})
			d0 := cl.decoded.Load()
			walkAll(t, cl)
			walkAll(t, cl) // the other form
			if n := cl.decoded.Load() - d0; n != int64(c.decode) {
				t.Errorf("the first two walks decoded %d answers, want %d", n, c.decode)
			}
			d0 = cl.decoded.Load()
			for range 4 {
				if v := walkAll(t, cl)["f.txt"].Version; v != `"v1"` {
					t.Fatalf("version %s", v)
				}
			}
			if n := cl.decoded.Load() - d0; n != 0 {
				t.Errorf("after both forms were seen, 4 walks decoded %d answers, want 0", n)
			}
			etag.Store("v2")
			if v := walkAll(t, cl)["f.txt"].Version; v != `"v2"` || cl.decoded.Load() != d0+1 {
				t.Errorf("after the ETag changed: version %s, %d decoded", v, cl.decoded.Load()-d0)
			}
		})
	}
}

// The 100,000-file tree (100 files a folder, 100 folders a group: 101,011 entries)
// is kept whole, so that none of its answers is decoded again when nothing changed; the
// bound stays near it (about 200 bytes an entry are held between polls).
func TestListCacheHoldsTheHundredThousandFileTree(t *testing.T) {
	const tree = 100_000 + 1_000 + 10 + 1
	if listCacheEntries < tree || listCacheEntries > 150_000 {
		t.Errorf("listCacheEntries = %d, want %d to 150,000", listCacheEntries, tree)
	}
}
