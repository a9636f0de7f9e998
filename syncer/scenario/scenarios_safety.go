package scenario

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

func safety() []Scenario {
	return []Scenario{
		{"CloudTempAndLockFilesAreNeverSynced", func(e *Env) {
			// SPEC §3: temporary and lock files of office programs are never synced. The
			// local scan leaves them out; the cloud's (another user has report.docx open, a
			// Mac left .DS_Store) were downloaded, then never seen in the folder, and every
			// pass planned them again: passes ran back to back, thousands of listings a
			// second, "pending" for ever, and Wait never returned.
			e.Local.Write("docs/report.docx", "the report")
			e.SyncFolder(defaults())
			never := []string{"docs/~$report.docx", "docs/.~lock.report.docx#", "docs/notes.tmp", "docs/.DS_Store",
				"Thumbs.db", "cache.tmp/inner.txt"}
			for _, p := range never {
				e.Cloud.Write(p, "written by another program")
			}
			e.Cloud.Write("docs/new.txt", "a real new file")
			e.Sync()
			e.Has(e.Local, "local", "docs/new.txt", "a real new file")
			for _, p := range never {
				e.Lacks(e.Local, "local", p)
			}
			if e.Calls != nil {
				lists := e.Calls("list")
				e.Sync()
				if n := e.Calls("list") - lists; n > 20 {
					e.T.Fatalf("a sync with nothing to do made %d listings: passes run back to back", n)
				}
			}
			if st := e.Status(); st.Pending != 0 || st.Failed != 0 {
				e.T.Fatalf("status: %d pending, %d failed, want none (%s)", st.Pending, st.Failed, st.Message)
			}
			for _, p := range []string{"docs/new.txt", "docs/report.docx"} {
				if info := e.Info(p); info.Status != model.StatusSynced {
					e.T.Fatalf("%s is %s (%s), want synced", p, info.Status, info.Details)
				}
			}
		}},
		{"MissingLocalRootStopsTheSetWithoutDeleting", func(e *Env) {
			// FAILURE-MODES 1: an unmounted share is not a mass delete.
			e.Need(e.HideLocalRoot != nil, "hide the local root")
			e.Local.Write("a.txt", "a")
			e.Local.Write("d/b.txt", "b")
			e.SyncFolder(defaults())
			e.HideLocalRoot(true)
			e.Sync()
			e.Has(e.Cloud, "cloud", "a.txt", "a")
			e.Has(e.Cloud, "cloud", "d/b.txt", "b")
			if st := e.Status(); st.State != "error" {
				e.T.Fatalf("state with the root missing: %s", st.State)
			}
			e.HideLocalRoot(false)
			e.Sync()
			if st := e.Status(); st.State != "idle" {
				e.T.Fatalf("state after the root came back: %s (%s)", st.State, st.Message)
			}
			e.Converged(nil)
		}},
		{"EmptyCloudListingDoesNotDeleteLocalFiles", func(e *Env) {
			// FAILURE-MODES 2: external storage down looks like an empty folder.
			o := defaults()
			o.DeleteLocalOnCloudDelete = true
			e.Local.Write("a.txt", "a")
			e.Local.Write("b.txt", "b")
			e.SyncFolder(o)
			e.Cloud.Remove("a.txt")
			e.Cloud.Remove("b.txt")
			e.Sync()
			e.Has(e.Local, "local", "a.txt", "a")
			e.Has(e.Local, "local", "b.txt", "b")
			if st := e.Status(); st.State != "error" {
				e.T.Fatalf("state after an empty listing: %s", st.State)
			}
		}},
		{"DeletedCloudFolderStopsTheSetAndRequestSyncRecreatesIt", func(e *Env) {
			// FAILURE-MODES 23.
			e.Local.Write("a.txt", "a")
			e.Local.Write("d/b.txt", "b")
			e.SyncFolder(defaults())
			e.Cloud.Remove("")
			e.Local.Write("a.txt", "a edited while the cloud folder was gone")
			e.Sync()
			e.Has(e.Local, "local", "a.txt", "a edited while the cloud folder was gone")
			e.Has(e.Local, "local", "d/b.txt", "b")
			if info := e.Info(""); info.Reason != "target_deleted" {
				e.T.Fatalf("set info: %+v", info)
			}
			e.Do("request-sync", func(ctx context.Context) error { return e.Ctl.RequestSync(ctx, e.Root) })
			e.Sync()
			e.Has(e.Cloud, "cloud", "a.txt", "a edited while the cloud folder was gone")
			e.Has(e.Cloud, "cloud", "d/b.txt", "b")
		}},
		{"MassLocalDeleteWaitsForConfirmation", func(e *Env) {
			// FAILURE-MODES 3.
			deleteMostLocally(e)
			if n := len(e.Cloud.Files()); n != 20 {
				e.T.Fatalf("cloud has %d files after a held mass delete, want 20", n)
			}
			if st := e.Status(); st.State != "error" {
				e.T.Fatalf("state while deletions are held: %s", st.State)
			}
			if info := e.Info(""); !strings.Contains(info.Details, "15") {
				e.T.Fatalf("set info does not explain the held deletions: %+v", info)
			}
			e.Do("confirm", func(ctx context.Context) error { return e.Ctl.RequestSync(ctx, e.Root) })
			e.Sync()
			if n := len(e.Cloud.Files()); n != 5 {
				e.T.Fatalf("cloud has %d files after confirmation, want 5", n)
			}
		}},
		{"MassDeleteConfirmationSurvivesAnOfflinePass", func(e *Env) {
			// Request Sync confirms held deletions; a pass that cannot reach the cloud
			// must not use the confirmation up.
			e.Need(e.Fault != nil, "inject server errors")
			deleteMostLocally(e)
			e.Fault(func(op, p string) int {
				if op == "list" {
					return 503
				}
				return 0
			})
			e.Do("confirm", func(ctx context.Context) error { return e.Ctl.RequestSync(ctx, e.Root) })
			e.Sync()
			if n := len(e.Cloud.Files()); n != 20 {
				e.T.Fatalf("cloud has %d files while it could not be listed, want 20", n)
			}
			e.Fault(nil)
			e.Sync()
			if n := len(e.Cloud.Files()); n != 5 {
				e.T.Fatalf("cloud has %d files once reachable again, want 5 (the confirmation was lost)", n)
			}
		}},
		{"CopiedStateNeverDeletes", func(e *Env) {
			// SPEC §4 / FAILURE-MODES 5: restored state → differences are conflicts or
			// restores, never deletions.
			e.Need(e.ForgetInstallation != nil, "replace the installation")
			e.Local.Write("a.txt", "a")
			e.Local.Write("b.txt", "b")
			e.SyncFolder(defaults())
			e.ForgetInstallation()
			e.Local.Remove("a.txt")
			e.Cloud.Remove("b.txt")
			e.Sync()
			e.Has(e.Local, "local", "a.txt", "a")
			e.Has(e.Cloud, "cloud", "b.txt", "b")
			e.Converged(nil)
		}},
		{"OfficeTempAndLockFilesAreIgnored", func(e *Env) {
			// FAILURE-MODES 9.
			e.SyncFolder(defaults())
			for _, n := range []string{"~$report.docx", ".~lock.report.odt#", "x.tmp", ".DS_Store", "Thumbs.db", "desktop.ini"} {
				e.Local.Write(n, "junk")
			}
			e.Local.Write("real.txt", "r")
			e.Sync()
			if f := e.Cloud.Files(); len(f) != 1 || f["real.txt"] != "r" {
				e.T.Fatalf("cloud: %v", show(f))
			}
		}},
		{"SymlinkIsReportedUnsupported", func(e *Env) {
			e.Need(e.Symlink != nil, "make symbolic links")
			e.Local.Write("target.txt", "t")
			e.Symlink("link.txt", "target.txt")
			e.SyncFolder(defaults())
			e.Lacks(e.Cloud, "cloud", "link.txt")
			if errs := errorPaths(e); !slices.Contains(errs, "link.txt:unsupported") {
				e.T.Fatalf("errors: %v", errs)
			}
		}},
		{"InvalidCloudNameIsRefusedNotWritten", func(e *Env) {
			// SPEC §4: names from the remote are validated before any local path is built.
			e.SyncFolder(defaults())
			e.Cloud.Write(`back\slash.txt`, "b")
			e.Cloud.Write("fine.txt", "f")
			e.Sync()
			e.Has(e.Local, "local", "fine.txt", "f")
			e.Lacks(e.Local, "local", `back\slash.txt`)
			if errs := errorPaths(e); !slices.ContainsFunc(errs, func(s string) bool { return strings.HasSuffix(s, ":invalid_name") }) {
				e.T.Fatalf("errors: %v", errs)
			}
		}},
		{"QuotaExceededFailsWithBackoffAndLosesNothing", func(e *Env) {
			// FAILURE-MODES 20.
			e.Need(e.Fault != nil, "inject server errors")
			e.SyncFolder(defaults())
			e.Fault(func(op, p string) int {
				if op == "upload" {
					return 507
				}
				return 0
			})
			e.Local.Write("big.bin", "too much")
			e.Sync()
			info := e.Info("big.bin")
			if info.Status != model.StatusFailed || info.Reason != "quota_exceeded" || info.NextRetry == "" {
				e.T.Fatalf("info: %+v", info)
			}
			up := calls(e, "upload")
			e.Sync()
			if calls(e, "upload") != up {
				e.T.Fatal("a failed upload was retried before its back-off time")
			}
			e.Fault(nil)
			e.Do("request-sync", func(ctx context.Context) error { return e.Ctl.RequestSync(ctx, e.Abs("big.bin")) })
			e.Sync()
			e.Has(e.Cloud, "cloud", "big.bin", "too much")
		}},
		{"CloudDeleteRefusedRestoresTheLocalCopy", func(e *Env) {
			// FAILURE-MODES 21 (a read-only share; Alfresco roles that may not delete
			// others' files): a local delete the cloud refuses with 403 is undone, as Alfresco
			// Desktop Sync and Nextcloud do: the file, or the folder with its content, is
			// downloaded again. The item is synced, not failed, and says why in a note; one
			// notification per item; the delete is never tried again on a timer.
			e.Need(e.Fault != nil, "inject server errors")
			e.Local.Write("theirs.txt", "not mine to delete")
			e.Local.Write("shared/inner.txt", "inner")
			e.SyncFolder(defaults())
			e.Fault(func(op, p string) int {
				if op == "delete" {
					return 403
				}
				return 0
			})
			e.Local.Remove("theirs.txt")
			e.Local.Remove("shared")
			e.Sync()
			e.Has(e.Local, "local", "theirs.txt", "not mine to delete")
			e.Has(e.Local, "local", "shared/inner.txt", "inner")
			if errs := errorPaths(e); len(errs) != 0 {
				e.T.Fatalf("Synced with errors: %v; a refused delete that was undone is no error", errs)
			}
			for _, p := range []string{"theirs.txt", "shared"} {
				info := e.Info(p)
				if info.Status != model.StatusSynced || !strings.Contains(info.Note, "permission") {
					e.T.Fatalf("%s: status %s, note %q; want synced with a note on the refused delete", p, info.Status, info.Note)
				}
			}
			deletes := calls(e, "delete")
			for range 3 {
				e.Sync()
			}
			if n := calls(e, "delete") - deletes; n != 0 {
				e.T.Fatalf("%d more delete requests: the refused delete is retried", n)
			}
			if e.Events != nil {
				for _, p := range []string{"theirs.txt", "shared"} {
					n := 0
					for _, ev := range e.Events() {
						if ev.Path != e.Abs(p) || ev.Kind == "changed" {
							continue
						}
						n++
						// Its own sentence: restored, not "ask for write access" (a failure's).
						if want := syncer.ExplainRefusedDelete(p == "shared"); ev.Kind != "restored" || ev.Body != want {
							e.T.Fatalf("%s: notification %s %q, want restored %q", p, ev.Kind, ev.Body, want)
						}
					}
					if n != 1 {
						e.T.Fatalf("%d notifications for %s, want 1", n, p)
					}
				}
			}
			e.Converged(nil)
		}},
		{"AuthFailurePausesTheAccountAndNotifiesOnce", func(e *Env) {
			// SPEC §4 auth_failed / FAILURE-MODES 22.
			e.Need(e.Fault != nil, "inject server errors")
			e.Local.Write("a.txt", "a")
			e.SyncFolder(defaults())
			e.Fault(func(op, p string) int { return 401 })
			e.Local.Write("a.txt", "a2")
			e.Sync()
			e.Sync()
			if st := e.Status(); st.State != "error" {
				e.T.Fatalf("state after 401: %+v", st)
			}
			if e.Events != nil {
				n := 0
				for _, ev := range e.Events() {
					if ev.Kind == "auth" {
						n++
					}
				}
				if n != 1 {
					e.T.Fatalf("%d auth notifications, want 1", n)
				}
			}
			e.Fault(nil)
			e.Do("resume", func(ctx context.Context) error { return e.Ctl.Resume(ctx, "") })
			e.Sync()
			e.Has(e.Cloud, "cloud", "a.txt", "a2")
		}},
	}
}

// deleteMostLocally syncs 20 files, deletes 15 of them locally (above the mass-delete
// threshold) and runs a pass.
func deleteMostLocally(e *Env) {
	for i := range 20 {
		e.Local.Write(fmt.Sprintf("f%02d.txt", i), "x")
	}
	e.SyncFolder(defaults())
	for i := range 15 {
		e.Local.Remove(fmt.Sprintf("f%02d.txt", i))
	}
	e.Sync()
}
