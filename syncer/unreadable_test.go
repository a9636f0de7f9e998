package syncer_test

import (
	"io/fs"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// One unreadable subfolder fails that item (permission_denied), not the whole set: the
// files beside it sync both ways, and its content missing from the scan is never read as
// local deletions (its cloud copies stay). It used to stop the set with "reading the local
// folder failed, nothing was synced" (issue 9 point 6).
func TestUnreadableSubfolderFailsThatItemNotTheSet(t *testing.T) {
	r := newRig(t, nil)
	r.write("a.txt", "a")
	r.write("locked/f.txt", "f")
	r.write("locked/deep/g.txt", "g")
	r.syncFolder(model.DefaultOptions())
	denied := func(op, p string) error {
		if op == "scan" && (p == "locked" || p == "secret") {
			return &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
		}
		return nil
	}
	r.local().Fault = denied
	r.write("new.txt", "beside it")
	r.write("secret/s.txt", "never readable, never synced")
	r.rem.Put("Docs/from-cloud.txt", []byte("down"))
	r.wait()
	r.wait()
	if got, _ := r.rem.Get("Docs/new.txt"); string(got) != "beside it" {
		t.Fatalf("a readable file beside the unreadable folder was not uploaded: %q", got)
	}
	if got, err := r.local().ReadFile("from-cloud.txt"); err != nil || string(got) != "down" {
		t.Fatalf("a cloud file was not downloaded beside the unreadable folder: %q %v", got, err)
	}
	for _, p := range []string{"Docs/locked/f.txt", "Docs/locked/deep/g.txt"} {
		if _, ok := r.rem.Get(p); !ok {
			t.Fatalf("%s was deleted in the cloud because its local folder could not be read", p)
		}
	}
	if r.rem.Exists("Docs/secret") {
		t.Fatal("an unreadable folder never synced was created in the cloud")
	}
	for _, p := range []string{"locked", "secret"} {
		if info := r.info(p); info.Status != model.StatusFailed || info.Reason != remote.ReasonPermissionDenied {
			t.Fatalf("%s: %s %s, want failed permission_denied", p, info.Status, info.Reason)
		}
	}
	st := r.status()
	if st.Failed != 2 || st.State == syncer.StateError && st.SetStates[0].Error != "" {
		t.Fatalf("status: failed %d, set error %q; want 2 failed items and no set-wide stop", st.Failed, st.SetStates[0].Error)
	}
	evs, _, _ := r.eng.Events(r.ctx(), 0)
	failures := 0
	for _, ev := range evs {
		if ev.Kind == "failure" {
			failures++
		}
	}
	if failures != 2 {
		t.Fatalf("%d failure notifications over two passes, want one per unreadable folder", failures)
	}

	r.local().Fault = nil // readable again: both sync, the failures clear
	r.wait()
	r.wait()
	if got, _ := r.rem.Get("Docs/secret/s.txt"); string(got) != "never readable, never synced" {
		t.Fatalf("the folder readable again was not uploaded: %q", got)
	}
	for _, p := range []string{"locked", "secret"} {
		if info := r.info(p); info.Status != model.StatusSynced {
			t.Fatalf("%s readable again: %s %s, want synced", p, info.Status, info.Reason)
		}
	}
	if st := r.status(); st.Failed != 0 {
		t.Fatalf("failed items once readable: %d", st.Failed)
	}
}
