package scenario

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// regressions are engine bugs found by the randomized layers (syncer/sim) and fixed, each
// kept as a named scenario so that it stays fixed in every environment.
func regressions() []Scenario {
	return []Scenario{
		{"MovedAndEditedFileWhoseUploadFailedIsRetried", func(e *Env) {
			// A file renamed and edited between two passes is one move plus one upload of
			// the new content. When the upload fails, the base must keep the old content
			// version: the edit is retried, never taken as synced.
			moveAndEditWhileUploadsFail(e)
			e.Has(e.Local, "local", "final.txt", "v2, edited locally")
			e.Fault(nil)
			e.Do("request-sync", func(ctx context.Context) error { return e.Ctl.RequestSync(ctx, e.Root) })
			e.Sync()
			e.Has(e.Cloud, "cloud", "final.txt", "v2, edited locally")
			e.Has(e.Local, "local", "final.txt", "v2, edited locally")
			e.Lacks(e.Cloud, "cloud", "draft.txt")
			e.Converged(IsConflictCopy)
		}},
		{"MovedAndEditedFileWhoseUploadFailedIsNeverDownloadedOver", func(e *Env) {
			// The same, with the cloud copy edited while the upload is failing: the two
			// edits conflict. The local edit must survive (as the file or as a conflict
			// copy), never be replaced by the cloud's version as if it had been synced.
			moveAndEditWhileUploadsFail(e)
			cloudName := "final.txt"
			if _, ok := e.Cloud.Read(cloudName); !ok {
				cloudName = "draft.txt" // the move itself did not reach the cloud
			}
			e.Cloud.Write(cloudName, "v3, edited in the cloud")
			e.Fault(nil)
			e.Do("request-sync", func(ctx context.Context) error { return e.Ctl.RequestSync(ctx, e.Root) })
			e.Sync()
			e.Sync()
			if !holds(e.Local, "v2, edited locally") {
				e.T.Fatalf("the local edit was lost (downloaded over); local: %v", show(e.Local.Files()))
			}
			if !holds(e.Local, "v3, edited in the cloud") && !holds(e.Cloud, "v3, edited in the cloud") {
				e.T.Fatalf("the cloud edit was lost; cloud: %v", show(e.Cloud.Files()))
			}
			if copies := e.ConflictCopies(); !holds(e.Cloud, "v2, edited locally") && len(copies) == 0 {
				e.T.Fatal("the local edit is neither in the cloud nor kept as a conflict copy")
			}
			e.Converged(IsConflictCopy)
		}},
		{"FolderKeptAsConflictCopyStaysLocalOnlyWhenItsContentChanges", func(e *Env) {
			// A local folder in the way of a cloud file of the same name is kept as a
			// conflict copy. Changing what is inside the copy later must neither crash the
			// engine (its content once reached the planner without its folder) nor sync
			// the copy or anything in it.
			e.SyncFolder(defaults())
			e.Local.Write("plans/notes.txt", "local notes")
			e.Cloud.Write("plans", "a cloud file named plans")
			e.Sync()
			e.Has(e.Local, "local", "plans", "a cloud file named plans")
			var copyDir string
			for _, c := range e.ConflictCopies() {
				if strings.HasSuffix(c, "/notes.txt") {
					copyDir = strings.TrimSuffix(c, "/notes.txt")
				}
			}
			if copyDir == "" {
				e.T.Fatalf("no folder kept as a conflict copy; local: %v", show(e.Local.Files()))
			}
			e.Has(e.Local, "local", copyDir+"/notes.txt", "local notes")
			e.Local.Write(copyDir+"/notes.txt", "notes edited in the copy")
			e.Local.Write(copyDir+"/new.txt", "new in the copy")
			e.Local.Write(copyDir+"/deeper/more.txt", "more")
			e.Local.Rename(copyDir+"/new.txt", copyDir+"/renamed.txt")
			e.Sync()
			e.Local.Remove(copyDir + "/deeper")
			e.Sync()
			for p := range e.Cloud.Files() {
				if IsConflictCopy(p) {
					e.T.Fatalf("cloud: %s was uploaded; conflict copies stay local-only", p)
				}
			}
			e.Has(e.Local, "local", copyDir+"/renamed.txt", "new in the copy")
			// The engine is alive and still syncs.
			e.Local.Write("after.txt", "after")
			e.Sync()
			e.Has(e.Cloud, "cloud", "after.txt", "after")
			e.Converged(IsConflictCopy)
		}},
	}
}

// failUploads is a fault that makes every upload fail with 503.
func failUploads(op, p string) int {
	if op == "upload" {
		return 503
	}
	return 0
}

// holds reports whether some file of side has content data.
func holds(side Tree, data string) bool {
	return slices.Contains(slices.Collect(maps.Values(side.Files())), data)
}

// moveAndEditWhileUploadsFail syncs draft.txt, then renames it to final.txt and edits it
// while every upload fails, and runs a pass.
func moveAndEditWhileUploadsFail(e *Env) {
	e.Need(e.Fault != nil, "inject server errors")
	e.Local.Write("draft.txt", "v1")
	e.SyncFolder(defaults())
	e.Fault(failUploads)
	e.Local.Rename("draft.txt", "final.txt")
	e.Local.Write("final.txt", "v2, edited locally")
	e.Sync()
}
