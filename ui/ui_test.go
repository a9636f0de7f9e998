package ui

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

func TestTrayIconsAreDistinctPerState(t *testing.T) {
	states := []string{syncer.StateIdle, syncer.StateSyncing, syncer.StatePaused, syncer.StateError, syncer.StateOffline}
	seen := map[string]string{}
	for _, s := range states {
		r := TrayIcon(s)
		if len(r.Content()) == 0 || !bytes.Contains(r.Content(), []byte("<svg")) {
			t.Fatalf("state %s: icon is not an SVG", s)
		}
		if other, dup := seen[string(r.Content())]; dup {
			t.Fatalf("states %s and %s share one icon", s, other)
		}
		seen[string(r.Content())] = s
	}
}

// set is a sync set fixture.
func set(id, account, root, state string) syncer.SetInfo {
	return syncer.SetInfo{Set: model.Set{ID: id, Kind: model.KindFolder, Account: account, LocalRoot: root, RemoteRoot: "P",
		LastSync: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}, State: state, Items: 10}
}

func TestTrayMenuHasTheItemsOfSpec6AndPauseTurnsIntoResume(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work"}}
	s := set("s1", "work", "/h/P", syncer.StateIdle)
	s.Failed = 2
	api.sets = []syncer.SetInfo{s}
	api.items = []syncer.ItemInfo{{Path: "/h/P/a", Set: "s1", Status: model.StatusFailed, Reason: remote.ReasonQuotaExceeded},
		{Path: "/h/P/b", Set: "s1", Status: model.StatusFailed, Reason: remote.ReasonQuotaExceeded}}
	u, h, tray := newTestUI(t, api)
	u.Start(t.Context())

	want := []string{"2 items could not be synced", LabelPause, LabelSynced, LabelErrors(2), LabelPreferences, LabelQuit}
	if got := tray.labels(); !slices.Equal(got, want) {
		t.Fatalf("tray menu = %q, want %q", got, want)
	}
	if !tray.item(want[0]).Disabled {
		t.Error("the status line should not be clickable")
	}
	if !bytes.Equal(tray.icon.Content(), TrayIcon(syncer.StateError).Content()) {
		t.Error("items that could not be synced, but the tray icon is not the error icon")
	}

	tray.item(LabelPause).Action()
	if !api.called("Pause ") || !api.status.Paused {
		t.Fatal("Pause Sync did not pause all sets")
	}
	if tray.item(LabelResume) == nil || tray.item(LabelPause) != nil {
		t.Fatalf("after pausing the menu reads %q, want Resume Sync", tray.labels())
	}
	if !bytes.Equal(tray.icon.Content(), TrayIcon(syncer.StatePaused).Content()) {
		t.Error("tray icon did not change to paused")
	}
	tray.item(LabelResume).Action()
	if api.status.Paused || tray.item(LabelPause) == nil {
		t.Fatal("Resume Sync did not resume")
	}

	n := tray.menus
	u.refreshAll()
	if tray.menus != n {
		t.Error("an unchanged status rebuilt the tray menu (D-Bus item ids would change for nothing)")
	}

	tray.item(LabelErrors(2)).Action()
	if u.Window("synced") == nil || u.content.f != filterErrors {
		t.Error("Synced with errors did not open Synced content filtered to errors")
	}
	tray.item(LabelQuit).Action()
	if !h.quit {
		t.Error("Quit did not quit")
	}
}

// TestTrayTellsTheTruth: the status line and the icon agree with the engine and with each
// other (issue 13 points 1 and 6).
func TestTrayTellsTheTruth(t *testing.T) {
	offline := set("s1", "work", "/h/W", syncer.StateOffline)
	idle := set("s2", "home", "/h/H", syncer.StateIdle)
	syncing := set("s2", "home", "/h/H", syncer.StateSyncing)
	progress := &syncer.Progress{File: "/h/H/big.iso", Bytes: 12_000_000, TotalBytes: 40_000_000, Items: 4, ItemsLeft: 3, ETASeconds: 9}
	deleted := []syncer.ItemInfo{{Path: "/h/W/a", Set: "s1", Status: model.StatusFailed, Reason: remote.ReasonTargetDeleted},
		{Path: "/h/W/b", Set: "s1", Status: model.StatusFailed, Reason: remote.ReasonTargetDeleted}}
	cases := []struct {
		name     string
		st       syncer.Status
		accounts []model.Account
		errs     []syncer.ItemInfo
		icon     string
		line     string
		progress string
	}{
		{"in sync", syncer.Status{Sets: 1, SetStates: []syncer.SetInfo{idle}}, nil, nil, syncer.StateIdle, "Up to date", ""},
		{"an edit while the server is down waits, it is not synced",
			syncer.Status{State: syncer.StateOffline, Sets: 1, Pending: 1, SetStates: []syncer.SetInfo{offline}}, nil, nil,
			syncer.StateOffline, "Offline: the cloud cannot be reached — 1 change waits to sync", ""},
		{"an edit while sign-in is needed waits, and the line says to sign in",
			syncer.Status{State: syncer.StateError, Sets: 1, Pending: 2, Failed: 2, SetStates: []syncer.SetInfo{idle}},
			[]model.Account{{Name: "home", Paused: true}}, nil,
			syncer.StateError, "Sign-in needed for home — 2 changes wait to sync", ""},
		{"failures are never 'in sync' and show the error icon",
			syncer.Status{Sets: 1, Failed: 3, SetStates: []syncer.SetInfo{idle}}, nil, nil,
			syncer.StateError, "3 items could not be synced", ""},
		{"one account offline does not make the app offline while another syncs",
			syncer.Status{State: syncer.StateOffline, Sets: 2, SetStates: []syncer.SetInfo{offline, syncing}, Progress: progress}, nil, nil,
			syncer.StateSyncing, "Syncing 3 items — about 10 seconds left", "big.iso — 12.0 MB of 40.0 MB"},
		{"one account offline, the other up to date",
			syncer.Status{State: syncer.StateOffline, Sets: 2, SetStates: []syncer.SetInfo{offline, idle}}, nil, nil,
			syncer.StateIdle, "Offline: work cannot be reached", ""},
		{"cloud deletes kept as the set's options say are not failures",
			syncer.Status{Sets: 1, Failed: 2, SetStates: []syncer.SetInfo{idle}}, nil, deleted,
			syncer.StateIdle, "Up to date — 2 items need a look", ""},
		{"paused with changes waiting",
			syncer.Status{State: syncer.StatePaused, Paused: true, Sets: 1, Pending: 1, SetStates: []syncer.SetInfo{idle}}, nil, nil,
			syncer.StatePaused, "Sync paused — 1 change waits to sync", ""},
		{"nothing synced yet", syncer.Status{}, nil, nil, syncer.StateIdle, "Nothing synced yet", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := trayViewOf(tc.st, tc.accounts, tc.errs, true)
			if v.state != tc.icon || v.line != tc.line || v.progress != tc.progress {
				t.Errorf("tray shows icon %s, %q / %q; want icon %s, %q / %q", v.state, v.line, v.progress, tc.icon, tc.line, tc.progress)
			}
			// Point 6: the line never says the same thing twice.
			if parts := strings.Split(v.line, " — "); len(parts) > 1 && parts[0] == parts[1] {
				t.Errorf("the line repeats itself: %q", v.line)
			}
		})
	}
}

func TestTraySignInItemAsksForThePasswordOnly(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work", URL: "https://dav.example/", User: "ann", Paused: true}}
	api.sets = []syncer.SetInfo{set("s1", "work", "/h/W", syncer.StateError)}
	u, _, tray := newTestUI(t, api)
	u.Start(t.Context())
	item := tray.item(LabelSignIn("work"))
	if item == nil {
		t.Fatalf("no Sign in item in %q", tray.labels())
	}
	item.Action()
	w := u.Window("sign-in")
	if w == nil {
		t.Fatal("Sign in did not open the sign-in window")
	}
	assertSignInWindow(t, u, api, "work")
	if tray.item(LabelSignIn("work")) != nil {
		t.Errorf("after signing in the tray still offers it: %q", tray.labels())
	}
}

func TestFirstRunOpensAccountSetupOfferingALocalCloud(t *testing.T) {
	api := newFakeAPI()
	u, _, _ := newTestUI(t, api)
	u.Start(t.Context())
	w := u.Window("preferences")
	if w == nil {
		t.Fatal("with no account, the app did not open account setup")
	}
	if u.prefs.tabs.SelectedIndex() != tabAccounts {
		t.Errorf("Preferences opened on tab %d, want Accounts", u.prefs.tabs.SelectedIndex())
	}
	if w.Canvas().Focused() != u.prefs.acct.name {
		t.Error("the account name field should have the focus")
	}
	button(t, w.Canvas(), "Try it with a local cloud")
}

func TestFirstRunWithAnAccountOpensNoWindow(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work"}}
	u, _, _ := newTestUI(t, api)
	u.Start(t.Context())
	if u.Window("preferences") != nil {
		t.Error("Preferences opened although an account exists")
	}
}

func TestShowWindowRejectsUnknownNames(t *testing.T) {
	u, _, _ := newTestUI(t, newFakeAPI())
	if err := u.ShowWindow("nonsense"); err == nil {
		t.Error("no error for an unknown window")
	}
	for _, name := range windowNames {
		if err := u.ShowWindow(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestIdleAppReadsTheEngineOnlyWhenSomethingHappens: while nothing changes the app waits
// on the event feed and reads nothing (issue 13 point 0); an event makes it read once;
// during a transfer it follows the progress.
func TestIdleAppReadsTheEngineOnlyWhenSomethingHappens(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work"}}
	api.sets = []syncer.SetInfo{set("s1", "work", "/h/P", syncer.StateIdle)}
	u, _, tray := newTestUIOpts(t, api, Options{ProgressEvery: 5 * time.Millisecond, GatherNotes: time.Millisecond})
	u.Start(t.Context())
	waitFor(t, "the first reading", func() bool { return api.statusCount() >= 1 && trayLine(tray) == "Up to date" })
	time.Sleep(100 * time.Millisecond)
	idle := api.statusCount()
	time.Sleep(200 * time.Millisecond)
	if n := api.statusCount(); n != idle {
		t.Fatalf("the idle app read the status %d more times in 200 ms", n-idle)
	}
	idleShape := tray.shape()
	api.mu.Lock()
	api.status.Progress = &syncer.Progress{Items: 2, ItemsLeft: 2}
	api.mu.Unlock()
	api.addEvents(syncer.Event{Kind: "changed"})
	waitFor(t, "the progress in the tray", func() bool { return strings.HasPrefix(trayLine(tray), "Syncing 2 items") })
	// The progress line shows in an item that is always there (hidden while nothing
	// syncs): the menu keeps its structure, so the tray keeps its items' ids and a click
	// on a menu read a moment before reaches its item.
	if sh := tray.shape(); sh != idleShape {
		t.Errorf("syncing changed the tray menu's structure: %s, idle %s", sh, idleShape)
	}
	api.mu.Lock()
	api.status.Progress.ItemsLeft = 1
	api.mu.Unlock()
	waitFor(t, "the progress to follow without an event", func() bool { return strings.HasPrefix(trayLine(tray), "Syncing 1 item") })
	api.mu.Lock()
	api.status.Progress = nil
	api.mu.Unlock()
	waitFor(t, "the end of the transfer", func() bool { return trayLine(tray) == "Up to date" })
	if sh := tray.shape(); sh != idleShape {
		t.Errorf("the end of syncing changed the tray menu's structure: %s, idle %s", sh, idleShape)
	}
	time.Sleep(50 * time.Millisecond)
	idle = api.statusCount()
	time.Sleep(200 * time.Millisecond)
	if n := api.statusCount(); n != idle {
		t.Fatalf("after the transfer the app kept reading the status (%d times in 200 ms)", n-idle)
	}
}

func TestNotificationsTellOnceAndSummarise(t *testing.T) {
	fail := func(p string, r remote.Reason) syncer.Event {
		return syncer.Event{Kind: "failure", Title: "Could not sync " + p, Body: p + ": x", Path: "/h/" + p, Reason: r}
	}
	tests := []struct {
		name    string
		events  []syncer.Event
		enabled bool
		want    []string
	}{
		{"a failure notifies once, not per retry, in plain words",
			[]syncer.Event{fail("a.txt", remote.ReasonQuotaExceeded), fail("a.txt", remote.ReasonQuotaExceeded)}, true,
			[]string{"Could not sync “a.txt”: " + syncer.Explain(remote.ReasonQuotaExceeded)}},
		{"several failures at once are one summary",
			[]syncer.Event{fail("a.txt", remote.ReasonQuotaExceeded), fail("b.txt", remote.ReasonQuotaExceeded), fail("c.txt", remote.ReasonLocked)}, true,
			[]string{"3 items could not be synced: “a.txt”, “b.txt” and “c.txt”. Cloud storage full: 2; Locked by someone else: 1."}},
		{"cloud deletes kept as the options say are not called failures",
			[]syncer.Event{fail("a.txt", remote.ReasonTargetDeleted), fail("b.txt", remote.ReasonTargetDeleted)}, true,
			[]string{"2 items were deleted in the cloud: “a.txt” and “b.txt”. Deleted in cloud, kept here: 2."}},
		{"a conflict names the kept copy", []syncer.Event{{Kind: "conflict", Title: "Conflict: r.odt",
			Body: "P/r.odt was changed on both sides. The cloud version was kept; your version was saved as r (conflict).odt.", Path: "/h/P/r (conflict).odt"}},
			true, []string{"Conflict: r.odt: P/r.odt was changed on both sides. The cloud version was kept; your version was saved as r (conflict).odt."}},
		{"sign-in needed once per account", []syncer.Event{{Kind: "auth", Title: "Sign-in needed for w", Account: "w"}, {Kind: "auth", Title: "Sign-in needed for w", Account: "w"}},
			true, []string{"Sign-in needed for w: "}},
		{"first big sync", []syncer.Event{{Kind: "first_sync_done", Title: "Sync finished", Body: "/h/P: 500 items synced", Path: "/h/P"}},
			true, []string{"Sync finished: /h/P: 500 items synced"}},
		{"a delete the cloud refused says the item was restored, not to ask for write access",
			[]syncer.Event{{Kind: "restored", Seq: 7, Title: "“theirs.txt” was restored", Body: syncer.ExplainRefusedDelete(false),
				Path: "/h/P/theirs.txt"}}, true,
			[]string{"“theirs.txt” was restored: " + syncer.ExplainRefusedDelete(false)}},
		{"each refused delete is told, also of the same item again",
			[]syncer.Event{{Kind: "restored", Seq: 7, Title: "“d” was restored", Body: "b", Path: "/h/P/d"},
				{Kind: "restored", Seq: 9, Title: "“d” was restored", Body: "b", Path: "/h/P/d"}}, true,
			[]string{"“d” was restored: b", "“d” was restored: b"}},
		{"changes only refresh", []syncer.Event{{Kind: "changed"}}, true, nil},
		{"the setting turns them off", []syncer.Event{fail("a.txt", remote.ReasonLocked), {Kind: "conflict", Title: "Conflict: x", Path: "/x"}}, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, h, _ := newTestUI(t, newFakeAPI())
			for _, ev := range tc.events {
				u.notify.add(ev, tc.enabled)
			}
			u.notify.flush()
			if got := h.texts(); !slices.Equal(got, tc.want) {
				t.Errorf("notifications = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestNotificationActionsOpenTheFolderSyncInfoAndSignIn: every notification offers what
// helps next (issue 13 points 8 and 12).
func TestNotificationActionsOpenTheFolderSyncInfoAndSignIn(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "w", URL: "https://dav/", User: "ann", Paused: true}}
	api.items = []syncer.ItemInfo{{Path: "/h/P/r.odt", Status: model.StatusSynced}, {Path: "/h/P/a.txt", Status: model.StatusFailed, Reason: remote.ReasonLocked}}
	u, h, _ := newTestUI(t, api)
	u.refreshAll()
	u.handleEvents([]syncer.Event{
		{Kind: "conflict", Title: "Conflict: r.odt", Body: "kept", Path: "/h/P/r (conflict copy).odt"},
		{Kind: "auth", Title: "Sign-in needed for w", Account: "w"},
		{Kind: "failure", Title: "Could not sync a.txt", Path: "/h/P/a.txt", Reason: remote.ReasonLocked},
	})
	if len(h.notes) != 3 {
		t.Fatalf("notifications %q", h.texts())
	}
	// Order: sign-in, failure, conflict.
	h.action(t, 2, NoteOpenFolder)
	if !slices.Equal(h.folders, []string{"/h/P"}) {
		t.Errorf("Open folder opened %q", h.folders)
	}
	h.action(t, 2, NoteSyncInfo)
	if u.info == nil || u.info.path != "/h/P/r.odt" {
		t.Errorf("Sync Info of the conflict opened %+v", u.info)
	}
	h.action(t, 1, NoteSyncInfo)
	if u.info.path != "/h/P/a.txt" {
		t.Errorf("Sync Info of the failure opened %s", u.info.path)
	}
	h.action(t, 0, NoteSignIn)
	if u.Window("sign-in") == nil {
		t.Fatal("the notification's Sign in did not open the sign-in window")
	}
	assertSignInWindow(t, u, api, "w")
}

func TestEventsRespectTheNotificationsSetting(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "w"}}
	u, h, _ := newTestUI(t, api)
	conflict := syncer.Event{Kind: "conflict", Title: "Conflict: a", Body: "kept a (conflict).txt", Path: "/h/a (conflict).txt"}
	api.settings.Notifications = false
	u.handleEvents([]syncer.Event{conflict})
	if len(h.notes) != 0 {
		t.Fatalf("notified with notifications off: %q", h.texts())
	}
	api.settings.Notifications = true
	conflict.Path = "/h/b (conflict).txt"
	u.handleEvents([]syncer.Event{conflict})
	if len(h.notes) != 1 {
		t.Fatalf("notes = %q", h.texts())
	}
}

func TestWordsForCountsSizesAndDurations(t *testing.T) {
	for got, want := range map[string]string{
		plural(1, "item", "items"):            "1 item",
		plural(2, "item", "items"):            "2 items",
		humanBytes(999):                       "999 bytes",
		humanBytes(12_345_678):                "12.3 MB",
		timeLeft(9):                           "about 10 seconds left",
		timeLeft(150):                         "about 3 minutes left",
		shortDuration(10 * time.Minute):       "10m",
		shortDuration(30 * time.Second):       "30s",
		shortDuration(90 * time.Minute):       "1h30m",
		shortDuration(time.Hour):              "1h",
		middleEllipsis("abcdefghijklmnop", 9): "abcd…mnop",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// trayLine is the tray menu's status line.
func trayLine(tr *fakeTray) string {
	if l := tr.labels(); len(l) > 0 {
		return l[0]
	}
	return ""
}

// TestRestoredNotificationOpensSyncInfo: the notification of a refused delete that was
// undone opens the restored item's Sync Info, which shows why it came back.
func TestRestoredNotificationOpensSyncInfo(t *testing.T) {
	api := newFakeAPI()
	api.items = []syncer.ItemInfo{{Path: "/h/P/theirs.txt", Status: model.StatusSynced, Note: "restored because the cloud refused"}}
	u, h, _ := newTestUI(t, api)
	u.handleEvents([]syncer.Event{{Kind: "restored", Seq: 3, Title: "“theirs.txt” was restored",
		Body: syncer.ExplainRefusedDelete(false), Path: "/h/P/theirs.txt"}})
	if len(h.notes) != 1 {
		t.Fatalf("notifications %q", h.texts())
	}
	h.action(t, 0, NoteSyncInfo)
	if u.info == nil || u.info.path != "/h/P/theirs.txt" || !hasText(u.Window("info").Canvas(), "Restored because the cloud refused.") {
		t.Errorf("Sync Info of the restored item opened %+v", u.info)
	}
}
