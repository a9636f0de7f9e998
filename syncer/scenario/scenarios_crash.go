package scenario

import (
	"context"
	"slices"
	"strings"
)

// crashes are the rules of SPEC §4 about what a crash (or a cut connection) leaves behind:
// a local file cut while the engine was down, a partial upload under the real name, and a
// cloud "move" that is only two files of equal size and mtime.
func crashes() []Scenario {
	return []Scenario{
		{"FileCutWhileTheEngineWasDownIsAConflictNotAnUpload", func(e *Env) {
			// FAILURE-MODES 19: a crash or power loss leaves doc.txt empty and notes.txt
			// cut, their mtimes as before. Neither may replace the good cloud copy.
			e.Need(e.Restart != nil && e.CutLocal != nil, "restart the engine and cut a local file")
			e.Local.Write("doc.txt", "the report, version 1")
			e.Local.Write("notes.txt", "notes of the meeting")
			e.SyncFolder(defaults())
			e.Restart(func() {
				e.CutLocal("doc.txt", 0)
				e.CutLocal("notes.txt", 5)
			})
			e.Sync()
			for p, data := range map[string]string{"doc.txt": "the report, version 1", "notes.txt": "notes of the meeting"} {
				e.Has(e.Cloud, "cloud", p, data)
				e.Has(e.Local, "local", p, data)
			}
			var kept []string
			for _, c := range e.ConflictCopies() {
				data, _ := e.Local.Read(c)
				kept = append(kept, data)
			}
			slices.Sort(kept)
			if !slices.Equal(kept, []string{"", "notes"}) {
				e.T.Fatalf("conflict copies hold %q, want the cut versions \"\" and \"notes\" kept", kept)
			}
			e.Converged(IsConflictCopy)
		}},
		{"UploadCutByACrashIsSentAgainNotTakenForACloudEdit", func(e *Env) {
			// Issue 9: an upload cut halfway (a crash, a dropped connection) on a server that
			// writes uploads in place leaves the first half under the real name. After a
			// restart that is not a cloud edit: the whole file goes up again, for an edited
			// file and a new one, and nothing becomes a conflict.
			e.Need(e.Restart != nil && e.CutUploads != nil, "restart the engine and cut uploads")
			big := strings.Repeat("0123456789abcdef", 4096) // 64 KiB
			e.Local.Write("big.bin", "version 1 "+big)
			e.SyncFolder(defaults())
			e.Local.Write("big.bin", "version 2 "+big)
			e.Local.Write("new.bin", "new file "+big)
			e.CutUploads(true)
			e.Sync() // both uploads break halfway; they wait for their retry
			e.CutUploads(false)
			e.Restart(nil)
			e.Sync() // the first pass after the restart; the failed uploads wait for their retry
			e.Do("request-sync", func(ctx context.Context) error { return e.Ctl.RequestSync(ctx, e.Root) })
			e.Sync()
			for p, data := range map[string]string{"big.bin": "version 2 " + big, "new.bin": "new file " + big} {
				e.Has(e.Cloud, "cloud", p, data)
				e.Has(e.Local, "local", p, data)
				if info := e.Info(p); info.Status != "synced" {
					e.T.Fatalf("%s is %s (%s), want synced", p, info.Status, info.Details)
				}
			}
			if c := e.ConflictCopies(); len(c) != 0 {
				e.T.Fatalf("conflict copies %v: a partial upload was taken for a cloud edit", c)
			}
		}},
		{"CloudDeleteAndCreateWithOneVersionIsNoMove", func(e *Env) {
			// Issue 9 point 11: on a server whose ETags are mtime and size, "c.txt deleted,
			// d.txt of the same size written with c.txt's mtime" gives d.txt c.txt's version.
			// That is no rename: c.txt's content must not take d.txt's name.
			e.Need(e.CloudMtime != nil, "set a cloud file's mtime")
			e.Local.Write("c.txt", "content of c")
			e.SyncFolder(defaults())
			e.Cloud.Write("d.txt", "content of d")
			e.CloudMtime("d.txt", "c.txt")
			e.Cloud.Remove("c.txt")
			e.Sync()
			e.Has(e.Local, "local", "d.txt", "content of d")
			e.Has(e.Local, "local", "c.txt", "content of c") // deleted in the cloud: kept locally by default
			if info := e.Info("d.txt"); info.Status != "synced" {
				e.T.Fatalf("d.txt is %s (%s), want synced", info.Status, info.Details)
			}
		}},
	}
}
