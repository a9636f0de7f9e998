package exec

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

func scanPaths(t *testing.T, l LocalFS, opts ScanOptions) string {
	t.Helper()
	opts.IncludeSubfolders = true
	nodes, err := l.Scan(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, n := range nodes {
		paths = append(paths, n.Path)
	}
	return strings.Join(paths, ",")
}

// TestScanOnlyLooksAtTheGivenPaths: a scan limited to the watcher's paths describes those
// that exist and walks the folders among them, and skips what does not exist, what lies
// below a file or a symlink, and ignored names, as a full scan would.
func TestScanOnlyLooksAtTheGivenPaths(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		for _, p := range []string{"a/x.txt", "a/sub/y.txt", "b/z.txt", "c.txt", "d/~$lock.docx", "d/keep.txt"} {
			k.write(p, "data "+p)
		}
		k.symlink("link")
		got := scanPaths(t, k.fs, ScanOptions{Only: []string{"a", "a/sub/y.txt", "c.txt", "gone.txt", "c.txt/below",
			"link/inside", "d/~$lock.docx", "b/nothing/deeper"}})
		if want := "a,a/sub,a/sub/y.txt,a/x.txt,c.txt"; got != want {
			t.Fatalf("scan of a, c.txt and paths that are gone or left out: %s, want %s", got, want)
		}
		if got := scanPaths(t, k.fs, ScanOptions{Only: []string{"b/z.txt", "link"}}); got != "b/z.txt,link" {
			t.Fatalf("scan of one file and a symlink: %s", got)
		}
		if got := scanPaths(t, k.fs, ScanOptions{Only: []string{""}}); got != "a,a/sub,a/sub/y.txt,a/x.txt,b,b/z.txt,c.txt,d,d/keep.txt,link" {
			t.Fatalf("scan of the root: %s", got)
		}
	})
}

// TestScanKeepDropsKnownNodesButWalksTheirFolders: Keep false leaves a node out, and a
// folder left out is still walked, so a caller can drop everything it knows and get the
// changes only.
func TestScanKeepDropsKnownNodesButWalksTheirFolders(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("a/old.txt", "o")
		k.write("a/new.txt", "n")
		k.write("top.txt", "t")
		known := map[string]bool{"a": true, "a/old.txt": true, "top.txt": true}
		var asked []string
		got := scanPaths(t, k.fs, ScanOptions{Keep: func(n plan.Node) bool {
			asked = append(asked, n.Path)
			return !known[n.Path]
		}})
		if got != "a/new.txt" {
			t.Fatalf("scan keeping unknown nodes: %s", got)
		}
		if len(asked) != 4 {
			t.Fatalf("Keep asked about %v, want every node", asked)
		}
	})
}

// TestScanHashLeavesRefusedFilesUnhashed: a file Hash refuses comes back without a hash,
// the others with theirs.
func TestScanHashLeavesRefusedFilesUnhashed(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("new.bin", "n")
		k.write("edited.txt", "e")
		nodes, err := k.fs.Scan(context.Background(), ScanOptions{Hash: func(n plan.Node) bool { return n.Path != "new.bin" }})
		if err != nil || len(nodes) != 2 {
			t.Fatalf("scan %+v %v", nodes, err)
		}
		if nodes[0].Path != "edited.txt" || nodes[0].Hash != memHash([]byte("e")) || nodes[1].Hash != "" {
			t.Fatalf("hashes %+v", nodes)
		}
	})
}

// TestScanEmitHandsOverTheNodes: with Emit the scan hands over what it would return.
func TestScanEmitHandsOverTheNodes(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("d/a.txt", "a")
		k.write("b.txt", "b")
		want := scanPaths(t, k.fs, ScanOptions{})
		var got []string
		nodes, err := k.fs.Scan(context.Background(), ScanOptions{IncludeSubfolders: true,
			Emit: func(n plan.Node) { got = append(got, n.Path) }})
		if err != nil || len(nodes) != 0 {
			t.Fatalf("scan with Emit returned %v, %v", nodes, err)
		}
		sort.Strings(got)
		if strings.Join(got, ",") != want {
			t.Fatalf("emitted %v, want %s", got, want)
		}
	})
}
