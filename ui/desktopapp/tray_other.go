//go:build !linux || android

package desktopapp

import (
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// openCommand opens a folder in the system's file manager.
var openCommand = map[bool]string{true: "open", false: "explorer"}[isDarwin]

// fyneTray is fyne's own tray (Windows, macOS), which needs fyne's main loop there.
type fyneTray struct {
	desktop.App
	menu *fyne.Menu // the one menu given to fyne, updated in place
}

func newTray(a fyne.App, log *slog.Logger, run func(func())) trayer {
	d, ok := a.(desktop.App)
	if !ok {
		return noTray{}
	}
	return &fyneTray{App: d}
}

// SetSystemTrayMenu shows m without its hidden items (an empty label: the progress line
// while nothing syncs).
func (t *fyneTray) SetSystemTrayMenu(m *fyne.Menu) {
	var items []*fyne.MenuItem
	for _, it := range m.Items {
		if it.IsSeparator || it.Label != "" {
			items = append(items, it)
		}
	}
	if t.menu == nil {
		t.menu = fyne.NewMenu(m.Label)
	}
	t.menu.Items = items
	t.App.SetSystemTrayMenu(t.menu)
}

func (*fyneTray) start()          {}
func (*fyneTray) stop()           {}
func (*fyneTray) needsLoop() bool { return true } // fyne's tray runs in its loop

// noTray is a platform without a tray.
type noTray struct{}

func (noTray) SetSystemTrayMenu(*fyne.Menu)    {}
func (noTray) SetSystemTrayIcon(fyne.Resource) {}
func (noTray) start()                          {}
func (noTray) stop()                           {}
func (noTray) needsLoop() bool                 { return false }
