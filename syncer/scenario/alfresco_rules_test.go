package scenario

import (
	"slices"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// The rules of issue 3's "Done when" that are Alfresco-specific, against the engine and
// the Alfresco remote on the alfrescotest repository (contract validation on).

// TestAlfrescoCloudMoveOfAFileKeepsTheLocalFile: a file moved to another folder in the
// cloud is moved locally (same inode), not deleted and downloaded again.
func TestAlfrescoCloudMoveOfAFileKeepsTheLocalFile(t *testing.T) {
	e, srv := alfrescoEnv(t)
	e.Local.Write("in/report.txt", "report")
	e.Local.Mkdir("archive")
	e.SyncFolder(defaults())
	inode, node := e.Local.ID("in/report.txt"), e.Cloud.ID("in/report.txt")
	downloads := srv.Calls("download")
	e.Cloud.Rename("in/report.txt", "archive/report 2026.txt")
	e.Sync()
	e.Has(e.Local, "local", "archive/report 2026.txt", "report")
	e.Lacks(e.Local, "local", "in/report.txt")
	if got := e.Local.ID("archive/report 2026.txt"); got != inode {
		t.Fatalf("local file replaced (inode %s → %s), not moved", inode, got)
	}
	if got := e.Cloud.ID("archive/report 2026.txt"); got != node {
		t.Fatalf("node id changed %s → %s", node, got)
	}
	if n := srv.Calls("download") - downloads; n != 0 {
		t.Fatalf("a cloud move downloaded the file %d times", n)
	}
	e.Converged(nil)
}

// TestAlfrescoLocalRenameIsOnePUTNodes: a local rename is exactly one PUT nodes/{id}: no
// upload, no POST move, no delete.
func TestAlfrescoLocalRenameIsOnePUTNodes(t *testing.T) {
	e, srv := alfrescoEnv(t)
	e.Local.Write("draft.txt", "text")
	e.SyncFolder(defaults())
	node := e.Cloud.ID("draft.txt")
	before := map[string]int{}
	kinds := []string{"PUT /nodes/{nodeId}", "POST /nodes/{nodeId}/move", "upload", "delete", "mkdir"}
	for _, k := range kinds {
		before[k] = srv.Calls(k)
	}
	e.Local.Rename("draft.txt", "final.txt")
	e.Sync()
	e.Has(e.Cloud, "cloud", "final.txt", "text")
	e.Lacks(e.Cloud, "cloud", "draft.txt")
	if e.Cloud.ID("final.txt") != node {
		t.Fatal("the rename replaced the cloud node")
	}
	want := map[string]int{"PUT /nodes/{nodeId}": 1}
	for _, k := range kinds {
		if got := srv.Calls(k) - before[k]; got != want[k] {
			t.Errorf("%s: %d requests for a local rename, want %d", k, got, want[k])
		}
	}
	t.Logf("local rename: %d PUT nodes/{id}, 0 uploads", srv.Calls("PUT /nodes/{nodeId}")-before["PUT /nodes/{nodeId}"])
}

// TestAlfrescoNamesAlfrescoForbidsAreInvalidName: local names Alfresco refuses fail with
// invalid_name before any upload is tried; other awkward names round-trip; nothing is lost.
func TestAlfrescoNamesAlfrescoForbidsAreInvalidName(t *testing.T) {
	e, srv := alfrescoEnv(t)
	good := []string{"héllo wörld.txt", "100% sure #1.txt", "a&b=c.txt", "日本語/ファイル.txt", ".hidden"}
	bad := []string{"a&b=c?.txt", "why: because.txt", "pipe|d.txt", `quote".txt`, "ends with dot.", "ends with space "}
	for _, n := range append(slices.Clone(good), bad...) {
		e.Local.Write(n, "content of "+n)
	}
	e.SyncFolder(defaults())
	for _, n := range good {
		e.Has(e.Cloud, "cloud", n, "content of "+n)
	}
	errs := errorPaths(e)
	for _, n := range bad {
		e.Lacks(e.Cloud, "cloud", n)
		e.Has(e.Local, "local", n, "content of "+n)
		if !slices.Contains(errs, n+":invalid_name") {
			t.Errorf("%q: not reported as invalid_name; errors: %v", n, errs)
		}
	}
	if n := srv.Calls("upload"); n != len(good) {
		t.Errorf("%d uploads, want %d: a forbidden name reached the server", n, len(good))
	}
	e.Sync() // no retry loop: still nothing uploaded for them
	if n := srv.Calls("upload"); n != len(good) {
		t.Errorf("%d uploads after another pass, want %d", n, len(good))
	}
}

// TestAlfrescoCaseTwinsGiveNameClashForOne: two local names differing only in case cannot
// both exist in one Alfresco folder: one syncs, the other fails with name_clash, both stay.
func TestAlfrescoCaseTwinsGiveNameClashForOne(t *testing.T) {
	e, _ := alfrescoEnv(t)
	e.Local.Write("Report.txt", "upper")
	e.Local.Write("report.txt", "lower")
	e.SyncFolder(defaults())
	cloud := e.Cloud.Files()
	if len(cloud) != 1 {
		t.Fatalf("cloud holds %v, want exactly one of the twins", show(cloud))
	}
	e.Has(e.Local, "local", "Report.txt", "upper")
	e.Has(e.Local, "local", "report.txt", "lower")
	errs := errorPaths(e)
	clashes := 0
	for _, p := range errs {
		if strings.HasSuffix(p, ":name_clash") {
			clashes++
		}
	}
	if clashes != 1 {
		t.Fatalf("errors %v: want name_clash for exactly one twin", errs)
	}
}

// TestAlfrescoQuotaGivesQuotaExceededWithBackoff: the repository's real quota (507 with
// Alfresco's error body, not an injected fault) fails the upload with quota_exceeded and a
// retry time; no retry before it; once space frees up, Request Sync uploads it.
func TestAlfrescoQuotaGivesQuotaExceededWithBackoff(t *testing.T) {
	e, srv := alfrescoEnv(t)
	e.Local.Write("small.txt", "ok")
	e.SyncFolder(defaults())
	srv.SetLimits(0, 10)
	e.Local.Write("big.bin", "more than ten bytes")
	e.Sync()
	info := e.Info("big.bin")
	if info.Status != model.StatusFailed || info.Reason != "quota_exceeded" || info.NextRetry == "" {
		t.Fatalf("info: %+v", info)
	}
	if !strings.Contains(info.Details, "507") {
		t.Errorf("details do not carry the HTTP status: %q", info.Details)
	}
	up := srv.Calls("upload")
	e.Sync()
	if srv.Calls("upload") != up {
		t.Fatal("retried before the back-off time")
	}
	e.Has(e.Local, "local", "big.bin", "more than ten bytes")
	srv.SetLimits(0, 0)
	e.Do("request-sync", func(ctx ctxT) error { return e.Ctl.RequestSync(ctx, e.Abs("big.bin")) })
	e.Sync()
	e.Has(e.Cloud, "cloud", "big.bin", "more than ten bytes")
}

// TestAlfrescoLockedNodeGivesLockedAndKeepsTheEdit: a node locked by another user (409
// NodeLocked) fails the update with locked; the local edit is kept and uploads once the
// lock is gone.
func TestAlfrescoLockedNodeGivesLockedAndKeepsTheEdit(t *testing.T) {
	e, _ := alfrescoEnv(t)
	e.Local.Write("plan.txt", "v1")
	e.SyncFolder(defaults())
	lib := e.Cloud.(LibraryTree)
	if err := lib.Lib.Lock(lib.p("plan.txt"), "bob", false); err != nil {
		t.Fatal(err)
	}
	e.Local.Write("plan.txt", "v2 local")
	e.Sync()
	if info := e.Info("plan.txt"); info.Reason != "locked" {
		t.Fatalf("info: %+v, want reason locked", info)
	}
	e.Has(e.Local, "local", "plan.txt", "v2 local")
	e.Has(e.Cloud, "cloud", "plan.txt", "v1")
	if err := lib.Lib.Unlock(lib.p("plan.txt")); err != nil {
		t.Fatal(err)
	}
	e.Do("request-sync", func(ctx ctxT) error { return e.Ctl.RequestSync(ctx, e.Abs("plan.txt")) })
	e.Sync()
	e.Has(e.Cloud, "cloud", "plan.txt", "v2 local")
}
