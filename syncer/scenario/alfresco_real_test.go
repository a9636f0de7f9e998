package scenario

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco/alfrescotest"
)

// The engine with the Alfresco remote against the test repository behaving as real
// Alfresco does where the API definition is silent (issue 12; the findings are written down
// in syncer/remote/alfresco/REAL-ALFRESCO.md). Each test turns on all of
// alfrescotest.Realistic and shows one rule.

func realEnv(t *testing.T, tweak ...func(*alfrescotest.Options)) (*Env, *alfrescotest.Server, LibraryTree) {
	opts := alfrescotest.Realistic()
	for _, f := range tweak {
		f(&opts)
	}
	e, srv := alfrescoEnvWith(t, opts)
	return e, srv, e.Cloud.(LibraryTree)
}

func (l LibraryTree) do(err error) { l.T.Helper(); l.check(err) }

func hasError(errs []string, p, reason string) bool { return slices.Contains(errs, p+":"+reason) }

func failures(e *Env) int {
	n := 0
	for _, ev := range e.Events() {
		if ev.Kind == "failure" {
			n++
		}
	}
	return n
}

// TestAlfrescoLinksAreNotSynced: links of all three kinds are never downloaded nor walked
// into, and each is reported once as unsupported; the files they point to sync.
func TestAlfrescoLinksAreNotSynced(t *testing.T) {
	e, srv, lib := realEnv(t)
	e.Cloud.Write("Target/a.txt", "a")
	e.Cloud.Write("Target/Deep/b.txt", "b")
	links := map[string][2]string{
		"file link.txt":    {"Target/a.txt", "app:filelink"},
		"folder link":      {"Target", "app:folderlink"},
		"plain to folder":  {"Target/Deep", "cm:link"},
		"plain to file.md": {"Target/Deep/b.txt", "cm:link"},
	}
	for p, l := range links {
		lib.do(lib.Lib.AddLink(lib.p(p), lib.p(l[0]), l[1]))
	}
	e.SyncFolder(defaults())
	e.Has(e.Local, "local", "Target/a.txt", "a")
	e.Has(e.Local, "local", "Target/Deep/b.txt", "b")
	errs := errorPaths(e)
	for p := range links {
		e.Lacks(e.Local, "local", p)
		if !hasError(errs, p, "unsupported") {
			t.Errorf("%s not reported as unsupported: %v", p, errs)
		}
		if info := e.Info(p); !strings.Contains(info.Details, "link") {
			t.Errorf("%s: details %q do not say it is a link", p, info.Details)
		}
	}
	if n := srv.Calls("download"); n != 2 {
		t.Errorf("%d downloads, want 2: a link was downloaded", n)
	}
	before, notes := srv.Calls("*"), failures(e)
	e.Sync()
	if n := srv.Calls("download"); n != 2 {
		t.Errorf("%d downloads after another pass", n)
	}
	if failures(e) != notes {
		t.Errorf("another pass notified again about the links")
	}
	t.Logf("another pass: %d requests", srv.Calls("*")-before)
	e.Converged(nil)
}

// TestAlfrescoCheckedOutFileIsLockedAndItsWorkingCopyNotSynced: someone's checkout makes a
// working copy that is never synced and a checked-out original that is never written to:
// a local edit waits as locked (in 26.2 a PUT would have checked the working copy in with
// the local content), and once the checkout is checked in the cloud wins and the local
// edit is kept as a conflict copy.
func TestAlfrescoCheckedOutFileIsLockedAndItsWorkingCopyNotSynced(t *testing.T) {
	for _, era := range []struct {
		name    string
		checkin bool
	}{{"7.x 409", false}, {"26.2 check-in on PUT", true}} {
		t.Run(era.name, func(t *testing.T) {
			e, srv, lib := realEnv(t, func(o *alfrescotest.Options) { o.CheckinOnPut = era.checkin })
			e.Local.Write("plan.txt", "v1")
			e.SyncFolder(defaults())
			wc, err := lib.Lib.Checkout(lib.p("plan.txt"), alfOther)
			lib.do(err)
			wc = strings.TrimPrefix(wc, lib.Folder+"/")
			puts := srv.Calls("PUT /nodes/{nodeId}/content")
			e.Local.Write("plan.txt", "v2 local")
			e.Sync()
			if info := e.Info("plan.txt"); info.Reason != "locked" {
				t.Fatalf("info: %+v, want locked", info)
			}
			if n := srv.Calls("PUT /nodes/{nodeId}/content") - puts; n != 0 {
				t.Fatalf("%d PUTs to the checked-out original", n)
			}
			e.Has(e.Local, "local", "plan.txt", "v2 local")
			e.Has(e.Cloud, "cloud", "plan.txt", "v1")
			if lib.ID(wc) == "" {
				t.Fatal("the working copy was checked in")
			}
			e.Lacks(e.Local, "local", wc)
			if errs := errorPaths(e); !hasError(errs, wc, "unsupported") {
				t.Errorf("the working copy is not reported: %v", errs)
			}
			lib.do(lib.Lib.Checkin(lib.p("plan.txt"), []byte("v3 bob")))
			e.Do("request-sync", func(ctx ctxT) error { return e.Ctl.RequestSync(ctx, e.Abs("plan.txt")) })
			e.Sync()
			e.Has(e.Local, "local", "plan.txt", "v3 bob")
			e.Has(e.Cloud, "cloud", "plan.txt", "v3 bob")
			if cc := e.ConflictCopies(); len(cc) != 1 || !holds(e.Local, "v2 local") {
				t.Fatalf("conflict copies %v: the local edit is not kept", cc)
			}
			if errs := errorPaths(e); len(errs) != 0 {
				t.Errorf("errors after the check-in: %v", errs)
			}
			e.Converged(IsConflictCopy)
		})
	}
}

// TestAlfrescoSiteRolesForbiddenChangesLoseNothing: a SiteContributor may change only what
// it owns, a SiteCollaborator may also edit and rename others' files but not delete or move
// them. Each forbidden local change (403) is reported permission_denied once, retried only
// after its back-off, and loses nothing: the local edit stays, the cloud files stay. A
// refused delete is undone instead (as Alfresco Desktop Sync does): the file is downloaded
// again, synced with a note, no error. What the role allows syncs (a new file, deleting
// one's own file, a Collaborator's edit and rename).
func TestAlfrescoSiteRolesForbiddenChangesLoseNothing(t *testing.T) {
	for _, role := range []string{"SiteContributor", "SiteCollaborator"} {
		t.Run(role, func(t *testing.T) {
			e, srv, lib := realEnv(t)
			for _, f := range []string{"theirs.txt", "gone.txt", "moving.txt", "renamed.txt"} {
				lib.do(lib.Lib.WriteAs(alfOther, lib.p(f), []byte("bob's "+f)))
			}
			lib.do(lib.Lib.Mkdir(lib.p("sub")))
			e.Local.Write("own.txt", "alice's, uploaded by her")
			srv.SetRole(alfrescotest.DefaultNetwork, alfSite, alfUser, role)
			e.SyncFolder(defaults())
			e.Local.Remove("own.txt")
			e.Local.Write("mine.txt", "alice's own") // first: it must not get gone.txt's inode
			e.Local.Write("theirs.txt", "alice's edit")
			e.Local.Rename("renamed.txt", "renamed by alice.txt")
			e.Local.Remove("gone.txt")
			e.Local.Rename("moving.txt", "sub/moving.txt")
			e.Sync()
			e.Has(e.Cloud, "cloud", "mine.txt", "alice's own")
			e.Has(e.Cloud, "cloud", "gone.txt", "bob's gone.txt")
			e.Has(e.Local, "local", "gone.txt", "bob's gone.txt")
			if info := e.Info("gone.txt"); info.Status != model.StatusSynced || info.Note == "" {
				t.Errorf("gone.txt: status %s, note %q; want synced with a note", info.Status, info.Note)
			}
			e.Lacks(e.Cloud, "cloud", "own.txt")
			e.Has(e.Cloud, "cloud", "moving.txt", "bob's moving.txt")
			e.Has(e.Local, "local", "theirs.txt", "alice's edit")
			// (a refused move is reported where the file is in the folder: its new path)
			forbidden := []string{"sub/moving.txt", "theirs.txt", "renamed by alice.txt"}
			if role == "SiteCollaborator" {
				forbidden = forbidden[:1]
				e.Has(e.Cloud, "cloud", "theirs.txt", "alice's edit")
				e.Has(e.Cloud, "cloud", "renamed by alice.txt", "bob's renamed.txt")
			} else {
				e.Has(e.Cloud, "cloud", "theirs.txt", "bob's theirs.txt")
				e.Has(e.Cloud, "cloud", "renamed.txt", "bob's renamed.txt")
			}
			errs := errorPaths(e)
			for _, p := range forbidden {
				if !hasError(errs, p, "permission_denied") {
					t.Errorf("%s: not permission_denied; errors %v", p, errs)
				}
			}
			if len(errs) != len(forbidden) {
				t.Errorf("errors %v, want permission_denied for %v only", errs, forbidden)
			}
			notes, writes := failures(e), mutations(e)
			e.Sync()
			e.Sync()
			if n := mutations(e) - writes; n != 0 {
				t.Errorf("%d more write requests before the back-off ended: a retry loop", n)
			}
			if failures(e) != notes {
				t.Errorf("the same failures were notified again")
			}
			if len(srv.Trashed()) != 0 {
				t.Errorf("cloud content went to the trashcan: %v", srv.Trashed())
			}
		})
	}
}

// TestAlfrescoUnversionedSameSizeEditIsNotOverwritten: without cm:autoVersion a same-size
// edit in the cloud keeps the version label; it is still downloaded, and a local edit made
// meanwhile becomes a conflict instead of overwriting it (that content is in no version).
func TestAlfrescoUnversionedSameSizeEditIsNotOverwritten(t *testing.T) {
	e, _, lib := realEnv(t)
	e.Cloud.Write("notes.txt", "aaaa")
	lib.do(lib.Lib.SetVersioning(lib.p("notes.txt"), true, false, false))
	e.SyncFolder(defaults())
	label := lib.Lib.Version(lib.p("notes.txt"))
	e.Cloud.Write("notes.txt", "bbbb")
	e.Sync()
	e.Has(e.Local, "local", "notes.txt", "bbbb")
	e.Cloud.Write("notes.txt", "cccc")
	e.Local.Write("notes.txt", "dddd")
	e.Sync()
	if lib.Lib.Version(lib.p("notes.txt")) != label {
		t.Fatal("the cloud edits made versions: the test does not test unversioned edits")
	}
	e.Has(e.Cloud, "cloud", "notes.txt", "cccc")
	e.Has(e.Local, "local", "notes.txt", "cccc")
	if !holds(e.Local, "dddd") {
		t.Fatalf("the local edit is lost: %v", show(e.Local.Files()))
	}
	e.Converged(IsConflictCopy)
}

// TestAlfrescoWithoutAutoVersioningEditsSyncBothWays: with
// version.store.enableAutoVersioning=false no content change makes a version, not even the
// client's own uploads; edits still sync both ways and nothing is downloaded back.
func TestAlfrescoWithoutAutoVersioningEditsSyncBothWays(t *testing.T) {
	e, srv, _ := realEnv(t, func(o *alfrescotest.Options) { o.NoAutoVersion = true })
	e.Local.Write("a.txt", "local 1")
	e.SyncFolder(defaults())
	for i := range 3 {
		e.Local.Write("a.txt", fmt.Sprintf("local %d", i+2))
		e.Sync()
		e.Has(e.Cloud, "cloud", "a.txt", fmt.Sprintf("local %d", i+2))
		e.Cloud.Write("a.txt", fmt.Sprintf("cloud %d", i+2))
		e.Sync()
		e.Has(e.Local, "local", "a.txt", fmt.Sprintf("cloud %d", i+2))
	}
	if n := srv.Calls("download"); n != 3 {
		t.Errorf("%d downloads, want 3 (the cloud edits only)", n)
	}
	e.Converged(nil)
}

// TestAlfrescoMetadataEditsAreNotContentChanges: a title edit by someone else downloads
// nothing; with cm:autoVersionOnUpdateProps it makes a version, whose content is found equal:
// no local write, and a local edit made meanwhile is uploaded, not turned into a conflict.
func TestAlfrescoMetadataEditsAreNotContentChanges(t *testing.T) {
	e, srv, lib := realEnv(t)
	e.Local.Write("plain.txt", "plain")
	e.Local.Write("props.txt", "props v1")
	e.SyncFolder(defaults())
	lib.do(lib.Lib.SetVersioning(lib.p("props.txt"), true, true, true))
	downloads := srv.Calls("download")
	lib.do(lib.Lib.SetTitle(lib.p("plain.txt"), "A title"))
	e.Sync()
	if n := srv.Calls("download") - downloads; n != 0 {
		t.Errorf("a title edit downloaded the file %d times", n)
	}
	label := lib.Lib.Version(lib.p("props.txt"))
	lib.do(lib.Lib.SetTitle(lib.p("props.txt"), "Another title"))
	if lib.Lib.Version(lib.p("props.txt")) == label {
		t.Fatal("cm:autoVersionOnUpdateProps made no version")
	}
	e.Local.Write("props.txt", "props v2 local")
	e.Sync()
	e.Has(e.Cloud, "cloud", "props.txt", "props v2 local")
	if cc := e.ConflictCopies(); len(cc) != 0 {
		t.Errorf("a metadata edit made a false conflict: %v", cc)
	}
	e.Converged(nil)
}

// TestAlfrescoCloudMoveIsNotAContentChange: a move by someone else touches the node's
// modifiedAt. An auto-versioned file is moved locally without a download; an unversioned
// one edited locally meanwhile has its edit uploaded to the moved node, with no conflict
// (its cloud content is fetched once and found to be the last sync's).
func TestAlfrescoCloudMoveIsNotAContentChange(t *testing.T) {
	e, srv, lib := realEnv(t)
	e.Local.Write("in/versioned.txt", "versioned")
	e.Cloud.Write("in/plain.txt", "plain v1")
	lib.do(lib.Lib.SetVersioning(lib.p("in/plain.txt"), false, false, false))
	e.Local.Mkdir("archive")
	e.SyncFolder(defaults())
	downloads, inode := srv.Calls("download"), e.Local.ID("in/versioned.txt")
	e.Cloud.Rename("in/versioned.txt", "archive/versioned.txt")
	e.Cloud.Rename("in/plain.txt", "archive/plain.txt")
	e.Local.Write("in/plain.txt", "plain v2 local")
	e.Sync()
	e.Has(e.Local, "local", "archive/versioned.txt", "versioned")
	e.Has(e.Cloud, "cloud", "archive/plain.txt", "plain v2 local")
	e.Has(e.Local, "local", "archive/plain.txt", "plain v2 local")
	if cc := e.ConflictCopies(); len(cc) != 0 {
		t.Errorf("a cloud move made a false conflict: %v", cc)
	}
	if e.Local.ID("archive/versioned.txt") != inode {
		t.Error("the auto-versioned file was replaced locally, not moved")
	}
	// The unversioned file's move looks like an edit: its content is fetched once and found
	// to be the last sync's; the auto-versioned one is not fetched.
	if n := srv.Calls("download") - downloads; n != 1 {
		t.Errorf("%d downloads after the cloud moves, want 1 (the unversioned file's content check)", n)
	}
	e.Converged(nil)
}

// TestAlfrescoNamesWithLeadingSpacesSync: Alfresco trims relativePath segments, yet names
// starting with a space sync both ways and stay in sync.
func TestAlfrescoNamesWithLeadingSpacesSync(t *testing.T) {
	e, srv, _ := realEnv(t)
	e.Local.Write(" local.txt", "local")
	e.Local.Write(" dir/ inner.txt", "inner")
	e.Cloud.Write(" cloud.txt", "cloud")
	e.SyncFolder(defaults())
	e.Has(e.Cloud, "cloud", " local.txt", "local")
	e.Has(e.Cloud, "cloud", " dir/ inner.txt", "inner")
	e.Has(e.Local, "local", " cloud.txt", "cloud")
	e.Local.Write(" dir/ inner.txt", "inner v2")
	e.Cloud.Write(" cloud.txt", "cloud v2")
	e.Sync()
	e.Has(e.Cloud, "cloud", " dir/ inner.txt", "inner v2")
	e.Has(e.Local, "local", " cloud.txt", "cloud v2")
	if errs := errorPaths(e); len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	writes := mutations(e)
	e.Sync()
	if n := mutations(e) - writes; n != 0 {
		t.Errorf("%d writes in a pass with nothing changed", n)
	}
	_ = srv
	e.Converged(nil)
}

// TestAlfrescoFolderDeleteKeepsWhatTheClientHasNotSeen: a folder deleted locally is not
// deleted in the cloud while it holds a file added after the listing the delete was planned
// from (a listing can lag behind Alfresco's folder timestamps); the next pass sees the file
// and brings the folder back locally with it (an edit beats a delete), deleting only what
// the user deleted. The refused delete is a race with another client, not a failure: the
// engine looks at the cloud again within a second (syncer/race.go), not after a back-off.
func TestAlfrescoFolderDeleteKeepsWhatTheClientHasNotSeen(t *testing.T) {
	e, srv, lib := realEnv(t)
	e.Local.Write("F/old.txt", "old")
	e.SyncFolder(defaults())
	f := lib.ID("F")
	var mu sync.Mutex
	lists := 0
	srv.SetFault(func(op, p string) int {
		mu.Lock()
		defer mu.Unlock()
		if op == "list" && strings.Contains(p, f+"/children") {
			if lists++; lists == 2 { // the walk listed F; someone adds a file before the delete
				if err := lib.Lib.Write(lib.p("F/new.txt"), []byte("someone's new file")); err != nil {
					t.Error(err)
				}
			}
		}
		return 0
	})
	e.Local.Remove("F")
	e.Sync()
	srv.SetFault(nil)
	// (The look again may have run already: old.txt may be gone, new.txt never.)
	e.Has(e.Cloud, "cloud", "F/new.txt", "someone's new file")
	if tr := srv.Trashed(); len(tr) > 1 || len(tr) == 1 && tr[0] != "old" {
		t.Fatalf("trashed in the cloud: %v", tr)
	}
	t.Logf("after the refused delete: errors %v", errorPaths(e))
	e.Sync()
	e.Has(e.Local, "local", "F/new.txt", "someone's new file")
	e.Has(e.Cloud, "cloud", "F/new.txt", "someone's new file")
	e.Lacks(e.Cloud, "cloud", "F/old.txt") // what the user deleted goes, on its own
	if tr := srv.Trashed(); !slices.Equal(tr, []string{"old"}) {
		t.Fatalf("trashed in the cloud: %v, want only the deleted old.txt", tr)
	}
	e.Converged(nil)
	if info := e.Info("F/new.txt"); info.Status != model.StatusSynced {
		t.Errorf("info: %+v", info)
	}
}
