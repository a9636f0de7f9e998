// Package desktopapp runs the desktop UI (package ui) in a real fyne app: the windows, the
// tray (StatusNotifierItem on Linux), desktop notifications, the local cloud server and
// the autostart entry. It is the only package that imports fyne.io/fyne/v2/app (cgo,
// OpenGL); everything testable lives in package ui.
package desktopapp

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/ui"
	"github.com/cloudsync/cloudsync/ui/autostart"
	"github.com/cloudsync/cloudsync/ui/localcloud"
)

// AppID is the app's unique id (also its desktop file id and icon name).
const AppID = "io.github.cloudsync.cloudsync"

// Config wires the app.
type Config struct {
	// API is the engine (in-process) or a control.Client.
	API control.API
	// Secrets holds the local cloud's password (the OS keyring).
	Secrets localcloud.Secrets
	// DataDir is the app's data folder; the local cloud keeps its files in
	// DataDir/localcloud.
	DataDir string
	// OpenURL opens an address in the browser (honouring $BROWSER).
	OpenURL func(ctx context.Context, url string) error
	// Exe is the executable the autostart entry starts.
	Exe    string
	Getenv func(string) string
	Log    *slog.Logger
	// LogFiles lists the engine's log files, newest first; Version is the app's version
	// line (both for the debug archive in Preferences).
	LogFiles func() []string
	Version  string
	// OnReady receives the UI's ShowWindow once the app runs (the engine's ShowWindow
	// seam, for a second `cloudsync` start).
	OnReady func(show func(name string) error)
}

// Run runs the app until the user quits or ctx ends. It must be called on the main
// goroutine.
func Run(ctx context.Context, cfg Config) error {
	a := app.NewWithID(AppID)
	a.SetIcon(ui.AppIcon())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	h := &host{a: a, cfg: cfg, local: localcloud.Local{Dir: filepath.Join(cfg.DataDir, "localcloud"), Secrets: cfg.Secrets}}
	defer h.close()
	if h.local.Exists() {
		if srv, err := h.local.Open(); err != nil {
			cfg.Log.Warn("local cloud not started", "err", err)
		} else {
			h.srv = srv
			cfg.Log.Info("local cloud started", "url", srv.URL)
		}
	}
	tray, _ := a.(desktop.App)
	var t ui.Tray
	if tray != nil {
		t = tray
	}
	u := ui.New(a, cfg.API, h, t, ui.Options{Log: cfg.Log, LogFiles: cfg.LogFiles, Version: cfg.Version})
	u.InitTray()
	a.Lifecycle().SetOnStarted(func() {
		u.Start(ctx)
		if cfg.OnReady != nil {
			cfg.OnReady(u.ShowWindow)
		}
	})
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	a.Run()
	return nil
}

// host is ui.Host over the fyne app.
type host struct {
	a     fyne.App
	cfg   Config
	local localcloud.Local

	mu  sync.Mutex
	srv *localcloud.Server
}

func (h *host) OpenURL(ctx context.Context, url string) error { return h.cfg.OpenURL(ctx, url) }

func (h *host) Notify(title, body string) {
	h.a.SendNotification(fyne.NewNotification(title, body))
}

func (h *host) Quit() { h.a.Quit() }

func (h *host) SetStartAtLogin(on bool) error { return autostart.Set(on, h.cfg.Exe, h.cfg.Getenv) }

// LocalCloud starts the local cloud (creating it on first use) and returns its account
// data; the password is in the keyring and travels only to AddAccount.
func (h *host) LocalCloud(ctx context.Context) (string, string, string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.srv != nil {
		pw, err := h.cfg.Secrets.Get(localcloud.AccountName)
		if err == nil {
			return h.srv.URL, localcloud.User, pw, nil
		}
		h.closeLocked()
	}
	srv, pw, err := h.local.Create()
	if err != nil {
		return "", "", "", err
	}
	h.srv = srv
	h.cfg.Log.Info("local cloud created", "url", srv.URL, "files", filepath.Join(h.local.Dir, "files"))
	return srv.URL, localcloud.User, pw, nil
}

func (h *host) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closeLocked()
}

func (h *host) closeLocked() {
	if h.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	h.srv.Close(ctx)
	h.srv = nil
}
