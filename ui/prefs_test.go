package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// typeAccount opens Accounts and types an account (Work, ann, s3cret) into the form.
func typeAccount(t *testing.T, api *fakeAPI) (*UI, *accountsTab) {
	t.Helper()
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("accounts")
	a := u.prefs.acct
	test.Type(a.name, "Work")
	test.Type(a.url, "https://dav.example.com/")
	test.Type(a.user, "ann")
	test.Type(a.password, "s3cret")
	return u, a
}

func TestAddAccountGivesThePasswordOnlyToAddAccount(t *testing.T) {
	api := newFakeAPI()
	u, a := typeAccount(t, api)

	test.Tap(a.test)
	if len(api.tested) != 1 || api.tested[0].Password != "s3cret" || len(api.accounts) != 0 {
		t.Fatalf("Test connection: tested %+v, accounts %+v", api.tested, api.accounts)
	}
	if a.result.Text != "The connection works." {
		t.Errorf("test result = %q", a.result.Text)
	}

	test.Tap(a.add)
	if len(api.accounts) != 1 || api.accounts[0] != (model.Account{Name: "Work", Type: "webdav", URL: "https://dav.example.com/", User: "ann"}) {
		t.Fatalf("accounts = %+v", api.accounts)
	}
	if api.passwords["Work"] != "s3cret" {
		t.Fatal("the password did not reach AddAccount")
	}
	if a.password.Text != "" {
		t.Error("the password stays in the form after adding the account")
	}
	if len(a.accounts) != 1 {
		t.Error("the account list was not refreshed")
	}
	// Point 12: a hint belongs to what was just done; it does not linger.
	u.prefs.tabs.SelectIndex(tabSets)
	u.prefs.tabs.SelectIndex(tabAccounts)
	if a.result.Text+a.added.Text != "" {
		t.Errorf("a stale hint stays: %q", a.result.Text+a.added.Text)
	}
}

// TestAddedAccountSaysWhereThePasswordIsKept: without a Secret Service the engine keeps
// passwords in memory; the form must not claim the keyring then.
func TestAddedAccountSaysWhereThePasswordIsKept(t *testing.T) {
	for _, where := range []string{"the OS keyring", "the engine's memory only (no OS keyring is available)"} {
		api := newFakeAPI()
		api.status.Keyring = where
		_, a := typeAccount(t, api)
		test.Tap(a.add)
		if want := "Its password is kept in " + where + "."; !strings.Contains(a.added.Text, want) {
			t.Errorf("result %q, want it to contain %q", a.added.Text, want)
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
			a := u.prefs.acct
			a.name.SetText(tc.name)
			a.url.SetText(tc.url)
			a.user.SetText(tc.user)
			a.password.SetText(tc.password)
			test.Tap(a.add)
			if a.result.Text != tc.want {
				t.Errorf("result = %q, want %q", a.result.Text, tc.want)
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
	if u.prefs.acct.tryLocal.Visible() {
		t.Error("the local cloud is still offered after it was set up")
	}
}

// TestAccountsListShowsSeveralAccountsAndSignsInWithThePasswordOnly: more than two
// accounts fit without scrolling at the window's default size, also right after an
// account was added from the form (the form folds behind "Add account…"), and Sign in…
// asks for the password only (points 8, 12).
func TestAccountsListShowsSeveralAccountsAndSignsInWithThePasswordOnly(t *testing.T) {
	api := newFakeAPI()
	for _, n := range []string{"home", "lab", "work"} {
		api.accounts = append(api.accounts, model.Account{Name: n, Type: "webdav", URL: "https://" + n + ".example/", User: "ann", Paused: n == "work"})
	}
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("accounts")
	a := u.prefs.acct
	c := u.Window("preferences").Canvas()
	assertRows := func(when string) {
		t.Helper()
		row := a.list.CreateItem().MinSize().Height
		if h := a.list.Size().Height; h < 4*row+3*theme.Padding() {
			t.Errorf("%s: the accounts list is %.0f px high: fewer than 4 accounts (%.0f px each) show", when, h, row)
		}
	}
	assertRows("opened")
	test.Tap(button(t, c, LabelAddAccount))
	assertRows("with the form opened by hand")
	if !hasText(c, "Add an account") || c.Focused() != a.name {
		t.Errorf("Add account… shows the form's heading %v, focuses the name %v", hasText(c, "Add an account"), c.Focused() == a.name)
	}
	test.Type(a.name, "archive")
	test.Type(a.url, "https://archive.example/")
	test.Type(a.user, "ann")
	test.Type(a.password, "s3cret")
	test.Tap(a.add)
	if len(a.accounts) != 4 {
		t.Fatalf("the list shows %d accounts after adding one, want 4", len(a.accounts))
	}
	assertRows("right after adding an account")
	if !hasText(c, "Account archive added.") {
		t.Error("nothing says the account was added")
	}
	test.Tap(button(t, c, LabelAddAccount)) // opens the form again, clean
	if !a.form.Visible() || hasText(c, "Account archive added.") || a.name.Text != "" {
		t.Errorf("Add account… shows the form %v, the old hint %v, name %q", a.form.Visible(), hasText(c, "Account archive added."), a.name.Text)
	}

	if !a.signIn.Disabled() || !a.remove.Disabled() {
		t.Error("account buttons enabled with nothing selected")
	}
	a.list.Select(2) // work, which needs signing in
	if a.signIn.Disabled() {
		t.Fatal("Sign in… is disabled for an account that needs it")
	}
	test.Tap(a.signIn)
	assertSignInWindow(t, u, api, "work")
}

func TestRemoveAccountAsksFirst(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work", Type: "webdav"}}
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("accounts")
	a := u.prefs.acct
	if !a.remove.Disabled() {
		t.Error("Remove is enabled with no account selected")
	}
	a.list.Select(0)
	test.Tap(a.remove)
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
	if p.poll.Text != "30s" || p.rescan.Text != "10m" || !p.notifications.Checked || p.startAtLogin.Checked {
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
	// The stall timeout (the WebDAV work's General setting): empty is the engine's default.
	p.stall.SetText("90s")
	p.saveSettings()
	if api.settings.StallTimeout != syncer.Duration(90e9) {
		t.Errorf("stall timeout stored as %v", api.settings.StallTimeout)
	}
	p.stall.SetText("soon")
	p.saveSettings()
	if !strings.Contains(p.generalResult.Text, "not a duration") || api.settings.StallTimeout != syncer.Duration(90e9) {
		t.Errorf("a bad stall timeout: %q, stored %v", p.generalResult.Text, api.settings.StallTimeout)
	}
}

func TestSyncSetsTabPausesResumesAndUnsyncsWithRemoveFromCloud(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work"}}
	api.sets = []syncer.SetInfo{set("s1", "work", "/home/a/P", syncer.StateIdle)}
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("preferences")
	st := u.prefs.sets
	st.list.Select(0)
	test.Tap(st.pause)
	if !api.called("Pause s1") {
		t.Error("Pause did not pause the set")
	}
	api.sets[0].Paused = true
	u.refreshAll()
	if st.pause.Text != "Resume" {
		t.Errorf("button reads %q for a paused set", st.pause.Text)
	}
	test.Tap(st.pause)
	if !api.called("Resume s1") {
		t.Error("Resume did not resume the set")
	}
	test.Tap(st.unsync)
	c := u.Window("preferences").Canvas()
	test.Tap(check(t, c, "Also remove it from the cloud"))
	test.Tap(button(t, c, "Unsync"))
	if !api.called("Unsync /home/a/P remove") {
		t.Errorf("calls = %q", api.calls)
	}
}

// TestSyncSetsRowsInWordsAndSelectionFollowsTheSet: no codes or brackets in the rows
// (points 7, 12), and after unsyncing a set no other set is left highlighted with
// Unsync… enabled (point 3).
func TestSyncSetsRowsInWordsAndSelectionFollowsTheSet(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work"}}
	a, b, c := set("s1", "work", "/home/a/A", syncer.StateIdle), set("s2", "work", "/home/a/B", syncer.StateIdle), set("s3", "work", "/home/a/C", syncer.StateIdle)
	a.Items = 1
	api.sets = []syncer.SetInfo{a, b, c}
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("preferences")
	st := u.prefs.sets
	win := u.Window("preferences")
	win.Resize(win.Content().MinSize().Max(win.Canvas().Size()))
	if state := setState(a, nil) + ", " + plural(a.Items, "item", "items"); state != "Up to date, 1 item" {
		t.Errorf("set state reads %q", state)
	}
	for _, o := range objects(win.Canvas()) {
		if l, ok := labelText(o); ok && (strings.Contains(l, "[") || strings.Contains(l, "idle") || strings.ContainsRune(l, '→')) {
			t.Errorf("a Sync sets row reads %q", l)
		}
	}
	st.list.Select(1) // B
	api.onUnsync = func(p string) {
		api.sets = slices.DeleteFunc(api.sets, func(s syncer.SetInfo) bool { return s.LocalRoot == p })
	}
	test.Tap(st.unsync)
	test.Tap(button(t, win.Canvas(), "Unsync"))
	if !api.called("Unsync /home/a/B") {
		t.Fatalf("calls %q", api.calls)
	}
	if _, ok := st.selected(); ok || !st.unsync.Disabled() {
		t.Errorf("after unsyncing B, set %q is selected with Unsync… enabled %v", st.selID, !st.unsync.Disabled())
	}
	// Reordering keeps the selection on the set.
	st.list.Select(1) // C
	api.sets = []syncer.SetInfo{c, a}
	u.refreshAll()
	if s, ok := st.selected(); !ok || s.ID != "s3" {
		t.Errorf("after the list changed the selection is %q, want s3", st.selID)
	}
}

func TestAboutShowsTheVersionAndTheLog(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work"}}
	u, _, _ := newTestUI(t, api)
	logFile := filepath.Join(t.TempDir(), "cloudsync.log")
	u.opt.LogFiles, u.opt.Version = func() []string { return []string{logFile} }, "1.2.3-test"
	os.WriteFile(logFile, []byte("time=1 level=INFO msg=one\ntime=2 level=WARN msg=\"the last line\"\n"), 0o600)
	u.ShowWindow("about")
	c := u.Window("preferences").Canvas()
	if !hasText(c, "cloudsync 1.2.3-test") {
		t.Error("About does not show the version")
	}
	test.Tap(button(t, c, "Show log…"))
	l := u.logView
	if l == nil || len(l.lines) != 2 || !strings.Contains(l.lines[1], "the last line") {
		t.Fatalf("the log viewer shows %q", l.lines)
	}
	// A line longer than the window is cut in the list; selected, it shows in full.
	long := "time=3 level=ERROR msg=\"" + strings.Repeat("a long explanation ", 20) + "the end\""
	os.WriteFile(logFile, []byte("time=1 level=INFO msg=one\n"+long+"\n"), 0o600)
	test.Tap(button(t, u.Window("log").Canvas(), "Refresh"))
	l.list.Select(1)
	if l.detail.Text != long || !l.detail.Visible() || l.detail.Wrapping == fyne.TextWrapOff {
		t.Errorf("the selected line shows as %q (wrapping %v)", l.detail.Text, l.detail.Wrapping)
	}
}

// labelText is the text of a label or a drawn text.
func labelText(o fyne.CanvasObject) (string, bool) {
	switch x := o.(type) {
	case *widget.Label:
		return x.Text, true
	case *canvas.Text:
		return x.Text, true
	}
	return "", false
}
