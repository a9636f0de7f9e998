package syncer_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// A cloud edit whose download waits for another action that failed (here the local move of
// its folder, which the cloud renamed) is not in the folder: it is pending, not synced,
// also on the passes that hold the failed action back.
func TestChangeWaitingForAFailedActionStaysPending(t *testing.T) {
	r := newRig(t, nil)
	r.write("d/x.txt", "v1")
	r.syncFolder(model.DefaultOptions())
	r.rem.Rename("Docs/d", "Docs/e")
	r.rem.Put("Docs/e/x.txt", []byte("v2 edited in the cloud"))
	r.local().Fault = func(op, p string) error {
		if op == "rename" {
			return &fs.PathError{Op: op, Path: p, Err: errors.New("injected: the disk refuses renames")}
		}
		return nil
	}
	for pass := 1; pass <= 2; pass++ { // the failure, then a pass that holds it back
		r.wait()
		if info := r.info("d/x.txt"); info.Status != model.StatusPending {
			t.Fatalf("pass %d: d/x.txt is %s while its cloud edit waits for the failed move of d, want pending", pass, info.Status)
		}
	}
}
