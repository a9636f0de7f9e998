package scenario

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// TestPrunedPollSeesAChangeItDidNotSync: on a server whose folder ETags follow their
// subtree, a poll does not list the folders whose ETag is the one it kept (a poll of an
// unchanged tree lists the root and nothing more), but a change the last walk saw and the
// pass did not sync stays seen although its folder's ETag no longer moves: a cloud edit
// whose download failed is still failed (not "synced") on the next poll, and is downloaded
// once its retry is due. Taking the unchanged folder's subtree to be the base would call
// the file synced with the old content and never fetch the new one (foldertags.go).
func TestPrunedPollSeesAChangeItDidNotSync(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64
	meter := &Meter{}
	srv := davtest.ServeOC(t, meter.Wrap)
	cloud := FSTree{T: t, FS: srv.FileSystem(), Root: "/Docs", IDOf: srv.ID}
	e := davEnv(t, t.TempDir(), srv.URL, cloud, meter, func(c *syncer.Config) {
		c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	})
	folders := []string{"a/b", "a/c", "d/e", "d/f", "g"}
	for _, d := range folders {
		for f := range 3 {
			e.Local.Write(fmt.Sprintf("%s/f%d.txt", d, f), "v1")
		}
	}
	e.SyncFolder(defaults())
	e.Sync() // the first walk after the first sync finds the tree clean
	lists := e.Calls("list")
	e.Sync()
	if n := e.Calls("list") - lists; n >= len(folders) {
		t.Fatalf("a poll of an unchanged tree ran %d PROPFINDs; the server's folder ETags let it list the root alone", n)
	}

	e.Fault(func(op, p string) int {
		if op == "download" && strings.HasSuffix(p, "a/b/f1.txt") {
			return 503
		}
		return 0
	})
	e.Cloud.Write("a/b/f1.txt", "v2, edited in the cloud")
	e.Sync()
	if info := e.Info("a/b/f1.txt"); info.Status != model.StatusFailed {
		t.Fatalf("after a failed download: %+v, want failed", info)
	}
	e.Sync() // a poll: a/b's ETag is the one the last walk saw
	if info := e.Info("a/b/f1.txt"); info.Status != model.StatusFailed {
		t.Fatalf("a poll after the failed download says %+v; the cloud's edit is not synced", info)
	}
	e.Has(e.Local, "local", "a/b/f1.txt", "v1")
	e.Fault(nil)
	skew.Store(int64(24 * time.Hour)) // the retry is due
	e.Sync()
	e.Has(e.Local, "local", "a/b/f1.txt", "v2, edited in the cloud")
	e.Converged(nil)

	// The tags live in memory only: after a restart (kill -9 included) the first walk
	// lists every folder, and a cloud edit made while the engine was down is seen.
	if e.Restart == nil {
		return
	}
	lists = e.Calls("list")
	e.Restart(func() { e.Cloud.Write("d/e/f2.txt", "v2 while down") })
	e.Sync()
	if n := e.Calls("list") - lists; n < 1+7 {
		t.Errorf("the first walk after a restart ran %d PROPFINDs, want every folder's (8)", n)
	}
	e.Has(e.Local, "local", "d/e/f2.txt", "v2 while down")
}

// TestPrunedPollTagsAFolderHoldingTempFiles: office temp and lock files are never synced
// (SPEC §3): a cloud folder holding some is as clean as one without, and an unchanged poll
// lists the root alone. Before, they were planned on every pass (and passes ran back to
// back); with that mended, they still kept their folders untagged, listed on every poll. A
// tag hides nothing here: whether a name is one of those is fixed by the name alone, and
// any change below the folder changes its ETag.
func TestPrunedPollTagsAFolderHoldingTempFiles(t *testing.T) {
	t.Parallel()
	meter := &Meter{}
	srv := davtest.ServeOC(t, meter.Wrap)
	cloud := FSTree{T: t, FS: srv.FileSystem(), Root: "/Docs", IDOf: srv.ID}
	e := davEnv(t, t.TempDir(), srv.URL, cloud, meter)
	for _, d := range []string{"a/b", "a/c", "d"} {
		e.Local.Write(d+"/f.txt", "v1")
	}
	e.SyncFolder(defaults())
	e.Cloud.Write("a/b/~$f.docx", "lock")
	e.Cloud.Write("a/b/.DS_Store", "finder")
	e.Sync()
	e.Sync()
	lists := e.Calls("list")
	e.Sync()
	if n := e.Calls("list") - lists; n != 1 {
		t.Fatalf("a poll of an unchanged tree ran %d PROPFINDs, want 1 (a/b holds only files never synced besides f.txt)", n)
	}
	e.Cloud.Write("a/b/f.txt", "v2")
	e.Sync()
	e.Has(e.Local, "local", "a/b/f.txt", "v2")
}
