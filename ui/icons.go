package ui

import (
	"embed"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

//go:embed icons/*.svg
var iconFS embed.FS

func iconResource(name string) fyne.Resource {
	b, err := iconFS.ReadFile("icons/" + name + ".svg")
	if err != nil {
		return theme.BrokenImageIcon()
	}
	return fyne.NewStaticResource("cloudsync-"+name+".svg", b)
}

// AppIcon is the application icon (a cloud with sync arrows).
func AppIcon() fyne.Resource { return iconResource("app") }

// TrayIcon returns the tray icon of an engine state (SPEC §6: in sync, syncing, paused,
// error, offline); unknown states show the error icon.
func TrayIcon(state string) fyne.Resource {
	switch state {
	case syncer.StateIdle:
		return iconResource("insync")
	case syncer.StateSyncing:
		return iconResource("syncing")
	case syncer.StatePaused:
		return iconResource("paused")
	case syncer.StateOffline:
		return iconResource("offline")
	}
	return iconResource("error")
}

// statusIcon is the icon of an item's status in lists: a check when synced, arrows while
// waiting or syncing, pause, a warning for what happened as the set's options say (a
// cloud delete kept here), an error for what could not be synced.
func statusIcon(it syncer.ItemInfo) fyne.Resource {
	switch it.Status {
	case model.StatusSynced:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case model.StatusSyncing, model.StatusPending:
		return theme.NewPrimaryThemedResource(theme.ViewRefreshIcon())
	case model.StatusPaused:
		return theme.NewWarningThemedResource(theme.MediaPauseIcon())
	case model.StatusLocalOnly, model.StatusExcluded:
		return theme.InfoIcon()
	}
	if attention(it.Reason) {
		return theme.NewWarningThemedResource(theme.WarningIcon())
	}
	return theme.NewErrorThemedResource(theme.ErrorIcon())
}
