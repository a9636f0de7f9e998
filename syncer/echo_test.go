package syncer_test

import (
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestTheWatchersEchoOfADownloadIsNotPending: the watcher reports the engine's own writes
// a moment after the pass that made them. A file just downloaded (or deleted locally
// because the cloud deleted it) that is still what the engine wrote is not a change: it is
// not pending and asks for no pass. A real edit reported the same way is pending, and is
// uploaded. Before, the echo made the file pending until one more pass had looked.
func TestTheWatchersEchoOfADownloadIsNotPending(t *testing.T) {
	r := newRig(t, nil)
	r.write("a.txt", "v1")
	r.write("b.txt", "b")
	o := model.DefaultOptions()
	o.DeleteLocalOnCloudDelete = true
	r.syncFolder(o)
	r.rem.Put("Docs/a.txt", []byte("v2 from the cloud"))
	r.rem.Remove("Docs/b.txt")
	r.wait()
	if got, _ := r.local().ReadFile("a.txt"); string(got) != "v2 from the cloud" {
		t.Fatalf("a.txt = %q after the pass", got)
	}
	if _, err := r.local().ReadFile("b.txt"); err == nil {
		t.Fatal("b.txt, deleted in the cloud, is still in the folder")
	}
	lastPass := func() time.Time { return r.status().SetStates[0].LastPass.Started }
	before := lastPass()
	// The echo of the download and of the delete; then an ignored name, which the runner
	// takes only once it handled the echo (and ran the pass it asked for, if it did: the
	// runner's goroutine runs its passes). A pending echo is pending until that pass ends,
	// so what tells is whether a pass ran.
	r.event("a.txt", "b.txt")
	r.event("~$lock.docx")
	if lastPass() != before {
		t.Fatal("the watcher's echo of the engine's own writes was taken for a change (a pass looked at it)")
	}
	if st, info := r.status(), r.info("a.txt"); st.Pending != 0 || info.Status != model.StatusSynced {
		t.Fatalf("after the echo: %d pending, a.txt %s", st.Pending, info.Status)
	}
	// Heard once: the next report of a.txt is a change again (a title set on it changes
	// no version), and a pass looks at it.
	r.event("a.txt")
	r.event("~$lock.docx")
	if lastPass() == before {
		t.Fatal("a second report of a.txt was taken for the echo too")
	}
	r.write("a.txt", "a local edit")
	r.event("a.txt")
	r.eventually("the local edit pending or uploaded", func() bool {
		got, _ := r.rem.Get("Docs/a.txt")
		return r.status().Pending > 0 || string(got) == "a local edit"
	})
	r.wait()
	if got, _ := r.rem.Get("Docs/a.txt"); string(got) != "a local edit" {
		t.Fatalf("cloud a.txt = %q, want the local edit", got)
	}
}
