package scenario

import (
	"context"
	"slices"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/model"
)

func options() []Scenario {
	return []Scenario{
		{"LocalDeleteDeletesInCloudByDefault", func(e *Env) {
			e.Local.Write("gone.txt", "g")
			e.Local.Write("stay.txt", "s")
			e.SyncFolder(defaults())
			e.Local.Remove("gone.txt")
			e.Sync()
			e.Lacks(e.Cloud, "cloud", "gone.txt")
			e.Has(e.Cloud, "cloud", "stay.txt", "s")
		}},
		{"LocalDeleteKeepsCloudCopyWhenDeletionOnCloudIsOff", func(e *Env) {
			o := defaults()
			o.AllowCloudDelete = false
			e.Local.Write("kept.txt", "k")
			e.SyncFolder(o)
			e.Local.Remove("kept.txt")
			e.Sync()
			e.Has(e.Cloud, "cloud", "kept.txt", "k")
			e.Lacks(e.Local, "local", "kept.txt")
			e.Cloud.Write("kept.txt", "k edited in cloud") // it left the sync: not downloaded
			e.Sync()
			e.Lacks(e.Local, "local", "kept.txt")
		}},
		{"CloudDeleteKeepsLocalCopyMarkedTargetDeleted", func(e *Env) {
			e.Local.Write("mine.txt", "m")
			e.SyncFolder(defaults())
			e.Cloud.Remove("mine.txt")
			e.Sync()
			e.Has(e.Local, "local", "mine.txt", "m")
			if info := e.Info("mine.txt"); info.Reason != "target_deleted" {
				e.T.Fatalf("info: %+v, want reason target_deleted", info)
			}
			e.Sync()
			e.Lacks(e.Cloud, "cloud", "mine.txt") // not re-uploaded on its own
			e.Do("request-sync", func(ctx context.Context) error { return e.Ctl.RequestSync(ctx, e.Abs("mine.txt")) })
			e.Sync()
			e.Has(e.Cloud, "cloud", "mine.txt", "m") // Request Sync recreates it
			if info := e.Info("mine.txt"); info.Status != model.StatusSynced {
				e.T.Fatalf("after request-sync: %+v", info)
			}
		}},
		{"CloudDeleteMovesLocalCopyToTrashWhenOptionOn", func(e *Env) {
			o := defaults()
			o.DeleteLocalOnCloudDelete = true
			e.Local.Write("trash-me.txt", "precious")
			e.SyncFolder(o)
			e.Cloud.Remove("trash-me.txt")
			e.Sync()
			e.Lacks(e.Local, "local", "trash-me.txt")
			if e.LocalTrash != nil && !slices.Contains(e.LocalTrash(), "precious") {
				e.T.Fatalf("the deleted file is not in the desktop trash: %v", e.LocalTrash())
			}
		}},
		{"NoSubfoldersSyncsOnlyTopLevelFiles", func(e *Env) {
			o := defaults()
			o.IncludeSubfolders = false
			e.Local.Write("top.txt", "t")
			e.Local.Write("sub/deep.txt", "d")
			e.SyncFolder(o)
			e.Has(e.Cloud, "cloud", "top.txt", "t")
			e.Lacks(e.Cloud, "cloud", "sub")
		}},
		{"DocumentsSetSyncsOnlyTheChosenFiles", func(e *Env) {
			e.Local.Write("one.txt", "1")
			e.Local.Write("two.txt", "2")
			e.Local.Write("other.txt", "not chosen")
			e.SyncDocuments(defaults(), "one.txt", "two.txt")
			e.Has(e.Cloud, "cloud", "one.txt", "1")
			e.Has(e.Cloud, "cloud", "two.txt", "2")
			e.Lacks(e.Cloud, "cloud", "other.txt")
			e.Cloud.Write("stranger.txt", "x") // not a member: not downloaded
			e.Local.Write("one.txt", "1 edited")
			e.Sync()
			e.Has(e.Cloud, "cloud", "one.txt", "1 edited")
			e.Lacks(e.Local, "local", "stranger.txt")
			e.Do("unsync one document", func(ctx context.Context) error { return e.Ctl.Unsync(ctx, e.Abs("two.txt"), false) })
			e.Local.Write("two.txt", "2 after unsync")
			e.Sync()
			e.Has(e.Cloud, "cloud", "two.txt", "2")
		}},
		{"DocumentRenamedLocallyStaysPaired", func(e *Env) {
			e.Local.Write("memo.txt", "m")
			e.SyncDocuments(defaults(), "memo.txt")
			e.Local.Rename("memo.txt", "memo-final.txt")
			e.Sync()
			e.Has(e.Cloud, "cloud", "memo-final.txt", "m")
			e.Lacks(e.Cloud, "cloud", "memo.txt")
		}},
		{"LockMakesLocalCopiesReadOnlyUntilUnsync", func(e *Env) {
			e.Need(e.Mode != nil, "read permission bits")
			o := defaults()
			o.Lock = true
			e.Local.Write("locked.txt", "l")
			e.SyncFolder(o)
			if m := e.Mode("locked.txt"); m&0o222 != 0 {
				e.T.Fatalf("locked file mode %o is writable", m)
			}
			e.Cloud.Write("joined.txt", "j") // items that join later are locked too
			e.Sync()
			if m := e.Mode("joined.txt"); m&0o222 != 0 {
				e.T.Fatalf("joined file mode %o is writable", m)
			}
			e.Do("unsync", func(ctx context.Context) error { return e.Ctl.Unsync(ctx, e.Root, false) })
			if m := e.Mode("locked.txt"); m&0o200 == 0 {
				e.T.Fatalf("unsync left mode %o read-only", m)
			}
		}},
	}
}

func control() []Scenario {
	return []Scenario{
		{"PausedSetTransfersNothingAndCatchesUpOnResume", func(e *Env) {
			e.Local.Write("a.txt", "v1")
			e.SyncFolder(defaults())
			e.Do("pause", func(ctx context.Context) error { return e.Ctl.Pause(ctx, e.Root) })
			e.Local.Write("a.txt", "v2 while paused")
			e.Sync()
			e.Has(e.Cloud, "cloud", "a.txt", "v1")
			// SPEC §3: a change seen while paused is pending (and counted) until it is in
			// the cloud; a paused set still scans.
			if info, st := e.Info("a.txt"), e.Status(); info.Status != model.StatusPending || st.Pending != 1 {
				e.T.Fatalf("edited while paused: status %s, pending %d; want pending, 1", info.Status, st.Pending)
			}
			e.Do("resume", func(ctx context.Context) error { return e.Ctl.Resume(ctx, e.Root) })
			e.Sync()
			e.Has(e.Cloud, "cloud", "a.txt", "v2 while paused")
		}},
		{"GlobalPauseShowsPausedState", func(e *Env) {
			e.Local.Write("a.txt", "v1")
			e.SyncFolder(defaults())
			e.Do("pause all", func(ctx context.Context) error { return e.Ctl.Pause(ctx, "") })
			if st := e.Status(); st.State != "paused" || !st.Paused {
				e.T.Fatalf("status after pause: %+v", st)
			}
			e.Cloud.Write("a.txt", "cloud v2")
			e.Sync()
			e.Has(e.Local, "local", "a.txt", "v1")
			e.Do("resume all", func(ctx context.Context) error { return e.Ctl.Resume(ctx, "") })
			e.Sync()
			e.Has(e.Local, "local", "a.txt", "cloud v2")
			if st := e.Status(); st.State != "idle" {
				e.T.Fatalf("status after resume: %+v", st)
			}
		}},
		{"UnsyncKeepsBothSides", func(e *Env) {
			e.Local.Write("a.txt", "a")
			e.SyncFolder(defaults())
			e.Do("unsync", func(ctx context.Context) error { return e.Ctl.Unsync(ctx, e.Root, false) })
			e.Local.Write("a.txt", "after unsync")
			e.Sync()
			e.Has(e.Cloud, "cloud", "a.txt", "a")
			e.Has(e.Local, "local", "a.txt", "after unsync")
			if st := e.Status(); st.Sets != 0 {
				e.T.Fatalf("sets after unsync: %d", st.Sets)
			}
		}},
		{"UnsyncWithRemoveFromCloudDeletesCloudItems", func(e *Env) {
			e.Local.Write("a.txt", "a")
			e.Local.Write("d/b.txt", "b")
			e.SyncFolder(defaults())
			e.Do("unsync --remove-from-cloud", func(ctx context.Context) error { return e.Ctl.Unsync(ctx, e.Root, true) })
			if f := e.Cloud.Files(); len(f) != 0 {
				e.T.Fatalf("cloud still has %v", show(f))
			}
			e.Has(e.Local, "local", "a.txt", "a")
			e.Has(e.Local, "local", "d/b.txt", "b")
		}},
		{"SyncInfoDescribesTheCloudLocation", func(e *Env) {
			e.Local.Write("d/x.txt", "x")
			e.SyncFolder(defaults())
			info := e.Info("d/x.txt")
			if info.Cloud.Account != e.Account || !strings.HasSuffix(info.Cloud.Location, "d/x.txt") || info.Cloud.URL == "" {
				e.T.Fatalf("cloud location: %+v", info.Cloud)
			}
			if info.Path != e.Abs("d/x.txt") || info.Status != model.StatusSynced || info.Reason != "" {
				e.T.Fatalf("info: %+v", info)
			}
		}},
	}
}
