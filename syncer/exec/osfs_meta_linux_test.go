//go:build linux

package exec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Metadata on a real file system: the user.dublincore.* extended attributes of the files and
// folders of t.TempDir() (ext4, xfs, btrfs and tmpfs since Linux 6.6 keep them).

func setxattr(t testing.TB, p, name, v string) {
	t.Helper()
	if err := unix.Setxattr(p, name, []byte(v), 0); err != nil {
		t.Skipf("this file system keeps no user extended attributes: %v", err)
	}
}

func getxattr(p, name string) (string, bool) {
	v, err := getXattr(p, name)
	return string(v), err == nil
}

func scanMeta(t *testing.T, o *OSFS, opts ScanOptions) map[string]*remote.Meta {
	t.Helper()
	nodes, err := o.Scan(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*remote.Meta{}
	for _, n := range nodes {
		out[n.Path] = n.Meta
	}
	return out
}

func TestScanReadsTheDublinCoreAttributes(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "report.txt"), "x")
	writeFile(t, filepath.Join(root, "plain.txt"), "y")
	if err := os.Mkdir(filepath.Join(root, "Folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	setxattr(t, filepath.Join(root, "report.txt"), "user.dublincore.title", "Quarterly report")
	setxattr(t, filepath.Join(root, "report.txt"), "user.dublincore.creator", "Ann\x00") // a C string
	setxattr(t, filepath.Join(root, "report.txt"), "user.xdg.comment", "not ours")
	setxattr(t, filepath.Join(root, "Folder"), "user.dublincore.description", "line one\nline two")
	o := NewOSFS(root)
	got := scanMeta(t, o, ScanOptions{IncludeSubfolders: true, Meta: true})
	want := map[string]remote.Meta{
		"report.txt": {Title: "Quarterly report", Author: "Ann"},
		"plain.txt":  {},
		"Folder":     {Description: "line one\nline two"},
	}
	for p, w := range want {
		if got[p] == nil || *got[p] != w {
			t.Errorf("%s: Meta %v, want %+v", p, got[p], w)
		}
	}
	for p, m := range scanMeta(t, o, ScanOptions{IncludeSubfolders: true}) {
		if m != nil {
			t.Errorf("%s: Meta read without ScanOptions.Meta", p)
		}
	}
}

func TestScanReportsMetadataThatIsNotText(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "bin.txt"), "x")
	setxattr(t, filepath.Join(root, "bin.txt"), "user.dublincore.title", "\xff\xfe bad")
	var bad []string
	got := scanMeta(t, NewOSFS(root), ScanOptions{Meta: true, BadMeta: func(p string, err error) { bad = append(bad, p) }})
	if got["bin.txt"] != nil || len(bad) != 1 || bad[0] != "bin.txt" {
		t.Fatalf("Meta %v, reported %v: want unknown metadata, reported once", got["bin.txt"], bad)
	}
}

func TestSetMetaWritesRemovesAndRechecks(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a.txt"), "x")
	full := filepath.Join(root, "a.txt")
	setxattr(t, full, "user.dublincore.description", "old")
	o := NewOSFS(root)
	n, err := o.Stat("a.txt")
	if err != nil {
		t.Fatal(err)
	}
	n.Meta = &remote.Meta{Description: "old"}
	want := remote.Meta{Title: "New title", Author: "Bob"}
	if err := o.SetMeta("a.txt", n, want); err != nil {
		t.Fatal(err)
	}
	if v, _ := getxattr(full, "user.dublincore.title"); v != "New title" {
		t.Errorf("title %q", v)
	}
	if v, _ := getxattr(full, "user.dublincore.creator"); v != "Bob" {
		t.Errorf("creator %q", v)
	}
	if _, ok := getxattr(full, "user.dublincore.description"); ok {
		t.Errorf("description not removed")
	}
	// Stale expectations change nothing.
	if err := o.SetMeta("a.txt", n, remote.Meta{Title: "again"}); !errors.Is(err, ErrLocalChanged) {
		t.Errorf("SetMeta with stale metadata = %v, want ErrLocalChanged", err)
	}
	writeFile(t, filepath.Join(root, "a.txt"), "edited, longer")
	n.Meta = &want
	if err := o.SetMeta("a.txt", n, remote.Meta{Title: "again"}); !errors.Is(err, ErrLocalChanged) {
		t.Errorf("SetMeta of an edited file = %v, want ErrLocalChanged", err)
	}
	if v, _ := getxattr(full, "user.dublincore.title"); v != "New title" {
		t.Errorf("title %q after refused writes", v)
	}
}

// TestSetMetaOnAReadOnlyFile: a file the lock option made read-only still takes metadata,
// and stays read-only.
func TestSetMetaOnAReadOnlyFile(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "locked.txt"), "x")
	full := filepath.Join(root, "locked.txt")
	setxattr(t, full, "user.probe", "1")
	if err := os.Chmod(full, 0o444); err != nil {
		t.Fatal(err)
	}
	o := NewOSFS(root)
	n, _ := o.Stat("locked.txt")
	if err := o.SetMeta("locked.txt", n, remote.Meta{Title: "T"}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(full)
	if v, _ := getxattr(full, "user.dublincore.title"); v != "T" || fi.Mode().Perm() != 0o444 {
		t.Fatalf("title %q mode %v, want T and 0444", v, fi.Mode().Perm())
	}
}

func TestStagedMetaArrivesWithTheDownload(t *testing.T) {
	root := t.TempDir()
	o := NewOSFS(root)
	st, err := o.Stage(context.Background(), "new.txt", strings.NewReader("content"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.(MetaStaged).SetMeta(remote.Meta{Title: "T"}); err != nil {
		t.Skipf("this file system keeps no user extended attributes: %v", err)
	}
	if _, err := st.Commit(nil, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if v, _ := getxattr(filepath.Join(root, "new.txt"), "user.dublincore.title"); v != "T" {
		t.Fatalf("title %q, want T", v)
	}
}

// TestNoUserXattrsIsOneClearError: on a file system without user extended attributes
// (ramfs; like FAT or an old tmpfs) MetaSupport says so, naming the folder, and a scan
// still works (every item without metadata).
func TestNoUserXattrsIsOneClearError(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "ramfs", "-o", "mode=0755", "ramfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a ramfs here (needs root with CAP_SYS_ADMIN): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	writeFile(t, filepath.Join(dir, "a.txt"), "x")
	o := NewOSFS(dir)
	err := o.MetaSupport()
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "extended attributes") {
		t.Fatalf("MetaSupport = %v, want an error naming %s and extended attributes", err, dir)
	}
	got := scanMeta(t, o, ScanOptions{Meta: true})
	if got["a.txt"] == nil || !got["a.txt"].IsZero() {
		t.Fatalf("scan Meta %v, want none", got["a.txt"])
	}
	if err := NewOSFS(t.TempDir()).MetaSupport(); err != nil {
		t.Fatalf("MetaSupport on the temp dir's file system: %v", err)
	}
}

// BenchmarkScanMeta measures what reading metadata adds to a scan of 10,000 files of which
// none has metadata (one llistxattr each), against the same scan without it.
func BenchmarkScanMeta(b *testing.B) {
	root := b.TempDir()
	for d := range 100 {
		dir := filepath.Join(root, fmt.Sprintf("d%03d", d))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 100 {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d", f)), []byte("x"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	o := NewOSFS(root)
	nodes, _ := o.Scan(context.Background(), ScanOptions{IncludeSubfolders: true})
	versions := map[string]string{}
	for _, n := range nodes {
		versions[n.ID] = n.Version
	}
	known := func(id string) (string, string, bool) { return versions[id], "h", true } // an idle rescan hashes nothing
	for _, meta := range []bool{false, true} {
		b.Run(fmt.Sprintf("meta=%v", meta), func(b *testing.B) {
			for b.Loop() {
				if _, err := o.Scan(context.Background(), ScanOptions{IncludeSubfolders: true, Known: known, Meta: meta}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
