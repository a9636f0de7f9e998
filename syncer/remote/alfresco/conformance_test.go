package alfresco_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco/alfrescotest"
	"github.com/cloudsync/cloudsync/syncer/remote/remotetest"
)

const (
	testUser = "alice"
	testPass = "wonderland-Pw1"
	testSite = "team"
)

// startServer starts a test repository with user alice, a site "team" she manages, and
// contract validation on.
func startServer(t testing.TB, opts alfrescotest.Options) *alfrescotest.Server {
	t.Helper()
	srv := alfrescotest.Start(t, opts)
	srv.AddUser(testUser, testPass)
	srv.AddUser("bob", "bob-Pw1") // another member, for checkouts and files someone else owns
	srv.AddSite(alfrescotest.DefaultNetwork, testSite, "Team", map[string]string{testUser: "SiteManager", "bob": "SiteManager"})
	return srv
}

func newClient(t testing.TB, srv *alfrescotest.Server, folder string) *alfresco.Client {
	t.Helper()
	c, err := alfresco.New(alfresco.Config{URL: srv.URL, User: testUser, Password: testPass, Folder: folder})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConformance runs the remote conformance suite against the test repository, each
// case in a fresh folder of a site's documentLibrary, every request and response checked
// against the official API definitions; once as the test server does by default, once as
// a default Alfresco 26.2 repository behaves (alfrescotest.Realistic).
func TestConformance(t *testing.T) {
	t.Run("defaults", func(t *testing.T) { conformance(t, alfrescotest.Options{}) })
	t.Run("realistic", func(t *testing.T) { conformance(t, alfrescotest.Realistic()) })
}

func conformance(t *testing.T, opts alfrescotest.Options) {
	srv := startServer(t, opts)
	lib := srv.Library(alfrescotest.DefaultNetwork, testSite)
	var n atomic.Int32
	remotetest.Run(t, func(t *testing.T) remote.Remote {
		dir := fmt.Sprintf("case-%d", n.Add(1))
		if err := lib.Mkdir(dir); err != nil {
			t.Fatal(err)
		}
		return newClient(t, srv, alfrescotest.DefaultNetwork+"/"+testSite+"/"+dir)
	})
}
