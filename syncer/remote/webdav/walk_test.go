package webdav

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestWalkGivesWhatListGives: Walk hands over the entries List returns (each once, a
// folder before its content), and an error of its callback stops it.
func TestWalkGivesWhatListGives(t *testing.T) {
	c := newTestClient(t, newXNetServer(t, nil, nil), nil)
	buildTree(t, c, "set/")
	for _, s := range listTree {
		buildTree(t, c, "set/"+s)
	}
	ctx := testCtx(t)
	want, err := c.List(ctx, "set", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []remote.Entry
	seen := map[string]bool{}
	err = c.Walk(ctx, "set", func(e remote.Entry) error {
		if d := pathDir(e.Path); d != "" && !seen[d] {
			t.Errorf("%s came before its folder %s", e.Path, d)
		}
		seen[e.Path] = true
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Path < got[j].Path })
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Walk gave %+v\nList gave %+v", got, want)
	}
	stop := errors.New("enough")
	n := 0
	if err := c.Walk(ctx, "set", func(remote.Entry) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Walk after its callback failed: %v, %d calls", err, n)
	}
}

// TestWalkPrunedListsNothingBelowAKnownFolder: on a server whose folder ETags follow their
// subtree, WalkPruned asks about each folder with an id and an ETag, gives a known folder's
// entry and nothing below it, and does not list it; elsewhere it never asks and walks
// everything (remote.PruningWalker).
func TestWalkPrunedListsNothingBelowAKnownFolder(t *testing.T) {
	walk := func(c *Client, known func(remote.Entry) bool) (map[string]bool, []string) {
		got := map[string]bool{}
		var asked []string
		err := c.WalkPruned(testCtx(t), "", func(e remote.Entry) bool {
			asked = append(asked, e.Path)
			return known(e)
		}, func(e remote.Entry) error { got[e.Path] = true; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return got, asked
	}
	srv := newOCServer(t)
	c := newProbedClient(t, srv.url)
	buildTree(t, c, listTree...)
	n0 := srv.propfinds()
	got, asked := walk(c, func(e remote.Entry) bool { return e.Path == "other" })
	sort.Strings(asked)
	if want := []string{"a", "a/b", "a/b/c", "other", "other2"}; !reflect.DeepEqual(asked, want) {
		t.Errorf("WalkPruned asked about %v, want %v", asked, want)
	}
	for _, p := range listTree {
		p = strings.TrimSuffix(p, "/")
		if below := strings.HasPrefix(p, "other/"); got[p] == below {
			t.Errorf("%s: given %v", p, got[p])
		}
	}
	if n := srv.propfinds() - n0; n != 5 {
		t.Errorf("WalkPruned made %d PROPFINDs, want 5 (the root, a, a/b, a/b/c, other2)", n)
	}

	x := newTestClient(t, newXNetServer(t, nil, nil), nil)
	buildTree(t, x, listTree...)
	got, asked = walk(x, func(remote.Entry) bool { return true })
	if len(asked) != 0 || len(got) != len(listTree) {
		t.Errorf("without folder ETags WalkPruned asked about %v and gave %d entries, want none asked and %d", asked, len(got), len(listTree))
	}
}
