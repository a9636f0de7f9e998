package exec

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

func TestMemFSRenameNeverOverwritesAndKeepsIDs(t *testing.T) {
	m := NewMemFS()
	m.WriteFile("d/a.txt", []byte("a"))
	m.WriteFile("b.txt", []byte("b"))
	a, _ := m.Stat("d/a.txt")
	if _, err := m.Rename("d/a.txt", "b.txt"); !errors.Is(err, ErrExist) {
		t.Fatalf("rename onto an existing file: %v", err)
	}
	if _, err := m.Rename("d", "d/inner"); err == nil {
		t.Fatal("moved a folder into itself")
	}
	if _, err := m.Rename("d", "e"); err != nil {
		t.Fatal(err)
	}
	moved, err := m.Stat("e/a.txt")
	if err != nil || moved.ID != a.ID || moved.Version != a.Version {
		t.Fatalf("after rename %+v %v, before %+v", moved, err, a)
	}
	m.WriteFile("e/a.txt", []byte("edited"))
	edited, _ := m.Stat("e/a.txt")
	if edited.ID != a.ID || edited.Version == a.Version {
		t.Fatalf("in-place write: id %s→%s version %s→%s", a.ID, edited.ID, a.Version, edited.Version)
	}
	if _, err := m.Mkdir("b.txt"); !errors.Is(err, ErrExist) {
		t.Fatalf("mkdir over a file: %v", err)
	}
	if _, err := m.Mkdir("no/such"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("mkdir without parent: %v", err)
	}
}

func TestMemFSCommitRechecksAndBacksUp(t *testing.T) {
	m := NewMemFS()
	m.WriteFile("f", []byte("mine"))
	before, _ := m.Stat("f")
	st, err := m.Stage(context.Background(), "f", strings.NewReader("theirs"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := m.ReadFile("f"); string(got) != "mine" {
		t.Fatal("staged content visible before commit")
	}
	n, err := st.Commit(&before, "f.bak", time.Unix(42, 0))
	if err != nil {
		t.Fatal(err)
	}
	bak, _ := m.Stat("f.bak")
	if bak.ID != before.ID || n.ID == before.ID {
		t.Fatalf("backup id %s, new id %s, old id %s: want the backup to keep the old id", bak.ID, n.ID, before.ID)
	}
	if got, _ := m.ReadFile("f.bak"); string(got) != "mine" {
		t.Fatalf("backup holds %q", got)
	}
	st2, _ := m.Stage(context.Background(), "f", strings.NewReader("x"))
	if _, err := st2.Commit(nil, "", time.Time{}); !errors.Is(err, ErrLocalChanged) {
		t.Fatalf("commit of a new file over an existing one: %v", err)
	}
	st3, _ := m.Stage(context.Background(), "f", strings.NewReader("x"))
	if _, err := st3.Commit(&before, "", time.Time{}); !errors.Is(err, ErrLocalChanged) {
		t.Fatalf("commit against a stale snapshot: %v", err)
	}
	st3.Discard()
	if m.Temps() != 0 {
		t.Fatalf("%d temps left", m.Temps())
	}
	if _, err := m.Stage(context.Background(), "nodir/f", strings.NewReader("x")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stage into a missing folder: %v", err)
	}
}

func TestMemFSTrashRechecksAndKeepsContent(t *testing.T) {
	m := NewMemFS()
	m.WriteFile("a", []byte("v1"))
	snap, _ := m.Stat("a")
	m.WriteFile("a", []byte("v2"))
	if err := m.Trash("a", snap); !errors.Is(err, ErrLocalChanged) {
		t.Fatalf("trash of a changed file: %v", err)
	}
	snap, _ = m.Stat("a")
	if err := m.Trash("a", snap); err != nil {
		t.Fatal(err)
	}
	if tr := m.Trashed(); len(tr) != 1 || string(tr[0].Files[""]) != "v2" {
		t.Fatalf("trash %+v", tr)
	}
}

func TestMemFSFreeNameAndScan(t *testing.T) {
	m := NewMemFS()
	now := time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC)
	m.WriteFile("d/report.docx", []byte("r"))
	first := m.FreeName("d/report.docx", now)
	if first != "d/report (conflict copy 2026-11-22 101500).docx" {
		t.Fatalf("FreeName %q", first)
	}
	m.WriteFile(first, nil)
	if second := m.FreeName("d/report.docx", now); second != "d/report (conflict copy 2026-11-22 101500 2).docx" {
		t.Fatalf("second FreeName %q", second)
	}
	if dot := m.FreeName(".profile", now); dot != ".profile (conflict copy 2026-11-22 101500)" {
		t.Fatalf("dot file FreeName %q", dot)
	}
	m.WriteFile("d/~$report.docx", []byte("lock"))
	m.WriteFile("top.txt", []byte("t"))
	m.AddSpecial("link")
	nodes, err := m.Scan(context.Background(), ScanOptions{IncludeSubfolders: true})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, n := range nodes {
		paths = append(paths, n.Path)
		if n.Path == "top.txt" && n.Hash != memHash([]byte("t")) {
			t.Fatalf("hash %s", n.Hash)
		}
		if n.Path == "link" && !n.Unsupported {
			t.Fatal("special file not marked unsupported")
		}
	}
	if got := strings.Join(paths, ","); got != "d,d/report (conflict copy 2026-11-22 101500).docx,d/report.docx,link,top.txt" {
		t.Fatalf("scan %s", got)
	}
	known := func(id string) (string, string, bool) {
		n, _ := m.Stat("top.txt")
		return n.Version, "from-base", id == n.ID
	}
	flat, _ := m.Scan(context.Background(), ScanOptions{Known: known})
	if len(flat) != 2 || flat[1].Path != "top.txt" || flat[1].Hash != "from-base" {
		t.Fatalf("flat scan %+v", flat)
	}
}

func TestMemFSOpenReadsSnapshotAndHooks(t *testing.T) {
	m := NewMemFS()
	m.WriteFile("f", []byte("hello"))
	var seen int64
	m.OnRead = func(p string, off int64) { seen = off }
	r, n, err := m.Open("f")
	if err != nil || n.Size != 5 {
		t.Fatal(n, err)
	}
	m.WriteFile("f", []byte("changed"))
	b, _ := io.ReadAll(r)
	if !bytes.Equal(b, []byte("hello")) || seen != 5 {
		t.Fatalf("read %q, hook saw %d", b, seen)
	}
	if _, err := m.SetReadOnly("f", true, 0); err != nil || m.Mode("f") != 0o444 {
		t.Fatalf("read-only mode %o %v", m.Mode("f"), err)
	}
	if err := m.RootOK(true); err != nil {
		t.Fatal(err)
	}
	m.Remove("f")
	if err := m.RootOK(true); err == nil {
		t.Fatal("an empty root with a non-empty base is accepted")
	}
	var _ plan.Node = n
}
