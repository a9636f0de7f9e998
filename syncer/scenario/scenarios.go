package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// All returns every scenario, in a stable order.
func All() []Scenario {
	var out []Scenario
	out = append(out, basics()...)
	out = append(out, conflicts()...)
	out = append(out, moves()...)
	out = append(out, options()...)
	out = append(out, documents()...)
	out = append(out, safety()...)
	out = append(out, control()...)
	out = append(out, regressions()...)
	out = append(out, crashes()...)
	return out
}

// Names returns the names of All.
func Names() []string {
	var out []string
	for _, s := range All() {
		out = append(out, s.Name)
	}
	return out
}

func defaults() model.Options { return model.DefaultOptions() }

func basics() []Scenario {
	return []Scenario{
		{"FirstSyncUploadsLocalFolder", func(e *Env) {
			e.Local.Write("a.txt", "alpha")
			e.Local.Write("sub/b.txt", "beta")
			e.Local.Mkdir("empty")
			e.SyncFolder(defaults())
			e.Has(e.Cloud, "cloud", "a.txt", "alpha")
			e.Has(e.Cloud, "cloud", "sub/b.txt", "beta")
			e.Converged(nil)
			if info := e.Info("sub/b.txt"); info.Status != model.StatusSynced || info.LastSync == "" {
				e.T.Fatalf("info after first sync: %+v", info)
			}
		}},
		{"FirstSyncMergesWithExistingCloudContent", func(e *Env) {
			// FAILURE-MODES 4: a first sync against a non-empty cloud merges; nothing is wiped.
			e.Local.Write("mine.txt", "local only")
			e.Cloud.Write("theirs.txt", "cloud only")
			e.SyncFolder(defaults())
			e.Has(e.Local, "local", "theirs.txt", "cloud only")
			e.Has(e.Cloud, "cloud", "mine.txt", "local only")
			e.Converged(nil)
		}},
		{"LocalEditIsUploaded", func(e *Env) {
			e.Local.Write("doc.txt", "v1")
			e.SyncFolder(defaults())
			e.Local.Write("doc.txt", "v2 longer")
			e.Sync()
			e.Has(e.Cloud, "cloud", "doc.txt", "v2 longer")
		}},
		{"CloudEditIsDownloaded", func(e *Env) {
			e.Local.Write("doc.txt", "v1")
			e.SyncFolder(defaults())
			e.Cloud.Write("doc.txt", "edited in the cloud")
			e.Sync()
			e.Has(e.Local, "local", "doc.txt", "edited in the cloud")
		}},
		{"NewCloudFolderTreeIsDownloaded", func(e *Env) {
			e.SyncFolder(defaults())
			e.Cloud.Write("x/y/z.txt", "deep")
			e.Cloud.Mkdir("x/empty")
			e.Sync()
			e.Has(e.Local, "local", "x/y/z.txt", "deep")
			e.Converged(nil)
		}},
		{"UploadsIntoANewFolderAskForItOnce", func(e *Env) {
			// Issue 11: N new files in a new cloud folder cost N uploads and one listing of
			// the folder, also where a PUT's answer has no ETag (Apache, nginx) and the
			// stored file's entry must be asked for.
			e.Need(e.Calls != nil, "count requests")
			e.Local.Write("a.txt", "a")
			e.SyncFolder(defaults())
			lists := calls(e, "list")
			e.Sync()
			idle := calls(e, "list") - lists
			const n = 12
			for i := range n {
				e.Local.Write(fmt.Sprintf("batch/f%02d.txt", i), strings.Repeat("x", i+1))
			}
			lists, up := calls(e, "list"), calls(e, "upload")
			e.Sync()
			if got := calls(e, "upload") - up; got != n {
				e.T.Fatalf("%d uploads for %d new files", got, n)
			}
			if got := calls(e, "list") - lists; got > idle+n/2 { // rclone, whose PUT gives the ETag: idle+4
				e.T.Fatalf("uploading %d files into a new folder asked %d PROPFINDs/listings (an idle pass: %d)", n, got, idle)
			}
			e.Has(e.Cloud, "cloud", "batch/f11.txt", strings.Repeat("x", 12))
			e.Converged(nil)
		}},
		{"IdlePassMakesNoRequestsThatChangeAnything", func(e *Env) {
			// docs/TESTING.md oracle 4: a pass with nothing changed makes no mutating request.
			e.Need(e.Calls != nil, "count requests")
			e.Local.Write("a.txt", "a")
			e.Local.Write("d/b.txt", "b")
			e.SyncFolder(defaults())
			before := mutations(e)
			e.Sync()
			e.Sync()
			if after := mutations(e); after != before {
				e.T.Fatalf("idle passes made %d mutating requests", after-before)
			}
		}},
		{"UnicodeAndSpecialCharactersRoundTrip", func(e *Env) {
			names := []string{"héllo wörld.txt", "100% sure #1.txt", "a&b=c?.txt", "日本語/ファイル.txt"}
			for _, n := range names {
				e.Local.Write(n, "content of "+n)
			}
			e.SyncFolder(defaults())
			for _, n := range names {
				e.Has(e.Cloud, "cloud", n, "content of "+n)
			}
			e.Cloud.Write("from cloud ü.txt", "ü")
			e.Sync()
			e.Has(e.Local, "local", "from cloud ü.txt", "ü")
		}},
	}
}

func conflicts() []Scenario {
	return []Scenario{
		{"ConflictCloudWinsAndLocalVersionIsKept", func(e *Env) {
			// SPEC §3 / FAILURE-MODES 6.
			e.Local.Write("report.docx", "base")
			e.SyncFolder(defaults())
			e.Local.Write("report.docx", "local edit")
			e.Cloud.Write("report.docx", "cloud edit!")
			e.Sync()
			e.Has(e.Local, "local", "report.docx", "cloud edit!")
			copies := e.ConflictCopies()
			if len(copies) != 1 || !strings.HasPrefix(copies[0], "report (conflict copy ") || !strings.HasSuffix(copies[0], ".docx") {
				e.T.Fatalf("conflict copies: %v", copies)
			}
			e.Has(e.Local, "local", copies[0], "local edit")
			e.Lacks(e.Cloud, "cloud", copies[0]) // local-only
			info := e.Info("report.docx")
			if len(info.Conflicts) != 1 || !strings.HasSuffix(info.Conflicts[0], copies[0]) {
				e.T.Fatalf("Sync Info does not list the conflict copy: %+v", info.Conflicts)
			}
			if e.Events != nil && !hasEvent(e, "conflict", "report") {
				e.T.Fatalf("no conflict notification: %+v", e.Events())
			}
			e.Sync() // the copy stays local-only
			e.Lacks(e.Cloud, "cloud", copies[0])
		}},
		{"RenamedConflictCopyIsUploaded", func(e *Env) {
			e.Local.Write("n.txt", "base")
			e.SyncFolder(defaults())
			e.Local.Write("n.txt", "mine")
			e.Cloud.Write("n.txt", "theirs")
			e.Sync()
			copies := e.ConflictCopies()
			if len(copies) != 1 {
				e.T.Fatalf("conflict copies: %v", copies)
			}
			e.Local.Rename(copies[0], "n-mine.txt")
			e.Sync()
			e.Has(e.Cloud, "cloud", "n-mine.txt", "mine")
			e.Converged(nil)
		}},
		{"SameEditOnBothSidesIsNoConflict", func(e *Env) {
			// FAILURE-MODES 7: identical content is not a conflict.
			e.Local.Write("same.txt", "base")
			e.SyncFolder(defaults())
			e.Local.Write("same.txt", "identical edit")
			e.Cloud.Write("same.txt", "identical edit")
			e.Sync()
			if c := e.ConflictCopies(); len(c) != 0 {
				e.T.Fatalf("false conflict: %v", c)
			}
			e.Converged(nil)
		}},
		{"NewOnBothSidesWithDifferentContentKeepsBoth", func(e *Env) {
			e.SyncFolder(defaults())
			e.Local.Write("plan.txt", "local plan")
			e.Cloud.Write("plan.txt", "cloud plan")
			e.Sync()
			e.Has(e.Local, "local", "plan.txt", "cloud plan")
			if c := e.ConflictCopies(); len(c) != 1 {
				e.T.Fatalf("conflict copies: %v", c)
			} else {
				e.Has(e.Local, "local", c[0], "local plan")
			}
		}},
		{"LocalEditBeatsCloudDelete", func(e *Env) {
			// SPEC §3 edit vs delete / FAILURE-MODES 24.
			e.Local.Write("keep.txt", "v1")
			e.SyncFolder(defaults())
			e.Local.Write("keep.txt", "edited locally")
			e.Cloud.Remove("keep.txt")
			e.Sync()
			e.Has(e.Local, "local", "keep.txt", "edited locally")
			e.Has(e.Cloud, "cloud", "keep.txt", "edited locally")
			e.Sync()
			e.Has(e.Cloud, "cloud", "keep.txt", "edited locally") // no delete/download ping-pong
		}},
		{"CloudEditBeatsLocalDelete", func(e *Env) {
			e.Local.Write("keep.txt", "v1")
			e.SyncFolder(defaults())
			e.Local.Remove("keep.txt")
			e.Cloud.Write("keep.txt", "edited in cloud")
			e.Sync()
			e.Has(e.Local, "local", "keep.txt", "edited in cloud")
			e.Has(e.Cloud, "cloud", "keep.txt", "edited in cloud")
		}},
		{"CloudEditInsideLocallyDeletedFolderRestoresIt", func(e *Env) {
			e.Local.Write("f/a.txt", "a")
			e.Local.Write("f/b.txt", "b")
			e.SyncFolder(defaults())
			e.Local.Remove("f")
			e.Cloud.Write("f/b.txt", "b edited in cloud")
			e.Sync()
			e.Has(e.Local, "local", "f/b.txt", "b edited in cloud")
			e.Has(e.Cloud, "cloud", "f/b.txt", "b edited in cloud")
			e.Converged(nil)
		}},
	}
}

func moves() []Scenario {
	return []Scenario{
		{"LocalRenameIsOneCloudMove", func(e *Env) {
			// SPEC §3 renames; no delete + re-upload.
			e.Local.Write("old name.txt", "content")
			e.SyncFolder(defaults())
			up := calls(e, "upload")
			e.Local.Rename("old name.txt", "new name.txt")
			e.Sync()
			e.Has(e.Cloud, "cloud", "new name.txt", "content")
			e.Lacks(e.Cloud, "cloud", "old name.txt")
			if e.Calls != nil {
				if n := calls(e, "upload") - up; n != 0 {
					e.T.Fatalf("rename re-uploaded %d times", n)
				}
				if calls(e, "move") == 0 {
					e.T.Fatal("rename made no MOVE")
				}
			}
		}},
		{"LocalFolderMoveIsOneCloudMove", func(e *Env) {
			// FAILURE-MODES 10.
			for i := range 5 {
				e.Local.Write("src/f"+string(rune('a'+i))+".txt", "file")
			}
			e.Local.Mkdir("dst")
			e.SyncFolder(defaults())
			up, del, mv := calls(e, "upload"), calls(e, "delete"), calls(e, "move")
			e.Local.Rename("src", "dst/src")
			e.Sync()
			e.Has(e.Cloud, "cloud", "dst/src/fc.txt", "file")
			e.Lacks(e.Cloud, "cloud", "src")
			if e.Calls != nil {
				if calls(e, "upload") != up || calls(e, "delete") != del || calls(e, "move")-mv != 1 {
					e.T.Fatalf("folder move: %d uploads, %d deletes, %d moves; want 0, 0, 1",
						calls(e, "upload")-up, calls(e, "delete")-del, calls(e, "move")-mv)
				}
			}
		}},
		{"CloudRenameIsLocalRenameKeepingTheFile", func(e *Env) {
			// FAILURE-MODES 11: the local file is renamed (same inode), not re-downloaded.
			e.Local.Write("a.txt", "content a")
			e.SyncFolder(defaults())
			id := e.Local.ID("a.txt")
			e.Cloud.Rename("a.txt", "b.txt")
			e.Sync()
			e.Has(e.Local, "local", "b.txt", "content a")
			e.Lacks(e.Local, "local", "a.txt")
			if got := e.Local.ID("b.txt"); got != id {
				e.T.Fatalf("local file was replaced (id %s → %s), not renamed", id, got)
			}
		}},
		{"CloudFolderMoveIsLocalMove", func(e *Env) {
			e.Local.Write("p/q/r.txt", "r")
			e.Local.Mkdir("t")
			e.SyncFolder(defaults())
			id := e.Local.ID("p/q")
			e.Cloud.Rename("p/q", "t/q")
			e.Sync()
			e.Has(e.Local, "local", "t/q/r.txt", "r")
			e.Lacks(e.Local, "local", "p/q")
			if got := e.Local.ID("t/q"); got != id {
				e.T.Fatalf("local folder was recreated (id %s → %s), not moved", id, got)
			}
		}},
		{"CaseOnlyRenameKeepsTheItem", func(e *Env) {
			// FAILURE-MODES 12.
			e.Local.Write("report.docx", "r")
			e.SyncFolder(defaults())
			e.Local.Rename("report.docx", "Report.docx")
			e.Sync()
			e.Has(e.Cloud, "cloud", "Report.docx", "r")
			e.Lacks(e.Cloud, "cloud", "report.docx")
			e.Converged(nil)
		}},
		{"OfficeSafeSaveUpdatesTheSameCloudFile", func(e *Env) {
			// FAILURE-MODES 8: write temp, rename original away, rename temp over it.
			e.Local.Write("budget.xlsx", "v1")
			e.SyncFolder(defaults())
			del := calls(e, "delete")
			e.Local.Write("~$budget.tmp", "v2 saved")
			e.Local.Rename("budget.xlsx", "budget.xlsx~backup.tmp")
			e.Local.Rename("~$budget.tmp", "budget.xlsx")
			e.Local.Remove("budget.xlsx~backup.tmp")
			e.Sync()
			e.Has(e.Cloud, "cloud", "budget.xlsx", "v2 saved")
			if e.Calls != nil && calls(e, "delete") != del {
				e.T.Fatal("safe save deleted the cloud file instead of updating it")
			}
			if c := e.ConflictCopies(); len(c) != 0 {
				e.T.Fatalf("safe save made a conflict: %v", c)
			}
		}},
		{"ItemMovedInFromOutsideJoins", func(e *Env) {
			e.SyncFolder(defaults())
			e.Local.Write("inbox/new.txt", "joined")
			e.Sync()
			e.Has(e.Cloud, "cloud", "inbox/new.txt", "joined")
		}},
		{"RenameOntoTakenCloudNameIsANameClash", func(e *Env) {
			// SPEC §3: nothing is overwritten.
			e.Local.Write("a.txt", "a")
			e.SyncFolder(defaults())
			e.Local.Rename("a.txt", "b.txt")
			e.Cloud.Write("b.txt", "somebody else's b")
			e.Sync()
			e.Has(e.Cloud, "cloud", "b.txt", "somebody else's b") // not overwritten
			found := false
			for _, v := range e.Local.Files() {
				found = found || v == "a"
			}
			if !found {
				e.T.Fatalf("the renamed file's content is lost: %v", show(e.Local.Files()))
			}
			if errs := errorPaths(e); !slices.ContainsFunc(errs, func(s string) bool { return strings.HasSuffix(s, ":name_clash") }) {
				e.T.Fatalf("no name_clash in Synced with errors: %v", errs)
			}
		}},
	}
}

func mutations(e *Env) int {
	return calls(e, "upload") + calls(e, "move") + calls(e, "delete") + calls(e, "mkdir")
}

func calls(e *Env, op string) int {
	if e.Calls == nil {
		return 0
	}
	return e.Calls(op)
}

func hasEvent(e *Env, kind, text string) bool {
	for _, ev := range e.Events() {
		if ev.Kind == kind && (strings.Contains(ev.Title, text) || strings.Contains(ev.Body, text)) {
			return true
		}
	}
	return false
}

func errorPaths(e *Env) []string {
	var out []string
	for _, it := range e.Errors() {
		out = append(out, strings.TrimPrefix(strings.TrimPrefix(it.Path, e.Root), "/")+":"+string(it.Reason))
	}
	slices.Sort(out)
	return out
}
