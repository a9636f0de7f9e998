package alfresco_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco/alfrescotest"
)

// The client against the test server behaving as real Alfresco does (REAL-ALFRESCO.md):
// one test per finding the client relies on.

func entryAt(t *testing.T, es []remote.Entry, p string) remote.Entry {
	t.Helper()
	for _, e := range es {
		if e.Path == p {
			return e
		}
	}
	t.Fatalf("%s not listed; listed: %v", p, paths(es))
	return remote.Entry{}
}

func paths(es []remote.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Path)
	}
	return out
}

// TestLinksAreListedUnsupportedNeverWalked: links of the three kinds are listed as
// Unsupported (although Alfresco calls a file link a file and a folder link a folder), and
// the folder a link points to is not walked through the link.
func TestLinksAreListedUnsupportedNeverWalked(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{})
	lib := srv.Library(alfrescotest.DefaultNetwork, testSite)
	for _, f := range []string{"Target/a.txt", "Target/Deep/b.txt"} {
		if err := lib.Write(f, []byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	for p, l := range map[string][2]string{
		"Links/file link.txt": {"Target/a.txt", "app:filelink"},
		"Links/folder link":   {"Target", "app:folderlink"},
		"Links/plain folder":  {"Target/Deep", "cm:link"},
		"Links/plain file":    {"Target/a.txt", "cm:link"},
	} {
		if err := lib.AddLink(p, l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
	lists := srv.Calls("list")
	es, err := newClient(t, srv, site).List(testCtx(t), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("list") - lists; n != 4 { // the root, Target, Target/Deep, Links
		t.Errorf("%d listings, want 4: a link was walked into", n)
	}
	for _, p := range []string{"Links/file link.txt", "Links/folder link", "Links/plain folder", "Links/plain file"} {
		if e := entryAt(t, es, p); !strings.Contains(e.Unsupported, "link") {
			t.Errorf("%s: %+v, want Unsupported as a link", p, e)
		}
	}
	for _, e := range es {
		if strings.HasPrefix(e.Path, "Links/") && strings.Count(e.Path, "/") > 1 {
			t.Errorf("%s listed below a link", e.Path)
		}
	}
	if kids, err := newClient(t, srv, site).ReadDir(testCtx(t), "Links"); err != nil || len(kids) != 0 {
		t.Errorf("ReadDir offers links for browsing: %v, %v", paths(kids), err)
	}
}

// TestWorkingCopyIsUnsupportedAndCheckedOutOriginalIsLocked: a checkout's working copy is
// listed Unsupported; a new version of the checked-out original is refused as locked before
// any PUT, in both eras (7.x: the server would answer 409; 26.2: it would check the
// working copy in with the client's content).
func TestWorkingCopyIsUnsupportedAndCheckedOutOriginalIsLocked(t *testing.T) {
	for _, checkin := range []bool{false, true} {
		t.Run(fmt.Sprint("CheckinOnPut=", checkin), func(t *testing.T) {
			srv := startServer(t, alfrescotest.Options{CheckinOnPut: checkin})
			lib := srv.Library(alfrescotest.DefaultNetwork, testSite)
			ctx := testCtx(t)
			c := newClient(t, srv, site)
			e, err := c.Upload(ctx, "plan.docx", nil, strings.NewReader("v1"), 2)
			if err != nil {
				t.Fatal(err)
			}
			wc, err := lib.Checkout("plan.docx", "bob")
			if err != nil || wc != "plan (Working Copy).docx" {
				t.Fatalf("checkout: %q %v", wc, err)
			}
			es, err := c.List(ctx, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if w := entryAt(t, es, wc); !strings.Contains(w.Unsupported, "working copy") {
				t.Errorf("working copy listed as %+v", w)
			}
			if o := entryAt(t, es, "plan.docx"); o.Unsupported != "" || o.Version != e.Version {
				t.Errorf("original listed as %+v, want the synced file unchanged (%s)", o, e.Version)
			}
			puts := srv.Calls("PUT /nodes/{nodeId}/content")
			_, err = c.Upload(ctx, "plan.docx", &e, strings.NewReader("v2"), 2)
			wantReason(t, "new version of a checked-out file", err, remote.ReasonLocked)
			if n := srv.Calls("PUT /nodes/{nodeId}/content") - puts; n != 0 {
				t.Fatalf("%d PUTs to a checked-out original", n)
			}
			if got, _ := lib.Read("plan.docx"); string(got) != "v1" || lib.ID(wc) == "" {
				t.Fatalf("after the refused upload: original %q, working copy present %v", got, lib.ID(wc) != "")
			}
		})
	}
}

// TestUnversionedSameSizeEditChangesTheVersion: with cm:autoVersion off a same-size edit
// keeps the label, and the Version still changes (modifiedAt); an auto-versioned file's
// Version does not change with a title edit or a move by someone else.
func TestUnversionedSameSizeEditChangesTheVersion(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{MoveTouchesNode: true})
	lib := srv.Library(alfrescotest.DefaultNetwork, testSite)
	ctx := testCtx(t)
	c := newClient(t, srv, site)
	for _, f := range []string{"plain.txt", "auto.txt"} {
		if err := lib.Write(f, []byte("same")); err != nil {
			t.Fatal(err)
		}
	}
	if err := lib.SetVersioning("plain.txt", true, false, false); err != nil {
		t.Fatal(err)
	}
	before, err := c.List(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	label := lib.Version("plain.txt")
	time.Sleep(2 * time.Millisecond)
	if err := lib.Write("plain.txt", []byte("SAME")); err != nil {
		t.Fatal(err)
	}
	if err := lib.SetTitle("auto.txt", "a title"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Rename("auto.txt", "Moved/auto.txt"); err != nil {
		t.Fatal(err)
	}
	after, err := c.List(ctx, "", before)
	if err != nil {
		t.Fatal(err)
	}
	if lib.Version("plain.txt") != label {
		t.Fatalf("the server made a version (%s → %s): the test does not test an unversioned edit", label, lib.Version("plain.txt"))
	}
	if b, a := entryAt(t, before, "plain.txt"), entryAt(t, after, "plain.txt"); a.Version == b.Version {
		t.Errorf("same-size edit without a new version: Version stayed %s; the edit would be missed", a.Version)
	}
	if b, a := entryAt(t, before, "auto.txt"), entryAt(t, after, "Moved/auto.txt"); a.Version != b.Version || a.ID != b.ID {
		t.Errorf("a title edit and a move changed the auto-versioned file: %+v → %+v", b, a)
	}
}

// TestFolderDeleteLeavesUnseenChildren: a folder is not deleted when it holds a file the
// last listing did not show (added, or edited since); after a listing that shows it, it is.
func TestFolderDeleteLeavesUnseenChildren(t *testing.T) {
	srv := startServer(t, alfrescotest.Realistic())
	lib := srv.Library(alfrescotest.DefaultNetwork, testSite)
	ctx := testCtx(t)
	c := newClient(t, srv, site)
	if err := lib.Write("F/old.txt", []byte("old")); err != nil {
		t.Fatal(err)
	}
	es, err := c.List(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := entryAt(t, es, "F")
	for _, change := range []func() error{
		func() error { return lib.Write("F/Sub/new.txt", []byte("someone's new file")) },
		func() error { return lib.Write("F/old.txt", []byte("edited")) },
	} {
		if err := change(); err != nil {
			t.Fatal(err)
		}
		if err := c.Delete(ctx, f); !errors.Is(err, remote.ErrChanged) {
			t.Fatalf("Delete of a folder with unseen content: %v, want ErrChanged", err)
		}
		if lib.ID("F/old.txt") == "" || len(srv.Trashed()) != 0 {
			t.Fatal("the folder's content was trashed")
		}
		if es, err = c.List(ctx, "", es); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Delete(ctx, f); err != nil {
		t.Fatalf("Delete after a listing that saw everything: %v", err)
	}
	if lib.ID("F") != "" {
		t.Fatal("the folder is still there")
	}
}

// TestNamesWithLeadingSpacesResolveByNodeID: Alfresco trims relativePath segments, so a name
// starting with a space is found by listing its folder: such files and folders are created,
// found, renamed and read like any other.
func TestNamesWithLeadingSpacesResolveByNodeID(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{TrimRelativePath: true})
	lib := srv.Library(alfrescotest.DefaultNetwork, testSite)
	ctx := testCtx(t)
	c := newClient(t, srv, site)
	if err := lib.Write("draft.txt", []byte("the other one")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Mkdir(ctx, " dir"); err != nil {
		t.Fatal(err)
	}
	up, err := c.Upload(ctx, " dir/ draft.txt", nil, strings.NewReader("mine"), 4)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Stat(ctx, " dir/ draft.txt")
	if err != nil || st.ID != up.ID || st.ID != lib.ID(" dir/ draft.txt") {
		t.Fatalf("Stat of ' dir/ draft.txt': %+v, %v; uploaded %s", st, err, up.ID)
	}
	if st, err := c.Stat(ctx, " draft.txt"); !errors.Is(err, remote.ErrNotFound) {
		t.Fatalf("Stat(' draft.txt') = %+v, %v: want not found (only 'draft.txt' exists)", st, err)
	}
	moved, err := c.Move(ctx, up, " moved.txt")
	if err != nil || moved.ID != up.ID || lib.ID(" moved.txt") != up.ID {
		t.Fatalf("Move to ' moved.txt': %+v, %v", moved, err)
	}
}

// TestDownloadsDoNotAskForAttachmentFalse: Alfresco logs a warning for each download with
// attachment=false of a type not in its allow list.
func TestDownloadsDoNotAskForAttachmentFalse(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{})
	ctx := testCtx(t)
	c := newClient(t, srv, site)
	e, err := c.Upload(ctx, "notes.txt", nil, strings.NewReader("text"), 4)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := c.Open(ctx, e, 0)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if n := srv.Calls(alfrescotest.WarnAttachmentIgnored); n != 0 {
		t.Fatalf("%d downloads made the server log a warning", n)
	}
}

// TestDuplicateListingsKeepTheNodeWhereItIs: a node moved between the listings of two
// folders of one walk is listed once, where it is now.
func TestDuplicateListingsKeepTheNodeWhereItIs(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{})
	lib := srv.Library(alfrescotest.DefaultNetwork, testSite)
	ctx := testCtx(t)
	for _, f := range []string{"A/n.txt", "A/other.txt", "B/k.txt"} {
		if err := lib.Write(f, []byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	a, b, n := lib.ID("A"), lib.ID("B"), lib.ID("A/n.txt")
	var mu sync.Mutex
	first := ""
	srv.SetFault(func(op, p string) int {
		// Whichever folder is listed first is listed with n; n then moves to the other one
		// just before that one is listed.
		mu.Lock()
		defer mu.Unlock()
		for _, f := range []struct{ id, name string }{{a, "A"}, {b, "B"}} {
			if op != "list" || !strings.Contains(p, f.id+"/children") || first == f.name {
				continue
			}
			if lib.ID(f.name+"/n.txt") == "" {
				var from string
				if from = "A"; f.name == "A" {
					from = "B"
				}
				if err := lib.Rename(from+"/n.txt", f.name+"/n.txt"); err != nil {
					t.Error(err)
				}
			}
			if first == "" {
				first = f.name
			}
		}
		return 0
	})
	es, err := newClient(t, srv, site).List(ctx, "", nil)
	srv.SetFault(nil)
	if err != nil {
		t.Fatal(err)
	}
	var at []string
	for _, e := range es {
		if e.ID == n {
			at = append(at, e.Path)
		}
	}
	want := "A/n.txt"
	if lib.ID(want) == "" {
		want = "B/n.txt"
	}
	if !slices.Equal(at, []string{want}) {
		t.Fatalf("the moved node is listed at %v, want only %s", at, want)
	}
}

// TestRecentFolderTimestampIsNotTrusted: a folder whose modifiedAt was within a second of
// the listing can take more changes without a new modifiedAt (Alfresco merges them): a
// delete and a restore (which keeps the restored node's old modifiedAt, and the count)
// right after such a listing are found by the next poll.
func TestRecentFolderTimestampIsNotTrusted(t *testing.T) {
	clock := alfrescotest.NewManualClock(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	opts := alfrescotest.Realistic()
	opts.Clock, opts.FolderDelay = clock.Now, time.Millisecond
	srv := startServer(t, opts)
	lib := srv.Library(alfrescotest.DefaultNetwork, testSite)
	ctx := testCtx(t)
	c := newClient(t, srv, site)
	for i := range 8 {
		if err := lib.Write(fmt.Sprintf("F/f%d.txt", i), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := lib.Remove("F/f7.txt"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := lib.Write("F/new.txt", []byte("new")); err != nil { // F's modifiedAt: now
		t.Fatal(err)
	}
	clock.Advance(2 * time.Millisecond)
	srv.Settle()
	clock.Advance(500 * time.Millisecond)
	prev, err := c.List(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Remove("F/f0.txt"); err != nil { // merged into F's modifiedAt
		t.Fatal(err)
	}
	if err := lib.Restore("F/f7.txt"); err != nil { // old modifiedAt; the count is the same
		t.Fatal(err)
	}
	srv.Settle()
	clock.Advance(time.Minute)
	got, err := c.List(ctx, "", prev)
	if err != nil {
		t.Fatal(err)
	}
	full, err := newClient(t, srv, site).List(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if g, f := view(got), view(full); !slices.Equal(g, f) {
		t.Fatalf("List with prev differs from a full List:\nwith prev: %q\nfull:      %q", g, f)
	}
}

// view is what must agree between two listings of one state: a folder's Version may differ
// (its timestamp can move between the two, and with it the recent mark).
func view(es []remote.Entry) []string {
	var out []string
	for _, e := range es {
		v := e.Version
		if e.IsDir {
			v = ""
		}
		out = append(out, fmt.Sprintf("%s %s dir=%v %s %q", e.Path, e.ID, e.IsDir, v, e.Unsupported))
	}
	return out
}

// TestListWithPrevStaysCorrectUnderRealTimestamps: List with prev equals a full listing of
// the same state, and moved nodes keep their ids, after random changes by other clients
// (new versions, renames, moves, deletes, new files, checkouts, title edits): with the test
// server's immediate timestamps, and while folder timestamps come late,
// merge within a second, are skipped for checkouts, are not kept at all, or moves leave
// every timestamp alone — with the server's clock moving on by less than a second, a few
// seconds, or minutes between polls (pruning only works with time passing).
func TestListWithPrevStaysCorrectUnderRealTimestamps(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  func(*alfrescotest.Options)
	}{
		{"test server defaults", func(o *alfrescotest.Options) { *o = alfrescotest.Options{Clock: o.Clock, FolderDelay: o.FolderDelay} }},
		{"late and merged", func(*alfrescotest.Options) {}},
		{"no propagation", func(o *alfrescotest.Options) { o.NoTimestampPropagation = true }},
		{"moves keep timestamps", func(o *alfrescotest.Options) { o.PreserveAuditableOnMove = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := alfrescotest.NewManualClock(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
			opts := alfrescotest.Realistic()
			opts.Clock, opts.FolderDelay = clock.Now, 300*time.Millisecond
			tc.opt(&opts)
			opts.NoContract = true // 60 listings of 120 files: the client's logic is under test here
			srv := startServer(t, opts)
			randomChanges(t, srv, clock)
		})
	}
}

func randomChanges(t *testing.T, srv *alfrescotest.Server, clock *alfrescotest.ManualClock) {
	lib := srv.Library(alfrescotest.DefaultNetwork, testSite)
	ctx := testCtx(t)
	c := newClient(t, srv, site)
	rnd := rand.New(rand.NewPCG(12, 34))
	var files []string
	for i := range 120 {
		p := fmt.Sprintf("d%d/e%d/f%d.txt", i%3, i%2, i)
		files = append(files, p)
		if err := lib.Write(p, []byte("v0 "+p)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)
	prev, err := c.List(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	pruned := 0
	for round := range 30 {
		moved := map[string]string{} // new path → node id
		for range 1 + rnd.IntN(3) {
			f := files[rnd.IntN(len(files))]
			if lib.ID(f) == "" {
				continue
			}
			switch rnd.IntN(7) {
			case 0:
				_ = lib.Write(f, []byte(fmt.Sprintf("round %d", round)))
			case 1, 2:
				to := fmt.Sprintf("d%d/e%d/moved-%d-%d.txt", rnd.IntN(3), rnd.IntN(2), round, rnd.IntN(1000))
				id := lib.ID(f)
				if lib.Rename(f, to) == nil {
					files, moved[to] = append(files, to), id
				}
			case 3:
				_ = lib.Remove(f)
			case 4:
				n := fmt.Sprintf("d%d/e%d/new-%d-%d.txt", rnd.IntN(3), rnd.IntN(2), round, rnd.IntN(1000))
				_ = lib.Write(n, []byte("new"))
				files = append(files, n)
			case 5:
				if wc, err := lib.Checkout(f, "bob"); err == nil {
					files = append(files, wc)
				} else {
					_ = lib.Checkin(f, []byte("checked in"))
				}
			case 6:
				_ = lib.SetTitle(f, fmt.Sprint("title ", round))
			}
		}
		switch rnd.IntN(4) {
		case 0:
			clock.Advance(time.Duration(rnd.IntN(900)) * time.Millisecond)
		case 1:
			clock.Advance(time.Duration(1+rnd.IntN(5)) * time.Second)
		default:
			clock.Advance(time.Duration(1+rnd.IntN(3)) * time.Minute)
		}
		_, b0 := srv.TotalCalls()
		got, err := c.List(ctx, "", prev)
		if err != nil {
			t.Fatal(err)
		}
		_, b1 := srv.TotalCalls()
		full, err := newClient(t, srv, site).List(ctx, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, b2 := srv.TotalCalls(); (b1-b0)*3 < (b2-b1)*2 {
			pruned++
		} else if testing.Verbose() {
			t.Logf("round %d: poll %d bytes, full %d", round, b1-b0, b2-b1)
		}
		if g, f := view(got), view(full); !slices.Equal(g, f) {
			t.Fatalf("round %d: List with prev differs from a full List:\nwith prev: %q\nfull:      %q", round, g, f)
		}
		for to, id := range moved {
			if lib.ID(to) == id && entryAt(t, got, to).ID != id {
				t.Errorf("round %d: moved node %s not listed at %s with its id", round, id, to)
			}
		}
		prev = got
	}
	if pruned < 5 {
		t.Fatalf("only %d of 30 polls reused prev: the test did not exercise pruning", pruned)
	}
	t.Logf("%d of 30 polls read less than two thirds of a full listing", pruned)
}
