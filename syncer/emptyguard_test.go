package syncer_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
)

// oddListing is a cloud whose listing can leave out everything below one folder while the
// folder itself is listed: what a Nextcloud external storage that is down, or a server
// glitch on one PROPFIND, answers.
type oddListing struct {
	*memremote.Remote
	hide atomic.Value // string: folder (root-relative) whose content is left out; "" none
}

func (o *oddListing) List(ctx context.Context, root string, prev []remote.Entry) ([]remote.Entry, error) {
	es, err := o.Remote.List(ctx, root, prev)
	h, _ := o.hide.Load().(string)
	if err != nil || h == "" {
		return es, err
	}
	out := es[:0]
	for _, e := range es {
		if !strings.HasPrefix(e.Path, h+"/") {
			out = append(out, e)
		}
	}
	return out, nil
}

// newGuardRig syncs a set of 100 files at the top, 12 in big/ and 3 in small/, over an
// oddListing cloud, with cloud deletes applied locally.
func newGuardRig(t *testing.T) (*rig, *oddListing) {
	odd := &oddListing{Remote: memremote.New()}
	r := newRig(t, func(c *syncer.Config) {
		c.Dial = func(model.Account, string) (remote.Remote, error) { return odd, nil }
	})
	r.rem = odd.Remote
	for i := range 100 {
		r.write(fmt.Sprintf("f%03d.txt", i), "x")
	}
	for i := range 12 {
		r.write(fmt.Sprintf("big/b%02d.txt", i), "b")
	}
	for i := range 3 {
		r.write(fmt.Sprintf("small/s%d.txt", i), "s")
	}
	o := model.DefaultOptions()
	o.DeleteLocalOnCloudDelete = true // a cloud delete removes the local copy (to the trash)
	r.syncFolder(o)
	return r, odd
}

// The empty-listing guard covers cloud subfolders too, not only the set's root (issue 9):
// a subfolder that suddenly lists empty while the base has more than the mass-delete minimum
// of items below it deletes nothing locally (in a set of 115 items its 12 are far below the
// set-wide 50 % threshold); the folder shows failed, the rest of the set syncs, and the hold
// ends by itself when the listing is whole again.
func TestSubfolderListedEmptyDeletesNothingLocally(t *testing.T) {
	r, odd := newGuardRig(t)
	odd.hide.Store("big")
	r.rem.Put("Docs/new.txt", []byte("elsewhere"))
	r.wait()
	r.wait()
	for i := range 12 {
		if _, err := r.local().ReadFile(fmt.Sprintf("big/b%02d.txt", i)); err != nil {
			t.Fatalf("big/b%02d.txt was deleted locally on an odd empty listing: %v", i, err)
		}
	}
	if got, err := r.local().ReadFile("new.txt"); err != nil || string(got) != "elsewhere" {
		t.Fatalf("the rest of the set did not sync while big/ was held: %q %v", got, err)
	}
	info := r.info("big")
	if info.Status != model.StatusFailed || info.Reason != remote.ReasonTargetDeleted || !strings.Contains(info.Details, "empty") {
		t.Fatalf("big: %s %s %q; want failed target_deleted saying the listing was empty", info.Status, info.Reason, info.Details)
	}
	if st := r.status(); len(st.SetStates) != 1 || st.SetStates[0].Error != "" {
		t.Fatalf("the whole set stopped: %+v", st.SetStates)
	}
	odd.hide.Store("")
	r.wait()
	if info := r.info("big"); info.Status != model.StatusSynced {
		t.Fatalf("big once listed whole again: %s %s", info.Status, info.Reason)
	}
	if n := len(r.local().Trashed()); n != 0 {
		t.Fatalf("%d items went to the trash", n)
	}
}

// Legitimate deletions are not blocked forever: a small folder emptied in the cloud is
// emptied locally at once, and a big one once the user confirms with Request Sync.
func TestSubfolderReallyEmptiedInTheCloudIsEmptiedLocally(t *testing.T) {
	r, _ := newGuardRig(t)
	for i := range 3 {
		r.rem.Remove(fmt.Sprintf("Docs/small/s%d.txt", i))
	}
	for i := range 12 {
		r.rem.Remove(fmt.Sprintf("Docs/big/b%02d.txt", i))
	}
	r.wait()
	tree := r.local().Tree()
	if _, folder := tree["small/"]; tree["small/s0.txt"] != "" || !folder {
		t.Fatalf("the small folder emptied in the cloud was not emptied locally (or was removed itself): %v", tree)
	}
	if _, err := r.local().ReadFile("big/b00.txt"); err != nil {
		t.Fatal("the big folder was emptied without confirmation")
	}
	if err := r.eng.RequestSync(r.ctx(), testRoot+"/big"); err != nil {
		t.Fatal(err)
	}
	r.wait()
	for i := range 12 {
		if _, err := r.local().ReadFile(fmt.Sprintf("big/b%02d.txt", i)); err == nil {
			t.Fatalf("big/b%02d.txt stayed after the confirmation", i)
		}
	}
	if info := r.info("big"); info.Status != model.StatusSynced {
		t.Fatalf("big after the confirmation: %s %s", info.Status, info.Reason)
	}
	if n := len(r.local().Trashed()); n != 15 {
		t.Fatalf("%d items in the trash, want the 15 deleted in the cloud", n)
	}
}
