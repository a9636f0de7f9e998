package scenario

import (
	"slices"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// documents are the scenarios of documents sets and their home (SPEC §1): a document
// moved inside its home, on either side, stays paired; one moved out of it is never
// deleted in the cloud (moved_out) and is paired again when it comes back; one deleted into
// the desktop trash is deleted in the cloud; the folders a document sits in never take the
// other files of those folders with them.
func documents() []Scenario {
	return []Scenario{
		{"DocumentMovedWithinItsHomeStaysPaired", func(e *Env) {
			e.Local.Write("memo.txt", "m")
			e.Local.Write("other.txt", "not chosen")
			e.SyncDocuments(defaults(), "memo.txt")
			e.Local.Mkdir("archive")
			e.Local.Rename("memo.txt", "archive/memo.txt")
			e.Sync()
			e.Has(e.Cloud, "cloud", "archive/memo.txt", "m")
			e.Lacks(e.Cloud, "cloud", "memo.txt")
			e.Lacks(e.Cloud, "cloud", "other.txt")
			if info := e.Info("archive/memo.txt"); info.Status != model.StatusSynced {
				e.T.Fatalf("the document moved into a subfolder is %s %s, want synced", info.Status, info.Reason)
			}
			e.Cloud.Mkdir("2026")
			e.Cloud.Rename("archive/memo.txt", "2026/memo.txt")
			e.Sync()
			e.Has(e.Local, "local", "2026/memo.txt", "m")
			e.Lacks(e.Local, "local", "archive/memo.txt")
			e.Local.Write("2026/memo.txt", "m, edited where it went")
			e.Sync()
			e.Has(e.Cloud, "cloud", "2026/memo.txt", "m, edited where it went")
		}},
		{"DocumentMovedOutOfItsHomeIsKeptInTheCloud", func(e *Env) {
			// Issue 9: a document moved to a sibling folder of the set's folder was deleted
			// in the cloud.
			e.Need(e.MoveOut != nil, "move a file out of the local folder and back")
			e.Local.Write("memo.txt", "m")
			e.Local.Write("keep.txt", "k")
			e.SyncDocuments(defaults(), "memo.txt", "keep.txt")
			e.MoveOut("memo.txt")
			e.Sync()
			e.Sync()
			e.Has(e.Cloud, "cloud", "memo.txt", "m")
			info := e.Info("memo.txt")
			if info.Status != model.StatusFailed || info.Reason != remote.ReasonMovedOut || info.NextRetry != "" {
				e.T.Fatalf("moved out: %s %s (next retry %q); want failed moved_out, no retry timer", info.Status, info.Reason, info.NextRetry)
			}
			if !slices.ContainsFunc(e.Errors(), func(i syncer.ItemInfo) bool { return i.Path == e.Abs("memo.txt") }) {
				e.T.Fatalf("the moved-out document is not in Synced with errors: %+v", e.Errors())
			}
			e.Cloud.Write("memo.txt", "edited in the cloud while it was away")
			e.Sync()
			e.MoveBack("memo.txt")
			e.Sync()
			e.Has(e.Local, "local", "memo.txt", "edited in the cloud while it was away")
			if info := e.Info("memo.txt"); info.Status != model.StatusSynced {
				e.T.Fatalf("back in its folder: %s %s, want synced", info.Status, info.Reason)
			}
		}},
		{"DocumentTrashedIsDeletedInTheCloud", func(e *Env) {
			e.Need(e.TrashLocal != nil, "delete a file into the desktop trash")
			e.Local.Write("memo.txt", "m")
			e.Local.Write("keep.txt", "k")
			e.SyncDocuments(defaults(), "memo.txt", "keep.txt")
			e.TrashLocal("memo.txt")
			e.Sync()
			e.Lacks(e.Cloud, "cloud", "memo.txt")
			e.Has(e.Cloud, "cloud", "keep.txt", "k")
		}},
		{"FolderOfADocumentNeverTakesOthersFilesWithIt", func(e *Env) {
			e.Need(e.TrashLocal != nil, "delete a folder into the desktop trash")
			e.Local.Write("memo.txt", "m")
			e.SyncDocuments(defaults(), "memo.txt")
			e.Cloud.Write("shared/theirs.txt", "someone else's file")
			e.Cloud.Rename("memo.txt", "shared/memo.txt")
			e.Sync()
			e.Has(e.Local, "local", "shared/memo.txt", "m")
			e.Lacks(e.Local, "local", "shared/theirs.txt") // not a member: never downloaded
			e.TrashLocal("shared")
			e.Sync()
			e.Lacks(e.Cloud, "cloud", "shared/memo.txt")
			e.Has(e.Cloud, "cloud", "shared/theirs.txt", "someone else's file")
		}},
	}
}
