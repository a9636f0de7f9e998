//go:build unix

package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// OSFS behaviour the MemFS double has no counterpart for.

func writeFile(t *testing.T, full, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOSFSNodeIDIsDevInoAndVersionIsSizeMtime(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "f"), "hello")
	n, err := NewOSFS(root).Stat("f")
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Lstat(filepath.Join(root, "f"))
	st := fi.Sys().(*syscall.Stat_t)
	if want := fmt.Sprintf("%d:%d", uint64(st.Dev), uint64(st.Ino)); n.ID != want {
		t.Fatalf("id %s, want %s", n.ID, want)
	}
	if want := fmt.Sprintf("5:%d", fi.ModTime().UnixNano()); n.Version != want || n.Size != 5 {
		t.Fatalf("version %s size %d, want %s", n.Version, n.Size, want)
	}
	rootNode, err := NewOSFS(root).Stat("")
	if err != nil || !rootNode.IsDir || rootNode.Version != "" {
		t.Fatalf("root %+v %v", rootNode, err)
	}
}

func TestOSFSRefusesNonCanonicalPaths(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a"), "a")
	o := NewOSFS(root)
	for _, p := range []string{"..", "../x", "/etc/passwd", "./a", "a/", "a//b", "a/./b", "a\x00b", "d/../a"} {
		checks := map[string]error{}
		_, checks["stat"] = o.Stat(p)
		_, _, checks["open"] = o.Open(p)
		_, checks["stage"] = o.Stage(context.Background(), p, strings.NewReader("x"))
		_, checks["mkdir"] = o.Mkdir(p)
		_, checks["rename from"] = o.Rename(p, "b")
		_, checks["rename to"] = o.Rename("a", p)
		_, checks["chmod"] = o.SetReadOnly(p, true, 0)
		checks["trash"] = o.Trash(p, mustStat(t, o, "a"))
		for op, err := range checks {
			if !errors.Is(err, remote.ErrInvalidName) {
				t.Errorf("%s %q: %v, want invalid_name", op, p, err)
			}
		}
	}
	if got, _ := os.ReadFile(filepath.Join(root, "a")); string(got) != "a" {
		t.Fatal("a changed")
	}
}

func TestOSFSNeverActsThroughSymlinks(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(outside, "secret"), "s")
	os.Chmod(outside, 0o755)
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "flink")); err != nil {
		t.Fatal(err)
	}
	o := NewOSFS(root)
	n, err := o.Stat("link")
	if err != nil || !n.Unsupported || n.IsDir {
		t.Fatalf("stat of a symlink to a folder: %+v %v", n, err)
	}
	if _, err := o.SetReadOnly("link", true, 0); !errors.Is(err, remote.ErrUnsupported) {
		t.Fatalf("chmod through a symlink: %v", err)
	}
	if _, err := o.SetReadOnly("flink", true, 0); !errors.Is(err, remote.ErrUnsupported) {
		t.Fatalf("chmod through a file symlink: %v", err)
	}
	if _, _, err := o.Open("flink"); !errors.Is(err, remote.ErrUnsupported) {
		t.Fatalf("open through a symlink: %v", err)
	}
	if _, _, err := o.Open("link/secret"); !errors.Is(err, remote.ErrUnsupported) {
		t.Fatalf("open below a symlinked folder: %v", err)
	}
	if fi, _ := os.Stat(outside); fi.Mode().Perm() != 0o755 {
		t.Fatalf("the symlink's target folder changed mode to %o", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(filepath.Join(outside, "secret")); fi.Mode().Perm() != 0o644 {
		t.Fatalf("the symlink's target file changed mode to %o", fi.Mode().Perm())
	}
	// Trash moves the link itself, never its target.
	if err := o.Trash("flink", mustStat(t, o, "flink")); err != nil && !errors.Is(err, errNoTrash) {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(outside, "secret")); err != nil || string(got) != "s" {
		t.Fatalf("symlink target after trashing the link: %q %v", got, err)
	}
}

func TestOSFSCommitSetsMtimeBeforeTheNameAppears(t *testing.T) {
	root := t.TempDir()
	o := NewOSFS(root)
	st := stage(t, o, "f", "content")
	mtime := time.Date(2020, 5, 6, 7, 8, 9, 123456789, time.UTC)
	n, err := st.Commit(nil, "", mtime)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("7:%d", mtime.UnixNano()); n.Version != want {
		t.Fatalf("version %s, want %s", n.Version, want)
	}
	if cur := mustStat(t, o, "f"); cur != n {
		t.Fatalf("stat %+v, committed %+v", cur, n)
	}
}

func TestCommitOfANewFileNeverReplacesOneCreatedAtTheLastMoment(t *testing.T) {
	root := t.TempDir()
	o := NewOSFS(root)
	o.beforeRename = func(p string) { writeFile(t, filepath.Join(root, p), "the user's file") }
	st := stage(t, o, "f", "download")
	if _, err := st.Commit(nil, "", time.Time{}); !errors.Is(err, ErrLocalChanged) {
		t.Fatalf("commit: %v, want ErrLocalChanged", err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "f")); string(got) != "the user's file" {
		t.Fatalf("f holds %q", got)
	}
	if names, _ := readNames(root); len(names) != 1 {
		t.Fatalf("entries left: %v", names)
	}
}

func TestRenameFallbackNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	writeFile(t, p("a"), "a")
	writeFile(t, p("b"), "b")
	os.Mkdir(p("d1"), 0o755)
	os.Mkdir(p("d2"), 0o755)
	for _, c := range [][2]string{{"a", "b"}, {"d1", "d2"}, {"a", "d2"}} {
		if err := renameChecked(p(c[0]), p(c[1])); !errors.Is(err, fs.ErrExist) {
			t.Errorf("fallback rename %s → %s: %v, want fs.ErrExist", c[0], c[1], err)
		}
	}
	if got, _ := os.ReadFile(p("b")); string(got) != "b" {
		t.Fatalf("b holds %q", got)
	}
	before, _ := os.Lstat(p("a"))
	if err := renameChecked(p("a"), p("c")); err != nil {
		t.Fatal(err)
	}
	after, err := os.Lstat(p("c"))
	if err != nil || !os.SameFile(before, after) {
		t.Fatalf("file moved by link+unlink is another file: %v", err)
	}
	if _, err := os.Lstat(p("a")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a still there: %v", err)
	}
	if err := renameChecked(p("d1"), p("d3")); err != nil {
		t.Fatal(err)
	}
}

func TestCaseTwinHardLinksAreNotACaseOnlyRename(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a"), "a")
	if err := os.Link(filepath.Join(root, "a"), filepath.Join(root, "A")); err != nil {
		t.Skip("no hard links here:", err)
	}
	if _, err := NewOSFS(root).Rename("a", "A"); !errors.Is(err, ErrExist) {
		t.Fatalf("rename onto a case twin that is a hard link: %v", err)
	}
	names, _ := readNames(root)
	if len(names) != 2 {
		t.Fatalf("entries %v", names)
	}
}

// trashEnv points the home trash at a temp dir and returns it.
func trashEnv(t *testing.T) string {
	t.Helper()
	if err := trashUnsupported(); err != nil {
		t.Skip(err)
	}
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	return filepath.Join(data, "Trash")
}

func TestTrashWritesFreedesktopEntries(t *testing.T) {
	trash := trashEnv(t)
	root := t.TempDir()
	o := NewOSFS(root)
	name := "Über report 100%.txt"
	writeFile(t, filepath.Join(root, "d", name), "keep me")
	writeFile(t, filepath.Join(root, "folder", "inner"), "inner")
	start := time.Now().Truncate(time.Second)
	for _, p := range []string{"d/" + name, "folder"} {
		if err := o.Trash(p, mustStat(t, o, p)); err != nil {
			t.Fatal(err)
		}
	}
	end := time.Now()
	if got, _ := os.ReadFile(filepath.Join(trash, "files", name)); string(got) != "keep me" {
		t.Fatalf("trashed file holds %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(trash, "files", "folder", "inner")); string(got) != "inner" {
		t.Fatalf("trashed folder's file holds %q", got)
	}
	for _, c := range []struct{ entry, path string }{
		{name, escapeTrashPath(root) + "/d/%C3%9Cber%20report%20100%25.txt"},
		{"folder", escapeTrashPath(root) + "/folder"},
	} {
		info := filepath.Join(trash, "info", c.entry+".trashinfo")
		b, err := os.ReadFile(info)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		if len(lines) != 4 || lines[0] != "[Trash Info]" || lines[1] != "Path="+c.path || lines[3] != "" {
			t.Fatalf("trashinfo:\n%s\nwant Path=%s", b, c.path)
		}
		when, err := time.ParseInLocation("2006-01-02T15:04:05", strings.TrimPrefix(lines[2], "DeletionDate="), time.Local)
		if err != nil || when.Before(start) || when.After(end) {
			t.Fatalf("DeletionDate %q (%v), want local time between %v and %v", lines[2], err, start, end)
		}
		if fi, _ := os.Stat(info); fi.Mode().Perm() != 0o600 {
			t.Fatalf("info file mode %o", fi.Mode().Perm())
		}
	}
	for _, d := range []string{trash, filepath.Join(trash, "files"), filepath.Join(trash, "info")} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v, mode %o, want 0700", d, err, fi.Mode().Perm())
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 1 || entries[0].Name() != "d" {
		t.Fatalf("root after trashing: %v", entries)
	}
}

func TestTrashNameCollisionsGetUniqueNames(t *testing.T) {
	trash := trashEnv(t)
	root := t.TempDir()
	o := NewOSFS(root)
	// A stale entry another program left without its info file: never replaced.
	writeFile(t, filepath.Join(trash, "files", "a (2).txt"), "stale")
	for i := 1; i <= 3; i++ {
		p := fmt.Sprintf("d%d/a.txt", i)
		writeFile(t, filepath.Join(root, p), fmt.Sprintf("version %d", i))
		if err := o.Trash(p, mustStat(t, o, p)); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{"a.txt": "version 1", "a (2).txt": "stale", "a (3).txt": "version 2", "a (4).txt": "version 3"} {
		if got, _ := os.ReadFile(filepath.Join(trash, "files", name)); string(got) != want {
			t.Errorf("files/%s holds %q, want %q", name, got, want)
		}
	}
	infos, _ := readNames(filepath.Join(trash, "info"))
	if len(infos) != 3 {
		t.Fatalf("info files %v", infos)
	}
	for _, n := range []string{"a.txt", "a (3).txt", "a (4).txt"} {
		b, _ := os.ReadFile(filepath.Join(trash, "info", n+".trashinfo"))
		if !strings.Contains(string(b), "Path="+escapeTrashPath(root)+"/d") {
			t.Errorf("info of %s: %s", n, b)
		}
	}
}

func TestTrashNamesFitTheNameLimit(t *testing.T) {
	trash := trashEnv(t)
	root := t.TempDir()
	o := NewOSFS(root)
	long := strings.Repeat("é", 125) + ".docx" // 255 bytes
	for i := 0; i < 2; i++ {
		writeFile(t, filepath.Join(root, long), "x")
		if err := o.Trash(long, mustStat(t, o, long)); err != nil {
			t.Fatal(err)
		}
	}
	names, _ := readNames(filepath.Join(trash, "info"))
	if len(names) != 2 {
		t.Fatalf("info files %d", len(names))
	}
	for _, n := range names {
		if len(n) > 255 || !strings.HasSuffix(n, ".docx.trashinfo") {
			t.Fatalf("info name %q (%d bytes)", n, len(n))
		}
	}
}

func TestTopdirTrashFollowsTheSpec(t *testing.T) {
	uid := strconv.Itoa(os.Getuid())
	for _, c := range []struct {
		name  string
		setup func(top string)
		want  string
	}{
		{"no .Trash: .Trash-uid", func(string) {}, ".Trash-" + uid},
		{"sticky .Trash: .Trash/uid", func(top string) {
			os.Mkdir(filepath.Join(top, ".Trash"), 0o777)
			os.Chmod(filepath.Join(top, ".Trash"), 0o777|fs.ModeSticky)
		}, filepath.Join(".Trash", uid)},
		{".Trash without sticky bit is not used", func(top string) {
			os.Mkdir(filepath.Join(top, ".Trash"), 0o777)
		}, ".Trash-" + uid},
		{".Trash as a symlink is not used", func(top string) {
			other := filepath.Join(top, "other")
			os.Mkdir(other, 0o777)
			os.Chmod(other, 0o777|fs.ModeSticky)
			os.Symlink(other, filepath.Join(top, ".Trash"))
		}, ".Trash-" + uid},
	} {
		t.Run(c.name, func(t *testing.T) {
			top := t.TempDir()
			c.setup(top)
			td, err := topdirTrash(top)
			if err != nil || td.dir != filepath.Join(top, c.want) || td.topdir != top {
				t.Fatalf("trash %+v %v, want %s", td, err, c.want)
			}
			for _, d := range []string{td.dir, filepath.Join(td.dir, "files"), filepath.Join(td.dir, "info")} {
				if fi, err := os.Lstat(d); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
					t.Fatalf("%s: %v", d, err)
				}
			}
		})
	}
	top := t.TempDir()
	os.Symlink(t.TempDir(), filepath.Join(top, ".Trash-"+uid))
	if td, err := topdirTrash(top); err == nil {
		t.Fatalf("a symlinked .Trash-uid was used: %+v", td)
	}
}

func TestTopdirTrashInfoPathIsRelative(t *testing.T) {
	top := t.TempDir()
	writeFile(t, filepath.Join(top, "sub dir", "f"), "f")
	td, err := topdirTrash(top)
	if err != nil {
		t.Fatal(err)
	}
	if err := td.put(filepath.Join(top, "sub dir", "f"), false, time.Now()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(td.dir, "info", "f.trashinfo"))
	if !strings.Contains(string(b), "\nPath=sub%20dir/f\n") {
		t.Fatalf("trashinfo %s", b)
	}
}

func TestScanLeavesOutTheHomeTrashInsideTheRoot(t *testing.T) {
	if err := trashUnsupported(); err != nil {
		t.Skip(err)
	}
	root := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(root, ".local", "share"))
	o := NewOSFS(root)
	writeFile(t, filepath.Join(root, "f"), "f")
	if err := o.Trash("f", mustStat(t, o, "f")); err != nil {
		t.Fatal(err)
	}
	nodes, err := o.Scan(context.Background(), ScanOptions{IncludeSubfolders: true})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, n := range nodes {
		paths = append(paths, n.Path)
	}
	if got := strings.Join(paths, ","); got != ".local,.local/share" {
		t.Fatalf("scan %s", got)
	}
}

func TestTopdirReservedNames(t *testing.T) {
	for name, want := range map[string]bool{
		".Trash": true, ".Trash-1000": true, ".Trash-0": true, "lost+found": true,
		".Trash-": false, ".Trash-abc": false, "Trash": false, ".trash": false, "found": false,
	} {
		if got := topdirReserved(name); got != want {
			t.Errorf("topdirReserved(%q) = %v", name, got)
		}
	}
}

func TestRootOKRefusesAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	writeFile(t, f, "x")
	if err := NewOSFS(f).RootOK(false); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Fatalf("root is a file: %v", err)
	}
	if _, err := NewOSFS(f).Scan(context.Background(), ScanOptions{}); err == nil {
		t.Fatal("scan of a file root succeeded")
	}
}

// asNonRoot handles tests that need permission bits to be enforced. As a normal user it
// returns false: the caller runs its body. As root (who ignores permission bits) it runs
// this test again in a copy of the test binary as user nobody and reports its outcome, or
// skips when that is impossible here.
func asNonRoot(t *testing.T) bool {
	t.Helper()
	if os.Getuid() != 0 {
		return false
	}
	if os.Getenv("CLOUDSYNC_TEST_AS_NOBODY") != "" {
		t.Fatal("still root after dropping privileges")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip("running as root and cannot find the test binary to re-run as nobody:", err)
	}
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	bin, tmp := filepath.Join(dir, "exec.test"), filepath.Join(dir, "tmp")
	if err := copyFile(exe, bin); err != nil {
		t.Skip("running as root and cannot copy the test binary:", err)
	}
	os.Mkdir(tmp, 0o777)
	os.Chmod(tmp, 0o777|fs.ModeSticky)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := osexec.CommandContext(ctx, bin, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "CLOUDSYNC_TEST_AS_NOBODY=1", "TMPDIR="+tmp, "HOME="+tmp, "GOCOVERDIR="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	var exit *osexec.ExitError
	switch {
	case err != nil && !errors.As(err, &exit):
		t.Skipf("running as root; re-running as uid 65534 is not possible here (%v), so permission bits cannot be checked", err)
	case err != nil:
		t.Fatalf("as uid 65534: %v\n%s", err, out)
	case !strings.Contains(string(out), "--- PASS: "+t.Name()):
		t.Fatalf("as uid 65534 the test did not pass:\n%s", out)
	}
	t.Logf("ran as uid 65534:\n%s", out)
	return true
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func TestScanOfUnreadableFolderFailsInsteadOfLookingEmpty(t *testing.T) {
	if asNonRoot(t) {
		return
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "locked", "f"), "f")
	writeFile(t, filepath.Join(root, "unreadable.txt"), "u")
	os.Chmod(filepath.Join(root, "unreadable.txt"), 0)
	os.Chmod(filepath.Join(root, "locked"), 0)
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "locked"), 0o755) })
	o := NewOSFS(root)
	if _, err := o.Scan(context.Background(), ScanOptions{IncludeSubfolders: true}); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("scan with an unreadable folder: %v, want a permission error", err)
	}
	// Without subfolders the folder is not listed; the unreadable file comes without hash.
	nodes, err := o.Scan(context.Background(), ScanOptions{})
	if err != nil || len(nodes) != 1 || nodes[0].Path != "unreadable.txt" || nodes[0].Hash != "" || nodes[0].ID == "" {
		t.Fatalf("flat scan %+v %v", nodes, err)
	}
}

func TestSetReadOnlyBlocksWrites(t *testing.T) {
	if asNonRoot(t) {
		return
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "d", "f"), "f")
	o := NewOSFS(root)
	for _, p := range []string{"d/f", "d"} {
		if _, err := o.SetReadOnly(p, true, 0); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "d"), 0o755) })
	if err := os.WriteFile(filepath.Join(root, "d", "f"), []byte("x"), 0o644); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("write to a read-only file: %v", err)
	}
	if err := os.WriteFile(filepath.Join(root, "d", "new"), []byte("x"), 0o644); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("create in a read-only folder: %v", err)
	}
	if _, err := o.SetReadOnly("d", false, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := o.SetReadOnly("d/f", false, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "d", "f"), []byte("x"), 0o644); err != nil {
		t.Fatalf("write after restoring: %v", err)
	}
}

// With ScanOptions.Unreadable, a folder that cannot be listed is reported and left out with
// its content, and the scan goes on: one unreadable subfolder used to stop a whole set
// (issue 9). The folder itself is still returned, so nothing of it looks deleted.
func TestScanReportsUnreadableFolderAndGoesOn(t *testing.T) {
	if asNonRoot(t) {
		return
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "locked", "f"), "f")
	writeFile(t, filepath.Join(root, "open", "g"), "g")
	writeFile(t, filepath.Join(root, "top.txt"), "t")
	os.Chmod(filepath.Join(root, "locked"), 0)
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "locked"), 0o755) })
	var bad []string
	nodes, err := NewOSFS(root).Scan(context.Background(), ScanOptions{IncludeSubfolders: true,
		Unreadable: func(p string, err error) {
			if !errors.Is(err, fs.ErrPermission) {
				t.Errorf("%s reported with %v, want a permission error", p, err)
			}
			bad = append(bad, p)
		}})
	if err != nil {
		t.Fatalf("scan with an unreadable folder failed: %v", err)
	}
	var got []string
	for _, n := range nodes {
		got = append(got, n.Path)
	}
	if strings.Join(got, " ") != "locked open open/g top.txt" || strings.Join(bad, " ") != "locked" {
		t.Fatalf("nodes %v, unreadable %v; want the readable tree and the locked folder itself, locked reported", got, bad)
	}
}

// WasTrashed tells a file moved to the desktop trash (a deletion in a file manager) from one
// removed for good or moved elsewhere: only the first has an info file naming its path.
func TestWasTrashedFindsTheTrashInfo(t *testing.T) {
	base := t.TempDir()
	root, trash := filepath.Join(base, "home", "Docs"), filepath.Join(base, "xdg", "Trash")
	for _, p := range []string{"trashed one.txt", "sub/trashed.txt", "removed.txt", "moved.txt"} {
		writeFile(t, filepath.Join(root, p), p)
	}
	o := NewOSFSWithTrash(root, trash)
	for _, p := range []string{"trashed one.txt", "sub/trashed.txt"} {
		n, err := o.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.Trash(p, n); err != nil {
			t.Fatal(err)
		}
	}
	if o.WasTrashed("trashed one.txt", time.Now().Add(time.Hour)) {
		t.Error("a deletion older than asked for counts")
	}
	os.Remove(filepath.Join(root, "removed.txt"))
	os.Rename(filepath.Join(root, "moved.txt"), filepath.Join(base, "home", "moved.txt"))
	for p, want := range map[string]bool{"trashed one.txt": true, "sub/trashed.txt": true, "removed.txt": false,
		"moved.txt": false, "never.txt": false} {
		if got := o.WasTrashed(p, time.Now().Add(-time.Minute)); got != want {
			t.Errorf("WasTrashed(%q) = %v, want %v", p, got, want)
		}
	}
}
