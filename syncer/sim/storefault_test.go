package sim

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

var errStoreFault = errors.New("injected store failure")

func storeWorld(t *testing.T, seed int64) *world {
	return newWorld(t, seed, worldOptions{pathIDs: seed%2 == 0, parallel: 1,
		options: model.Options{IncludeSubfolders: true, AllowCloudDelete: true, DeleteLocalOnCloudDelete: true}})
}

// TestStoreFaultsEveryOperation is the store layer of docs/TESTING.md: for a few scenario
// templates (seeds), the i-th store operation of two passes fails, for every i (reads
// and writes alike), and the passes after it must recover: the oracle holds.
func TestStoreFaultsEveryOperation(t *testing.T) {
	templates := seeds(t, 12, 4)
	total := 0
	for _, seed := range templates {
		n := storeFaultRun(t, seed, 0)
		for i := 1; i <= n; i++ {
			t.Run(fmt.Sprintf("%d/fail-op-%d", seed, i), func(t *testing.T) { storeFaultRun(t, seed, i) })
		}
		total += n
	}
	t.Logf("%d templates, %d failing operations", len(templates), total)
}

// storeFaultRun runs a template with its i-th store operation failing (none when i is 0)
// and returns how many operations the two passes made.
func storeFaultRun(t *testing.T, seed int64, i int) int {
	w := storeWorld(t, seed)
	for j, n := 0, 2+w.intn(4); j < n; j++ {
		w.randomEdit("before the first pass")
	}
	w.setup()
	w.pass()
	for j, n := 0, 3+w.intn(6); j < n; j++ {
		w.randomEdit("")
	}
	if i > 0 {
		w.logf("store operation %d fails", i)
	}
	// The engine's operations are counted; the status oracle's reads between the passes
	// (the engine waits at the gate meanwhile) are not, and never fail.
	n := 0
	w.store.SetFault(func(op string, _ int) error {
		if w.reading.Load() {
			return nil
		}
		if n++; n == i {
			w.logf("  store: %s fails", op)
			return errStoreFault
		}
		return nil
	})
	w.pass()
	w.pass()
	w.store.SetFault(nil)
	w.settle()
	return n
}

// TestLostOrRestoredStateNeverDeletes: after the state is lost (a fresh, empty store
// over the same trees, the set created again) or restored from an old backup (an older
// snapshot, whose installation id the real store renews because the state dir's
// fingerprint changed), what differs becomes conflicts and transfers: no cloud deletion,
// nothing moved to the trash, and the oracle holds.
func TestLostOrRestoredStateNeverDeletes(t *testing.T) {
	for _, mode := range []string{"lost", "restored"} {
		for _, seed := range seeds(t, 60, 15) {
			t.Run(fmt.Sprintf("%s/%d", mode, seed), func(t *testing.T) {
				w := storeWorld(t, seed)
				for j, n := 0, 3+w.intn(4); j < n; j++ {
					w.randomEdit("before the first pass")
				}
				w.setup()
				w.pass()
				backup := w.store.Clone()
				for round := 0; round < 2; round++ {
					for j, n := 0, 2+w.intn(4); j < n; j++ {
						w.randomEdit("")
					}
					w.pass()
					w.pass()
				}
				for j, n := 0, 2+w.intn(4); j < n; j++ {
					w.randomEdit("while the state is lost")
				}
				w.shutdown()
				if mode == "lost" {
					w.logf("state lost: fresh store, set created again")
					w.store = memstore.New("installation-2")
					w.start(-1)
					w.createSet()
				} else {
					w.logf("state restored from the backup taken after the first pass")
					backup.SetInstallation("installation-2")
					w.store = backup
					w.start(-1)
				}
				deletes, trashed := w.rem.Calls("delete"), len(w.fs.Trashed())
				w.settle()
				if got := w.rem.Calls("delete"); got != deletes {
					w.fail("%d cloud deletions after the state was %s", got-deletes, mode)
				}
				if got := len(w.fs.Trashed()); got != trashed && !w.knownBug() {
					w.fail("%d local items trashed after the state was %s", got-trashed, mode)
				}
			})
		}
	}
}

// createSet adds the account and the folder set to the running engine.
func (w *world) createSet() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := w.eng.AddAccount(ctx, syncer.AddAccountRequest{
		Name: account, Type: "webdav", URL: "http://127.0.0.1:1/", User: "u", Password: "pw"}); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.eng.CreateSet(ctx, syncer.CreateSetRequest{
		Paths: []string{simRoot}, Account: account, To: cloudFolder, Options: w.opt.options}); err != nil {
		w.t.Fatal(err)
	}
}
