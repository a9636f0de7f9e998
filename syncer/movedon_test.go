package syncer_test

import (
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// Items moved on after a failed cloud move: each is listed once, where it is in the local
// folder, with a true status, and counted once, also after a restart (as after kill -9).

// TestAFileMovedOutOfAFailedFolderMoveIsListedOnce: folder d renamed e locally, its cloud
// move failing, then e/x.txt moved out to x.txt, whose own cloud move waits for the
// folder's. x.txt is listed once, pending, at x.txt (it was also listed at e/x.txt, where no
// file is), and status counts the three items waiting once each (it counted six). Moved
// back into e it is listed there again; once moves succeed everything is synced where it is.
func TestAFileMovedOutOfAFailedFolderMoveIsListedOnce(t *testing.T) {
	r, clk, tweak := newClockRig(t, "d/x.txt", "x", "d/sub/y.txt", "y", "keep.txt", "unchanged")
	renameWhileMovesFail(r, "d", "e")
	checkPendingFailed(t, r, "after the failed folder move", 3, 1)
	if _, err := r.local().Rename("e/x.txt", "x.txt"); err != nil {
		t.Fatal(err)
	}
	r.event("e/x.txt", "x.txt")
	r.wait()
	movedOut := map[string]string{"": "pending ", "keep.txt": "synced ", "e": "failed network",
		"e/sub": "pending ", "e/sub/y.txt": "pending ", "x.txt": "pending "}
	check := func(when string) {
		t.Helper()
		checkListed(t, r, when, movedOut)
		if info := r.info("x.txt"); info.Status != model.StatusPending || info.Cloud.Location != "Docs/d/x.txt" || info.LastSync == "" {
			t.Errorf("%s: info x.txt: %s, in the cloud at %s, last sync %q; want pending, still at Docs/d/x.txt, synced before",
				when, info.Status, info.Cloud.Location, info.LastSync)
		}
		if info := r.info("e/x.txt"); info.LastSync != "" || info.Cloud.Location == "Docs/d/x.txt" {
			t.Errorf("%s: info e/x.txt (no file there) is the moved file's: %s, last sync %q", when, info.Status, info.LastSync)
		}
		checkPendingFailed(t, r, when, 3, 1)
	}
	check("after moving the file out")
	r.restart(tweak)
	r.wait()
	check("after a restart")

	if _, err := r.local().Rename("x.txt", "e/x.txt"); err != nil {
		t.Fatal(err)
	}
	r.event("x.txt", "e/x.txt")
	r.wait()
	checkListed(t, r, "after moving it back in", map[string]string{"": "pending ", "keep.txt": "synced ", "e": "failed network",
		"e/x.txt": "pending ", "e/sub": "pending ", "e/sub/y.txt": "pending "})
	checkPendingFailed(t, r, "after moving it back in", 3, 1)

	if _, err := r.local().Rename("e/x.txt", "x.txt"); err != nil {
		t.Fatal(err)
	}
	r.event("e/x.txt", "x.txt")
	r.rem.SetFault(nil)
	clk.advance(2 * time.Hour) // the folder's retry is due
	r.wait()
	if got := r.rem.Tree("Docs"); got["x.txt"] != "x" || got["e/sub/y.txt"] != "y" || len(got) != 5 {
		t.Fatalf("the cloud holds %q after the retry", got)
	}
	checkListed(t, r, "after the retry", map[string]string{"": "synced ", "keep.txt": "synced ", "e": "synced ",
		"e/sub": "synced ", "e/sub/y.txt": "synced ", "x.txt": "synced "})
	checkPendingFailed(t, r, "after the retry", 0, 0)
}

// TestAFailedMoveMovedOnIsListedWhereItIs: a.txt renamed b.txt, whose cloud move failed,
// then renamed c.txt before its retry is due: it is listed once, failed, at c.txt (it was
// listed at b.txt, where no file is, and not at all where it is), also after a restart.
func TestAFailedMoveMovedOnIsListedWhereItIs(t *testing.T) {
	r, clk, tweak := newClockRig(t, "a.txt", "the report")
	renameWhileMovesFail(r, "a.txt", "b.txt")
	if _, err := r.local().Rename("b.txt", "c.txt"); err != nil {
		t.Fatal(err)
	}
	r.event("b.txt", "c.txt")
	r.wait()
	want := map[string]string{"": "synced ", "c.txt": "failed network"}
	checkListed(t, r, "after moving it on", want)
	if info := r.info("c.txt"); info.Status != model.StatusFailed || info.Cloud.Location != "Docs/a.txt" {
		t.Errorf("info c.txt: %s in the cloud at %s, want failed, still at Docs/a.txt", info.Status, info.Cloud.Location)
	}
	r.restart(tweak)
	r.wait()
	checkListed(t, r, "after a restart", want)
	checkPendingFailed(t, r, "after a restart", 0, 1)

	r.rem.SetFault(nil)
	clk.advance(2 * time.Hour)
	r.wait()
	if got := r.rem.Tree("Docs"); got["c.txt"] != "the report" || len(got) != 1 {
		t.Fatalf("the cloud holds %q after the retry", got)
	}
	checkListed(t, r, "after the retry", map[string]string{"": "synced ", "c.txt": "synced "})
}

// checkPendingFailed fails t unless status counts pending and failed items.
func checkPendingFailed(t *testing.T, r *rig, when string, pending, failed int) {
	t.Helper()
	if st := r.status(); st.Pending != pending || st.Failed != failed {
		t.Errorf("%s: status counts %d pending, %d failed; want %d, %d", when, st.Pending, st.Failed, pending, failed)
	}
}
