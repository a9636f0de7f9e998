// Package desktopapp runs the desktop UI (package ui) in a real fyne app: the windows, the
// tray (a StatusNotifierItem on Linux), desktop notifications with actions, and the
// autostart entry. It is the only package that imports fyne.io/fyne/v2/app (cgo,
// OpenGL); everything testable lives in package ui.
//
// The app stays light while no window is open: on Linux the tray and the notifications
// talk D-Bus directly, so no OpenGL context (with its driver's tens of megabytes) exists
// until the first window opens, and an unshown window keeps the app running when the
// last real one closes.
package desktopapp

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/ui"
	"github.com/cloudsync/cloudsync/ui/autostart"
	"github.com/cloudsync/cloudsync/ui/localcloud"
)

// AppID is the app's unique id (also its desktop file id and icon name).
const AppID = "io.github.cloudsync.cloudsync"

// AppName is how the app names itself to people (notifications, the tray).
const AppName = "cloudsync"

// Config wires the app.
type Config struct {
	// API is the engine (in-process) or a control.Client.
	API control.API
	// LocalCloud is the local cloud the host runs (started with the engine when it was
	// set up before); "Try it with a local cloud" creates it.
	LocalCloud *localcloud.Service
	// OpenURL opens an address in the browser (honouring $BROWSER).
	OpenURL func(ctx context.Context, url string) error
	// Exe is the executable the autostart entry starts.
	Exe    string
	Getenv func(string) string
	Log    *slog.Logger
	// LogFiles lists the engine's log files, newest first; Version is the app's version
	// line (About, the log viewer, the debug archive in Preferences).
	LogFiles func() []string
	Version  string
	// OnReady receives the UI's ShowWindow once the app runs (the engine's ShowWindow
	// seam, for a second `cloudsync` start).
	OnReady func(show func(name string) error)
}

// Run runs the app until the user quits or ctx ends. It must be called on the main
// goroutine.
func Run(ctx context.Context, cfg Config) error {
	ensureCacheDir(cfg.Log)
	a := app.NewWithID(AppID)
	a.SetIcon(ui.AppIcon())
	// The UI's goroutines stop before the driver does: once it stopped, a call they would
	// hand to the main goroutine would run on their own (fyne's "Error in Fyne call
	// thread" on quit).
	uiCtx, stopUI := context.WithCancel(ctx)
	defer stopUI()
	a.Lifecycle().SetOnStopped(stopUI)

	h := &host{a: a, cfg: cfg, stopUI: stopUI}
	// An unshown window: fyne quits when its last window closes, and the tray app must
	// not. It has no OpenGL context (a window gets one when first shown).
	a.NewWindow(AppName)
	tray := newTray(a, cfg.Log)
	h.notes = newNotifier(a, cfg.Log)
	u := ui.New(a, cfg.API, h, tray, ui.Options{Log: cfg.Log, LogFiles: cfg.LogFiles, Version: cfg.Version})
	u.InitTray()
	a.Lifecycle().SetOnStarted(func() {
		tray.start()
		u.Start(uiCtx)
		startUICheck(uiCtx, u, cfg.Getenv, cfg.Log)
		if cfg.OnReady != nil {
			cfg.OnReady(u.ShowWindow)
		}
	})
	go func() {
		<-ctx.Done()
		h.Quit()
	}()
	a.Run()
	h.quit.Do(func() {}) // a later ctx end must not reach the stopped driver
	stopUI()
	tray.stop()
	h.notes.close()
	return nil
}

// ensureCacheDir creates the user's cache folder (~/.cache), which fyne expects to
// exist: on a fresh HOME it logged "Failed to create fyne cache space" otherwise.
func ensureCacheDir(log *slog.Logger) {
	if dir, err := os.UserCacheDir(); err == nil {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			log.Warn("cannot create the cache folder", "dir", dir, "err", err)
		}
	}
}

// host is ui.Host over the fyne app.
type host struct {
	a      fyne.App
	cfg    Config
	notes  notifier
	stopUI context.CancelFunc
	quit   sync.Once
}

func (h *host) OpenURL(ctx context.Context, url string) error { return h.cfg.OpenURL(ctx, url) }

// OpenFolder shows a folder in the file manager (xdg-open; the folder's own application
// elsewhere).
func (h *host) OpenFolder(ctx context.Context, dir string) error {
	cmd := exec.Command(openCommand, dir)
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() //nolint:errcheck // the file manager runs on; only its start matters
	return nil
}

func (h *host) Notify(n ui.Notification) { h.notes.Notify(n) }

// Quit stops the UI's goroutines, then the app (on the main goroutine).
func (h *host) Quit() {
	h.quit.Do(func() {
		h.stopUI()
		fyne.Do(h.a.Quit)
	})
}

func (h *host) SetStartAtLogin(on bool) error { return autostart.Set(on, h.cfg.Exe, h.cfg.Getenv) }

// LocalCloud starts the local cloud (creating it on first use) and returns its account
// data; the password is in the keyring and travels only to AddAccount.
func (h *host) LocalCloud(ctx context.Context) (string, string, string, error) {
	return h.cfg.LocalCloud.Ensure()
}

// notifier shows desktop notifications.
type notifier interface {
	Notify(n ui.Notification)
	close()
}

// trayer is the system tray the app runs.
type trayer interface {
	ui.Tray
	start()
	stop()
}
