package webdav

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestPrevSubtreesAreNotCopied: a pruned List finds each unchanged folder's subtree in the
// previous listing without copying it once per folder above each entry (a million files
// three folders deep: three copies of the listing per poll, issue 11); each subtree is
// every entry below the folder, in any order prev came in.
func TestPrevSubtreesAreNotCopied(t *testing.T) {
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
