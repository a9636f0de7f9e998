package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote/limiter"
	"github.com/cloudsync/cloudsync/ui/localcloud"
)

// Preferences tabs.
const (
	tabAccounts = 0
	tabSets     = 1
	tabGeneral  = 2
)

// Account types offered by the account form, and their API names.
var accountTypes = []string{"WebDAV", "Alfresco"}

func accountTypeName(label string) string { return strings.ToLower(label) }

// prefsWindow is the Preferences window: Accounts, Sync sets, General.
type prefsWindow struct {
	u    *UI
	w    fyne.Window
	tabs *container.AppTabs

	accounts   []model.Account
	acctList   *widget.List
	acctSel    int
	acctRemove *widget.Button
	tryLocal   *fyne.Container

	// The account form.
	name, url, user, password *widget.Entry
	kind                      *widget.Select
	result                    *widget.Label
	test, add                 *widget.Button

	sets                []syncer.SetInfo
	setList             *widget.List
	setSel              int
	setPause, setUnsync *widget.Button
	setsEmpty           *widget.Label

	poll, rescan  *widget.Entry
	upLimit       *widget.Entry // bandwidth limits, as limiter.ParseRate reads them
	downLimit     *widget.Entry
	notifications *widget.Check
	startAtLogin  *widget.Check
	generalResult *widget.Label
}

// showPrefs opens (or raises) Preferences on a tab.
func (u *UI) showPrefs(tab int) {
	w := u.window("preferences", "cloudsync Preferences", fyne.NewSize(760, 640), func(w fyne.Window) {
		p := &prefsWindow{u: u, w: w, acctSel: -1, setSel: -1}
		u.prefs = p
		p.tabs = container.NewAppTabs(
			container.NewTabItemWithIcon("Accounts", theme.AccountIcon(), p.accountsTab()),
			container.NewTabItemWithIcon("Sync sets", theme.FolderIcon(), p.setsTab()),
			container.NewTabItemWithIcon("General", theme.SettingsIcon(), p.generalTab()),
		)
		w.SetContent(p.tabs)
		w.SetOnClosed(func() { delete(u.wins, "preferences"); u.prefs = nil })
		p.reload()
		p.loadSettings()
	})
	p := u.prefs
	p.tabs.SelectIndex(tab)
	if tab == tabAccounts {
		w.Canvas().Focus(p.name)
	}
}

func (p *prefsWindow) accountsTab() fyne.CanvasObject {
	p.acctList = widget.NewList(
		func() int { return len(p.accounts) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.AccountIcon()), widget.NewLabel("account"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(p.accounts) {
				return
			}
			a := p.accounts[i]
			line := fmt.Sprintf("%s — %s %s as %s", a.Name, typeLabel(a.Type), a.URL, a.User)
			if a.Paused {
				line += "  (sign-in needed: add it again with the new password)"
			}
			o.(*fyne.Container).Objects[1].(*widget.Label).SetText(line)
		})
	p.acctList.OnSelected = func(i widget.ListItemID) { p.acctSel = i; p.acctRemove.Enable() }
	p.acctList.OnUnselected = func(widget.ListItemID) { p.acctSel = -1; p.acctRemove.Disable() }
	p.acctRemove = widget.NewButtonWithIcon("Remove account…", theme.DeleteIcon(), p.removeAccount)
	p.acctRemove.Disable()

	p.name = widget.NewEntry()
	p.name.SetPlaceHolder("a short name: letters, digits, . _ - @ (e.g. work)")
	p.kind = widget.NewSelect(accountTypes, nil)
	p.kind.SetSelectedIndex(0)
	p.url = widget.NewEntry()
	p.url.SetPlaceHolder("https://cloud.example.com/remote.php/dav/files/me/")
	p.user = widget.NewEntry()
	p.password = widget.NewPasswordEntry()
	p.password.OnSubmitted = func(string) { p.submitAccount(false) }
	p.result = widget.NewLabel("")
	p.result.Wrapping = fyne.TextWrapWord
	p.test = widget.NewButtonWithIcon("Test connection", theme.SearchIcon(), func() { p.submitAccount(true) })
	p.add = widget.NewButtonWithIcon("Add account", theme.ContentAddIcon(), func() { p.submitAccount(false) })
	p.add.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem("Name", p.name),
		widget.NewFormItem("Type", p.kind),
		widget.NewFormItem("Address", p.url),
		widget.NewFormItem("User", p.user),
		widget.NewFormItem("Password", p.password),
	)
	try := widget.NewButtonWithIcon("Try it with a local cloud", theme.ComputerIcon(), p.tryLocalCloud)
	p.tryLocal = container.NewVBox(widget.NewSeparator(),
		widget.NewLabel("No server yet? Start a small cloud on this computer and see sync work:"),
		container.NewHBox(try))
	add := container.NewVBox(
		widget.NewLabelWithStyle("Add an account", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form,
		container.NewHBox(p.test, p.add),
		p.result,
		p.tryLocal,
	)
	top := container.NewBorder(nil, container.NewHBox(p.acctRemove), nil, nil, p.acctList)
	split := container.NewVSplit(top, container.NewVScroll(add))
	split.Offset = 0.2
	return split
}

func typeLabel(t string) string {
	for _, l := range accountTypes {
		if accountTypeName(l) == t {
			return l
		}
	}
	return t
}

// accountRequest reads the form; the password goes only into the request, which the
// engine stores in the OS keyring.
func (p *prefsWindow) accountRequest(test bool) (syncer.AddAccountRequest, error) {
	r := syncer.AddAccountRequest{
		Name:     strings.TrimSpace(p.name.Text),
		Type:     accountTypeName(p.kind.Selected),
		URL:      strings.TrimSpace(p.url.Text),
		User:     strings.TrimSpace(p.user.Text),
		Password: p.password.Text,
		Test:     test,
	}
	switch {
	case r.Name == "" && !test:
		return r, errors.New("Give the account a name.")
	case r.URL == "":
		return r, errors.New("Enter the server address.")
	case !strings.HasPrefix(r.URL, "http://") && !strings.HasPrefix(r.URL, "https://"):
		return r, errors.New("The address must start with https:// (or http://).")
	case r.User == "":
		return r, errors.New("Enter the user name.")
	case r.Password == "":
		return r, errors.New("Enter the password.")
	}
	if r.Name == "" {
		r.Name = r.User
	}
	return r, nil
}

// submitAccount tests the login (test) or adds the account.
func (p *prefsWindow) submitAccount(test bool) {
	r, err := p.accountRequest(test)
	if err != nil {
		p.result.SetText(err.Error())
		return
	}
	p.result.SetText("Connecting to " + r.URL + "…")
	p.test.Disable()
	p.add.Disable()
	where := "the system keyring"
	p.u.call(func(ctx context.Context) error {
		if _, err := p.u.api.AddAccount(ctx, r); err != nil {
			return err
		}
		if st, err := p.u.api.Status(ctx); err == nil && st.Keyring != "" {
			where = st.Keyring // the engine may keep it in memory when there is no keyring
		}
		return nil
	}, func(err error) {
		p.test.Enable()
		p.add.Enable()
		switch {
		case err != nil:
			p.result.SetText("Could not connect: " + err.Error())
		case test:
			p.result.SetText("The connection works.")
		default:
			p.result.SetText("Account " + r.Name + " added. Its password is kept in " + where + ".")
			p.u.notify.signedIn(r.Name)
			p.name.SetText("")
			p.url.SetText("")
			p.user.SetText("")
			p.password.SetText("")
			p.reload()
		}
	})
}

// tryLocalCloud starts the built-in WebDAV server, adds an account for it and opens the
// Sync to Cloud dialog.
func (p *prefsWindow) tryLocalCloud() {
	p.result.SetText("Starting a local cloud on this computer…")
	var name string
	p.u.call(func(ctx context.Context) error {
		url, user, password, err := p.u.host.LocalCloud(ctx)
		if err != nil {
			return err
		}
		a, err := p.u.api.AddAccount(ctx, syncer.AddAccountRequest{Name: LocalCloudAccount, Type: "webdav",
			URL: url, User: user, Password: password})
		name = a.Name
		return err
	}, func(err error) {
		if err != nil {
			p.result.SetText("Could not start the local cloud: " + err.Error())
			return
		}
		p.result.SetText("The local cloud runs on this computer as account " + name + ". Now choose a folder to sync.")
		p.reload()
		p.u.showSyncToCloud()
	})
}

// LocalCloudAccount is the account name of the local cloud.
const LocalCloudAccount = localcloud.AccountName

func (p *prefsWindow) removeAccount() {
	if p.acctSel < 0 || p.acctSel >= len(p.accounts) {
		return
	}
	name := p.accounts[p.acctSel].Name
	dialog.ShowConfirm("Remove account",
		"Remove account "+name+" and its password from the keyring?\nUnsync its sync sets first.",
		func(ok bool) {
			if !ok {
				return
			}
			p.u.call(func(ctx context.Context) error { return p.u.api.RemoveAccount(ctx, name) },
				func(err error) {
					if err != nil {
						dialog.ShowError(err, p.w)
					}
					p.acctList.UnselectAll()
					p.reload()
				})
		}, p.w)
}

func (p *prefsWindow) setsTab() fyne.CanvasObject {
	p.setList = widget.NewList(
		func() int { return len(p.sets) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.FolderIcon()), widget.NewLabel("set"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(p.sets) {
				return
			}
			s := p.sets[i]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Icon).SetResource(TrayIcon(s.State))
			c.Objects[1].(*widget.Label).SetText(setLine(s))
		})
	p.setList.OnSelected = func(i widget.ListItemID) { p.setSel = i; p.updateSetButtons() }
	p.setList.OnUnselected = func(widget.ListItemID) { p.setSel = -1; p.updateSetButtons() }
	add := widget.NewButtonWithIcon("Sync to Cloud…", theme.ContentAddIcon(), p.u.showSyncToCloud)
	add.Importance = widget.HighImportance
	p.setPause = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), p.togglePause)
	p.setUnsync = widget.NewButtonWithIcon("Unsync…", theme.CancelIcon(), func() {
		if p.setSel >= 0 && p.setSel < len(p.sets) {
			p.u.confirmUnsync(p.w, p.sets[p.setSel].LocalRoot, true)
		}
	})
	p.setsEmpty = widget.NewLabel("Nothing is synced yet. Choose Sync to Cloud… to pair a folder with the cloud.")
	p.setsEmpty.Wrapping = fyne.TextWrapWord
	p.updateSetButtons()
	return container.NewBorder(p.setsEmpty, container.NewHBox(add, p.setPause, p.setUnsync), nil, nil, p.setList)
}

// setLine is a sync set in one line: folder, kind, cloud place, state and counts.
func setLine(s syncer.SetInfo) string {
	what := s.LocalRoot
	if s.Kind == model.KindDocuments {
		what = fmt.Sprintf("%d document(s) in %s", len(s.Documents), s.LocalRoot)
	}
	line := fmt.Sprintf("%s  →  %s:/%s   [%s]  %d items", what, s.Account, strings.TrimPrefix(s.RemoteRoot, "/"), s.State, s.Items)
	if s.Pending > 0 {
		line += fmt.Sprintf(", %d pending", s.Pending)
	}
	if s.Failed > 0 {
		line += fmt.Sprintf(", %d failed", s.Failed)
	}
	if s.Paused {
		line += " (paused)"
	}
	return line
}

func (p *prefsWindow) updateSetButtons() {
	if p.setSel < 0 || p.setSel >= len(p.sets) {
		p.setPause.Disable()
		p.setUnsync.Disable()
		return
	}
	p.setPause.Enable()
	p.setUnsync.Enable()
	if p.sets[p.setSel].Paused {
		p.setPause.SetText("Resume")
		p.setPause.SetIcon(theme.MediaPlayIcon())
	} else {
		p.setPause.SetText("Pause")
		p.setPause.SetIcon(theme.MediaPauseIcon())
	}
}

func (p *prefsWindow) togglePause() {
	if p.setSel < 0 || p.setSel >= len(p.sets) {
		return
	}
	s := p.sets[p.setSel]
	p.u.call(func(ctx context.Context) error {
		if s.Paused {
			return p.u.api.Resume(ctx, s.ID)
		}
		return p.u.api.Pause(ctx, s.ID)
	}, func(err error) {
		if err != nil {
			dialog.ShowError(err, p.w)
		}
		p.reload()
		p.u.refreshNow()
	})
}

func (p *prefsWindow) generalTab() fyne.CanvasObject {
	p.poll = widget.NewEntry()
	p.rescan = widget.NewEntry()
	p.upLimit, p.downLimit = widget.NewEntry(), widget.NewEntry()
	p.notifications = widget.NewCheck("Show notifications (failures, conflicts, sign-in needed, large first syncs)", nil)
	p.startAtLogin = widget.NewCheck("Start cloudsync when I log in", nil)
	p.generalResult = widget.NewLabel("")
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), p.saveSettings)
	save.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem("Check the cloud every", p.poll),
		widget.NewFormItem("Rescan local folders every", p.rescan),
		widget.NewFormItem("Upload at most", p.upLimit),
		widget.NewFormItem("Download at most", p.downLimit),
	)
	form.Items[0].HintText = "e.g. 30s or 2m"
	form.Items[1].HintText = "e.g. 10m"
	form.Items[2].HintText = "bytes per second, e.g. 500K or 2M; off: no limit"
	form.Items[3].HintText = form.Items[2].HintText
	return container.NewVBox(form, p.notifications, p.startAtLogin, container.NewHBox(save), p.generalResult,
		widget.NewSeparator(), p.supportRow())
}

// loadSettings fills the General tab from the engine.
func (p *prefsWindow) loadSettings() {
	var s syncer.Settings
	p.u.call(func(ctx context.Context) error {
		var err error
		s, err = p.u.api.GetSettings(ctx)
		return err
	}, func(err error) {
		if err != nil {
			p.generalResult.SetText("Could not read the settings: " + err.Error())
			return
		}
		p.poll.SetText(time.Duration(s.PollInterval).String())
		p.rescan.SetText(time.Duration(s.RescanInterval).String())
		p.upLimit.SetText(limiter.FormatRate(s.UploadLimit))
		p.downLimit.SetText(limiter.FormatRate(s.DownloadLimit))
		p.notifications.SetChecked(s.Notifications)
		p.startAtLogin.SetChecked(s.StartAtLogin)
	})
}

// settingsFromForm parses the General tab.
func (p *prefsWindow) settingsFromForm() (syncer.Settings, error) {
	poll, err := time.ParseDuration(strings.TrimSpace(p.poll.Text))
	if err != nil {
		return syncer.Settings{}, fmt.Errorf("Check the cloud every: %q is not a duration like 30s or 2m", p.poll.Text)
	}
	rescan, err := time.ParseDuration(strings.TrimSpace(p.rescan.Text))
	if err != nil {
		return syncer.Settings{}, fmt.Errorf("Rescan local folders every: %q is not a duration like 10m", p.rescan.Text)
	}
	up, err := limiter.ParseRate(p.upLimit.Text)
	if err != nil {
		return syncer.Settings{}, fmt.Errorf("Upload at most: %v", err)
	}
	down, err := limiter.ParseRate(p.downLimit.Text)
	if err != nil {
		return syncer.Settings{}, fmt.Errorf("Download at most: %v", err)
	}
	return syncer.Settings{PollInterval: syncer.Duration(poll), RescanInterval: syncer.Duration(rescan),
		Notifications: p.notifications.Checked, StartAtLogin: p.startAtLogin.Checked,
		UploadLimit: up, DownloadLimit: down}, nil
}

func (p *prefsWindow) saveSettings() {
	s, err := p.settingsFromForm()
	if err != nil {
		p.generalResult.SetText(err.Error())
		return
	}
	p.u.call(func(ctx context.Context) error {
		if err := p.u.api.PutSettings(ctx, s); err != nil {
			return err
		}
		return p.u.host.SetStartAtLogin(s.StartAtLogin)
	}, func(err error) {
		if err != nil {
			p.generalResult.SetText("Not saved: " + err.Error())
			return
		}
		p.u.settings = s
		p.generalResult.SetText("Saved.")
	})
}

// reload re-reads accounts and sets.
func (p *prefsWindow) reload() {
	var accts []model.Account
	var sets []syncer.SetInfo
	p.u.call(func(ctx context.Context) error {
		var err error
		if accts, err = p.u.api.ListAccounts(ctx); err != nil {
			return err
		}
		sets, err = p.u.api.ListSets(ctx)
		return err
	}, func(err error) {
		if err != nil || p.u.prefs != p {
			return
		}
		p.accounts, p.sets = accts, sets
		p.acctList.Refresh()
		p.setList.Refresh()
		if !hasAccount(accts, LocalCloudAccount) {
			p.tryLocal.Show()
		} else {
			p.tryLocal.Hide()
		}
		if len(sets) == 0 {
			p.setsEmpty.Show()
		} else {
			p.setsEmpty.Hide()
		}
		if p.setSel >= len(sets) {
			p.setSel = -1
		}
		if p.acctSel >= len(accts) {
			p.acctSel = -1
		}
		p.updateSetButtons()
	})
}

func hasAccount(accts []model.Account, name string) bool {
	for _, a := range accts {
		if a.Name == name {
			return true
		}
	}
	return false
}
