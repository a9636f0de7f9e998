package webdav

import (
	"errors"
	"reflect"
	"sort"
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
