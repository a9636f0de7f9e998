package syncer_test

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestAFailedMoveIsListedOnceWhereTheFileIs: a local rename whose cloud move fails leaves
// one item with two paths, the old one in the cloud and the new one in the folder. Synced
// content and Sync Info (list, info) show it once, at the path of the file in the folder,
// failed with the move's failure; the old path, where no file is any more, is not listed.
func TestAFailedMoveIsListedOnceWhereTheFileIs(t *testing.T) {
	r, clk, _ := newClockRig(t, "a.txt", "the report", "keep.txt", "unchanged")
	if err := r.local().MkdirAll("d"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.local().Rename("a.txt", "d/b.txt"); err != nil {
		t.Fatal(err)
	}
	failMoves(r, "")
	r.event("a.txt", "d", "d/b.txt")
	r.wait()
	if got := r.rem.Tree("Docs"); got["a.txt"] != "the report" {
		t.Fatalf("the cloud holds %q; the move was to fail", got)
	}
	checkListed(t, r, "after the failed move", map[string]string{"": "synced ", "keep.txt": "synced ", "d": "synced ",
		"d/b.txt": "failed network"})
	info := r.info("d/b.txt")
	if info.Status != model.StatusFailed || info.Reason != remote.ReasonNetwork || info.Cloud.Location != "Docs/a.txt" {
		t.Errorf("info d/b.txt: %s %s in the cloud at %s, want failed network, still at Docs/a.txt", info.Status, info.Reason, info.Cloud.Location)
	}
	if info := r.info("a.txt"); info.Status == model.StatusFailed || info.Status == model.StatusSynced {
		t.Errorf("info a.txt (no file there any more): %s %s", info.Status, info.Reason)
	}
	if errs, _ := r.eng.ListItems(r.ctx(), true); len(errs) != 1 || errs[0].Path != testRoot+"/d/b.txt" {
		t.Errorf("Synced with errors lists %+v, want d/b.txt alone", errs)
	}
	for _, ev := range r.failuresAfter(0) {
		if ev.Path != testRoot+"/d/b.txt" {
			t.Errorf("the failure was notified for %s (%q), want d/b.txt", ev.Path, ev.Title)
		}
	}

	// A pass before the retry is due looks at the moved file again (its plan is held back).
	r.event("d/b.txt")
	r.wait()
	checkListed(t, r, "after a pass that held the retry back", map[string]string{"": "synced ", "keep.txt": "synced ", "d": "synced ",
		"d/b.txt": "failed network"})

	r.rem.SetFault(nil)
	clk.advance(2 * time.Hour) // the retry is due
	r.wait()
	if got := r.rem.Tree("Docs"); got["d/b.txt"] != "the report" {
		t.Fatalf("the cloud holds %q after the retry", got)
	}
	checkListed(t, r, "after the retry", map[string]string{"": "synced ", "keep.txt": "synced ", "d": "synced ",
		"d/b.txt": "synced "})
}

// checkListed fails t unless ListItems lists exactly want (set-relative path → "status
// reason"), each path once.
func checkListed(t *testing.T, r *rig, when string, want map[string]string) {
	t.Helper()
	items, err := r.eng.ListItems(r.ctx(), false)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string][]string{}
	for _, it := range items {
		rel := strings.TrimPrefix(strings.TrimPrefix(it.Path, testRoot), "/")
		listed[rel] = append(listed[rel], fmt.Sprintf("%s %s", it.Status, it.Reason))
	}
	wanted := map[string][]string{}
	for p, s := range want {
		wanted[p] = []string{s}
	}
	if !maps.EqualFunc(listed, wanted, slices.Equal) {
		t.Errorf("%s: listed %q, want %q", when, listed, wanted)
	}
}

// TestAFailedLocalMoveIsListedOnceWhereTheFileIs: the cloud renames a file and the local
// rename fails. The file is still at its old path in the folder: it is listed there once,
// failed, and not at the new path, where the folder has nothing yet.
func TestAFailedLocalMoveIsListedOnceWhereTheFileIs(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	r := newRig(t, func(c *syncer.Config) { c.Now = clk.now })
	r.write("a.txt", "the report")
	r.syncFolder(model.DefaultOptions())
	r.local().Fault = func(op, p string) error {
		if op == "rename" {
			return &fs.PathError{Op: "rename", Path: p, Err: fs.ErrPermission}
		}
		return nil
	}
	r.rem.Rename("Docs/a.txt", "Docs/b.txt")
	r.wait()
	if got := r.local().Tree(); got["a.txt"] != "the report" {
		t.Fatalf("the folder holds %q; the rename was to fail", got)
	}
	want := map[string]string{"": "synced ", "a.txt": "failed " + string(r.info("a.txt").Reason)}
	checkListed(t, r, "after the failed local move", want)
	if info := r.info("a.txt"); info.Status != model.StatusFailed {
		t.Errorf("info a.txt: %s, want failed", info.Status)
	}
}

// TestAFailedFolderMoveListsWhatIsBelowWhereItIs: a local folder rename whose cloud move
// fails leaves the folder and everything below it at their old paths in the cloud and at
// the new ones in the folder. Sync Info shows them where they are in the folder (the folder
// failed, what it carries pending), not at the old paths where nothing is any more; so
// does an engine started again over what the first one stored (as after kill -9). Once
// the move succeeds everything is synced at the new paths.
func TestAFailedFolderMoveListsWhatIsBelowWhereItIs(t *testing.T) {
	r, clk, tweak := newClockRig(t, "d/x.txt", "x", "d/sub/y.txt", "y", "keep.txt", "unchanged")
	renameWhileMovesFail(r, "d", "e")
	if got := r.rem.Tree("Docs"); got["d/x.txt"] != "x" || got["d/sub/y.txt"] != "y" {
		t.Fatalf("the cloud holds %q; the move was to fail", got)
	}
	failedMove := map[string]string{"": "pending ", "keep.txt": "synced ", "e": "failed network",
		"e/x.txt": "pending ", "e/sub": "pending ", "e/sub/y.txt": "pending "}
	checkFailedFolderMove := func(when string) {
		t.Helper()
		checkListed(t, r, when, failedMove)
		for p, loc := range map[string]string{"e/x.txt": "Docs/d/x.txt", "e/sub/y.txt": "Docs/d/sub/y.txt"} {
			if info := r.info(p); info.Status != model.StatusPending || info.Cloud.Location != loc || info.LastSync == "" {
				t.Errorf("%s: info %s: %s, in the cloud at %s, last sync %q; want pending, still at %s, synced before",
					when, p, info.Status, info.Cloud.Location, info.LastSync, loc)
			}
		}
		if info := r.info("e"); info.Status != model.StatusFailed || info.Cloud.Location != "Docs/d" {
			t.Errorf("%s: info e: %s in the cloud at %s, want failed, still at Docs/d", when, info.Status, info.Cloud.Location)
		}
		for _, p := range []string{"d", "d/x.txt", "d/sub/y.txt"} { // nothing there any more
			if info := r.info(p); info.Status == model.StatusFailed || info.Status == model.StatusSynced || info.LastSync != "" {
				t.Errorf("%s: info %s (no file there): %s, last sync %q", when, p, info.Status, info.LastSync)
			}
		}
		if errs, _ := r.eng.ListItems(r.ctx(), true); len(errs) != 1 || errs[0].Path != testRoot+"/e" {
			t.Errorf("%s: Synced with errors lists %+v, want e alone", when, errs)
		}
	}
	checkFailedFolderMove("after the failed folder move")

	// A kill -9 between the transactions of a large record (a store splits one too big
	// for a transaction) can leave items below without the path noted: as if so for
	// e/sub/y.txt, which the next start finds and notes again.
	sets, err := r.store.ListSets()
	if err != nil || len(sets) != 1 {
		t.Fatalf("sets %v: %v", sets, err)
	}
	var stripped []model.Item
	_ = r.store.ListItems(sets[0].ID, func(it model.Item) bool {
		if it.Local.Path == "e/sub/y.txt" {
			it.Local.Path = ""
			stripped = append(stripped, it)
		}
		return true
	})
	if len(stripped) != 1 {
		t.Fatalf("found %d items noted at e/sub/y.txt", len(stripped))
	}
	if err := r.store.PutItems(sets[0].ID, stripped, nil); err != nil {
		t.Fatal(err)
	}
	r.restart(tweak)
	r.wait()
	checkFailedFolderMove("after a restart, the retry not due yet")

	r.rem.SetFault(nil)
	clk.advance(2 * time.Hour) // the retry is due
	r.wait()
	if got := r.rem.Tree("Docs"); got["e/x.txt"] != "x" || got["e/sub/y.txt"] != "y" || len(got) != 5 {
		t.Fatalf("the cloud holds %q after the retry", got)
	}
	checkListed(t, r, "after the retry", map[string]string{"": "synced ", "keep.txt": "synced ", "e": "synced ",
		"e/x.txt": "synced ", "e/sub": "synced ", "e/sub/y.txt": "synced "})
}

// TestAFailedMoveBelowAMovedFolderIsListedWhereTheFileIs: a file whose cloud move failed
// is listed at its path in the folder; when its folder is then renamed (here in the cloud,
// followed locally) it is listed at its path in the renamed folder, before and after a
// restart, not where the folder used to be.
func TestAFailedMoveBelowAMovedFolderIsListedWhereTheFileIs(t *testing.T) {
	r, clk, tweak := newClockRig(t, "d/a.txt", "the report")
	if _, err := r.local().Rename("d/a.txt", "d/b.txt"); err != nil {
		t.Fatal(err)
	}
	failMoves(r, "a.txt")
	r.event("d/a.txt", "d/b.txt")
	r.wait()
	checkListed(t, r, "after the failed move", map[string]string{"": "synced ", "d": "synced ", "d/b.txt": "failed network"})

	r.rem.Rename("Docs/d", "Docs/e")
	r.event("d")
	r.wait()
	if got := r.local().Tree(); got["e/b.txt"] != "the report" {
		t.Fatalf("the folder holds %q; the folder's rename was to follow the cloud", got)
	}
	want := map[string]string{"": "synced ", "e": "synced ", "e/b.txt": "failed network"}
	checkListed(t, r, "after the folder moved", want)
	if info := r.info("e/b.txt"); info.Status != model.StatusFailed || info.Cloud.Location != "Docs/e/a.txt" {
		t.Errorf("info e/b.txt: %s in the cloud at %s, want failed, at Docs/e/a.txt", info.Status, info.Cloud.Location)
	}
	r.restart(tweak)
	r.wait()
	checkListed(t, r, "after a restart", want)

	r.rem.SetFault(nil)
	clk.advance(2 * time.Hour)
	r.wait()
	if got := r.rem.Tree("Docs"); got["e/b.txt"] != "the report" || len(got) != 2 {
		t.Fatalf("the cloud holds %q after the retry", got)
	}
	checkListed(t, r, "after the retry", map[string]string{"": "synced ", "e": "synced ", "e/b.txt": "synced "})
}

// newClockRig is a rig on a clock the test advances (tweak starts it again so, see
// rig.restart) that synced testRoot holding the files of pathsAndContent (path, content, …).
func newClockRig(t *testing.T, pathsAndContent ...string) (r *rig, clk *clock, tweak func(*syncer.Config)) {
	t.Helper()
	clk = &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	tweak = func(c *syncer.Config) { c.Now = clk.now }
	r = newRig(t, tweak)
	for i := 0; i+1 < len(pathsAndContent); i += 2 {
		r.write(pathsAndContent[i], pathsAndContent[i+1])
	}
	r.syncFolder(model.DefaultOptions())
	return r, clk, tweak
}

// renameWhileMovesFail renames local from to to while the cloud refuses every move, and
// runs the pass that fails the move.
func renameWhileMovesFail(r *rig, from, to string) {
	r.t.Helper()
	if _, err := r.local().Rename(from, to); err != nil {
		r.t.Fatal(err)
	}
	failMoves(r, "")
	r.event(from, to)
	r.wait()
}

// failMoves makes the cloud refuse every move of a path ending in suffix as an unreachable
// server does.
func failMoves(r *rig, suffix string) {
	r.rem.SetFault(func(op, p string) error {
		if op == "move" && strings.HasSuffix(p, suffix) {
			return &remote.Error{Kind: remote.ErrNetwork, Op: op, Path: p}
		}
		return nil
	})
}

// TestAFailedMoveMovedBackIsSyncedAgain: a file and a folder renamed locally whose cloud
// moves failed, then renamed back by the user, are where the cloud has them again: synced
// (before, the planner had nothing to do for them, so their failures stayed for ever, shown
// at paths where nothing is, and wait never succeeded). A file moved back but edited
// meanwhile is uploaded; nothing is moved in the cloud.
func TestAFailedMoveMovedBackIsSyncedAgain(t *testing.T) {
	r, clk, tweak := newClockRig(t, "a.txt", "a", "c.txt", "c", "d/y.txt", "y")
	for from, to := range map[string]string{"a.txt": "b.txt", "c.txt": "c2.txt", "d": "e"} {
		if _, err := r.local().Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	failMoves(r, "")
	r.event("a.txt", "b.txt", "c.txt", "c2.txt", "d", "e")
	r.wait()
	checkListed(t, r, "after the failed moves", map[string]string{"": "pending ", "b.txt": "failed network",
		"c2.txt": "failed network", "e": "failed network", "e/y.txt": "pending "})

	moves := r.rem.Calls("move")
	for from, to := range map[string]string{"b.txt": "a.txt", "c2.txt": "c.txt", "e": "d"} {
		if _, err := r.local().Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	r.write("c.txt", "c, edited")
	r.event("a.txt", "b.txt", "c.txt", "c2.txt", "d", "e")
	r.wait()
	checkListed(t, r, "after moving them back", map[string]string{"": "synced ", "a.txt": "synced ",
		"c.txt": "failed network", "d": "synced ", "d/y.txt": "synced "})
	if st := r.status(); st.Failed != 1 || st.Pending != 0 {
		t.Errorf("status after moving them back: %d failed, %d pending, want c.txt's retry alone", st.Failed, st.Pending)
	}
	r.restart(tweak)
	r.wait()
	r.rem.SetFault(nil)
	clk.advance(2 * time.Hour) // c.txt's retry is due
	r.wait()
	checkListed(t, r, "after a restart and the retry", map[string]string{"": "synced ", "a.txt": "synced ", "c.txt": "synced ",
		"d": "synced ", "d/y.txt": "synced "})
	if st := r.status(); st.Failed != 0 || st.Pending != 0 || st.Unsettled() != "" {
		t.Errorf("status after the retry: %d failed, %d pending (%s)", st.Failed, st.Pending, st.Unsettled())
	}
	if got := r.rem.Tree("Docs"); got["a.txt"] != "a" || got["c.txt"] != "c, edited" || got["d/y.txt"] != "y" || len(got) != 4 {
		t.Errorf("the cloud holds %q", got)
	}
	if n := r.rem.Calls("move"); n != moves {
		t.Errorf("%d cloud moves were tried after the files were moved back", n-moves)
	}
}

// TestAFailedFolderMoveMovedOnIsSyncedWhereItEnds: a folder renamed d → e whose cloud move
// failed, then renamed again e → f with a file below it renamed too, is moved to f in the
// cloud once moves succeed, and everything is listed synced there, nothing at e/… or d/….
func TestAFailedFolderMoveMovedOnIsSyncedWhereItEnds(t *testing.T) {
	r, _, _ := newClockRig(t, "d/x.txt", "x", "d/sub/y.txt", "y")
	renameWhileMovesFail(r, "d", "e")
	checkListed(t, r, "after the failed move", map[string]string{"": "pending ", "e": "failed network", "e/x.txt": "pending ",
		"e/sub": "pending ", "e/sub/y.txt": "pending "})
	r.rem.SetFault(nil)
	if _, err := r.local().Rename("e", "f"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.local().Rename("f/sub/y.txt", "f/sub/z.txt"); err != nil {
		t.Fatal(err)
	}
	r.event("e", "f", "f/sub/y.txt", "f/sub/z.txt")
	r.eng.RequestSync(r.ctx(), testRoot) // the folder's retry now
	r.wait()
	if got := r.rem.Tree("Docs"); got["f/x.txt"] != "x" || got["f/sub/z.txt"] != "y" || len(got) != 4 {
		t.Fatalf("the cloud holds %q", got)
	}
	checkListed(t, r, "after the moves", map[string]string{"": "synced ", "f": "synced ", "f/x.txt": "synced ",
		"f/sub": "synced ", "f/sub/z.txt": "synced "})
}
