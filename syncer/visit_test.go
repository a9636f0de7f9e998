package syncer

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestVisitLeavesOutWhatTheListingLeavesOut: a visit works out whether an entry is left out
// of the cloud (cloudsync's own folders, names never synced, and everything below them)
// once per folder of entries in a row; it must say what pass.leftOutOfCloud says of the
// whole path, in any order of entries, and an entry left out must change nothing of the
// look (not counted, its folders not marked listed).
func TestVisitLeavesOutWhatTheListingLeavesOut(t *testing.T) {
	paths := []string{"a", "a/b", "a/b/c.txt", "a/~$b.docx", "a/~$b.docx/x", ".cloudsync", ".cloudsync/x", ".cloudsync/x/y",
		"own", "own/deep", "own/deep/f", "ownx", "ownx/f", "a/own", "a/own/f", "x/.~lock.f#", "x/.~lock.f#/y/z", "x/y",
		"x/Thumbs.db", "x/Thumbs.db/f", "x/y/z.TMP", "x/y/z.tmp/w", "x/y/ok.bin", "._a", "._a/b", "b/._c", "b/c"}
	own := []string{".cloudsync", "own", "a/own"}
	for seed := range uint64(20) {
		order := slices.Clone(paths)
		if seed > 0 {
			rand.New(rand.NewPCG(seed, 7)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		p := &pass{s: model.Set{RemoteRoot: "Docs"}, own: own}
		sc := &scope{p: p, ix: newSetIndex(), cloudNodes: newNodes(), gensC: map[uint32]bool{}}
		cl := &cloudLook{sc: sc, gen: sc.ix.next(), listed: map[string]bool{}, full: map[string]bool{}, cloudNodes: sc.cloudNodes}
		want, full := 0, map[string]bool{}
		for _, q := range order {
			if got, exp := cl.leftOut(q, cleanParent(q)), p.leftOutOfCloud(q); got != exp {
				t.Fatalf("order %d: %s left out %v, the whole path says %v", seed, q, got, exp)
			}
			cl.visit(remote.Entry{ID: "Docs/" + q, IDIsPath: true, Path: q, IsDir: true})
			if !p.leftOutOfCloud(q) {
				want++
				for d := parentOf(q); d != ""; d = parentOf(d) {
					full[d] = true
				}
			}
		}
		if cl.count != want || !maps.Equal(cl.full, full) {
			t.Fatalf("order %d: counted %d (want %d), folders listed below %v (want %v)", seed, cl.count, want, cl.full, full)
		}
	}
}

// TestRemoteNodeIDsAreJoinAs: a path id the listing gives as root/path already is taken
// as it is without asking again whether its parts are clean; every id is still the one
// remote.JoinAs makes of it.
func TestRemoteNodeIDsAreJoinAs(t *testing.T) {
	for _, root := range []string{"Docs", "", "a/b", "/Docs", "Docs/", "a//b", "./a"} {
		for _, c := range []struct{ id, path string }{{"Docs/x/y", "x/y"}, {"a/b/x", "x"}, {"/Docs/x", "x"}, {"Docs//x", "/x"},
			{"Docs/x", "./x"}, {"Docs/x/", "x/"}, {"", "x"}, {"x", "x"}, {"Docs/xy", "x"}, {"Docsx/y", "y"}, {"./a/x", "x"}, {"a//b/x", "x"}} {
			p := &pass{s: model.Set{RemoteRoot: root}}
			n := p.remoteNode(remote.Entry{ID: c.id, IDIsPath: true, Path: c.path})
			if want := remote.JoinAs(c.id, root, remote.Clean(c.path)); n.ID != want {
				t.Errorf("root %q, entry %q at %q: id %q, JoinAs makes %q", root, c.id, c.path, n.ID, want)
			}
		}
	}
}

// BenchmarkVisitUnchanged measures the engine's share of a no-change poll of 10,000 files
// in 100 folders (issue 11): each listed entry compared with the index (cloudLook.visit),
// as the WebDAV walk hands them over, a folder's entries together, path ids and ETags as
// rclone and Apache give them, the index's entries in an order unlike the listing's (a
// first sync records them as its uploads end). It reports ns per entry.
func BenchmarkVisitUnchanged(b *testing.B) {
	const folders, per = 100, 100
	var items []model.Item
	var entries []remote.Entry
	mod := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	add := func(rel string, dir bool) {
		etag := ""
		if !dir {
			etag = fmt.Sprintf(`"%x-%x"`, len(items)*7919, mod.UnixNano())
		}
		items = append(items, model.Item{Key: fmt.Sprintf("k%06d", len(items)), Path: rel, IsDir: dir, HasBase: true, Status: model.StatusSynced,
			Local: model.Side{ID: fmt.Sprint(len(items)), Version: "v"}, Remote: model.Side{ID: "Docs/" + rel, Version: etag}})
		entries = append(entries, remote.Entry{ID: "Docs/" + rel, IDIsPath: true, Path: rel, IsDir: dir, Size: 4096, ModTime: mod, Version: etag})
	}
	for d := range folders {
		add(fmt.Sprintf("d%04d", d), true)
		for f := range per {
			add(fmt.Sprintf("d%04d/f%07d.bin", d, d*per+f), false)
		}
	}
	ix := newSetIndex()
	for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(len(items)) {
		ix.put(items[i])
	}
	p := &pass{s: model.Set{RemoteRoot: "Docs"}, meta: true, noMeta: &remote.Meta{}}
	sc := &scope{p: p, ix: ix, cloudNodes: newNodes(), gensC: map[uint32]bool{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cl := &cloudLook{sc: sc, gen: ix.next(), listed: map[string]bool{}, full: map[string]bool{}, cloudNodes: sc.cloudNodes}
		for _, en := range entries {
			cl.visit(en)
		}
		if cl.cloudNodes.len() != 0 || cl.count != len(entries) {
			b.Fatalf("%d of %d entries differ from the index", cl.cloudNodes.len(), cl.count)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(entries)), "ns/entry")
}
