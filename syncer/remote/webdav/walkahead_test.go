package webdav

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// walkChecked walks c's folder root as a poll does and returns the entries by path,
// failing when an entry comes before its folder or twice.
func walkChecked(t *testing.T, c *Client, root string) (map[string]remote.Entry, error) {
	t.Helper()
	out := map[string]remote.Entry{}
	err := c.Walk(testCtx(t), root, func(e remote.Entry) error {
		if d := pathDir(e.Path); d != "" {
			if _, ok := out[d]; !ok {
				t.Errorf("%s came before its folder %s", e.Path, d)
			}
		}
		if _, ok := out[e.Path]; ok {
			t.Errorf("%s came twice", e.Path)
		}
		out[e.Path] = e
		return nil
	})
	return out, err
}

// TestWalkListsTheLastWalksFoldersBesideTheRoot: a walk that prunes nothing does not wait
// for the root's answer to list the folders the last walk found below it (walkahead.go).
// The server holds the second walk's root PROPFIND until a PROPFIND of a folder two levels
// down arrives; a walk that waits for each parent's answer never sends that one first.
func TestWalkListsTheLastWalksFoldersBesideTheRoot(t *testing.T) {
	var holding atomic.Bool
	var timedOut atomic.Bool
	deep := make(chan struct{})
	var once sync.Once
	var rootPath string
	base := newXNetServer(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PROPFIND" && holding.Load() {
				switch strings.TrimSuffix(r.URL.Path, "/") {
				case rootPath:
					select {
					case <-deep:
					case <-time.After(3 * time.Second):
						timedOut.Store(true)
					}
				case rootPath + "/a/b":
					once.Do(func() { close(deep) })
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	rootPath = strings.TrimSuffix(u.Path, "/") + "/set"
	c := newTestClient(t, base, nil)
	buildTree(t, c, "set/")
	for _, s := range listTree {
		buildTree(t, c, "set/"+s)
	}
	first, err := walkChecked(t, c, "set")
	if err != nil {
		t.Fatal(err)
	}
	holding.Store(true)
	second, err := walkChecked(t, c, "set")
	if err != nil {
		t.Fatal(err)
	}
	if timedOut.Load() {
		t.Error("the second walk did not list set/a/b before the root's answer came")
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("the second walk gave\n%v\nthe first gave\n%v", second, first)
	}
}

// TestWalkAheadGivesWhatAFreshWalkGives: on every real server, after folders were deleted
// (one with a folder inside: both listed ahead), one was replaced by a file, one renamed
// and one made, a walk that lists the last walk's folders ahead gives exactly what a new
// client's first walk gives, each folder before its content, and fails on none of the
// folders that are not there any more.
func TestWalkAheadGivesWhatAFreshWalkGives(t *testing.T) {
	for _, name := range realServers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := sharedFolder(t, name)
			ctx := testCtx(t)
			buildTree(t, c, listTree...)
			before, err := walkChecked(t, c, "")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Delete(ctx, before["a/b"]); err != nil { // a/b and a/b/c were listed
				t.Fatal(err)
			}
			if err := c.Delete(ctx, before["other2"]); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Move(ctx, before["other/o1"], "other/n1"); err != nil {
				t.Fatal(err)
			}
			buildTree(t, c, "other2", "new/", "new/sub/", "new/sub/x.txt")
			for range 2 { // (the second walk lists ahead what the first found)
				got, err := walkChecked(t, c, "")
				if err != nil {
					t.Fatal(err)
				}
				fresh, err := walkChecked(t, newProbedClient(t, c.base.String()), "")
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, fresh) {
					t.Fatalf("the walk gave\n%v\na new client's walk gave\n%v", got, fresh)
				}
				for _, p := range []string{"a/b", "other/o1", "other/o1/o2/z.txt"} {
					if _, ok := got[p]; ok {
						t.Errorf("%s is gone and was given", p)
					}
				}
				if e, ok := got["other2"]; !ok || e.IsDir {
					t.Errorf("other2 (now a file) given as %+v", e)
				}
				if _, ok := got["new/sub/x.txt"]; !ok {
					t.Error("new/sub/x.txt was not given")
				}
			}
		})
	}
}

// TestWalkListsAgainAFolderThatFailedAhead: a folder's listing made ahead of its parent's
// answer counts for nothing when it fails (the folder may not have been there yet): the
// folder is listed again once its parent names it, and only that listing's failure fails
// the walk.
func TestWalkListsAgainAFolderThatFailedAhead(t *testing.T) {
	var fails atomic.Int32
	var asked atomic.Int32
	var target string
	base := newXNetServer(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PROPFIND" && strings.TrimSuffix(r.URL.Path, "/") == target {
				asked.Add(1)
				if fails.Add(-1) >= 0 {
					http.Error(w, "busy", http.StatusInternalServerError)
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	target = strings.TrimSuffix(u.Path, "/") + "/a/b"
	c := newTestClient(t, base, nil)
	buildTree(t, c, listTree...)
	want, err := walkChecked(t, c, "")
	if err != nil {
		t.Fatal(err)
	}
	asked.Store(0)
	fails.Store(1)
	got, err := walkChecked(t, c, "")
	if err != nil {
		t.Fatalf("a walk whose listing of a/b made ahead failed once: %v", err)
	}
	if n := asked.Load(); n != 2 {
		t.Errorf("a/b was asked %d times, want 2 (ahead, then again)", n)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the walk gave\n%v\nthe one before gave\n%v", got, want)
	}
	fails.Store(2)
	if _, err := walkChecked(t, c, ""); remote.StatusOf(err) != http.StatusInternalServerError {
		t.Errorf("a walk whose listings of a/b all failed: %v, want the server's 500", err)
	}
}

// TestWalkListsTheLargestFolderAheadFirst: the folders listed ahead are started largest
// first (by their last answer's entries), so a large folder is not the walk's tail. With
// one listing at a time, the second walk's first listing after the root's is the folder
// of 20 files, whatever the order of the other nine.
func TestWalkListsTheLargestFolderAheadFirst(t *testing.T) {
	defer func(old int) { listParallel = old }(listParallel)
	listParallel = 1
	var mu sync.Mutex
	var asked []string
	base := newXNetServer(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PROPFIND" {
				mu.Lock()
				asked = append(asked, path.Base(strings.TrimSuffix(r.URL.Path, "/")))
				mu.Unlock()
			}
			h.ServeHTTP(w, r)
		})
	})
	c := newTestClient(t, base, nil)
	spec := []string{"set/"}
	for _, d := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"} {
		spec = append(spec, "set/"+d+"/", "set/"+d+"/1.txt")
	}
	spec = append(spec, "set/big/")
	for i := range 20 {
		spec = append(spec, fmt.Sprintf("set/big/%02d.txt", i))
	}
	buildTree(t, c, spec...)
	for range 2 {
		mu.Lock()
		asked = nil
		mu.Unlock()
		if _, err := walkChecked(t, c, "set"); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 11 || asked[0] != "set" || asked[1] != "big" {
		t.Errorf("the second walk listed %v, want set, then big, then the others", asked)
	}
}
