package exec

import (
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// TestRemoveStagedRemovesOnlyStagedFilesOfThatFolder: what a crash cut (a staged download
// neither committed nor discarded) is removed by RemoveStaged of its folder; a user's files,
// even ones named like the engine's temp files, and other folders' temp files stay; a
// missing folder is no error; committing a removed temp file fails without touching the
// target.
func TestRemoveStagedRemovesOnlyStagedFilesOfThatFolder(t *testing.T) {
	eachFS(t, func(t *testing.T, k *fsKit) {
		k.write("d/keep.txt", "a user's file")
		k.write("d/.cloudsync-notours.part", "a user's file with a look-alike name")
		k.write("e/x", "x")
		lookalikes := k.temps() // (the OS kit counts files by prefix)
		cut := stage(t, k.fs, "d/a.txt", "a download a crash cut")
		other := stage(t, k.fs, "e/b.txt", "a download in another folder")
		if n, err := k.fs.RemoveStaged("d"); err != nil || n != 1 {
			t.Fatalf("RemoveStaged(d) = %d, %v; want 1 removed", n, err)
		}
		if n := k.temps() - lookalikes; n != 1 {
			t.Fatalf("%d temp files left, want only e's", n)
		}
		for p, want := range map[string]string{"d/keep.txt": "a user's file", "d/.cloudsync-notours.part": "a user's file with a look-alike name"} {
			if got, err := k.read(p); err != nil || got != want {
				t.Fatalf("%s = %q, %v; the user's file must stay", p, got, err)
			}
		}
		if _, err := cut.Commit((*plan.Node)(nil), "", time.Time{}); err == nil {
			t.Fatal("a removed temp file was committed")
		}
		if _, err := k.read("d/a.txt"); err == nil {
			t.Fatal("d/a.txt exists after the commit of a removed temp file")
		}
		if n, err := k.fs.RemoveStaged("missing/folder"); err != nil || n != 0 {
			t.Fatalf("RemoveStaged of a missing folder = %d, %v; want 0, nil", n, err)
		}
		if err := other.Discard(); err != nil || k.temps() != lookalikes {
			t.Fatalf("discard: %v, %d temps left", err, k.temps())
		}
	})
}

func TestStagedNamesAreExact(t *testing.T) {
	for name, want := range map[string]bool{
		".cloudsync-0123456789abcdef.part":  true,
		".cloudsync-0123456789ABCDEF.part":  false,
		".cloudsync-0123456789abcde.part":   false,
		".cloudsync-notours.part":           false,
		"x.cloudsync-0123456789abcdef.part": false,
		strings.Repeat("a", 3):              false,
	} {
		if got := isStagedName(name); got != want {
			t.Errorf("isStagedName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestConflictUploadKeepsTheCloudVersionThenUploads: a cloud file that may be this
// engine's cut upload (or a cloud edit) is first kept as a local conflict copy, then the
// local file goes up over it; the local file keeps its name and content.
func TestConflictUploadKeepsTheCloudVersionThenUploads(t *testing.T) {
	h := newHarness(t)
	h.fs.MkdirAll("d")
	ln := h.local("d/doc.odt", "the local file, edited again")
	rn := h.remote("d/doc.odt", "the local f") // maybe the first bytes of an earlier upload
	r := h.runOne(plan.Action{Op: plan.ConflictUpload, Path: "d/doc.odt", To: "d/doc.odt", Local: ln, Remote: rn})
	mustOK(t, r)
	if r.ConflictCopy == "" || h.localContent(r.ConflictCopy) != "the local f" {
		t.Fatalf("conflict copy %q holds %q, want the cloud's version", r.ConflictCopy, h.localContent(r.ConflictCopy))
	}
	if got := h.remoteContent("d/doc.odt"); got != "the local file, edited again" {
		t.Fatalf("cloud holds %q, want the local file", got)
	}
	if got := h.localContent("d/doc.odt"); got != "the local file, edited again" {
		t.Fatalf("local name holds %q", got)
	}
	if r.Local == nil || r.Remote == nil || r.Hash != memHash([]byte("the local file, edited again")) {
		t.Fatalf("result %+v", r)
	}
}
