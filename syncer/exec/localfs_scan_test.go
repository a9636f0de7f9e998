package exec

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// The LocalFS contract (localfs_contract_test.go), continued: what a scan reports, and the
// paths and roots a LocalFS refuses.

func TestScanSkipsIgnoredAndTempFilesAndReportsSymlinks(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		for _, p := range []string{"~$report.docx", ".~lock.report.odt#", "x.TMP", "._a", ".DS_Store",
			"thumbs.db", "Desktop.ini", "d/~$inner.docx", "~$dir/inside.txt"} {
			k.write(p, "noise")
		}
		k.write("top.txt", "t")
		k.write("d/keep.txt", "k")
		k.symlink("link")
		st := stage(t, k.fs, "d/new.txt", "downloading")
		defer st.Discard()
		nodes, err := k.fs.Scan(context.Background(), ScanOptions{IncludeSubfolders: true})
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, n := range nodes {
			paths = append(paths, n.Path)
			switch n.Path {
			case "link":
				if !n.Unsupported || n.Hash != "" {
					t.Errorf("symlink %+v: want Unsupported, no hash", n)
				}
			case "top.txt":
				if n.Hash != memHash([]byte("t")) || n.Unsupported {
					t.Errorf("top.txt %+v", n)
				}
			}
		}
		if got := strings.Join(paths, ","); got != "d,d/keep.txt,link,top.txt" {
			t.Fatalf("scan %s", got)
		}
		flat, err := k.fs.Scan(context.Background(), ScanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		paths = nil
		for _, n := range flat {
			paths = append(paths, n.Path)
		}
		if got := strings.Join(paths, ","); got != "link,top.txt" {
			t.Fatalf("scan without subfolders %s", got)
		}
	})
}

func TestScanHashesOnlyFilesTheBaseDoesNotKnow(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("known.txt", "k")
		k.write("stale.txt", "s1")
		known, stale := mustStat(t, k.fs, "known.txt"), mustStat(t, k.fs, "stale.txt")
		k.write("stale.txt", "s2 edited")
		var asked []string
		nodes, err := k.fs.Scan(context.Background(), ScanOptions{Known: func(id string) (string, string, bool) {
			asked = append(asked, id)
			switch id {
			case known.ID:
				return known.Version, "hash-from-base", true
			case stale.ID:
				return stale.Version, "old-hash", true
			}
			return "", "", false
		}})
		if err != nil || len(nodes) != 2 {
			t.Fatalf("scan %+v %v", nodes, err)
		}
		if nodes[0].Hash != "hash-from-base" {
			t.Errorf("a known, unchanged file was hashed: %+v", nodes[0])
		}
		if nodes[1].Hash != memHash([]byte("s2 edited")) {
			t.Errorf("an edited file kept the base's hash: %+v", nodes[1])
		}
		if len(asked) != 2 {
			t.Errorf("Known consulted for %v", asked)
		}
	})
}

func TestScanHonoursContext(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("a", "a")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := k.fs.Scan(ctx, ScanOptions{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("scan with a cancelled context: %v", err)
		}
	})
}

func TestEscapingPathsAreRefused(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("a.txt", "a")
		k.symlink("link")
		for _, p := range []string{"../evil", "/evil", "d/../../evil", "link/evil", "link/../../evil"} {
			if _, err := k.fs.Stage(context.Background(), p, strings.NewReader("x")); err == nil {
				t.Errorf("stage %q accepted", p)
			}
			if _, err := k.fs.Mkdir(p + "/dir"); err == nil {
				t.Errorf("mkdir %q accepted", p+"/dir")
			}
			if _, err := k.fs.Rename("a.txt", p+"/moved"); err == nil {
				t.Errorf("rename to %q accepted", p+"/moved")
			}
			if _, _, err := k.fs.Open(p + "/x"); err == nil {
				t.Errorf("open %q accepted", p+"/x")
			}
		}
		if _, _, err := k.fs.Open("link"); err == nil {
			t.Error("opened a symlink")
		}
		if got := k.outside(); len(got) != 0 {
			t.Fatalf("written outside the root: %v", got)
		}
		if k.temps() != 0 {
			t.Fatalf("%d temps left", k.temps())
		}
	})
}

func TestRootOKRefusesMissingAndSuspiciouslyEmptyRoots(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		if err := k.fs.RootOK(false); err != nil {
			t.Fatalf("an empty root for an empty base: %v", err)
		}
		if err := k.fs.RootOK(true); err == nil {
			t.Fatal("an empty root is accepted although the base has items")
		}
		k.write("a", "a")
		if err := k.fs.RootOK(true); err != nil {
			t.Fatalf("a root with items: %v", err)
		}
		k.dropRoot()
		for _, had := range []bool{false, true} {
			if err := k.fs.RootOK(had); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("missing root (hadItems %v): %v, want fs.ErrNotExist", had, err)
			}
		}
	})
}
