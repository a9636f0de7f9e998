package exec

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestDeleteRemoteSparesWhatIsStillThereLocally: a cloud delete planned because the local
// item went is refused when the local path holds that item, or one of the cloud item's kind,
// at execution time (issue 9: a stale plan once deleted a cloud folder with local content
// below it). Nothing is deleted in the cloud and the action fails with ErrLocalChanged, so
// the item stays pending and the next pass replans. A local item of the other kind (a file
// replaced by a folder), one the plan knows as another item, or none at all does not stop
// the delete. Run on MemFS and OSFS.
func TestDeleteRemoteSparesWhatIsStillThereLocally(t *testing.T) {
	for _, fsName := range []string{"memfs", "osfs"} {
		t.Run(fsName, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			write, mkdir := func(p, data string) { h.local(p, data) }, func(p string) { h.fs.MkdirAll(p) }
			if fsName == "osfs" {
				root := t.TempDir()
				h.env.Local = NewOSFS(root)
				write = func(p, data string) {
					full := filepath.Join(root, filepath.FromSlash(p))
					if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				mkdir = func(p string) {
					if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(p)), 0o755); err != nil {
						t.Fatal(err)
					}
				}
			}
			// A cloud folder whose local folder still exists, with content.
			d := h.remoteDir("d")
			h.remote("d/c.txt", "cloud child")
			write("d/keep.txt", "local child")
			// A cloud file whose local file still exists.
			f := h.remote("f.txt", "cloud")
			write("f.txt", "local")
			// Legitimate deletes: a cloud file whose local file became a folder, a cloud
			// folder whose local folder became a file, and a cloud file gone locally.
			x := h.remote("x", "was a file")
			mkdir("x")
			y := h.remoteDir("y")
			write("y", "was a folder")
			g := h.remote("g.txt", "gone locally")
			// A local item the plan knows as another item: "b" renamed to "B" on a
			// case-insensitive file system, whose move waits for cloud "B" to go.
			rB, rb := h.remote("B", "old B"), h.remote("b", "b renamed to B")
			write("B", "b renamed to B")
			lb, err := h.env.Local.Stat("B")
			if err != nil {
				t.Fatal(err)
			}

			res := h.run(t.Context(),
				plan.Action{ID: 1, Op: plan.DeleteRemote, Path: "d", To: "d", IsDir: true, Remote: d},
				plan.Action{ID: 2, Op: plan.DeleteRemote, Path: "f.txt", To: "f.txt", Remote: f},
				plan.Action{ID: 3, Op: plan.DeleteRemote, Path: "x", To: "x", Remote: x},
				plan.Action{ID: 4, Op: plan.DeleteRemote, Path: "y", To: "y", IsDir: true, Remote: y},
				plan.Action{ID: 5, Op: plan.DeleteRemote, Path: "g.txt", To: "g.txt", Remote: g},
				plan.Action{ID: 6, Op: plan.DeleteRemote, Key: "kB", Path: "B", To: "B", Remote: rB},
				plan.Action{ID: 7, Op: plan.MoveRemote, Key: "kb", Path: "b", To: "B", Local: &lb, Remote: rb, After: []int{6}},
			)
			for _, id := range []int{1, 2} {
				if r := res[id]; !errors.Is(r.Err, ErrLocalChanged) || r.Remote == nil {
					t.Errorf("delete of %s with the local item still there: err %v, remote %+v; want ErrLocalChanged, kept", r.Action.Path, r.Err, r.Remote)
				}
			}
			inCloud := func(p string) bool {
				_, err := h.rem.Stat(t.Context(), remote.Join(testRoot, p))
				return err == nil
			}
			for _, p := range []string{"d", "d/c.txt", "f.txt"} {
				if !inCloud(p) {
					t.Errorf("cloud %s deleted although the local item is still there", p)
				}
			}
			for _, id := range []int{3, 4, 5, 6, 7} {
				mustOK(t, res[id])
			}
			if n := h.rem.callCount("delete"); n != 4 {
				t.Errorf("%d cloud deletes, want 4", n)
			}
			if got := h.remoteContent("B"); got != "b renamed to B" {
				t.Errorf("cloud B = %q after the move", got)
			}
			for _, p := range []string{"x", "y", "g.txt"} {
				if inCloud(p) {
					t.Errorf("cloud %s not deleted", p)
				}
			}
		})
	}
}
