package exec

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

func TestDownloadNewFileLandsWithHashAndNodes(t *testing.T) {
	h := newHarness(t)
	h.fs.MkdirAll("docs")
	rn := h.remote("docs/r.txt", "cloud content")
	r := h.runOne(plan.Action{Op: plan.Download, Path: "docs/r.txt", To: "docs/r.txt", Remote: rn})
	mustOK(t, r)
	if got := h.localContent("docs/r.txt"); got != "cloud content" {
		t.Fatalf("local content %q", got)
	}
	if r.Hash != memHash([]byte("cloud content")) || r.Local == nil || r.Local.Path != "docs/r.txt" ||
		r.Remote == nil || r.Remote.ID != rn.ID || r.Remote.Version != rn.Version {
		t.Fatalf("result %+v local %+v remote %+v", r, r.Local, r.Remote)
	}
}

func TestDownloadRefusesToOverwriteLocallyChangedFile(t *testing.T) {
	for _, when := range []string{"before the run", "between stage and commit"} {
		t.Run(when, func(t *testing.T) {
			h := newHarness(t)
			ln := h.local("f.txt", "base")
			rn := h.remote("f.txt", "cloud edit")
			edit := func() { h.fs.WriteFile("f.txt", []byte("local edit, not yet scanned")) }
			if when == "before the run" {
				edit()
			} else {
				h.fs.BeforeCommit = func(string) { edit() }
			}
			r := h.runOne(plan.Action{Op: plan.Download, Path: "f.txt", To: "f.txt", Local: ln, Remote: rn})
			if !errors.Is(r.Err, ErrLocalChanged) || r.Reason != "" {
				t.Fatalf("err %v reason %q, want ErrLocalChanged and no failure reason", r.Err, r.Reason)
			}
			if got := h.localContent("f.txt"); got != "local edit, not yet scanned" {
				t.Fatalf("local content %q: the edit was overwritten", got)
			}
		})
	}
}

func TestDownloadOfSameContentWritesNothing(t *testing.T) {
	h := newHarness(t)
	ln := h.local("f.txt", "same")
	rn := h.remote("f.txt", "same")
	r := h.runOne(plan.Action{Op: plan.Download, Path: "f.txt", To: "f.txt", Local: ln, Remote: rn})
	mustOK(t, r)
	if !r.Identical || r.Local.ID != ln.ID || r.Local.Version != ln.Version {
		t.Fatalf("identical download rewrote the file: %+v", r.Local)
	}
}

func TestDownloadResumesAfterNetworkBreak(t *testing.T) {
	h := newHarness(t)
	body := strings.Repeat("0123456789", 100)
	rn := h.remote("big.bin", body)
	h.rem.breakAt, h.rem.breaks = 300, 2
	r := h.runOne(plan.Action{Op: plan.Download, Path: "big.bin", To: "big.bin", Remote: rn})
	mustOK(t, r)
	if got := h.localContent("big.bin"); got != body {
		t.Fatalf("resumed download differs (%d bytes)", len(got))
	}
	if n := h.rem.callCount("open"); n != 3 {
		t.Fatalf("opens %d, want 3 (two resumes)", n)
	}
}

func TestDownloadGivesUpAfterBoundedResumes(t *testing.T) {
	h := newHarness(t)
	rn := h.remote("big.bin", strings.Repeat("x", 1000))
	h.rem.breakAt, h.rem.breaks = 100, 10
	r := h.runOne(plan.Action{Op: plan.Download, Path: "big.bin", To: "big.bin", Remote: rn})
	if r.Reason != remote.ReasonNetwork || h.rem.callCount("open") != 1+remote.DownloadResumes {
		t.Fatalf("reason %q, opens %d", r.Reason, h.rem.callCount("open"))
	}
	if _, err := h.fs.Stat("big.bin"); err == nil {
		t.Fatal("a partial download is visible under the final name")
	}
}

func TestDownloadDoesNotResumeAChangedRemoteFile(t *testing.T) {
	h := newHarness(t)
	rn := h.remote("f.bin", strings.Repeat("a", 1000))
	h.rem.breakAt, h.rem.breaks = 500, 1
	h.rem.fault = func(op, p string) error {
		if op == "stat" {
			h.rem.fault = nil
			h.rem.put(p, strings.Repeat("b", 1000)) // edited on the server mid-download
		}
		return nil
	}
	r := h.runOne(plan.Action{Op: plan.Download, Path: "f.bin", To: "f.bin", Remote: rn})
	if r.Err == nil || r.Reason != remote.ReasonNetwork {
		t.Fatalf("mixed-version download accepted: err %v reason %q", r.Err, r.Reason)
	}
	if _, err := h.fs.Stat("f.bin"); err == nil {
		t.Fatal("a torn download is visible under the final name")
	}
}

// TestDownloadLongerThanListedIsCutAndFailsAsNetwork: a server whose answer goes on past
// the listed size (a 0-byte file whose body never ends grew its temporary file without
// bound) is cut one byte after the listed size; nothing lands, the item fails as network.
func TestDownloadLongerThanListedIsCutAndFailsAsNetwork(t *testing.T) {
	for _, content := range []string{"", "hello"} {
		t.Run(fmt.Sprintf("%d bytes listed", len(content)), func(t *testing.T) {
			h := newHarness(t)
			rn := h.remote("f.txt", content)
			h.rem.endless = true
			r := h.runOne(plan.Action{Op: plan.Download, Path: "f.txt", To: "f.txt", Remote: rn})
			if r.Reason != remote.ReasonNetwork || !strings.Contains(r.Err.Error(), "more than") {
				t.Fatalf("endless answer: err %v reason %q, want network", r.Err, r.Reason)
			}
			if _, err := h.fs.Stat("f.txt"); err == nil {
				t.Fatal("an endless download landed under the final name")
			}
			if n := h.rem.endlessRead; n > 64<<10 {
				t.Errorf("read %d bytes past the listed size", n)
			}
		})
	}
}

func TestConflictKeepsLocalVersionAsCopy(t *testing.T) {
	h := newHarness(t)
	h.fs.MkdirAll("d")
	local := "my local edit \x00\xff bytes"
	ln := h.local("d/report.docx", local)
	rn := h.remote("d/report.docx", "the cloud's edit")
	r := h.runOne(plan.Action{Op: plan.Conflict, Path: "d/report.docx", To: "d/report.docx", Local: ln, Remote: rn})
	mustOK(t, r)
	if r.Identical || r.ConflictCopy != "d/report (conflict copy 2026-11-22 101500).docx" {
		t.Fatalf("conflict copy %q identical %v", r.ConflictCopy, r.Identical)
	}
	if got := h.localContent(r.ConflictCopy); got != local {
		t.Fatalf("conflict copy content %q, want the local version byte for byte", got)
	}
	if got := h.localContent("d/report.docx"); got != "the cloud's edit" {
		t.Fatalf("name holds %q, want the cloud version", got)
	}
	if _, ok := h.rem.content(remote.Join(testRoot, r.ConflictCopy)); ok || h.rem.callCount("upload") != 0 {
		t.Fatal("the conflict copy was uploaded")
	}
	if r.Local.Path != "d/report.docx" || r.Hash != memHash([]byte("the cloud's edit")) {
		t.Fatalf("result local %+v hash %s", r.Local, r.Hash)
	}
}

// TestConflictWhoseCloudContentIsTheBaseUploadsTheLocalEdit: a cloud version whose
// content is still the last sync's (a move or a metadata edit moved it) is no edit: the
// local edit goes to the cloud, no conflict copy is made, nothing local is rewritten.
func TestConflictWhoseCloudContentIsTheBaseUploadsTheLocalEdit(t *testing.T) {
	h := newHarness(t)
	ln := h.local("notes.txt", "my local edit")
	rn := h.remote("notes.txt", "as last synced")
	before := h.fs.Tree()
	r := h.runOne(plan.Action{Op: plan.Conflict, Path: "notes.txt", To: "notes.txt", Local: ln, Remote: rn,
		BaseHash: memHash([]byte("as last synced"))})
	mustOK(t, r)
	if r.ConflictCopy != "" || len(h.fs.Tree()) != len(before) {
		t.Fatalf("conflict copy %q, tree %v", r.ConflictCopy, h.fs.Tree())
	}
	if got, _ := h.rem.content(remote.Join(testRoot, "notes.txt")); got != "my local edit" {
		t.Fatalf("cloud holds %q, want the local edit", got)
	}
	if got := h.localContent("notes.txt"); got != "my local edit" || r.Hash != memHash([]byte("my local edit")) || r.Action.Op != plan.Conflict {
		t.Fatalf("local %q, result %+v", got, r)
	}
	// A cloud content that is not the base's still makes a conflict copy.
	h2 := newHarness(t)
	ln2 := h2.local("notes.txt", "my local edit")
	rn2 := h2.remote("notes.txt", "their edit")
	r2 := h2.runOne(plan.Action{Op: plan.Conflict, Path: "notes.txt", To: "notes.txt", Local: ln2, Remote: rn2,
		BaseHash: memHash([]byte("as last synced"))})
	mustOK(t, r2)
	if r2.ConflictCopy == "" {
		t.Fatal("a real cloud edit made no conflict copy")
	}
}

func TestConflictWithIdenticalContentKeepsNoCopy(t *testing.T) {
	h := newHarness(t)
	ln := h.local("same.txt", "identical")
	ln.Hash = "" // not hashed by the scan: exec hashes the local file itself
	rn := h.remote("same.txt", "identical")
	before := h.fs.Tree()
	r := h.runOne(plan.Action{Op: plan.Conflict, Path: "same.txt", To: "same.txt", Local: ln, Remote: rn})
	mustOK(t, r)
	if !r.Identical || r.ConflictCopy != "" || len(h.fs.Tree()) != len(before) {
		t.Fatalf("identical conflict: %+v, tree %v", r, h.fs.Tree())
	}
	if r.Local.ID != ln.ID || r.Local.Version != ln.Version {
		t.Fatal("identical conflict rewrote the local file")
	}
}

func TestConflictFileVersusLocalFolderKeepsTheFolder(t *testing.T) {
	h := newHarness(t)
	h.local("x/inside.txt", "precious")
	ln := h.localNode("x")
	rn := h.remote("x", "cloud file")
	r := h.runOne(plan.Action{Op: plan.Conflict, Path: "x", To: "x", Local: ln, Remote: rn})
	mustOK(t, r)
	if got := h.localContent(r.ConflictCopy + "/inside.txt"); got != "precious" {
		t.Fatalf("folder content under conflict copy %q: %q", r.ConflictCopy, got)
	}
	if got := h.localContent("x"); got != "cloud file" {
		t.Fatalf("x holds %q", got)
	}
}

func TestConflictCommitRechecksLocalFile(t *testing.T) {
	h := newHarness(t)
	ln := h.local("c.txt", "mine")
	rn := h.remote("c.txt", "theirs")
	h.fs.BeforeCommit = func(string) { h.fs.WriteFile("c.txt", []byte("mine, edited again")) }
	r := h.runOne(plan.Action{Op: plan.Conflict, Path: "c.txt", To: "c.txt", Local: ln, Remote: rn})
	if !errors.Is(r.Err, ErrLocalChanged) {
		t.Fatalf("err %v", r.Err)
	}
	if got := h.localContent("c.txt"); got != "mine, edited again" || len(h.fs.Tree()) != 1 {
		t.Fatalf("local %q, tree %v", got, h.fs.Tree())
	}
}

func TestUploadOfFileChangingDuringUploadIsRepeated(t *testing.T) {
	h := newHarness(t)
	ln := h.local("w.txt", "first draft")
	edits := 0
	h.fs.OnRead = func(p string, off int64) {
		if edits < 2 { // the writer is still busy during the first two reads
			edits++
			h.fs.WriteFile(p, []byte("draft "+strings.Repeat("!", edits)))
		}
	}
	r := h.runOne(plan.Action{Op: plan.Upload, Path: "w.txt", To: "w.txt", Local: ln})
	mustOK(t, r)
	final := h.localContent("w.txt")
	if got := h.remoteContent("w.txt"); got != final {
		t.Fatalf("remote %q, local %q", got, final)
	}
	cur, _ := h.fs.Stat("w.txt")
	if r.Local.Version != cur.Version || r.Hash != memHash([]byte(final)) || r.Remote.Version == "" {
		t.Fatalf("result describes %+v, file is %+v", r.Local, cur)
	}
	if n := h.rem.callCount("upload"); n != 3 {
		t.Fatalf("uploads %d, want 3", n)
	}
}

func TestUploadOfFileChangedAfterReadIsSentAgain(t *testing.T) {
	h := newHarness(t)
	ln := h.local("w.txt", "v1")
	once := false
	h.rem.afterUploadRead = func(string) {
		if !once {
			once = true
			h.fs.WriteFile("w.txt", []byte("v2, saved while v1 was in flight"))
		}
	}
	r := h.runOne(plan.Action{Op: plan.Upload, Path: "w.txt", To: "w.txt", Local: ln})
	mustOK(t, r)
	if got := h.remoteContent("w.txt"); got != "v2, saved while v1 was in flight" {
		t.Fatalf("remote %q", got)
	}
}

func TestUploadOfFileThatKeepsChangingPublishesNothingTorn(t *testing.T) {
	h := newHarness(t)
	ln := h.local("log.txt", "line")
	n := 0
	h.fs.OnRead = func(p string, off int64) { n++; h.fs.WriteFile(p, []byte(strings.Repeat("line", n+1))) }
	r := h.runOne(plan.Action{Op: plan.Upload, Path: "log.txt", To: "log.txt", Local: ln})
	if !errors.Is(r.Err, ErrKeptChanging) || !errors.Is(r.Err, ErrLocalChanged) || r.Reason != "" {
		t.Fatalf("err %v reason %q", r.Err, r.Reason)
	}
	if _, ok := h.rem.content(remote.Join(testRoot, "log.txt")); ok {
		t.Fatal("a version read while changing was stored")
	}
	if h.rem.callCount("upload") != remote.UploadAttempts {
		t.Fatalf("uploads %d", h.rem.callCount("upload"))
	}
}

func TestUploadReplacesTheSameRemoteNode(t *testing.T) {
	h := newHarness(t)
	rn := h.remote("doc.txt", "old")
	ln := h.local("doc.txt", "new")
	r := h.runOne(plan.Action{Op: plan.Upload, Path: "doc.txt", To: "doc.txt", Local: ln, Remote: rn})
	mustOK(t, r)
	if r.Remote.ID != rn.ID || r.Remote.Version == rn.Version || h.remoteContent("doc.txt") != "new" {
		t.Fatalf("remote after %+v", r.Remote)
	}
	// Edited on the server since the listing: the upload must not overwrite it.
	h.rem.put(remote.Join(testRoot, "doc.txt"), "server edit")
	ln = h.local("doc.txt", "newer")
	r = h.runOne(plan.Action{Op: plan.Upload, Path: "doc.txt", To: "doc.txt", Local: ln, Remote: r.Remote})
	if !errors.Is(r.Err, remote.ErrChanged) || h.remoteContent("doc.txt") != "server edit" {
		t.Fatalf("err %v, remote %q", r.Err, h.remoteContent("doc.txt"))
	}
}
