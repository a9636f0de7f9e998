package sim

import (
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestRenamedFileEditedInCloudWithNewFileAtOldNameSettles is the crash layer's seed 76
// reduced to its steps (no crash is needed): on a server whose ids are paths, a synced
// file renamed locally (a → A) while it is edited in the cloud, with a new local file
// made at its old name, takes one pass (move the cloud file, download its edit, upload
// the new a); the pass after it must do nothing.
func TestRenamedFileEditedInCloudWithNewFileAtOldNameSettles(t *testing.T) {
	for _, pathIDs := range []bool{true, false} {
		t.Run(map[bool]string{true: "PathIDs", false: "NodeIDs"}[pathIDs], func(t *testing.T) {
			w := newWorld(t, 76, worldOptions{pathIDs: pathIDs, parallel: 1,
				options: model.Options{IncludeSubfolders: true, AllowCloudDelete: true, DeleteLocalOnCloudDelete: true}})
			cloud, local := w.side(false), w.side(true)
			must0(t, cloud.write("a", w.content(cloud, "a")))
			w.setup()
			w.pass()
			must0(t, local.rename("a", "A"))
			must0(t, cloud.write("a", w.content(cloud, "a")))
			must0(t, local.write("a", w.content(local, "a")))
			w.logf("renamed a → A locally, edited a in the cloud, new local a")
			w.pass()
			if d := w.diff(); len(d) != 0 {
				w.fail("not converged after one pass: %v\nlocal: %v\ncloud: %v", d, show(w.localTree()), show(w.cloudTree()))
			}
			w.checkNoLostWrite()
			w.checkIdle()
		})
	}
}

func must0(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
