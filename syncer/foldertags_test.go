package syncer

import (
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestWritesDropTheTagsAboveACloudChange: a write of the set's items that changes what the
// index holds of an item's cloud side (another version, a drop, a move) drops the tags of
// the folders above it, and only those: the next walk lists them and finds the base's
// change there, instead of taking the subtree to be a base it no longer is. A write that
// leaves the cloud side alone (a local edit recorded) keeps them, and a write during a walk
// keeps that walk from tagging the folders above it.
func TestWritesDropTheTagsAboveACloudChange(t *testing.T) {
	item := func(key, p string, dir bool, cloudVersion, localVersion string) model.Item {
		return model.Item{Key: key, Path: p, IsDir: dir, HasBase: true,
			Local:  model.Side{ID: "l-" + key, Version: localVersion},
			Remote: model.Side{ID: "c-" + key, Version: cloudVersion}}
	}
	items := []model.Item{
		item("1", "a", true, "", ""), item("2", "a/b", true, "", ""), item("3", "a/b/f.txt", false, "v1", "t1"),
		item("4", "a/c", true, "", ""), item("5", "a/c/g.txt", false, "v1", "t1"), item("6", "d", true, "", ""),
		item("7", "d/h.txt", false, "v1", "t1"),
	}
	folders := []string{"a", "a/b", "a/c", "d"}
	fresh := func() *setIndex {
		x := newSetIndex()
		for _, it := range items {
			x.put(it)
		}
		walked := map[uint64]uint64{}
		for _, d := range folders {
			walked[x.pathHash(d)] = x.tagOf("c-"+d, "etag")
		}
		x.keepTags(walked, nil)
		return x
	}
	tagged := func(x *setIndex) map[string]bool {
		out := map[string]bool{}
		for _, d := range folders {
			if x.knownFolder(d, "c-"+d, "etag") {
				out[d] = true
			}
		}
		return out
	}
	check := func(what string, x *setIndex, want ...string) {
		t.Helper()
		got := tagged(x)
		if len(got) != len(want) {
			t.Errorf("%s: tags kept %v, want %v", what, got, want)
			return
		}
		for _, d := range want {
			if !got[d] {
				t.Errorf("%s: tags kept %v, want %v", what, got, want)
				return
			}
		}
	}

	x := fresh()
	check("as walked", x, folders...)
	x.noteWrites([]model.Item{item("3", "a/b/f.txt", false, "v1", "t2")}, nil)
	check("a local edit recorded", x, folders...)
	x.noteWrites([]model.Item{item("3", "a/b/f.txt", false, "v2", "t2")}, nil)
	check("a new cloud version of a/b/f.txt", x, "a/c", "d")

	x = fresh()
	x.noteWrites(nil, []string{"5"})
	check("a/c/g.txt dropped", x, "a/b", "d")

	x = fresh()
	x.noteWrites([]model.Item{item("7", "a/b/h.txt", false, "v1", "t1")}, nil)
	check("d/h.txt moved to a/b", x, "a/c")

	x = fresh()
	x.noteWrites([]model.Item{item("8", "d/new.txt", false, "v1", "t1")}, nil)
	check("d/new.txt recorded", x, "a", "a/b", "a/c")

	x = fresh()
	x.beginTags()
	x.noteWrites([]model.Item{item("5", "a/c/g.txt", false, "v2", "t1")}, nil)
	walked := map[uint64]uint64{}
	for _, d := range folders {
		walked[x.pathHash(d)] = x.tagOf("c-"+d, "etag")
	}
	x.keepTags(walked, map[uint64]bool{x.pathHash("d"): true})
	check("a write during the walk, d unclean", x, "a/b")
}
