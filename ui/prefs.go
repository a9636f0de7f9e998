package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/remote/limiter"
)

// Preferences tabs.
const (
	tabAccounts = 0
	tabSets     = 1
	tabGeneral  = 2
	tabAbout    = 3
)

// prefsWindow is the Preferences window: Accounts, Sync sets, General, About.
type prefsWindow struct {
	u    *UI
	w    fyne.Window
	tabs *container.AppTabs
	acct *accountsTab
	sets *setsTab

	poll, rescan  *widget.Entry
	stall         *widget.Entry // the stall timeout; empty: the engine's default
	upLimit       *widget.Entry // bandwidth limits, as limiter.ParseRate reads them
	downLimit     *widget.Entry
	notifications *widget.Check
	startAtLogin  *widget.Check
	generalResult *widget.Label
}

// showPrefs opens (or raises) Preferences on a tab.
func (u *UI) showPrefs(tab int) {
	w := u.window("preferences", "cloudsync Preferences", fyne.NewSize(780, 640), func(w fyne.Window) {
		p := &prefsWindow{u: u, w: w}
		p.acct = &accountsTab{p: p}
		p.sets = &setsTab{p: p}
		u.prefs = p
		p.tabs = container.NewAppTabs(
			container.NewTabItemWithIcon("Accounts", theme.AccountIcon(), p.acct.build()),
			container.NewTabItemWithIcon("Sync sets", theme.FolderIcon(), p.sets.build()),
			container.NewTabItemWithIcon("General", theme.SettingsIcon(), p.generalTab()),
			container.NewTabItemWithIcon("About", theme.InfoIcon(), p.aboutTab()),
		)
		// A hint belongs to what was just done: another tab starts clean.
		p.tabs.OnSelected = func(*container.TabItem) {
			p.acct.result.SetText("")
			p.acct.setAdded("")
			p.generalResult.SetText("")
		}
		w.SetContent(p.tabs)
		w.SetOnClosed(func() { delete(u.wins, "preferences"); u.prefs = nil })
		if u.view.ok {
			p.showView(u.view, true)
		}
		p.reload()
		p.loadSettings()
	})
	p := u.prefs
	p.tabs.SelectIndex(tab)
	if tab == tabAccounts && p.acct.form.Visible() {
		w.Canvas().Focus(p.acct.name)
	}
}

// showView shows the engine's accounts and sets.
func (p *prefsWindow) showView(v engineView, full bool) {
	if !v.ok {
		return
	}
	p.acct.show(v.accounts)
	p.sets.show(v.st.SetStates, v.accounts)
}

// reload asks the engine for its accounts and sets again.
func (p *prefsWindow) reload() { p.u.refreshNow() }

// forgetSet drops the selection of an unsynced set.
func (p *prefsWindow) forgetSet(root string) { p.sets.forget(root) }

func (p *prefsWindow) generalTab() fyne.CanvasObject {
	p.poll = widget.NewEntry()
	p.rescan = widget.NewEntry()
	p.upLimit, p.downLimit = widget.NewEntry(), widget.NewEntry()
	p.stall = widget.NewEntry()
	p.stall.SetPlaceHolder("1m (the default)")
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
		widget.NewFormItem("Give up on a stalled transfer after", p.stall),
	)
	form.Items[0].HintText = "A duration such as 30s or 2m"
	form.Items[1].HintText = "A duration such as 10m or 1h"
	form.Items[2].HintText = "Bytes per second, such as 500K or 2M; off: no limit"
	form.Items[3].HintText = form.Items[2].HintText
	form.Items[4].HintText = "A transfer that moves no byte this long is stopped and tried again later"
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
		p.poll.SetText(shortDuration(time.Duration(s.PollInterval)))
		p.rescan.SetText(shortDuration(time.Duration(s.RescanInterval)))
		p.upLimit.SetText(limiter.FormatRate(s.UploadLimit))
		p.downLimit.SetText(limiter.FormatRate(s.DownloadLimit))
		if s.StallTimeout > 0 {
			p.stall.SetText(shortDuration(time.Duration(s.StallTimeout)))
		}
		p.u.settings = s
		p.notifications.SetChecked(s.Notifications)
		p.startAtLogin.SetChecked(s.StartAtLogin)
		p.generalResult.SetText("")
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
	var stall time.Duration
	if t := strings.TrimSpace(p.stall.Text); t != "" {
		if stall, err = time.ParseDuration(t); err != nil || stall < 0 {
			return syncer.Settings{}, fmt.Errorf("Give up on a stalled transfer after: %q is not a duration like 60s or 2m", p.stall.Text)
		}
	}
	s := p.u.settings // settings this form does not show stay as they are
	s.StallTimeout = syncer.Duration(stall)
	s.PollInterval, s.RescanInterval = syncer.Duration(poll), syncer.Duration(rescan)
	s.UploadLimit, s.DownloadLimit = up, down
	s.Notifications, s.StartAtLogin = p.notifications.Checked, p.startAtLogin.Checked
	return s, nil
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

// aboutTab is the version, a short help and the log.
func (p *prefsWindow) aboutTab() fyne.CanvasObject {
	u := p.u
	title := widget.NewLabelWithStyle("cloudsync "+u.opt.Version, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	help := widget.NewRichTextFromMarkdown(helpText)
	help.Wrapping = fyne.TextWrapWord
	logFile := widget.NewLabel("Log file: " + u.logFile())
	logFile.Wrapping = fyne.TextWrapBreak
	showLog := widget.NewButtonWithIcon("Show log…", theme.DocumentIcon(), u.showLog)
	return container.NewBorder(
		container.NewBorder(nil, nil, widget.NewIcon(AppIcon()), nil, title),
		container.NewVBox(logFile, container.NewHBox(showLog)),
		nil, nil, container.NewVScroll(help))
}

// helpText is the short help of the About tab.
const helpText = `cloudsync keeps folders and documents on this computer in sync, both ways, with a cloud (an Alfresco repository or a WebDAV server such as Nextcloud).

**Start.** Add an account (Accounts), then pair a folder with a cloud folder (Sync sets, Sync to Cloud…). From then on each side follows the other.

**The tray icon** shows whether everything is in sync, syncing, paused, offline, or needs you. Its menu pauses and resumes syncing and opens the windows.

**Synced content** lists every item; right-click one for Sync Info, Request Sync, View in Cloud or Unsync. **Synced with errors** lists what could not be synced, each with what happened and what fixes it.

**Conflicts.** When a file changed on both sides, the cloud version wins and yours is kept beside it as a conflict copy: nothing is lost.

**Files.** A file deleted in the cloud is kept here unless the set says otherwise; deletions here go to the cloud's trash. Temporary and lock files of office programs are not synced.`
