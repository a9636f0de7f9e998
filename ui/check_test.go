package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/ui/uicheck"
)

// stateFixture puts the fake engine in one of the states the issue names.
type stateFixture struct {
	name  string
	setup func(api *fakeAPI)
}

var stateFixtures = []stateFixture{
	{"first run", func(api *fakeAPI) {}},
	{"syncing with progress", func(api *fakeAPI) {
		s := set("s1", "work", "/home/ann/Reports", syncer.StateSyncing)
		s.Progress = &syncer.Progress{File: "/home/ann/Reports/Quarterly report with a long name 2026.pdf", Bytes: 12_300_000, TotalBytes: 40_000_000, Items: 4231, ItemsLeft: 4230, ETASeconds: 95}
		api.sets = []syncer.SetInfo{s, set("s2", "home", "/home/ann/Photos", syncer.StateIdle)}
		api.status.Progress = s.Progress
		api.status.State = syncer.StateSyncing
		api.items = append(fakeItems(40), syncer.ItemInfo{Path: "/home/ann/Reports/big.iso", Status: model.StatusSyncing})
	}},
	{"paused", func(api *fakeAPI) {
		s := set("s1", "work", "/home/ann/Reports", syncer.StatePaused)
		s.Paused, s.Pending = true, 3
		api.sets = []syncer.SetInfo{s}
		api.status.Paused, api.status.State = true, syncer.StatePaused
	}},
	{"offline", func(api *fakeAPI) {
		s := set("s1", "work", "/home/ann/Reports", syncer.StateOffline)
		s.Pending = 1
		api.sets = []syncer.SetInfo{s}
		api.status.State = syncer.StateOffline
		api.items = []syncer.ItemInfo{{Path: "/home/ann/Reports/plan.txt", Status: model.StatusPending}}
	}},
	{"sign-in needed", func(api *fakeAPI) {
		api.accounts[0].Paused = true
		s := set("s1", "work", "/home/ann/Reports", syncer.StateError)
		api.sets = []syncer.SetInfo{s}
		api.items = []syncer.ItemInfo{{Path: "/home/ann/Reports", Set: "s1", IsDir: true, Status: model.StatusFailed, Reason: remote.ReasonAuthFailed,
			Message: syncer.Explain(remote.ReasonAuthFailed), Details: "sign-in to https://dav.example.com/remote.php/dav/files/ann failed; enter the password again",
			Cloud: syncer.Cloud{Account: "work", Location: "Reports"}}}
	}},
	{"target deleted in the cloud", func(api *fakeAPI) {
		s := set("s1", "work", "/home/ann/Reports", syncer.StateIdle)
		s.Failed = 2
		api.sets = []syncer.SetInfo{s}
		for _, n := range []string{"data.csv", "A rather long file name that goes on and on, 2026 edition.docx"} {
			api.items = append(api.items, syncer.ItemInfo{Path: "/home/ann/Reports/" + n, Set: "s1", Status: model.StatusFailed,
				Reason: remote.ReasonTargetDeleted, Message: syncer.Explain(remote.ReasonTargetDeleted),
				Details: "PROPFIND /Reports/" + n + ": 404 Not Found [HTTP 404]", Cloud: syncer.Cloud{Account: "work", Location: "Reports/" + n}})
		}
	}},
	{"a conflict", func(api *fakeAPI) {
		api.sets = []syncer.SetInfo{set("s1", "work", "/home/ann/Reports", syncer.StateIdle)}
		api.items = []syncer.ItemInfo{
			{Path: "/home/ann/Reports/plan.txt", Set: "s1", Status: model.StatusSynced, LastSync: "2026-12-01T10:15:00Z",
				Cloud:     syncer.Cloud{Account: "work", Location: "Reports/plan.txt", URL: "http://127.0.0.1:8080/Reports/plan.txt"},
				Conflicts: []string{"/home/ann/Reports/plan (conflict copy 2026-12-01 101500).txt"}},
			{Path: "/home/ann/Reports/plan (conflict copy 2026-12-01 101500).txt", Set: "s1", Status: model.StatusLocalOnly},
		}
	}},
}

// TestEveryWindowDrawsOnlyWhatItsFontsHaveAndClipsNoText opens every window and dialog of
// the app in each state, at the size the app gives it, with the app's theme, and fails on
// a replacement glyph or a clipped label (issue 13 point 7 and "Done when").
func TestEveryWindowDrawsOnlyWhatItsFontsHaveAndClipsNoText(t *testing.T) {
	for _, fx := range stateFixtures {
		t.Run(fx.name, func(t *testing.T) {
			api := newFakeAPI()
			if fx.name != "first run" {
				api.accounts = []model.Account{{Name: "work", Type: "webdav", URL: "https://dav.example.com/remote.php/dav/files/ann", User: "ann"},
					{Name: "home", Type: "alfresco", URL: "https://alfresco.example.org/alfresco", User: "ann"}}
			}
			fx.setup(api)
			u, _, _ := newTestUI(t, api)
			u.app.Settings().SetTheme(theme.DefaultTheme())
			logFile := filepath.Join(t.TempDir(), "cloudsync.log")
			u.opt.LogFiles, u.opt.Version = func() []string { return []string{logFile} }, "1.2.3 (commit 0123456789)"
			os.WriteFile(logFile, []byte("time=2026-12-01T10:15:00Z level=INFO msg=\"engine started\" pid=1 socket=/run/user/1000/cloudsync/control.sock\n"), 0o600)
			u.Start(t.Context())
			look := func(what string, w fyne.Window) {
				t.Helper()
				if w == nil {
					t.Fatalf("%s is not open", what)
				}
				for _, p := range uicheck.Texts(w.Canvas()) {
					t.Errorf("%s: %s", what, p)
				}
			}
			u.ShowWindow("preferences")
			p := u.prefs
			for i, tab := range []string{"Accounts", "Sync sets", "General", "About"} {
				p.tabs.SelectIndex(i)
				look("Preferences → "+tab, u.Window("preferences"))
			}
			if len(api.sets) > 0 {
				p.tabs.SelectIndex(tabSets)
				p.sets.list.Select(0)
				test.Tap(p.sets.unsync)
				look("the Unsync dialog", u.Window("preferences"))
			}
			u.ShowWindow("sync-to-cloud")
			look("Sync to Cloud", u.Window("sync-to-cloud"))
			for _, f := range []string{"synced", "errors", "pending"} {
				u.ShowWindow(f)
				look("Synced content ("+f+")", u.Window("synced"))
			}
			for _, it := range api.items {
				u.showInfo(it.Path)
				look("Sync Info of "+filepath.Base(it.Path), u.Window("info"))
			}
			if len(api.accounts) > 0 {
				u.showSignIn(api.accounts[0].Name)
				look("Sign in", u.Window("sign-in"))
			}
			u.ShowWindow("log")
			look("the log", u.Window("log"))
		})
	}
}

// TestTheCheckFindsBrokenText: the check itself finds a glyph the fonts lack and a
// clipped label.
func TestTheCheckFindsBrokenText(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.DefaultTheme())
	w := a.NewWindow("t")
	w.SetContent(bold("a \U0001F9FF b \uFFFD"))
	w.Resize(fyne.NewSize(400, 100))
	if got := uicheck.Texts(w.Canvas()); len(got) < 2 {
		t.Errorf("missing glyph and replacement character not found: %q", got)
	}
	w.SetContent(bold("a label much wider than its window can show"))
	w.Resize(fyne.NewSize(60, 40))
	if got := uicheck.Texts(w.Canvas()); len(got) == 0 {
		t.Error("a clipped label was not found")
	}
}
