package exec

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// The LocalFS contract, run against MemFS and OSFS alike so the double used by the engine
// and simulation tests cannot drift from the real file system.

// fsKit is one LocalFS under test plus what a user or another program does to it.
type fsKit struct {
	fs       LocalFS
	write    func(p, data string) // in place: an existing file keeps its id
	read     func(p string) (string, error)
	symlink  func(p string) // a symlink (MemFS: a special file) pointing outside the root
	temps    func() int     // staged files not committed or discarded
	mode     func(p string) uint32
	dropRoot func()
	trashed  func() map[string]string // trashed files by name → content
	outside  func() []string          // files written outside the root (OSFS only)
	noTrash  error                    // why Trash cannot work here (OSFS on Windows, macOS)
}

func memKit(t *testing.T) *fsKit {
	m := NewMemFS()
	return &fsKit{
		fs: m,
		write: func(p, data string) {
			if err := m.WriteFile(p, []byte(data)); err != nil {
				t.Fatal(err)
			}
		},
		read: func(p string) (string, error) { b, err := m.ReadFile(p); return string(b), err },
		symlink: func(p string) {
			if err := m.AddSpecial(p); err != nil {
				t.Fatal(err)
			}
		},
		temps:    m.Temps,
		mode:     m.Mode,
		dropRoot: func() { m.SetRootMissing(true) },
		trashed: func() map[string]string {
			out := map[string]string{}
			for _, tr := range m.Trashed() {
				if !tr.IsDir {
					out[path.Base(tr.Path)] = string(tr.Files[""])
				}
			}
			return out
		},
		outside: func() []string { return nil },
	}
}

func osKit(t *testing.T) *fsKit {
	root, out, data := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	full := func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) }
	return &fsKit{
		fs:      NewOSFS(root),
		noTrash: trashUnsupported(),
		write: func(p, data string) {
			if err := os.MkdirAll(filepath.Dir(full(p)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full(p), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		read: func(p string) (string, error) { b, err := os.ReadFile(full(p)); return string(b), err },
		symlink: func(p string) {
			if err := os.MkdirAll(filepath.Dir(full(p)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(out, full(p)); err != nil {
				t.Fatal(err)
			}
		},
		temps: func() int {
			n := 0
			filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
				if err == nil && strings.HasPrefix(d.Name(), tempPrefix) {
					n++
				}
				return nil
			})
			return n
		},
		mode: func(p string) uint32 {
			fi, err := os.Lstat(full(p))
			if err != nil {
				return 0
			}
			return unixMode(fi.Mode())
		},
		dropRoot: func() {
			if err := os.RemoveAll(root); err != nil {
				t.Fatal(err)
			}
		},
		trashed: func() map[string]string {
			got := map[string]string{}
			dir := filepath.Join(data, "Trash", "files")
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
					got[e.Name()] = string(b)
				}
			}
			return got
		},
		outside: func() []string {
			var names []string
			entries, _ := os.ReadDir(out)
			for _, e := range entries {
				names = append(names, e.Name())
			}
			entries, _ = os.ReadDir(filepath.Dir(root))
			for _, e := range entries {
				if full := filepath.Join(filepath.Dir(root), e.Name()); full != root && full != out && full != data {
					names = append(names, e.Name())
				}
			}
			return names
		},
	}
}

// eachFS runs body against a fresh MemFS and a fresh OSFS.
func eachFS(t *testing.T, body func(t *testing.T, k *fsKit)) {
	for _, c := range []struct {
		name string
		kit  func(*testing.T) *fsKit
	}{{"MemFS", memKit}, {"OSFS", osKit}} {
		t.Run(c.name, func(t *testing.T) { body(t, c.kit(t)) })
	}
}

func mustStat(t *testing.T, l LocalFS, p string) plan.Node {
	t.Helper()
	n, err := l.Stat(p)
	if err != nil {
		t.Fatalf("stat %s: %v", p, err)
	}
	return n
}

func stage(t *testing.T, l LocalFS, p, data string) Staged {
	t.Helper()
	st, err := l.Stage(context.Background(), p, strings.NewReader(data))
	if err != nil {
		t.Fatalf("stage %s: %v", p, err)
	}
	return st
}

func TestLocalFSIDsSurviveRenameAndInPlaceWrite(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("d/a.txt", "a")
		before := mustStat(t, k.fs, "d/a.txt")
		dir := mustStat(t, k.fs, "d")
		if before.ID == "" || before.Version == "" || before.Size != 1 || !dir.IsDir || dir.ID == "" {
			t.Fatalf("nodes %+v %+v", before, dir)
		}
		moved, err := k.fs.Rename("d", "e")
		if err != nil || moved.ID != dir.ID || !moved.IsDir {
			t.Fatalf("rename folder: %+v %v (id before %s)", moved, err, dir.ID)
		}
		after := mustStat(t, k.fs, "e/a.txt")
		if after.ID != before.ID || after.Version != before.Version {
			t.Fatalf("after moving its folder %+v, before %+v", after, before)
		}
		k.write("e/a.txt", "edited")
		edited := mustStat(t, k.fs, "e/a.txt")
		if edited.ID != before.ID || edited.Version == before.Version || edited.Size != 6 {
			t.Fatalf("in-place write: %+v, before %+v", edited, before)
		}
	})
}

func TestLocalFSRenameAndMkdirNeverOverwrite(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("a.txt", "a")
		k.write("b.txt", "b")
		k.write("d1/x", "x")
		if _, err := k.fs.Mkdir("d2"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ from, to string }{
			{"a.txt", "b.txt"}, {"d1", "d2"}, {"a.txt", "d2"}, {"d1", "a.txt"},
		} {
			if _, err := k.fs.Rename(c.from, c.to); !errors.Is(err, ErrExist) {
				t.Errorf("rename %s → %s onto an existing item: %v, want ErrExist", c.from, c.to, err)
			}
		}
		if got, _ := k.read("b.txt"); got != "b" {
			t.Fatalf("b.txt holds %q", got)
		}
		if got, _ := k.read("d1/x"); got != "x" {
			t.Fatalf("d1/x holds %q", got)
		}
		if _, err := k.fs.Rename("d1", "d1/inner"); err == nil {
			t.Fatal("moved a folder into itself")
		}
		if _, err := k.fs.Rename("gone", "new"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("rename of a missing item: %v", err)
		}
		d2 := mustStat(t, k.fs, "d2")
		if again, err := k.fs.Mkdir("d2"); err != nil || again.ID != d2.ID {
			t.Fatalf("mkdir of an existing folder: %+v %v", again, err)
		}
		if _, err := k.fs.Mkdir("a.txt"); !errors.Is(err, ErrExist) {
			t.Fatalf("mkdir over a file: %v", err)
		}
		if _, err := k.fs.Mkdir("no/such"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("mkdir without parent: %v", err)
		}
	})
}

func TestCaseOnlyRenameKeepsNodeID(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("report.docx", "r")
		before := mustStat(t, k.fs, "report.docx")
		n, err := k.fs.Rename("report.docx", "Report.docx")
		if err != nil || n.ID != before.ID || n.Path != "Report.docx" {
			t.Fatalf("case-only rename: %+v %v", n, err)
		}
		nodes, err := k.fs.Scan(context.Background(), ScanOptions{})
		if err != nil || len(nodes) != 1 || nodes[0].Path != "Report.docx" || nodes[0].ID != before.ID {
			t.Fatalf("scan after a case-only rename: %+v %v", nodes, err)
		}
	})
}

func TestCommitRechecksTargetAndLeavesNoTemp(t *testing.T) {
	for _, c := range []struct {
		name   string
		setup  func(k *fsKit) *plan.Node // returns expect
		before func(k *fsKit)            // between Stage and Commit
		want   string                    // content of f after the refused commit ("" = absent)
	}{
		{"new file but the name was taken", func(k *fsKit) *plan.Node { return nil },
			func(k *fsKit) { k.write("f", "user's new file") }, "user's new file"},
		{"edited after the snapshot", func(k *fsKit) *plan.Node {
			k.write("f", "v1")
			n, _ := k.fs.Stat("f")
			return &n
		}, func(k *fsKit) { k.write("f", "v2 by the user") }, "v2 by the user"},
		{"removed after the snapshot", func(k *fsKit) *plan.Node {
			k.write("f", "v1")
			n, _ := k.fs.Stat("f")
			return &n
		}, func(k *fsKit) { k.write("other", "o"); k.fs.Rename("f", "moved") }, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			eachFS(t, func(t *testing.T, k *fsKit) {
				expect := c.setup(k)
				st := stage(t, k.fs, "f", "theirs")
				c.before(k)
				if _, err := st.Commit(expect, "", time.Time{}); !errors.Is(err, ErrLocalChanged) {
					t.Fatalf("commit: %v, want ErrLocalChanged", err)
				}
				got, err := k.read("f")
				if c.want == "" && !errors.Is(err, fs.ErrNotExist) || c.want != "" && got != c.want {
					t.Fatalf("f holds %q (%v), want %q", got, err, c.want)
				}
				if err := st.Discard(); err != nil {
					t.Fatalf("discard after a refused commit: %v", err)
				}
				if n := k.temps(); n != 0 {
					t.Fatalf("%d temp files left", n)
				}
			})
		})
	}
}

func TestCommitReplacesWithNewIDAndBackupKeepsOldContent(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("f.txt", "mine")
		before := mustStat(t, k.fs, "f.txt")
		st := stage(t, k.fs, "f.txt", "theirs!")
		if st.Size() != 7 || st.Hash() != memHash([]byte("theirs!")) {
			t.Fatalf("staged size %d hash %s", st.Size(), st.Hash())
		}
		if got, _ := k.read("f.txt"); got != "mine" {
			t.Fatal("staged content visible before commit")
		}
		n, err := st.Commit(&before, "f (conflict).txt", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		cur := mustStat(t, k.fs, "f.txt")
		if n.ID == before.ID || n.ID != cur.ID || n.Version != cur.Version || n.Size != 7 || n.Path != "f.txt" {
			t.Fatalf("committed node %+v, stat %+v, old id %s", n, cur, before.ID)
		}
		if got, _ := k.read("f.txt"); got != "theirs!" {
			t.Fatalf("target holds %q", got)
		}
		if got, _ := k.read("f (conflict).txt"); got != "mine" {
			t.Fatalf("backup holds %q", got)
		}
		if bak := mustStat(t, k.fs, "f (conflict).txt"); bak.ID != before.ID {
			t.Fatalf("backup id %s, want the old file's %s (a hard link)", bak.ID, before.ID)
		}
		if err := st.Discard(); err != nil || k.temps() != 0 {
			t.Fatalf("discard after commit: %v, %d temps", err, k.temps())
		}
		if _, err := st.Commit(&cur, "", time.Time{}); err == nil {
			t.Fatal("a second commit of the same staged file succeeded")
		}
		if got, _ := k.read("f.txt"); got != "theirs!" {
			t.Fatalf("target holds %q after a second commit", got)
		}
	})
}

// cancelReader cancels its context after the first chunk and then keeps giving data.
type cancelReader struct{ cancel context.CancelFunc }

func (r cancelReader) Read(b []byte) (int, error) {
	r.cancel()
	return copy(b, "chunk"), nil
}

func TestStageCancelOrReadErrorLeavesNoTemp(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if st, err := k.fs.Stage(ctx, "f", cancelReader{cancel}); !errors.Is(err, context.Canceled) {
			t.Fatalf("stage with a cancelled context: %v (staged %v)", err, st)
		}
		boom := errors.New("connection reset")
		if _, err := k.fs.Stage(context.Background(), "f", io.MultiReader(strings.NewReader("part"), errReader{boom})); !errors.Is(err, boom) {
			t.Fatalf("stage with a failing reader: %v", err)
		}
		if _, err := k.fs.Stage(context.Background(), "nodir/f", strings.NewReader("x")); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("stage into a missing folder: %v", err)
		}
		if n := k.temps(); n != 0 {
			t.Fatalf("%d temp files left", n)
		}
		if _, err := k.read("f"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("target exists after failed stages: %v", err)
		}
	})
}

func TestFreeNameMatchesMemFSNaming(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC)
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("d/report.docx", "r")
		k.write("d/v1.0/x", "x")
		for _, c := range []struct{ p, want string }{
			{"d/report.docx", "d/report (conflict copy 2026-11-22 101500).docx"},
			{".profile", ".profile (conflict copy 2026-11-22 101500)"},
			{"d/v1.0", "d/v1.0 (conflict copy 2026-11-22 101500)"},
			{"Makefile", "Makefile (conflict copy 2026-11-22 101500)"},
		} {
			if got := k.fs.FreeName(c.p, now); got != c.want {
				t.Errorf("FreeName(%s) = %q, want %q", c.p, got, c.want)
			}
		}
		k.write("d/report (conflict copy 2026-11-22 101500).docx", "")
		k.write("d/report (conflict copy 2026-11-22 101500 2).docx", "")
		if got := k.fs.FreeName("d/report.docx", now); got != "d/report (conflict copy 2026-11-22 101500 3).docx" {
			t.Fatalf("FreeName when taken twice = %q", got)
		}
	})
}

func TestTrashRechecksAndKeepsContent(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		if k.noTrash != nil {
			t.Skip(k.noTrash)
		}
		k.write("a.txt", "v1")
		snap := mustStat(t, k.fs, "a.txt")
		k.write("a.txt", "v2 longer")
		if err := k.fs.Trash("a.txt", snap); !errors.Is(err, ErrLocalChanged) {
			t.Fatalf("trash of a changed file: %v", err)
		}
		if got, _ := k.read("a.txt"); got != "v2 longer" {
			t.Fatalf("a.txt holds %q after a refused trash", got)
		}
		snap = mustStat(t, k.fs, "a.txt")
		if err := k.fs.Trash("a.txt", snap); err != nil {
			t.Fatal(err)
		}
		if _, err := k.fs.Stat("a.txt"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("a.txt still there: %v", err)
		}
		if got := k.trashed()["a.txt"]; got != "v2 longer" {
			t.Fatalf("trash holds %q", got)
		}
		k.write("d/x", "x")
		dir := mustStat(t, k.fs, "d")
		k.write("d/y", "added after the snapshot")
		if err := k.fs.Trash("d", plan.Node{Path: "d", IsDir: true, ID: "other"}); !errors.Is(err, ErrLocalChanged) {
			t.Fatalf("trash of a replaced folder: %v", err)
		}
		if err := k.fs.Trash("d", dir); err != nil {
			t.Fatalf("trash of a folder (same id, new content): %v", err)
		}
		if err := k.fs.Trash("gone", snap); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("trash of a missing item: %v", err)
		}
	})
}

func TestSetReadOnlyClearsWriteBitsAndRestores(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("f", "x")
		orig := k.mode("f")
		prev, err := k.fs.SetReadOnly("f", true, 0)
		if err != nil || prev != orig || k.mode("f") != orig&^0o222 {
			t.Fatalf("read-only: prev %o (orig %o) now %o, %v", prev, orig, k.mode("f"), err)
		}
		if _, err := k.fs.SetReadOnly("f", false, prev); err != nil || k.mode("f") != orig {
			t.Fatalf("restore: now %o, want %o, %v", k.mode("f"), orig, err)
		}
		if _, err := k.fs.SetReadOnly("gone", true, 0); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("read-only of a missing item: %v", err)
		}
	})
}

func TestOpenReadsFilesOnly(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("d/f", "hello")
		rc, n, err := k.fs.Open("d/f")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(b) != "hello" || n.Size != 5 || n.ID != mustStat(t, k.fs, "d/f").ID {
			t.Fatalf("read %q %v, node %+v", b, err, n)
		}
		if _, _, err := k.fs.Open("d"); err == nil {
			t.Fatal("opened a folder")
		}
		if _, _, err := k.fs.Open("missing"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("open of a missing file: %v", err)
		}
	})
}

func TestIgnoredNames(t *testing.T) {
	for _, c := range []struct {
		name string
		want bool
	}{
		{"~$report.docx", true}, {".~lock.report.odt#", true}, {".~lock.report.odt", false},
		{"backup.tmp", true}, {"BACKUP.TMP", true}, {"._report.docx", true},
		{".DS_Store", true}, {".ds_store", true}, {"Thumbs.db", true}, {"THUMBS.DB", true},
		{"desktop.ini", true}, {"Desktop.INI", true},
		{".cloudsync-0123456789abcdef.part", true}, {".cloudsync-notes.txt", false},
		{"report.docx", false}, {"tmp", false}, {"~report.docx", false}, {"$report", false},
		{"report.tmp.docx", false}, {".profile", false}, {"_a", false},
	} {
		if got := Ignored(c.name); got != c.want {
			t.Errorf("Ignored(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}
