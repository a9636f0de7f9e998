package exec

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

func TestDeleteLocalGoesToTrash(t *testing.T) {
	h := newHarness(t)
	h.local("dir/a.txt", "keep me recoverable")
	ln := h.localNode("dir")
	r := h.runOne(plan.Action{Op: plan.DeleteLocal, Path: "dir", To: "dir", Local: ln})
	mustOK(t, r)
	tr := h.fs.Trashed()
	if len(tr) != 1 || tr[0].Path != "dir" || string(tr[0].Files["a.txt"]) != "keep me recoverable" {
		t.Fatalf("trash %+v", tr)
	}
	if len(h.fs.Tree()) != 0 || r.Local != nil {
		t.Fatalf("tree after delete %v, result local %+v", h.fs.Tree(), r.Local)
	}
}

func TestDeleteLocalOfEditedFileTouchesNothing(t *testing.T) {
	h := newHarness(t)
	ln := h.local("a.txt", "v1")
	h.fs.WriteFile("a.txt", []byte("edited after the scan"))
	r := h.runOne(plan.Action{Op: plan.DeleteLocal, Path: "a.txt", To: "a.txt", Local: ln})
	if !errors.Is(r.Err, ErrLocalChanged) || h.localContent("a.txt") != "edited after the scan" || len(h.fs.Trashed()) != 0 {
		t.Fatalf("err %v, trash %v", r.Err, h.fs.Trashed())
	}
}

func TestDeleteRemoteSparesAServerEditAndAcceptsAlreadyGone(t *testing.T) {
	h := newHarness(t)
	rn := h.remote("a.txt", "v1")
	h.rem.put(remote.Join(testRoot, "a.txt"), "edited on the server after the listing")
	r := h.runOne(plan.Action{Op: plan.DeleteRemote, Path: "a.txt", To: "a.txt", Remote: rn})
	if r.Err == nil || h.remoteContent("a.txt") == "" {
		t.Fatalf("edited remote file deleted: %v", r.Err)
	}
	gone := h.remote("b.txt", "x")
	h.rem.remove(remote.Join(testRoot, "b.txt"))
	mustOK(t, h.runOne(plan.Action{Op: plan.DeleteRemote, Path: "b.txt", To: "b.txt", Remote: gone}))
	d := h.remoteDir("d")
	h.remote("d/c.txt", "c")
	mustOK(t, h.runOne(plan.Action{Op: plan.DeleteRemote, Path: "d", To: "d", Remote: d}))
	if _, ok := h.rem.content(remote.Join(testRoot, "d/c.txt")); ok {
		t.Fatal("folder not deleted")
	}
}

func TestMovesKeepIDs(t *testing.T) {
	h := newHarness(t)
	h.fs.MkdirAll("new")
	ln := h.local("old.txt", "x")
	r := h.runOne(plan.Action{Op: plan.MoveLocal, Path: "old.txt", To: "new/renamed.txt", Local: ln})
	mustOK(t, r)
	if r.Local.ID != ln.ID || r.Local.Path != "new/renamed.txt" || h.localContent("new/renamed.txt") != "x" {
		t.Fatalf("local move: %+v", r.Local)
	}
	h.remoteDir("B")
	rn := h.remote("A/x.txt", "y")
	r = h.runOne(plan.Action{Op: plan.MoveRemote, Path: "A/x.txt", To: "B/x.txt", Remote: rn})
	mustOK(t, r)
	if r.Remote.ID != rn.ID || r.Remote.Path != "B/x.txt" || h.remoteContent("B/x.txt") != "y" {
		t.Fatalf("remote move: %+v", r.Remote)
	}
}

func TestMkdirAdoptsExistingFolder(t *testing.T) {
	h := newHarness(t)
	d := h.remoteDir("made-last-pass")
	r := h.runOne(plan.Action{Op: plan.MkdirRemote, Path: "made-last-pass", To: "made-last-pass", IsDir: true})
	mustOK(t, r)
	if r.Remote.ID != d.ID {
		t.Fatalf("adopted %+v, want %s", r.Remote, d.ID)
	}
	h.fs.MkdirAll("here")
	mustOK(t, h.runOne(plan.Action{Op: plan.MkdirLocal, Path: "here", To: "here", IsDir: true}))
}

func TestRecordReturnsFreshNodesOnlyWhenUnchanged(t *testing.T) {
	h := newHarness(t)
	ln := h.local("s.txt", "same")
	rn := h.remote("s.txt", "same")
	r := h.runOne(plan.Action{Op: plan.Record, Path: "s.txt", To: "s.txt", Local: ln, Remote: rn})
	mustOK(t, r)
	if r.Local.ID != ln.ID || r.Remote.ID != rn.ID || r.Hash != ln.Hash {
		t.Fatalf("record %+v %+v", r.Local, r.Remote)
	}
	h.fs.WriteFile("s.txt", []byte("edited"))
	if r := h.runOne(plan.Action{Op: plan.Record, Path: "s.txt", To: "s.txt", Local: ln, Remote: rn}); !errors.Is(r.Err, ErrLocalChanged) {
		t.Fatalf("record of a changed file: %v", r.Err)
	}
	if h.rem.callCount("upload")+h.rem.callCount("mkdir")+h.rem.callCount("delete") != 0 {
		t.Fatalf("record mutated the remote: %v", h.rem.calls)
	}
}

// TestEveryFailureClassifies runs one failing action per row and checks the reason the
// user will see.
func TestEveryFailureClassifies(t *testing.T) {
	remoteFault := func(op string, kind error) func(h *harness) {
		return func(h *harness) {
			h.rem.fault = func(o, p string) error {
				if o == op {
					return &remote.Error{Kind: kind, Op: o, Path: p, Status: 500}
				}
				return nil
			}
		}
	}
	localFault := func(op string, err error) func(h *harness) {
		return func(h *harness) {
			h.fs.Fault = func(o, p string) error {
				if o == op {
					return &fs.PathError{Op: o, Path: p, Err: err}
				}
				return nil
			}
		}
	}
	upload := func(h *harness) plan.Action {
		return plan.Action{Op: plan.Upload, Path: "f.txt", To: "f.txt", Local: h.local("f.txt", "x")}
	}
	download := func(h *harness) plan.Action {
		return plan.Action{Op: plan.Download, Path: "f.txt", To: "f.txt", Remote: h.remote("f.txt", "x")}
	}
	cases := []struct {
		name   string
		setup  func(h *harness)
		action func(h *harness) plan.Action
		want   remote.Reason
	}{
		{"upload into a deleted cloud folder", nil, func(h *harness) plan.Action {
			return plan.Action{Op: plan.Upload, Path: "gone/f.txt", To: "gone/f.txt", Local: h.local("gone/f.txt", "x")}
		}, remote.ReasonMissingDestination},
		{"upload over a cloud file deleted meanwhile", nil, func(h *harness) plan.Action {
			rn := h.remote("f.txt", "old")
			h.rem.remove(remote.Join(testRoot, "f.txt"))
			return plan.Action{Op: plan.Upload, Path: "f.txt", To: "f.txt", Local: h.local("f.txt", "x"), Remote: rn}
		}, remote.ReasonTargetDeleted},
		{"download of a deleted cloud file", nil, func(h *harness) plan.Action {
			a := download(h)
			h.rem.remove(remote.Join(testRoot, "f.txt"))
			return a
		}, remote.ReasonTargetDeleted},
		{"cloud mkdir in a deleted folder", nil, func(h *harness) plan.Action {
			return plan.Action{Op: plan.MkdirRemote, Path: "gone/sub", To: "gone/sub", IsDir: true}
		}, remote.ReasonMissingDestination},
		{"cloud move onto a taken name", nil, func(h *harness) plan.Action {
			h.remote("taken.txt", "other")
			return plan.Action{Op: plan.MoveRemote, Path: "a.txt", To: "taken.txt", Remote: h.remote("a.txt", "a")}
		}, remote.ReasonNameClash},
		{"cloud move of a deleted item", nil, func(h *harness) plan.Action {
			rn := h.remote("a.txt", "a")
			h.rem.remove(remote.Join(testRoot, "a.txt"))
			return plan.Action{Op: plan.MoveRemote, Path: "a.txt", To: "b.txt", Remote: rn}
		}, remote.ReasonTargetDeleted},
		{"cloud move into a deleted folder", nil, func(h *harness) plan.Action {
			return plan.Action{Op: plan.MoveRemote, Path: "a.txt", To: "gone/a.txt", Remote: h.remote("a.txt", "a")}
		}, remote.ReasonMissingDestination},
		{"local move onto a taken name", nil, func(h *harness) plan.Action {
			h.local("taken.txt", "other")
			return plan.Action{Op: plan.MoveLocal, Path: "a.txt", To: "taken.txt", Local: h.local("a.txt", "a")}
		}, remote.ReasonNameClash},
		{"local mkdir over a file", nil, func(h *harness) plan.Action {
			h.local("d", "a file")
			return plan.Action{Op: plan.MkdirLocal, Path: "d", To: "d", IsDir: true}
		}, remote.ReasonNameClash},
		{"download into a vanished local folder", nil, func(h *harness) plan.Action {
			return plan.Action{Op: plan.Download, Path: "sub/f.txt", To: "sub/f.txt", Remote: h.remote("sub/f.txt", "x")}
		}, remote.ReasonMissingDestination},
		{"quota", remoteFault("upload", remote.ErrQuota), upload, remote.ReasonQuotaExceeded},
		{"too large", remoteFault("upload", remote.ErrTooLarge), upload, remote.ReasonTooLarge},
		{"auth", remoteFault("open", remote.ErrAuth), download, remote.ReasonAuthFailed},
		{"forbidden", remoteFault("upload", remote.ErrPermission), upload, remote.ReasonPermissionDenied},
		{"locked", remoteFault("upload", remote.ErrLocked), upload, remote.ReasonLocked},
		{"invalid name", remoteFault("upload", remote.ErrInvalidName), upload, remote.ReasonInvalidName},
		{"unsupported", remoteFault("open", remote.ErrUnsupported), download, remote.ReasonUnsupported},
		{"server error", remoteFault("upload", remote.ErrServer), upload, remote.ReasonNetwork},
		{"local read error", localFault("read", syscall.EIO), upload, remote.ReasonLocalIO},
		{"local disk full", localFault("stage", syscall.ENOSPC), download, remote.ReasonLocalIO},
		{"local permission", localFault("open", fs.ErrPermission), upload, remote.ReasonPermissionDenied},
		{"local rename failure", localFault("commit", syscall.EIO), download, remote.ReasonLocalIO},
		{"trash failure", localFault("trash", syscall.EIO), func(h *harness) plan.Action {
			return plan.Action{Op: plan.DeleteLocal, Path: "a.txt", To: "a.txt", Local: h.local("a.txt", "a")}
		}, remote.ReasonLocalIO},
		{"planned failure", nil, func(h *harness) plan.Action {
			return plan.Action{Op: plan.Fail, Path: "CON", To: "CON", Reason: remote.ReasonInvalidName}
		}, remote.ReasonInvalidName},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			a := c.action(h)
			if c.setup != nil {
				c.setup(h)
			}
			r := h.runOne(a)
			if r.Err == nil || r.Reason != c.want || r.Skipped {
				t.Fatalf("err %v, reason %q, want %q", r.Err, r.Reason, c.want)
			}
		})
	}
}
