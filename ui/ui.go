// Package ui owns the desktop app's face (SPEC §6): the tray menu and its icons, the
// Preferences window (accounts, sync sets, general settings), the Sync to Cloud dialog,
// the Synced content window, the Sync Info dialog and the notifications. It is a thin
// client of the engine: every action goes through control.API (the in-process engine or a
// control.Client), never around it.
//
// The package imports fyne's widget packages but not fyne.io/fyne/v2/app, so it builds
// and tests with CGO_ENABLED=0 and no display (fyne's test app); package ui/desktopapp
// runs it in a real window with a tray.
package ui

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
)

// Host is what the UI needs from the platform around it.
type Host interface {
	// OpenURL opens an http(s) address in the user's browser.
	OpenURL(ctx context.Context, url string) error
	// Notify shows a desktop notification.
	Notify(title, body string)
	// LocalCloud starts the built-in WebDAV server on 127.0.0.1 with its files under the
	// app's data dir, keeps its password in the keyring, and returns the URL, user and
	// password for the account the UI then adds.
	LocalCloud(ctx context.Context) (url, user, password string, err error)
	// SetStartAtLogin installs or removes the autostart entry.
	SetStartAtLogin(on bool) error
	// Quit ends the app (and with it the engine it hosts).
	Quit()
}

// Tray is the system tray (fyne's desktop.App); nil when there is none.
type Tray interface {
	SetSystemTrayMenu(menu *fyne.Menu)
	SetSystemTrayIcon(icon fyne.Resource)
}

// Options tune the UI.
type Options struct {
	Log *slog.Logger
	// Synchronous runs engine calls on the calling goroutine instead of in the background
	// (tests with fyne's test app, whose fyne.Do runs at once).
	Synchronous bool
	// RefreshEvery is how often the tray and open windows re-read the engine besides
	// reacting to events (default 3 s).
	RefreshEvery time.Duration
	// CallTimeout bounds one engine call (default 2 min; logins and listings go to the
	// network).
	CallTimeout time.Duration
	// LogFiles lists the engine's log files, newest first, for the debug archive.
	LogFiles func() []string
	// Version is the app's version line (cloudsync --version), for the debug archive.
	Version string
}

// UI is the running desktop UI. Its windows are created on demand and touched only on
// fyne's main goroutine.
type UI struct {
	app  fyne.App
	api  control.API
	host Host
	tray Tray
	opt  Options
	ctx  context.Context

	wins     map[string]fyne.Window
	trayKey  string
	trayMenu *fyne.Menu
	status   syncer.Status
	notify   *notifier
	prefs    *prefsWindow
	content  *contentWindow
	syncDlg  *syncDialog
	refresh  chan struct{}
	settings syncer.Settings
}

// New returns the UI of app over api. tray may be nil.
func New(app fyne.App, api control.API, host Host, tray Tray, opt Options) *UI {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.RefreshEvery <= 0 {
		opt.RefreshEvery = 3 * time.Second
	}
	if opt.CallTimeout <= 0 {
		opt.CallTimeout = 2 * time.Minute
	}
	u := &UI{app: app, api: api, host: host, tray: tray, opt: opt, ctx: context.Background(),
		wins: map[string]fyne.Window{}, refresh: make(chan struct{}, 1)}
	u.notify = newNotifier(host.Notify)
	u.settings.Notifications = true
	return u
}

// Start shows the tray, opens account setup when there is no account yet (first run),
// and, unless Synchronous, follows the engine's events until ctx ends.
func (u *UI) Start(ctx context.Context) {
	u.ctx = ctx
	u.InitTray()
	u.call(func(ctx context.Context) error {
		accts, err := u.api.ListAccounts(ctx)
		if err != nil {
			return err
		}
		if s, err := u.api.GetSettings(ctx); err == nil {
			u.do(func() { u.settings = s })
		}
		if len(accts) == 0 {
			u.do(func() { u.ShowWindow("accounts") })
		}
		return nil
	}, nil)
	u.refreshNow()
	if !u.opt.Synchronous {
		go u.followEvents(ctx)
		go u.refreshLoop(ctx)
	}
}

// ShowWindow shows one of the app's windows: "preferences", "accounts", "sync-to-cloud",
// "synced" or "errors". It is safe to call from any goroutine (the engine calls it when a
// second `cloudsync` starts).
func (u *UI) ShowWindow(name string) error {
	switch name {
	case "preferences", "accounts", "sync-to-cloud", "synced", "errors":
	default:
		return fmt.Errorf("no window named %q (preferences, accounts, sync-to-cloud, synced, errors)", name)
	}
	u.do(func() {
		switch name {
		case "preferences":
			u.showPrefs(tabSets)
		case "accounts":
			u.showPrefs(tabAccounts)
		case "sync-to-cloud":
			u.showSyncToCloud()
		case "synced":
			u.showContent(false)
		case "errors":
			u.showContent(true)
		}
	})
	return nil
}

// Window returns an open window by name, for tests and the app ("preferences",
// "sync-to-cloud", "synced", "info"); nil when it is not open.
func (u *UI) Window(name string) fyne.Window { return u.wins[name] }

// do runs f on fyne's main goroutine.
func (u *UI) do(f func()) {
	if u.opt.Synchronous {
		f()
		return
	}
	fyne.Do(f)
}

// call runs work with a bounded context in the background (or at once when Synchronous),
// then done on the main goroutine with its error; a nil done shows errors in a dialog of
// the focused window or logs them.
func (u *UI) call(work func(ctx context.Context) error, done func(error)) {
	run := func() {
		ctx, cancel := context.WithTimeout(u.ctx, u.opt.CallTimeout)
		err := work(ctx)
		cancel()
		u.do(func() {
			if done != nil {
				done(err)
			} else if err != nil {
				u.opt.Log.Warn("engine call failed", "err", err)
			}
		})
	}
	if u.opt.Synchronous {
		run()
		return
	}
	go run()
}

// window returns the named window, creating it with build when it is not open, and
// shows it on top.
func (u *UI) window(name, title string, size fyne.Size, build func(w fyne.Window)) fyne.Window {
	if w, ok := u.wins[name]; ok {
		w.Show()
		w.RequestFocus()
		return w
	}
	w := u.app.NewWindow(title)
	w.Resize(size)
	w.SetOnClosed(func() { delete(u.wins, name) })
	u.wins[name] = w
	build(w)
	w.Show()
	return w
}

// refreshNow asks for a refresh of the tray and the open windows.
func (u *UI) refreshNow() {
	if u.opt.Synchronous {
		u.refreshAll()
		return
	}
	select {
	case u.refresh <- struct{}{}:
	default:
	}
}

func (u *UI) refreshLoop(ctx context.Context) {
	t := time.NewTicker(u.opt.RefreshEvery)
	defer t.Stop()
	for {
		u.refreshAll()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-u.refresh:
		}
	}
}

// refreshAll re-reads the status (tray) and refreshes the open lists.
func (u *UI) refreshAll() {
	u.call(func(ctx context.Context) error {
		st, err := u.api.Status(ctx)
		if err != nil {
			st = syncer.Status{State: syncer.StateError, Message: "The sync engine does not answer"}
		}
		u.do(func() {
			u.status = st
			u.updateTray(st)
			if u.prefs != nil {
				u.prefs.reload()
			}
			if u.content != nil {
				u.content.reload()
			}
		})
		return nil
	}, nil)
}

// followEvents long-polls the engine's events: notifications and refreshes.
func (u *UI) followEvents(ctx context.Context) {
	// An "after" beyond the last seq answers at once with the last seq: events from before
	// the app started are not announced.
	var after int64 = -1
	for ctx.Err() == nil && after < 0 {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, last, err := u.api.Events(cctx, math.MaxInt64)
		cancel()
		if err == nil {
			after = last
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
	for ctx.Err() == nil {
		cctx, cancel := context.WithTimeout(ctx, 25*time.Second)
		evs, last, err := u.api.Events(cctx, after)
		cancel()
		if err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Second):
			}
			continue
		}
		after = last
		u.handleEvents(evs)
	}
}

// handleEvents shows the notifications of evs (when the setting allows) and refreshes.
func (u *UI) handleEvents(evs []syncer.Event) {
	if len(evs) == 0 {
		return
	}
	enabled := true
	ctx, cancel := context.WithTimeout(u.ctx, 5*time.Second)
	if s, err := u.api.GetSettings(ctx); err == nil {
		enabled = s.Notifications
	}
	cancel()
	for _, ev := range evs {
		u.notify.handle(ev, enabled)
	}
	u.refreshNow()
}

// shortPath shows a long path by its last elements.
func shortPath(p string, max int) string {
	if len(p) <= max {
		return p
	}
	parts := strings.Split(p, "/")
	out := parts[len(parts)-1]
	for i := len(parts) - 2; i >= 0; i-- {
		if len(out)+len(parts[i])+5 > max {
			break
		}
		out = parts[i] + "/" + out
	}
	return "…/" + out
}
