package scenario

import (
	"context"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco/alfrescotest"
)

// alfrescoSkips are the scenarios that cannot run against Alfresco, with the reason.
var alfrescoSkips = map[string]string{
	// Alfresco's cm:filename constraint (and the definition's Node.name pattern) forbid a
	// backslash, so no Alfresco server can present that name; refusing such names from a
	// server is covered by the in-memory and WebDAV runs.
	"InvalidCloudNameIsRefusedNotWritten": "Alfresco cannot hold a name with a backslash (cm:filename), so the cloud cannot present one",
	// The scenario uploads "a&b=c?.txt", a name Alfresco forbids ('?'); the Alfresco
	// variant TestAlfrescoNamesAlfrescoForbidsAreInvalidName checks the other names round
	// trip and that one fails with invalid_name.
	"UnicodeAndSpecialCharactersRoundTrip": "it uploads a name with '?', which Alfresco forbids; see TestAlfrescoNamesAlfrescoForbidsAreInvalidName",
}

// TestScenariosAlfresco runs every scenario with the real engine, the real local file
// system, the Badger store and the Alfresco remote against the alfrescotest repository on
// 127.0.0.1, every request and response validated against the official API definitions.
func TestScenariosAlfresco(t *testing.T) { runAlfresco(t, alfrescotest.Options{}) }

// runAlfresco runs every scenario but alfrescoSkips on a fresh repository with opts each.
func runAlfresco(t *testing.T, opts alfrescotest.Options) {
	var run []string
	for _, n := range Names() {
		if why, skip := alfrescoSkips[n]; skip {
			t.Run(n, func(t *testing.T) { t.Skip(why) })
			continue
		}
		run = append(run, n)
	}
	Run(t, func(t *testing.T) *Env { e, _ := alfrescoEnvWith(t, opts); return e }, run...)
}

// TestScenariosAlfrescoRealistic runs every scenario against the test repository behaving
// as a default Alfresco 26.2 repository does where the API definition is silent, all at
// once (alfrescotest.Realistic): folder timestamps late and merged to 1-second steps,
// moves touching the node, owner-aware site roles, trimmed relativePath segments, check-in
// on PUT to a checked-out file.
func TestScenariosAlfrescoRealistic(t *testing.T) { runAlfresco(t, alfrescotest.Realistic()) }

const (
	alfOther = "bob"
	alfUser  = "alice"
	alfPass  = "wonderland"
	alfSite  = "docs"
)

// alfrescoEnv builds an Env whose cloud folder is "-default-/docs/Docs" on a fresh test
// repository; the cloud Tree acts on the repository directly, as another client would.
func alfrescoEnv(t testing.TB) (*Env, *alfrescotest.Server) {
	return alfrescoEnvWith(t, alfrescotest.Options{})
}

// alfrescoEnvWith is alfrescoEnv on a repository with opts; user bob is a SiteManager of
// the site too (another person, for files someone else owns and checkouts).
func alfrescoEnvWith(t testing.TB, opts alfrescotest.Options) (*Env, *alfrescotest.Server) {
	srv := alfrescotest.Start(t, opts)
	srv.AddUser(alfUser, alfPass)
	srv.AddUser(alfOther, alfPass)
	srv.AddSite(alfrescotest.DefaultNetwork, alfSite, "Documents", map[string]string{alfUser: "SiteManager", alfOther: "SiteManager"})
	lib := srv.Library(alfrescotest.DefaultNetwork, alfSite)
	return osEnv(t, t.TempDir(), osCloud{
		dial: func(a model.Account, secret string) (remote.Remote, error) {
			return alfresco.New(alfresco.Config{URL: a.URL, User: a.User, Password: secret, WebUI: a.WebUI})
		},
		account:     syncer.AddAccountRequest{Name: "acs", Type: "alfresco", URL: srv.URL, User: alfUser, Password: alfPass},
		tree:        LibraryTree{T: t, Lib: lib, Folder: "Docs"},
		cloudFolder: alfrescotest.DefaultNetwork + "/" + alfSite + "/Docs",
		calls:       srv.Calls,
		fault:       srv.SetFault,
	}), srv
}

// LibraryTree is a Tree over a folder of an alfrescotest site's documentLibrary, changed
// directly in the repository as another client of the cloud would.
type LibraryTree struct {
	T      testing.TB
	Lib    *alfrescotest.Library
	Folder string
}

func (l LibraryTree) p(p string) string {
	if p == "" {
		return l.Folder
	}
	return l.Folder + "/" + p
}

func (l LibraryTree) check(err error) {
	l.T.Helper()
	if err != nil {
		l.T.Fatal(err)
	}
}

func (l LibraryTree) Write(p, data string)   { l.T.Helper(); l.check(l.Lib.Write(l.p(p), []byte(data))) }
func (l LibraryTree) Mkdir(p string)         { l.T.Helper(); l.check(l.Lib.Mkdir(l.p(p))) }
func (l LibraryTree) Rename(from, to string) { l.T.Helper(); l.check(l.Lib.Rename(l.p(from), l.p(to))) }
func (l LibraryTree) Remove(p string)        { l.T.Helper(); l.check(l.Lib.Remove(l.p(p))) }
func (l LibraryTree) Files() map[string]string {
	return l.Lib.Files(l.Folder)
}
func (l LibraryTree) ID(p string) string { return l.Lib.ID(l.p(p)) }
func (l LibraryTree) Read(p string) (string, bool) {
	b, ok := l.Lib.Read(l.p(p))
	return string(b), ok
}

type ctxT = context.Context
