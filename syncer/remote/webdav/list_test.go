package webdav

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// buildTree makes folders (ending in "/") and files on c, parents first.
func buildTree(t *testing.T, c *Client, spec ...string) {
	t.Helper()
	ctx := testCtx(t)
	for _, s := range spec {
		var err error
		if p, ok := strings.CutSuffix(s, "/"); ok {
			_, err = c.Mkdir(ctx, p)
		} else {
			_, err = c.Upload(ctx, s, nil, strings.NewReader(s), int64(len(s)))
		}
		if err != nil {
			t.Fatalf("making %s: %v", s, err)
		}
	}
}

var listTree = []string{
	"a/", "a/b/", "a/b/c/", "a/b/c/deep.txt",
	"other/", "other/o1/", "other/o1/o2/", "other/o1/o2/z.txt", "other2/", "other2/x.txt", "top.txt",
}

func TestListWithPrevReusesUnchangedSubtreesOnOwnCloud(t *testing.T) {
	srv := newOCServer(t)
	c := newProbedClient(t, srv.url)
	ctx := testCtx(t)
	buildTree(t, c, listTree...)

	n0 := srv.propfinds()
	prev, err := c.List(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.propfinds() - n0; got != 8 {
		t.Errorf("full List made %d PROPFINDs, want 8 (one per folder)", got)
	}
	deep, err := c.Stat(ctx, "a/b/c/deep.txt")
	if err != nil {
		t.Fatal(err)
	}
	if deep.IDIsPath || deep.Hash == "" || !strings.HasPrefix(deep.Hash, "sha1:") {
		t.Errorf("ownCloud entry %+v: want a file id and a sha1 checksum", deep)
	}
	if _, err := c.Upload(ctx, "a/b/c/deep.txt", &deep, strings.NewReader("changed"), 7); err != nil {
		t.Fatal(err)
	}

	n1 := srv.propfinds()
	got, err := c.List(ctx, "", prev)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.propfinds() - n1; n != 4 {
		t.Errorf("List with prev made %d PROPFINDs, want 4 (root, a, a/b, a/b/c; other and other2 reused)", n)
	}
	full, err := c.List(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, full) {
		t.Errorf("List with prev differs from a full List:\n got %+v\nfull %+v", got, full)
	}

	// Reuse must also work for a listed sub-root, whose paths are relative to it.
	sub, err := c.List(ctx, "other", nil)
	if err != nil {
		t.Fatal(err)
	}
	n2 := srv.propfinds()
	again, err := c.List(ctx, "other", sub)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.propfinds() - n2; n != 1 || !reflect.DeepEqual(again, sub) {
		t.Errorf("unchanged List(other, prev) made %d PROPFINDs (want 1) and returned %+v, want %+v", n, again, sub)
	}
}

func TestListWithPrevWalksEverythingWithoutFolderETags(t *testing.T) {
	c := newTestClient(t, newXNetServer(t, nil, nil), nil)
	ctx := testCtx(t)
	buildTree(t, c, listTree...)
	prev, err := c.List(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, remote.Entry{Path: "other/o1/o2/z.txt"}); err != nil {
		t.Fatal(err)
	}
	got, err := c.List(ctx, "", prev)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range got {
		if e.Path == "other/o1/o2/z.txt" {
			t.Fatalf("a deleted file is still listed: prev was reused on a server without folder ETags")
		}
		if !e.IDIsPath {
			t.Errorf("x/net/webdav entry %q has a non-path id %q", e.Path, e.ID)
		}
	}
	if len(got) != len(prev)-1 {
		t.Errorf("List = %d entries, want %d", len(got), len(prev)-1)
	}
}

func TestListFolderVanishingMidWalkIsChangedNotEmpty(t *testing.T) {
	root := `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">` +
		`<d:response><d:href>/dav/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>` +
		`<d:response><d:href>/dav/sub/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>` +
		`</d:multistatus>`
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/dav/sub/" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, root)
	})
	es, err := c.List(testCtx(t), "", nil)
	if !errors.Is(err, remote.ErrChanged) {
		t.Fatalf("List = %v, %v; want ErrChanged", es, err)
	}
}

func TestListOfAFileIsNotFound(t *testing.T) {
	c := newTestClient(t, newXNetServer(t, nil, nil), nil)
	buildTree(t, c, "f.txt")
	if _, err := c.List(testCtx(t), "f.txt", nil); !errors.Is(err, remote.ErrNotFound) {
		t.Errorf("List(file) = %v, want ErrNotFound", err)
	}
	if _, err := c.ReadDir(testCtx(t), "f.txt"); !errors.Is(err, remote.ErrNotFound) {
		t.Errorf("ReadDir(file) = %v, want ErrNotFound", err)
	}
}

func TestListRunsBoundedParallelPropfinds(t *testing.T) {
	var inflight, peak atomic.Int32
	var slow atomic.Bool
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PROPFIND" && slow.Load() {
				n := inflight.Add(1)
				defer inflight.Add(-1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(20 * time.Millisecond)
			}
			h.ServeHTTP(w, r)
		})
	}
	c := newTestClient(t, newXNetServer(t, nil, wrap), nil)
	var spec []string
	for i := range 12 {
		spec = append(spec, fmt.Sprintf("d%02d/", i), fmt.Sprintf("d%02d/f.txt", i))
	}
	buildTree(t, c, spec...)
	slow.Store(true)
	es, err := c.List(testCtx(t), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 24 {
		t.Errorf("List = %d entries, want 24", len(es))
	}
	if p := peak.Load(); p <= 4 || int(p) > listParallel {
		t.Errorf("peak concurrent PROPFINDs = %d, want more than 4 and at most %d", p, listParallel)
	}
}
