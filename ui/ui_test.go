package ui

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

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

func TestTrayMenuHasTheItemsOfSpec6AndPauseTurnsIntoResume(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work"}}
	api.status = syncer.Status{State: syncer.StateError, Failed: 2, Sets: 1}
	u, h, tray := newTestUI(t, api)
	u.Start(t.Context())

	want := []string{"2 item(s) could not be synced", LabelPause, LabelSynced, LabelErrors(2), LabelPreferences, LabelQuit}
	if got := tray.labels(); !slices.Equal(got, want) {
		t.Fatalf("tray menu = %q, want %q", got, want)
	}
	if !tray.item(want[0]).Disabled {
		t.Error("the status line should not be clickable")
	}
	errIcon := tray.icon
	if !bytes.Equal(errIcon.Content(), TrayIcon(syncer.StateError).Content()) {
		t.Error("tray icon is not the error icon")
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
	if u.Window("synced") == nil || !u.content.filter.Checked {
		t.Error("Synced with errors did not open Synced content filtered to errors")
	}
	tray.item(LabelQuit).Action()
	if !h.quit {
		t.Error("Quit did not quit")
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
	if w.Canvas().Focused() != u.prefs.name {
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

func TestAddAccountGivesThePasswordOnlyToAddAccount(t *testing.T) {
	api := newFakeAPI()
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("accounts")
	p := u.prefs
	test.Type(p.name, "Work")
	test.Type(p.url, "https://dav.example.com/")
	test.Type(p.user, "ann")
	test.Type(p.password, "s3cret")

	test.Tap(p.test)
	if len(api.tested) != 1 || api.tested[0].Password != "s3cret" || len(api.accounts) != 0 {
		t.Fatalf("Test connection: tested %+v, accounts %+v", api.tested, api.accounts)
	}
	if p.result.Text != "The connection works." {
		t.Errorf("test result = %q", p.result.Text)
	}

	test.Tap(p.add)
	if len(api.accounts) != 1 || api.accounts[0] != (model.Account{Name: "Work", Type: "webdav", URL: "https://dav.example.com/", User: "ann"}) {
		t.Fatalf("accounts = %+v", api.accounts)
	}
	if api.passwords["Work"] != "s3cret" {
		t.Fatal("the password did not reach AddAccount")
	}
	if p.password.Text != "" {
		t.Error("the password stays in the form after adding the account")
	}
	if len(p.accounts) != 1 {
		t.Error("the account list was not refreshed")
	}
}

// TestAddedAccountSaysWhereThePasswordIsKept: without a Secret Service the engine keeps
// passwords in memory; the form must not claim the keyring then.
func TestAddedAccountSaysWhereThePasswordIsKept(t *testing.T) {
	for _, where := range []string{"the OS keyring", "the engine's memory only (no OS keyring is available)"} {
		api := newFakeAPI()
		api.status.Keyring = where
		u, _, _ := newTestUI(t, api)
		u.ShowWindow("accounts")
		p := u.prefs
		test.Type(p.name, "Work")
		test.Type(p.url, "https://dav.example.com/")
		test.Type(p.user, "ann")
		test.Type(p.password, "s3cret")
		test.Tap(p.add)
		if want := "Its password is kept in " + where + "."; !strings.Contains(p.result.Text, want) {
			t.Errorf("result %q, want it to contain %q", p.result.Text, want)
		}
	}
}

func TestAccountFormExplainsWhatIsMissing(t *testing.T) {
	tests := []struct {
		name, url, user, password, want string
	}{
		{"", "https://x/", "u", "p", "Give the account a name."},
		{"n", "", "u", "p", "Enter the server address."},
		{"n", "ftp://x/", "u", "p", "The address must start with https:// (or http://)."},
		{"n", "https://x/", "", "p", "Enter the user name."},
		{"n", "https://x/", "u", "", "Enter the password."},
		{"n", "https://x/", "u", "wrong", "Could not connect: authentication failed (401)"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			api := newFakeAPI()
			u, _, _ := newTestUI(t, api)
			u.ShowWindow("accounts")
			p := u.prefs
			p.name.SetText(tc.name)
			p.url.SetText(tc.url)
			p.user.SetText(tc.user)
			p.password.SetText(tc.password)
			test.Tap(p.add)
			if p.result.Text != tc.want {
				t.Errorf("result = %q, want %q", p.result.Text, tc.want)
			}
			if len(api.accounts) != 0 {
				t.Error("an account was added")
			}
		})
	}
}

func TestTryALocalCloudAddsItsAccountAndOpensSyncToCloud(t *testing.T) {
	api := newFakeAPI()
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("accounts")
	test.Tap(button(t, u.Window("preferences").Canvas(), "Try it with a local cloud"))
	if len(api.accounts) != 1 || api.accounts[0].Name != LocalCloudAccount || api.accounts[0].URL != "http://127.0.0.1:4918/" {
		t.Fatalf("accounts = %+v", api.accounts)
	}
	if api.passwords[LocalCloudAccount] != "generated-secret" {
		t.Error("the generated password did not go to AddAccount")
	}
	if u.Window("sync-to-cloud") == nil {
		t.Error("Sync to Cloud did not open")
	}
	if u.prefs.tryLocal.Visible() {
		t.Error("the local cloud is still offered after it was set up")
	}
}

func TestRemoveAccountAsksFirst(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work", Type: "webdav"}}
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("accounts")
	p := u.prefs
	if !p.acctRemove.Disabled() {
		t.Error("Remove is enabled with no account selected")
	}
	p.acctList.Select(0)
	test.Tap(p.acctRemove)
	if api.called("RemoveAccount") {
		t.Fatal("removed without asking")
	}
	test.Tap(button(t, u.Window("preferences").Canvas(), "Yes"))
	if !api.called("RemoveAccount work") {
		t.Error("confirming did not remove the account")
	}
}

func TestGeneralSettingsSaveIntervalsNotificationsAndAutostart(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work"}}
	u, h, _ := newTestUI(t, api)
	u.ShowWindow("preferences")
	p := u.prefs
	if p.poll.Text != "30s" || p.rescan.Text != "10m0s" || !p.notifications.Checked || p.startAtLogin.Checked {
		t.Fatalf("loaded %q %q %v %v", p.poll.Text, p.rescan.Text, p.notifications.Checked, p.startAtLogin.Checked)
	}
	p.poll.SetText("1m")
	p.rescan.SetText("forever")
	p.tabs.SelectIndex(tabGeneral)
	test.Tap(button(t, u.Window("preferences").Canvas(), "Save"))
	if !strings.Contains(p.generalResult.Text, "not a duration") {
		t.Errorf("bad rescan interval: result %q", p.generalResult.Text)
	}
	p.rescan.SetText("20m")
	p.notifications.SetChecked(false)
	p.startAtLogin.SetChecked(true)
	p.saveSettings()
	want := syncer.Settings{PollInterval: syncer.Duration(60e9), RescanInterval: syncer.Duration(1200e9), StartAtLogin: true}
	if api.settings != want {
		t.Errorf("stored %+v, want %+v", api.settings, want)
	}
	if !slices.Equal(h.autostart, []bool{true}) {
		t.Errorf("autostart calls = %v", h.autostart)
	}
}

func TestSyncSetsTabPausesResumesAndUnsyncsWithRemoveFromCloud(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work"}}
	api.sets = []syncer.SetInfo{{Set: model.Set{ID: "s1", Kind: model.KindFolder, Account: "work", LocalRoot: "/home/a/P", RemoteRoot: "P"}, State: syncer.StateIdle, Items: 3}}
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("preferences")
	p := u.prefs
	if got := setLine(p.sets[0]); !strings.Contains(got, "/home/a/P") || !strings.Contains(got, "work:/P") || !strings.Contains(got, "[idle]") {
		t.Errorf("set line = %q", got)
	}
	p.setList.Select(0)
	test.Tap(p.setPause)
	if !api.called("Pause s1") {
		t.Error("Pause did not pause the set")
	}
	api.sets[0].Paused = true
	p.reload()
	if p.setPause.Text != "Resume" {
		t.Errorf("button reads %q for a paused set", p.setPause.Text)
	}
	test.Tap(p.setPause)
	if !api.called("Resume s1") {
		t.Error("Resume did not resume the set")
	}

	test.Tap(p.setUnsync)
	c := u.Window("preferences").Canvas()
	test.Tap(check(t, c, "Also remove it from the cloud"))
	test.Tap(button(t, c, "Unsync"))
	if !api.called("Unsync /home/a/P remove") {
		t.Errorf("calls = %q", api.calls)
	}
}

func TestNotifications(t *testing.T) {
	fail := syncer.Event{Kind: "failure", Title: "Could not sync a.txt", Body: "quota", Path: "/h/a.txt"}
	tests := []struct {
		name    string
		events  []syncer.Event
		enabled bool
		want    []string
	}{
		{"a failure notifies once, not per retry", []syncer.Event{fail, fail, fail}, true, []string{"Could not sync a.txt: quota"}},
		{"a conflict names the kept copy", []syncer.Event{{Kind: "conflict", Title: "Conflict: r.odt",
			Body: "P/r.odt was changed on both sides. The cloud version was kept; your version was saved as r (conflict).odt.", Path: "/h/P/r (conflict).odt"}},
			true, []string{"Conflict: r.odt: P/r.odt was changed on both sides. The cloud version was kept; your version was saved as r (conflict).odt."}},
		{"sign-in needed once per account", []syncer.Event{{Kind: "auth", Title: "Sign-in needed for w", Account: "w"}, {Kind: "auth", Title: "Sign-in needed for w", Account: "w"}},
			true, []string{"Sign-in needed for w: "}},
		{"first big sync", []syncer.Event{{Kind: "first_sync_done", Title: "Sync finished", Body: "/h/P: 500 items synced", Path: "/h/P"}},
			true, []string{"Sync finished: /h/P: 500 items synced"}},
		{"changes only refresh", []syncer.Event{{Kind: "changed"}}, true, nil},
		{"the setting turns them off", []syncer.Event{fail, {Kind: "conflict", Title: "Conflict: x", Path: "/x"}}, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			n := newNotifier(func(title, body string) { got = append(got, title+": "+body) })
			for _, ev := range tc.events {
				n.handle(ev, tc.enabled)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("notifications = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEventsRespectTheNotificationsSetting(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "w"}}
	u, h, _ := newTestUI(t, api)
	conflict := syncer.Event{Kind: "conflict", Title: "Conflict: a", Body: "kept a (conflict).txt", Path: "/h/a (conflict).txt"}
	api.settings.Notifications = false
	u.handleEvents([]syncer.Event{conflict})
	if len(h.notes) != 0 {
		t.Fatalf("notified with notifications off: %q", h.notes)
	}
	api.settings.Notifications = true
	conflict.Path = "/h/b (conflict).txt"
	u.handleEvents([]syncer.Event{conflict})
	if len(h.notes) != 1 {
		t.Fatalf("notes = %q", h.notes)
	}
}

func TestSyncInfoShowsStatusLocationReasonAndDetails(t *testing.T) {
	api := newFakeAPI()
	api.items = []syncer.ItemInfo{{Path: "/h/P/big.iso", Status: model.StatusFailed, Reason: remote.ReasonTooLarge,
		Details: "PUT /P/big.iso: 413 Request Entity Too Large", Cloud: syncer.Cloud{Account: "w", Location: "P/big.iso"},
		LastSync: "", Conflicts: []string{"/h/P/x (conflict).txt"}}}
	u, _, _ := newTestUI(t, api)
	u.showInfo("/h/P/big.iso")
	w := u.Window("info")
	if w == nil {
		t.Fatal("Sync Info did not open")
	}
	c := w.Canvas()
	for _, s := range []string{"/h/P/big.iso", "Failed", "w:/P/big.iso\n", string(remote.ReasonTooLarge), "never", "/h/P/x (conflict).txt"} {
		if !hasText(c, s) && !(s == "w:/P/big.iso\n" && hasText(c, "w:/P/big.iso")) {
			t.Errorf("Sync Info does not show %q", s)
		}
	}
	if hasText(c, "PUT /P/big.iso: 413 Request Entity Too Large") {
		t.Error("technical details should be folded away at first")
	}
	test.Tap(button(t, c, "Request Sync"))
	if !api.called("RequestSync /h/P/big.iso") {
		t.Error("Request Sync did nothing")
	}
	if !button(t, c, "View in Cloud").Disabled() {
		t.Error("View in Cloud is enabled for an item not in the cloud")
	}
}

func TestSyncedContentListsFiltersAndOffersItemActions(t *testing.T) {
	api := newFakeAPI()
	api.items = []syncer.ItemInfo{
		{Path: "/h/P/a.txt", Status: model.StatusSynced, Cloud: syncer.Cloud{Account: "w", Location: "P/a.txt", URL: "https://cloud/P/a.txt"}},
		{Path: "/h/P/b.txt", Status: model.StatusFailed, Reason: remote.ReasonQuotaExceeded},
	}
	api.urls["/h/P/a.txt"] = "https://cloud/P/a.txt"
	u, h, _ := newTestUI(t, api)
	u.ShowWindow("synced")
	c := u.content
	if len(c.items) != 2 || c.filter.Checked {
		t.Fatalf("Synced content shows %d items (filter %v)", len(c.items), c.filter.Checked)
	}
	test.Tap(c.filter)
	if len(c.items) != 1 || c.items[0].Path != "/h/P/b.txt" || !api.called("ListItems errors") {
		t.Fatalf("errors filter shows %+v", c.items)
	}
	test.Tap(c.filter)

	w := u.Window("synced")
	w.Resize(w.Canvas().Size().Max(w.Content().MinSize()))
	row := newItemRow(c)
	row.set(0, c.items[0])
	w.SetContent(row) // a lone row on the canvas, to right-click it
	test.TapSecondary(row)
	texts := overlayTexts(w.Canvas())
	for _, want := range []string{ActionInfo, ActionRequestSync, ActionViewInCloud, ActionUnsync} {
		if !slices.Contains(texts, want) {
			t.Errorf("right-click menu lacks %q (has %q)", want, texts)
		}
	}
	m := u.itemMenu(w, "/h/P/a.txt")
	act := func(label string) {
		for _, it := range m.Items {
			if it.Label == label {
				it.Action()
				return
			}
		}
		t.Fatalf("no menu item %q", label)
	}
	act(ActionViewInCloud)
	if !slices.Equal(h.opened, []string{"https://cloud/P/a.txt"}) {
		t.Errorf("View in Cloud opened %q", h.opened)
	}
	act(ActionRequestSync)
	if !api.called("RequestSync /h/P/a.txt") {
		t.Error("Request Sync did nothing")
	}
	act(ActionInfo)
	if u.Window("info") == nil {
		t.Error("Sync Info did not open")
	}
}

func TestShowWindowRejectsUnknownNames(t *testing.T) {
	u, _, _ := newTestUI(t, newFakeAPI())
	if err := u.ShowWindow("nonsense"); err == nil {
		t.Error("no error for an unknown window")
	}
	for _, name := range []string{"preferences", "accounts", "sync-to-cloud", "synced", "errors"} {
		if err := u.ShowWindow(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
