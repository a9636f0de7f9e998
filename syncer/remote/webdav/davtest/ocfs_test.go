package davtest

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	xwebdav "golang.org/x/net/webdav"
)

// TestOwnCloudFolderTagsFollowTheirSubtreeFromTheCache: the ownCloud-like server on disk
// (Start(OwnCloud), the benchmark's pruning server) keeps its folders' propagated ETags
// between requests, as Nextcloud's file cache does, and drops them on every write below:
// a listing of an unchanged tree computes no tag (a million-file tree's root tag walks the
// whole tree: seconds per poll, which no real server spends), and a write, a new folder and
// a move each give the root a new tag.
func TestOwnCloudFolderTagsFollowTheirSubtreeFromTheCache(t *testing.T) {
	dir := t.TempDir()
	url, stop, o, err := serveOC(xwebdav.Dir(dir)) // as Start(OwnCloud) serves
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	s := &Server{URL: url}
	do(t, "MKCOL", s.URL+"a", "", http.StatusCreated)
	do(t, "MKCOL", s.URL+"a/b", "", http.StatusCreated)
	do(t, http.MethodPut, s.URL+"a/b/c.txt", "one", http.StatusCreated)
	tag := regexp.MustCompile(`<D:getetag>([^<]*)</D:getetag>`)
	rootTag := func() string {
		t.Helper()
		m := tag.FindStringSubmatch(do(t, "PROPFIND", s.URL, "", http.StatusMultiStatus))
		if m == nil {
			t.Fatal("the root has no getetag")
		}
		return m[1]
	}
	// What was written into the folder directly gets an id when it is served, as Nextcloud's
	// scanner gives one (the probe finds ids on a folder made so, and the client prunes).
	if err := os.Mkdir(filepath.Join(dir, "direct"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := do(t, "PROPFIND", s.URL+"direct", "", http.StatusMultiStatus); !regexp.MustCompile(`fileid[^>]*>[0-9]+<`).MatchString(got) {
		t.Errorf("a folder made on disk is served without an oc:fileid:\n%s", got)
	}
	seen := map[string]bool{}
	first := rootTag()
	seen[first] = true
	before := o.computed.Load()
	if again := rootTag(); again != first {
		t.Errorf("the root's tag changed with nothing written: %s → %s", first, again)
	}
	if n := o.computed.Load() - before; n != 0 {
		t.Errorf("listing an unchanged tree computed %d folder tags, want 0 (cached)", n)
	}
	for _, change := range []func(){
		func() { do(t, http.MethodPut, s.URL+"a/b/c.txt", "two", http.StatusCreated) },
		func() { do(t, "MKCOL", s.URL+"a/b/d", "", http.StatusCreated) },
		func() {
			req := s.URL + "a/b/c.txt"
			r, _ := http.NewRequest("MOVE", req, nil)
			r.Header.Set("Destination", s.URL+"a/c.txt")
			r.SetBasicAuth(User, Password)
			resp, err := http.DefaultClient.Do(r)
			if err != nil || resp.StatusCode != http.StatusCreated {
				t.Fatalf("MOVE: %v %v", resp, err)
			}
			resp.Body.Close()
		},
	} {
		change()
		got := rootTag()
		if seen[got] {
			t.Errorf("after a change below it the root's tag is an old one: %s", got)
		}
		seen[got] = true
	}
}
