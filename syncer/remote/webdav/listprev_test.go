package webdav

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/cloudsync/cloudsync/syncer/internal/alone"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestPrevSubtreesAreNotCopied: a pruned List finds each unchanged folder's subtree in the
// previous listing without copying it once per folder above each entry (a million files
// three folders deep: three copies of the listing per poll, issue 11); each subtree is
// every entry below the folder, in any order prev came in.
func TestPrevSubtreesAreNotCopied(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
	var prev []remote.Entry
	for g := range 10 {
		prev = append(prev, remote.Entry{Path: fmt.Sprintf("g%d", g), IsDir: true, ID: fmt.Sprint("id-g", g), Version: "v"})
		for d := range 10 {
			dir := fmt.Sprintf("g%d/d%d", g, d)
			prev = append(prev, remote.Entry{Path: dir, IsDir: true, ID: "id-" + dir, Version: "v"})
			for f := range 1000 {
				prev = append(prev, remote.Entry{Path: fmt.Sprintf("%s/f%d", dir, f), ID: fmt.Sprint(g, d, f), Version: "v"})
			}
		}
	}
	prev = append(prev, remote.Entry{Path: "g1 b", IsDir: true, ID: "id-g1 b", Version: "v"}, remote.Entry{Path: "g1 b/x", ID: "x", Version: "v"})
	slices.SortFunc(prev, func(a, b remote.Entry) int { return strings.Compare(a.Path, b.Path) }) // as List returns it
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	ix := indexPrev(prev)
	runtime.ReadMemStats(&m1)
	if per := float64(m1.TotalAlloc-m0.TotalAlloc) / float64(len(prev)); per > 40 {
		t.Errorf("indexing the previous listing allocated %.0f bytes per entry, want at most 40 (no copies)", per)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	shuffled := slices.Clone(prev)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, x := range []*prevIndex{ix, indexPrev(shuffled)} {
		for _, dir := range []string{"g1", "g1/d3", "g1 b", "g9/d9"} {
			sub, ok := x.reusable(remote.Entry{Path: dir, IsDir: true, ID: "id-" + dir, Version: "v"})
			var want []string
			for _, e := range prev {
				if strings.HasPrefix(e.Path, dir+"/") {
					want = append(want, e.Path)
				}
			}
			var got []string
			for _, e := range sub {
				got = append(got, e.Path)
			}
			slices.Sort(want)
			slices.Sort(got)
			if !ok || !slices.Equal(got, want) {
				t.Errorf("subtree of %s: %d entries (ok %v), want %d", dir, len(got), ok, len(want))
			}
		}
		if _, ok := x.reusable(remote.Entry{Path: "g2", IsDir: true, ID: "id-g2", Version: "changed"}); ok {
			t.Error("a folder whose version changed was reused")
		}
	}
}

// TestPrunedListOfAnUnchangedTreeCopiesItOnce: a List that reuses every subtree of the
// previous one (nothing changed on a server whose folder ETags propagate) returns the same
// entries, allocating about one copy of them: the result grown by appending copied a
// million entries about twice more per poll, and each path was cleaned into a new string
// (issue 11).
func TestPrunedListOfAnUnchangedTreeCopiesItOnce(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
	srv := newOCServer(t)
	c := newProbedClient(t, srv.url)
	ctx := testCtx(t)
	fs := srv.srv.FileSystem()
	for d := range 20 {
		dir := fmt.Sprintf("/d%02d", d)
		if err := fs.Mkdir(ctx, dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range 200 {
			w, err := fs.OpenFile(ctx, fmt.Sprintf("%s/f%03d.txt", dir, f), os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("x"))
			w.Close()
		}
	}
	prev, err := c.List(ctx, "", nil)
	if err != nil || len(prev) != 20*201 {
		t.Fatalf("List: %d entries, %v", len(prev), err)
	}
	if _, err := c.List(ctx, "", prev); err != nil { // (the server's first answers of the root take more)
		t.Fatal(err)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	got, err := c.List(ctx, "", prev)
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, prev, func(a, b remote.Entry) bool { return a.Path == b.Path && a.ID == b.ID && a.Version == b.Version }) {
		t.Fatalf("the pruned List gave %d entries, not the previous %d", len(got), len(prev))
	}
	// The in-process server's answer is counted too. Measured: 1156 bytes per entry (136
	// an entry) when the previous subtrees were copied per folder above, 773 when the
	// result grew by appending and every path was cleaned anew, 277 now.
	size := float64(unsafe.Sizeof(remote.Entry{}))
	if per := float64(m1.TotalAlloc-m0.TotalAlloc) / float64(len(prev)); per > 2.5*size {
		t.Errorf("the pruned List allocated %.0f bytes per entry, want at most %.0f (an entry is %.0f)", per, 2.5*size, size)
	}
}
