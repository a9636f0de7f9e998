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
type fyneTray struct{ desktop.App }

func newTray(a fyne.App, log *slog.Logger, run func(func())) trayer {
	d, ok := a.(desktop.App)
	if !ok {
		return noTray{}
	}
	return fyneTray{d}
}

func (fyneTray) start()          {}
func (fyneTray) stop()           {}
func (fyneTray) needsLoop() bool { return true } // fyne's tray runs in its loop

// noTray is a platform without a tray.
type noTray struct{}

func (noTray) SetSystemTrayMenu(*fyne.Menu)    {}
func (noTray) SetSystemTrayIcon(fyne.Resource) {}
func (noTray) start()                          {}
func (noTray) stop()                           {}
func (noTray) needsLoop() bool                 { return false }
