package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"

	"github.com/cloudsync/cloudsync/syncer"
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

// StatusLine is the tray menu's first, informative line.
func StatusLine(st syncer.Status) string {
	var s string
	switch st.State {
	case syncer.StateIdle:
		s = "In sync"
	case syncer.StateSyncing:
		s = fmt.Sprintf("Syncing %d item(s)…", max(st.Syncing, st.Pending))
	case syncer.StatePaused:
		s = "Sync paused"
	case syncer.StateOffline:
		s = "Offline: the cloud cannot be reached"
	case syncer.StateError:
		s = "Sync problem"
		if st.Failed > 0 {
			s = fmt.Sprintf("%d item(s) could not be synced", st.Failed)
		}
	default:
		s = st.State
	}
	if st.Message != "" && st.State != syncer.StateIdle {
		s += " — " + st.Message
	} else if st.Message != "" && st.Sets == 0 {
		s = st.Message
	}
	return s
}

// trayActions are what the tray menu items do.
type trayActions struct {
	pause, resume, synced, errors, prefs, quit func()
}

// trayMenu builds the tray menu of SPEC §6 for a status.
func trayMenu(st syncer.Status, a trayActions) *fyne.Menu {
	status := fyne.NewMenuItem(StatusLine(st), nil)
	status.Disabled = true
	toggle := fyne.NewMenuItem(LabelPause, a.pause)
	if st.Paused {
		toggle = fyne.NewMenuItem(LabelResume, a.resume)
	}
	errs := fyne.NewMenuItem(LabelErrors(st.Failed), a.errors)
	errs.Disabled = st.Failed == 0
	quit := fyne.NewMenuItem(LabelQuit, a.quit)
	quit.IsQuit = true
	return fyne.NewMenu("cloudsync",
		status,
		fyne.NewMenuItemSeparator(),
		toggle,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(LabelSynced, a.synced),
		errs,
		fyne.NewMenuItem(LabelPreferences, a.prefs),
		fyne.NewMenuItemSeparator(),
		quit,
	)
}

// updateTray sets the tray icon and menu for st, only when they change (a refreshed menu
// gets new item ids on D-Bus, and a menu open at that moment would close).
func (u *UI) updateTray(st syncer.Status) {
	if u.tray == nil {
		return
	}
	state := st.State
	if st.Paused {
		state = syncer.StatePaused
	}
	key := fmt.Sprintf("%s|%v|%d|%s", state, st.Paused, st.Failed, StatusLine(st))
	if key == u.trayKey {
		return
	}
	u.trayKey = key
	u.tray.SetSystemTrayIcon(TrayIcon(state))
	m := trayMenu(st, trayActions{
		pause:  func() { u.setPaused(true) },
		resume: func() { u.setPaused(false) },
		synced: func() { u.showContent(false) },
		errors: func() { u.showContent(true) },
		prefs:  func() { u.showPrefs(tabSets) },
		quit:   u.host.Quit,
	})
	// One menu object, updated in place: fyne's tray applies the menu it was first given
	// once the tray registers on D-Bus, which may happen after later updates.
	if u.trayMenu == nil {
		u.trayMenu = m
	} else {
		u.trayMenu.Items = m.Items
	}
	u.tray.SetSystemTrayMenu(u.trayMenu)
}

// InitTray shows the tray before the app runs (fyne starts its tray only when the tray was
// set before app.Run). Call it on the main goroutine.
func (u *UI) InitTray() {
	u.updateTray(syncer.Status{State: syncer.StateIdle, Message: "Starting…"})
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
