package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// Tray menu labels (tests and the headless run click by label).
const (
	LabelPause       = "Pause Sync"
	LabelResume      = "Resume Sync"
	LabelSynced      = "Synced content…"
	LabelPreferences = "Preferences…"
	LabelQuit        = "Quit"
)

// LabelErrors is the "Synced with errors (N)…" item.
func LabelErrors(n int) string { return fmt.Sprintf("Synced with errors (%d)…", n) }

// LabelSignIn is the item that signs in to an account whose sign-in was refused.
func LabelSignIn(account string) string { return "Sign in to " + account + "…" }

// trayView is what the tray shows for one reading of the engine: the icon's state, the
// status line, a progress line during transfers, a tooltip, and the accounts that need
// signing in.
type trayView struct {
	state    string // icon: idle, syncing, paused, error, offline
	line     string
	progress string
	tooltip  string
	signIn   []string
	failed   int // the count of Synced with errors
	paused   bool
}

// trayViewOf decides what the tray shows. The line never contradicts the rest of the menu:
// paused, a sign-in needed, a transfer, items that could not be synced, sets offline are
// said in that order of importance, with the changes that wait when nothing can move.
// A set offline does not make the whole app offline while others sync; items kept after a
// cloud delete (as the set's options say) are told plainly, without the error icon.
func trayViewOf(st syncer.Status, accounts []model.Account, errs []syncer.ItemInfo, engineOK bool) trayView {
	v := trayView{state: syncer.StateIdle, paused: st.Paused, failed: st.Failed}
	if !engineOK {
		v.state, v.line = syncer.StateError, "The sync engine does not answer"
		return v
	}
	for _, a := range accounts {
		if a.Paused {
			v.signIn = append(v.signIn, a.Name)
		}
	}
	var real, kept, stopped int
	for _, it := range errs {
		switch {
		case it.Set != "" && isSetRoot(st, it):
			stopped++
		case attention(it.Reason):
			kept++
		default:
			real++
		}
	}
	if len(errs) == 0 {
		real = st.Failed // the list was not read: trust the count
	}
	offline, active := 0, 0
	var offlineAccounts []string
	for _, s := range st.SetStates {
		if s.Paused || st.Paused {
			continue
		}
		active++
		if s.State == syncer.StateOffline {
			offline++
			if !contains(offlineAccounts, s.Account) {
				offlineAccounts = append(offlineAccounts, s.Account)
			}
		}
	}
	waiting := ""
	if st.Pending > 0 {
		waiting = " — " + plural(st.Pending, "change waits", "changes wait") + " to sync"
	}
	p := st.Progress
	switch {
	case st.Paused:
		v.state, v.line = syncer.StatePaused, "Sync paused"+waiting
	case len(v.signIn) > 0:
		v.state, v.line = syncer.StateError, "Sign-in needed for "+joinAnd(v.signIn)+waiting
	case p != nil:
		v.state = syncer.StateSyncing
		v.line = "Syncing " + plural(p.ItemsLeft, "item", "items")
		if t := timeLeft(p.ETASeconds); t != "" {
			v.line += " — " + t
		}
		v.progress = progressLine(p, 44)
		v.tooltip = "cloudsync: " + v.line + "\n" + progressLine(p, 200)
	case st.State == syncer.StateSyncing:
		v.state, v.line = syncer.StateSyncing, "Syncing…"
	case active > 0 && offline == active:
		v.state, v.line = syncer.StateOffline, "Offline: the cloud cannot be reached"+waiting
	case real > 0:
		v.state, v.line = syncer.StateError, plural(real, "item", "items")+" could not be synced"
	case stopped > 0:
		v.state, v.line = syncer.StateError, "Syncing stopped for "+plural(stopped, "folder", "folders")
	case offline > 0:
		v.line = "Offline: " + joinAnd(offlineAccounts) + " cannot be reached" + waiting
	case kept > 0:
		v.line = "Up to date — " + plural(kept, "item needs", "items need") + " a look"
	case st.Pending > 0:
		v.line = plural(st.Pending, "change waits", "changes wait") + " to sync"
	case st.Sets == 0:
		v.line = "Nothing synced yet"
	default:
		v.line = "Up to date"
	}
	if v.tooltip == "" {
		v.tooltip = "cloudsync: " + v.line
	}
	return v
}

// isSetRoot reports whether it is the root of a sync set (a set-wide stop).
func isSetRoot(st syncer.Status, it syncer.ItemInfo) bool {
	for _, s := range st.SetStates {
		if s.ID == it.Set && s.LocalRoot == it.Path {
			return true
		}
	}
	return false
}

// progressLine is the file being transferred and its bytes, shortened to n runes for the
// file name: "report.pdf — 12.0 of 40.0 MB".
func progressLine(p *syncer.Progress, n int) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	if p.File != "" {
		b.WriteString(middleEllipsis(filepath.Base(p.File), n))
	} else {
		b.WriteString(plural(p.Items-p.ItemsLeft, "item", "items") + " of " + fmt.Sprint(p.Items) + " done")
	}
	if p.TotalBytes > 0 {
		fmt.Fprintf(&b, " — %s of %s", humanBytes(p.Bytes), humanBytes(p.TotalBytes))
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// joinAnd is "a", "a and b", "a, b and c".
func joinAnd(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// buildTrayMenu builds the tray menu of SPEC §6 for a view, plus a Sign in item per account
// that needs one. Its structure changes only when such an item comes or goes: the
// progress line is always there, with an empty label (a tray hides it) while nothing
// syncs. A tray that updates labels in place then keeps an open menu open and its items'
// ids when syncing starts and ends; a rebuilt menu has new ids, and a click on an old one
// (a menu read just before) was lost.
func (u *UI) buildTrayMenu(v trayView) *fyne.Menu {
	status := fyne.NewMenuItem(v.line, nil)
	status.Disabled = true
	progress := fyne.NewMenuItem(v.progress, nil)
	progress.Disabled = true
	items := []*fyne.MenuItem{status, progress, fyne.NewMenuItemSeparator()}
	if v.paused {
		items = append(items, fyne.NewMenuItem(LabelResume, func() { u.setPaused(false) }))
	} else {
		items = append(items, fyne.NewMenuItem(LabelPause, func() { u.setPaused(true) }))
	}
	for _, a := range v.signIn {
		items = append(items, fyne.NewMenuItem(LabelSignIn(a), func() { u.gui(func() { u.showSignIn(a) }) }))
	}
	errs := fyne.NewMenuItem(LabelErrors(v.failed), func() { u.gui(func() { u.showContent(filterErrors) }) })
	errs.Disabled = v.failed == 0
	quit := fyne.NewMenuItem(LabelQuit, u.host.Quit)
	quit.IsQuit = true
	items = append(items,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(LabelSynced, func() { u.gui(func() { u.showContent(filterAll) }) }),
		errs,
		fyne.NewMenuItem(LabelPreferences, func() { u.gui(func() { u.showPrefs(tabSets) }) }),
		fyne.NewMenuItemSeparator(),
		quit,
	)
	return fyne.NewMenu("cloudsync", items...)
}

// waitLine is the tray's line when syncing waits or needs the user (offline, paused,
// sign-in needed, items not synced), for the top of Synced content; "" when all is well
// or a transfer's progress shows instead.
func (u *UI) waitLine() string {
	v := trayViewOf(u.view.st, u.view.accounts, u.view.errs, u.view.ok)
	if v.state == syncer.StateSyncing || v.line == "Up to date" || v.line == "Nothing synced yet" || !u.view.ok {
		return ""
	}
	return v.line
}

// updateTray sets the tray icon and menu for the current view, only when they change.
func (u *UI) updateTray() {
	if u.tray == nil {
		return
	}
	v := trayViewOf(u.view.st, u.view.accounts, u.view.errs, u.view.ok)
	u.setTray(v)
}

func (u *UI) setTray(v trayView) {
	key := fmt.Sprintf("%s|%s|%s|%v|%d|%v", v.state, v.line, v.progress, v.paused, v.failed, v.signIn)
	if key == u.trayKey {
		return
	}
	u.trayKey = key
	u.tray.SetSystemTrayIcon(TrayIcon(v.state))
	m := u.buildTrayMenu(v)
	// One menu object, updated in place: fyne's tray applies the menu it was first given
	// once the tray registers on D-Bus, which may happen after later updates.
	if u.trayMenu == nil {
		u.trayMenu = m
	} else {
		u.trayMenu.Items = m.Items
	}
	u.tray.SetSystemTrayMenu(u.trayMenu)
	if t, ok := u.tray.(Tooltipper); ok {
		t.SetTooltip(v.tooltip)
	}
}

// InitTray shows the tray before the app runs (a tray must exist before app.Run). Call
// it on the main goroutine.
func (u *UI) InitTray() {
	if u.tray != nil && u.trayKey == "" {
		u.setTray(trayView{state: syncer.StateIdle, line: "Starting…", tooltip: "cloudsync: starting"})
	}
}

// setPaused pauses or resumes all syncing.
func (u *UI) setPaused(paused bool) {
	u.call(func(ctx context.Context) error {
		if paused {
			return u.api.Pause(ctx, "")
		}
		return u.api.Resume(ctx, "")
	}, func(err error) {
		if err != nil {
			u.opt.Log.Warn("pause/resume failed", "err", err)
		}
		u.refreshNow()
	})
}
