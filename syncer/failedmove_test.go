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
	clk := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	r := newRig(t, func(c *syncer.Config) { c.Now = clk.now })
	r.write("a.txt", "the report")
	r.write("keep.txt", "unchanged")
	r.syncFolder(model.DefaultOptions())

	if err := r.local().MkdirAll("d"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.local().Rename("a.txt", "d/b.txt"); err != nil {
		t.Fatal(err)
	}
	r.rem.SetFault(func(op, p string) error {
		if op == "move" {
			return &remote.Error{Kind: remote.ErrNetwork, Op: op, Path: p}
		}
		return nil
	})
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
	evs, _, _ := r.eng.Events(r.ctx(), 0)
	for _, ev := range evs {
		if ev.Kind == "failure" && ev.Path != testRoot+"/d/b.txt" {
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
