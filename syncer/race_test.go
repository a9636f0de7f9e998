package syncer_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestACloudEditDuringAnUploadIsAConflictNotAFailure: another client writes a file in the
// cloud after this pass planned to upload the local edit and before the upload (the
// upload's version check refuses it). The cloud answered and holds a newer version, so
// nothing fails and no "Could not sync" is shown; within about a second, with no poll due
// for an hour, the engine looks at the cloud again and settles it as the conflict it is:
// the cloud's version in the folder, the local edit kept as a conflict copy. CI met the old
// way under load (TestScenariosCLI's conflict scenarios): the race was recorded as a
// network failure with back-off ("the cloud could not be reached"), so the next Sync left
// the local edit in place and no conflict copy.
func TestACloudEditDuringAnUploadIsAConflictNotAFailure(t *testing.T) {
	r := newRig(t, nil)
	r.write("n.txt", "base")
	r.syncFolder(model.DefaultOptions())
	last := r.lastEvent()
	var once sync.Once
	r.rem.SetFault(func(op, p string) error {
		if op == "upload" && p == "Docs/n.txt" {
			once.Do(func() { r.rem.Put("Docs/n.txt", []byte("theirs")) }) // between the plan and the PUT
		}
		return nil
	})
	r.write("n.txt", "mine")
	r.event("n.txt")
	copyOf := func() string {
		for p, data := range r.local().Tree() {
			if strings.HasPrefix(p, "n (conflict copy ") && data == "mine" {
				return p
			}
		}
		return ""
	}
	r.eventually("the cloud's edit in the folder and the local one kept as a conflict copy", func() bool {
		got, _ := r.local().ReadFile("n.txt")
		return string(got) == "theirs" && copyOf() != ""
	})
	if f := r.failuresAfter(last); len(f) > 0 {
		t.Errorf("a cloud edit during an upload was announced as a failure: %+v", f)
	}
	if got, _ := r.rem.Get("Docs/n.txt"); string(got) != "theirs" {
		t.Errorf("cloud n.txt = %q, want the other client's %q", got, "theirs")
	}
	if n := r.rem.Calls("upload"); n != 2 { // the base and the refused one: the copy stays local
		t.Errorf("%d uploads, want 2", n)
	}
	r.wait()
	if info := r.info("n.txt"); info.Status != model.StatusSynced || len(info.Conflicts) != 1 {
		t.Errorf("n.txt: %s, conflicts %v; want synced with its conflict copy", info.Status, info.Conflicts)
	}
}

// TestAnUploadAlwaysRefusedAsChangedFails: a server that refuses every upload of a file as
// changed while its listing shows nothing new is not retried unseen, nor in a loop: the
// first refusal is planned again about a second later, the second fails as any refused
// upload does, with a back-off and one notification.
func TestAnUploadAlwaysRefusedAsChangedFails(t *testing.T) {
	r := newRig(t, nil)
	r.write("n.txt", "base")
	r.syncFolder(model.DefaultOptions())
	last := r.lastEvent()
	r.rem.SetFault(func(op, p string) error {
		if op == "upload" && p == "Docs/n.txt" {
			return &remote.Error{Kind: remote.ErrChanged, Op: "PUT", Path: p, Status: 412}
		}
		return nil
	})
	r.write("n.txt", "mine")
	r.event("n.txt")
	r.eventually("n.txt failed", func() bool { return r.info("n.txt").Status == model.StatusFailed })
	if n := r.rem.Calls("upload"); n != 3 { // the base, the race, the failure
		t.Errorf("%d uploads, want 3", n)
	}
	if info := r.info("n.txt"); info.NextRetry == "" {
		t.Errorf("the failed upload has no back-off: %+v", info)
	}
	if f := r.failuresAfter(last); len(f) != 1 {
		t.Errorf("%d failure notifications, want 1: %+v", len(f), f)
	}
}

// TestACloudMetadataEditDuringAnUploadIsMergedNotFailed: the metadata step of an upload
// that carries a title finds the cloud's title edited since the listing (SetMeta's check,
// as WebDAV's): the content is synced, nothing fails, and the look again a second later
// merges the two titles, the cloud's winning. Before, the item showed failed until the
// next poll.
func TestACloudMetadataEditDuringAnUploadIsMergedNotFailed(t *testing.T) {
	r := newRig(t, nil)
	r.write("a.txt", "v1")
	if err := r.local().WriteMeta("a.txt", remote.Meta{Title: "first"}); err != nil {
		t.Fatal(err)
	}
	r.syncFolder(model.DefaultOptions())
	if got := r.rem.GetMeta("Docs/a.txt"); got.Title != "first" {
		t.Fatalf("cloud title %q after the first sync", got.Title)
	}
	last := r.lastEvent()
	var once sync.Once
	r.rem.SetFault(func(op, p string) error {
		var err error
		if op == "setmeta" && p == "Docs/a.txt" {
			once.Do(func() {
				r.rem.PutMeta("Docs/a.txt", remote.Meta{Title: "theirs"})
				err = &remote.Error{Kind: remote.ErrChanged, Op: "PROPPATCH", Path: p}
			})
		}
		return err
	})
	r.write("a.txt", "v2")
	if err := r.local().WriteMeta("a.txt", remote.Meta{Title: "mine"}); err != nil {
		t.Fatal(err)
	}
	r.event("a.txt")
	r.eventually("the cloud's title in the folder", func() bool {
		m, _ := r.local().ReadMeta("a.txt")
		return m.Title == "theirs"
	})
	if f := r.failuresAfter(last); len(f) > 0 {
		t.Errorf("a cloud title edited during an upload was announced as a failure: %+v", f)
	}
	if got, _ := r.rem.Get("Docs/a.txt"); string(got) != "v2" {
		t.Errorf("cloud a.txt = %q, want the uploaded %q", got, "v2")
	}
	if got := r.rem.GetMeta("Docs/a.txt"); got.Title != "theirs" {
		t.Errorf("cloud title %q, want the other client's", got.Title)
	}
	r.wait()
	if info := r.info("a.txt"); info.Status != model.StatusSynced || info.Metadata == nil || info.Metadata.Title != "theirs" {
		t.Errorf("a.txt: %s, metadata %+v; want synced with the cloud's title", info.Status, info.Metadata)
	}
}
