package alfresco_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco/alfrescotest"
)

const site = alfrescotest.DefaultNetwork + "/" + testSite

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWrongPasswordIsAuthFailed(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{})
	c, _ := alfresco.New(alfresco.Config{URL: srv.URL, User: testUser, Password: "nope"})
	err := c.Check(testCtx(t))
	if !errors.Is(err, remote.ErrAuth) || strings.Contains(err.Error(), "nope") {
		t.Fatalf("Check with a wrong password: %v; want ErrAuth without the password", err)
	}
	if _, err := c.ReadDir(testCtx(t), ""); !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("ReadDir with a wrong password: %v", err)
	}
}

// TestExpiredTicketSignsInAgainOnce: a 401 on an expired ticket leads to one new login
// and the request succeeds; a password changed meanwhile gives ErrAuth, not a loop.
func TestExpiredTicketSignsInAgainOnce(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{})
	ctx := testCtx(t)
	c := newClient(t, srv, "")
	if _, err := c.Stat(ctx, site); err != nil {
		t.Fatal(err)
	}
	logins := srv.Calls("login")
	srv.ExpireTickets()
	if _, err := c.ReadDir(ctx, site); err != nil {
		t.Fatalf("after the ticket expired: %v", err)
	}
	if n := srv.Calls("login") - logins; n != 1 {
		t.Fatalf("%d logins after one expiry, want 1", n)
	}
	srv.AddUser(testUser, "changed") // the password changed on the server
	srv.ExpireTickets()
	before := srv.Calls("*")
	_, err := c.ReadDir(ctx, site)
	if !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("after the password changed: %v, want ErrAuth", err)
	}
	if n := srv.Calls("*") - before; n != 2 {
		t.Fatalf("%d requests for a failing re-login, want 2 (the 401 and one login)", n)
	}
}

// TestBrowseNetworksSitesFolders: the destination picker's levels.
func TestBrowseNetworksSitesFolders(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{})
	srv.AddSite(alfrescotest.DefaultNetwork, "other", "Not mine", map[string]string{"bob": "SiteManager"})
	ctx := testCtx(t)
	c := newClient(t, srv, "")
	paths := func(p string) []string {
		t.Helper()
		es, err := c.ReadDir(ctx, p)
		if err != nil {
			t.Fatalf("ReadDir(%q): %v", p, err)
		}
		var out []string
		for _, e := range es {
			if !e.IsDir {
				t.Errorf("%s is not a folder", e.Path)
			}
			out = append(out, e.Path)
		}
		return out
	}
	if got := paths(""); !slices.Equal(got, []string{"-default-"}) {
		t.Errorf("networks: %q", got)
	}
	if got := paths("-default-"); !slices.Equal(got, []string{site}) {
		t.Errorf("sites: %q (only the user's memberships)", got)
	}
	if _, err := c.Mkdir(ctx, site+"/New Folder"); err != nil {
		t.Fatal(err)
	}
	if got := paths(site); !slices.Equal(got, []string{site + "/New Folder"}) {
		t.Errorf("library: %q", got)
	}
	if _, err := c.Mkdir(ctx, "-default-/nosuchsite/x"); !errors.Is(err, remote.ErrNotFound) {
		t.Errorf("Mkdir in a missing site: %v, want ErrNotFound", err)
	}
	if _, err := c.Mkdir(ctx, "-default-/newsite"); !errors.Is(err, remote.ErrNotFound) {
		t.Errorf("Mkdir of a site: %v, want ErrNotFound (sites are not created here)", err)
	}
	if _, err := c.ReadDir(ctx, "acme.com"); !errors.Is(err, remote.ErrNotFound) {
		t.Errorf("ReadDir of a network the user is not in: %v, want ErrNotFound", err)
	}
}

// TestRenameIsOnePUTNodes: Move within one folder is exactly one request.
func TestRenameIsOnePUTNodes(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{})
	ctx := testCtx(t)
	c := newClient(t, srv, site)
	if _, err := c.Mkdir(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	e, err := c.Upload(ctx, "d/a.txt", nil, strings.NewReader("abc"), 3)
	if err != nil {
		t.Fatal(err)
	}
	before, puts := srv.Calls("*"), srv.Calls("PUT /nodes/{nodeId}")
	moved, err := c.Move(ctx, e, "d/b.txt")
	if err != nil {
		t.Fatal(err)
	}
	if n, p := srv.Calls("*")-before, srv.Calls("PUT /nodes/{nodeId}")-puts; n != 1 || p != 1 {
		t.Fatalf("rename took %d requests (%d PUT nodes/{id}), want exactly one PUT nodes/{id}", n, p)
	}
	if moved.ID != e.ID || moved.Version != e.Version || moved.Path != "d/b.txt" {
		t.Fatalf("after rename %+v, before %+v: want same id and version", moved, e)
	}
}

func TestPermissionAndLimitsMapToReasons(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{})
	ctx := testCtx(t)
	c := newClient(t, srv, site)
	e, err := c.Upload(ctx, "f.txt", nil, strings.NewReader("abc"), 3)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetLimits(5, 0)
	_, err = c.Upload(ctx, "big.txt", nil, strings.NewReader("123456"), 6)
	wantReason(t, "upload over the file size limit", err, remote.ReasonTooLarge)
	srv.SetLimits(0, 4)
	_, err = c.Upload(ctx, "g.txt", nil, strings.NewReader("12"), 2)
	wantReason(t, "upload over the quota", err, remote.ReasonQuotaExceeded)
	srv.SetLimits(0, 0)
	srv.SetRole(alfrescotest.DefaultNetwork, testSite, testUser, "SiteConsumer")
	_, err = c.Upload(ctx, "h.txt", nil, strings.NewReader("x"), 1)
	wantReason(t, "upload as SiteConsumer", err, remote.ReasonPermissionDenied)
	wantReason(t, "delete as SiteConsumer", c.Delete(ctx, e), remote.ReasonPermissionDenied)
	srv.SetRole(alfrescotest.DefaultNetwork, testSite, testUser, "SiteManager")
	if err := srv.Library(alfrescotest.DefaultNetwork, testSite).Lock("f.txt", "bob", false); err != nil {
		t.Fatal(err)
	}
	_, err = c.Upload(ctx, "f.txt", &e, strings.NewReader("new"), 3)
	wantReason(t, "new version of a node locked by another user", err, remote.ReasonLocked)
	_, err = c.Move(ctx, e, "renamed.txt")
	wantReason(t, "rename of a locked node", err, remote.ReasonLocked)
	st, err := c.Stat(ctx, "f.txt")
	if err != nil || st.Version != e.Version {
		t.Fatalf("the locked file changed: %+v, %v", st, err)
	}
}

func wantReason(t *testing.T, what string, err error, want remote.Reason) {
	t.Helper()
	if got := remote.ReasonOf(err, remote.ReasonTargetDeleted); got != want {
		t.Errorf("%s: %v → reason %q, want %q", what, err, got, want)
	}
}

// TestStatIsExactAboutCase: Alfresco resolves paths without regard to case; Stat does not
// pretend "A.txt" exists when only "a.txt" does.
func TestStatIsExactAboutCase(t *testing.T) {
	srv := startServer(t, alfrescotest.Options{})
	ctx := testCtx(t)
	c := newClient(t, srv, site)
	if _, err := c.Upload(ctx, "a.txt", nil, strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stat(ctx, "A.txt"); !errors.Is(err, remote.ErrNotFound) {
		t.Fatalf("Stat(A.txt) with only a.txt: %v, want ErrNotFound", err)
	}
	_, err := c.Upload(ctx, "A.txt", nil, strings.NewReader("y"), 1)
	wantReason(t, "upload of a case twin", err, remote.ReasonNameClash)
}
