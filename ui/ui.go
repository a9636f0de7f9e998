// Package ui owns the desktop app's face (SPEC §6): the tray menu and its icons, the
// Preferences window (accounts, sync sets, general settings, about), the Sync to Cloud
// dialog, the Synced content window, the Sync Info dialog, the sign-in dialog, the log
// viewer and the notifications. It is a thin client of the engine: every action goes
// through control.API (the in-process engine or a control.Client), never around it, and it
// shows what the engine reports.
//
// The app sleeps while nothing happens: it waits on the engine's event feed and re-reads
// the engine only when an event says something changed, and once a second while a
// transfer is under way (for the progress); no timer runs while idle.
//
// The package imports fyne's widget packages but not fyne.io/fyne/v2/app, so it builds
// and tests with CGO_ENABLED=0 and no display (fyne's test app); package ui/desktopapp
// runs it in a real window with a tray.
//
// It may import debugarchive, setsfile, syncer (the API types), syncer/control, syncer/model,
// syncer/remote, syncer/remote/backends, syncer/remote/limiter, syncer/remote/registry,
// syncer/remote/webdav and ui/localcloud of this module; it reaches the engine only through
// syncer/control.
package ui

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// Host is what the UI needs from the platform around it.
type Host interface {
	// OpenURL opens an http(s) address in the user's browser.
	OpenURL(ctx context.Context, url string) error
	// OpenFolder shows a local folder in the file manager.
	OpenFolder(ctx context.Context, path string) error
	// Notify shows a desktop notification; its actions run on fyne's main goroutine.
	Notify(n Notification)
	// LocalCloud starts the built-in WebDAV server on 127.0.0.1 with its files under the
	// app's data dir, keeps its password in the keyring, and returns the URL, user and
	// password for the account the UI then adds.
	LocalCloud(ctx context.Context) (url, user, password string, err error)
	// SetStartAtLogin installs or removes the autostart entry.
	SetStartAtLogin(on bool) error
	// Quit ends the app (and with it the engine it hosts).
	Quit()
}

// Notification is one desktop notification with its action buttons.
type Notification struct {
	Title, Body string
	Actions     []NotificationAction
}

// NotificationAction is a button of a notification.
type NotificationAction struct {
	Label string
	Do    func()
}

// Tray is the system tray; nil when there is none. A tray may update the labels of an
// unchanged menu in place (ui/desktopapp does, so an open menu stays open).
type Tray interface {
	SetSystemTrayMenu(menu *fyne.Menu)
	SetSystemTrayIcon(icon fyne.Resource)
}

// Tooltipper is a tray that shows a tooltip (the progress in full).
type Tooltipper interface {
	SetTooltip(s string)
}

// Options tune the UI.
type Options struct {
	Log *slog.Logger
	// Synchronous runs engine calls on the calling goroutine instead of in the background
	// (tests with fyne's test app, whose fyne.Do runs at once), and shows notifications at
	// once instead of gathering those that come close together.
	Synchronous bool
	// ProgressEvery is how often the engine is re-read while a transfer runs (default 1 s).
	ProgressEvery time.Duration
	// CallTimeout bounds one engine call (default 2 min; logins and listings go to the
	// network).
	CallTimeout time.Duration
	// GatherNotes is how long failures are gathered into one notification (default 2 s).
	GatherNotes time.Duration
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
	// LogFiles lists the engine's log files, newest first (the log viewer, the debug
	// archive).
	LogFiles func() []string
	// Version is the app's version line (cloudsync --version): About, the debug archive.
	Version string

	// Main runs f where the UI's state lives, one call at a time (nil: fyne.Do). The app
	// runs it on the calling goroutine under a lock until fyne's loop runs (no window has
	// opened yet), then on fyne's main goroutine; tests serialise it.
	Main func(func())
	// OpenGUI runs f, which opens a window, on fyne's main goroutine, starting fyne's loop
	// first when it does not run yet (nil: Main). The app starts its loop, with its 60 Hz
	// tick, only when a window is wanted.
	OpenGUI func(func())
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
	trayMenu *fyne.Menu
	trayKey  string
	view     engineView
	notify   *notifier
	prefs    *prefsWindow
	content  *contentWindow
	info     *infoWindow
	syncDlg  *syncDialog
	logView  *logWindow
	kick     chan struct{}
	settings syncer.Settings

	// The last Synced with errors read, by errorsKey; used by the refresh goroutine.
	errsMu       sync.Mutex
	errsCache    []syncer.ItemInfo
	errsCacheKey string
}

// engineView is what the UI last read from the engine.
type engineView struct {
	ok       bool // the engine answered
	st       syncer.Status
	accounts []model.Account
	errs     []syncer.ItemInfo // Synced with errors, re-read when it may have changed
	errsKey  string
}

// New returns the UI of app over api. tray may be nil.
func New(app fyne.App, api control.API, host Host, tray Tray, opt Options) *UI {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.ProgressEvery <= 0 {
		opt.ProgressEvery = time.Second
	}
	if opt.CallTimeout <= 0 {
		opt.CallTimeout = 2 * time.Minute
	}
	if opt.GatherNotes <= 0 {
		opt.GatherNotes = 2 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	u := &UI{app: app, api: api, host: host, tray: tray, opt: opt, ctx: context.Background(),
		wins: map[string]fyne.Window{}, kick: make(chan struct{}, 1)}
	u.notify = newNotifier(u)
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
	if u.opt.Synchronous {
		u.refreshAll()
		return
	}
	u.refreshNow()
	go u.followEvents(ctx)
	go u.refreshLoop(ctx)
}

// Window names ShowWindow knows; "info:PATH" and "sign-in:ACCOUNT" name Sync Info of an
// item and the sign-in window of an account.
var windowNames = []string{"preferences", "accounts", "general", "about", "sync-to-cloud", "synced", "errors", "pending", "log"}

// ShowWindow shows one of the app's windows (windowNames, "info:PATH", "sign-in:ACCOUNT").
// It is safe to call from any goroutine (the engine calls it when a second `cloudsync`
// starts).
func (u *UI) ShowWindow(name string) error {
	known := false
	for _, n := range windowNames {
		known = known || n == name
	}
	arg := ""
	if k, a, ok := strings.Cut(name, ":"); ok && (k == "info" || k == "sign-in") && a != "" {
		known, name, arg = true, k, a
	}
	if !known {
		return fmt.Errorf("no window named %q (%s, info:PATH, sign-in:ACCOUNT)", name, strings.Join(windowNames, ", "))
	}
	u.gui(func() {
		switch name {
		case "preferences":
			u.showPrefs(tabSets)
		case "accounts":
			u.showPrefs(tabAccounts)
		case "general":
			u.showPrefs(tabGeneral)
		case "about":
			u.showPrefs(tabAbout)
		case "sync-to-cloud":
			u.showSyncToCloud()
		case "synced":
			u.showContent(filterAll)
		case "errors":
			u.showContent(filterErrors)
		case "pending":
			u.showContent(filterPending)
		case "log":
			u.showLog()
		case "info":
			u.showInfo(arg)
		case "sign-in":
			u.showSignIn(arg)
		}
	})
	return nil
}

// Window returns an open window by name, for tests and the app ("preferences",
// "sync-to-cloud", "synced", "info", "sign-in", "log"); nil when it is not open.
func (u *UI) Window(name string) fyne.Window { return u.wins[name] }

// Windows returns the open windows (the uicheck run looks at each).
func (u *UI) Windows() []fyne.Window {
	out := make([]fyne.Window, 0, len(u.wins))
	for _, w := range u.wins {
		out = append(out, w)
	}
	return out
}

// do runs f on fyne's main goroutine.
func (u *UI) do(f func()) {
	if u.opt.Synchronous {
		f()
		return
	}
	u.main(f)
}

// main runs f on fyne's main goroutine, also in Synchronous mode; not once the UI's
// context ended (the app is quitting: the driver may have stopped, and f would run on the
// calling goroutine).
func (u *UI) main(f func()) {
	g := func() {
		if u.ctx.Err() == nil {
			f()
		}
	}
	if u.opt.Main != nil {
		u.opt.Main(g)
		return
	}
	fyne.Do(g)
}

// gui runs f, which opens a window: on fyne's main goroutine once its loop runs (see
// Options.OpenGUI), at once when Synchronous.
func (u *UI) gui(f func()) {
	if u.opt.Synchronous || u.opt.OpenGUI == nil {
		u.do(f)
		return
	}
	u.opt.OpenGUI(func() {
		if u.ctx.Err() == nil {
			f()
		}
	})
}

// call runs work with a bounded context in the background (or at once when Synchronous),
// then done on the main goroutine with its error; a nil done logs errors. Nothing runs on
// the main goroutine once the UI's context ended (the app is quitting).
func (u *UI) call(work func(ctx context.Context) error, done func(error)) {
	run := func() {
		ctx, cancel := context.WithTimeout(u.ctx, u.opt.CallTimeout)
		err := work(ctx)
		cancel()
		if u.ctx.Err() != nil && !u.opt.Synchronous {
			return
		}
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
	// Ctrl+W closes any window; Escape closes the small ones (GNOME HIG).
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { w.Close() })
	if name == "info" || name == "sign-in" || name == "log" || name == "sync-to-cloud" {
		w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
			if k.Name == fyne.KeyEscape {
				w.Close()
			}
		})
	}
	build(w)
	w.Show()
	return w
}

// refreshNow asks for a re-read of the engine (tray and open windows).
func (u *UI) refreshNow() {
	if u.opt.Synchronous {
		u.refreshAll()
		return
	}
	select {
	case u.kick <- struct{}{}:
	default:
	}
}

// refreshLoop re-reads the engine when kicked (an event, an action), and every
// ProgressEvery while a transfer runs; while idle it only waits.
func (u *UI) refreshLoop(ctx context.Context) {
	var again <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-u.kick:
		case <-again:
		}
		v := u.readEngine(ctx)
		if ctx.Err() != nil {
			return
		}
		u.main(func() { u.apply(v, false) })
		switch {
		case !v.ok:
			again = time.After(5 * time.Second) // the engine did not answer: try again
		case v.st.Progress != nil || v.st.State == syncer.StateSyncing:
			again = time.After(u.opt.ProgressEvery)
		default:
			again = nil
		}
	}
}

// refreshAll re-reads the engine and updates the tray and the open windows (Synchronous
// mode and tests).
func (u *UI) refreshAll() {
	u.apply(u.readEngine(u.ctx), true)
}

// readEngine reads the status and the accounts, and Synced with errors when the failures
// may have changed (another count or set states than last time). It may run on any
// goroutine; it does not touch the UI.
func (u *UI) readEngine(ctx context.Context) engineView {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var v engineView
	st, err := u.api.Status(ctx)
	if err != nil {
		v.st = syncer.Status{State: syncer.StateError}
		return v
	}
	v.ok, v.st = true, st
	v.accounts, _ = u.api.ListAccounts(ctx)
	v.errsKey = errorsKey(st)
	u.errsMu.Lock()
	cached, cachedKey := u.errsCache, u.errsCacheKey
	u.errsMu.Unlock()
	if cachedKey == v.errsKey {
		v.errs = cached
	} else if hasErrors(st) {
		v.errs, _ = u.api.ListItems(ctx, true)
		u.errsMu.Lock()
		u.errsCache, u.errsCacheKey = v.errs, v.errsKey
		u.errsMu.Unlock()
	}
	return v
}

// forgetErrors makes the next read fetch Synced with errors again (an event said an
// item failed or recovered).
func (u *UI) forgetErrors() {
	u.errsMu.Lock()
	u.errsCache, u.errsCacheKey = nil, "-"
	u.errsMu.Unlock()
}

// hasErrors reports whether Synced with errors lists anything: failed items or stopped sets.
func hasErrors(st syncer.Status) bool {
	if st.Failed > 0 {
		return true
	}
	for _, s := range st.SetStates {
		if s.Error != "" || s.PendingDeletes > 0 {
			return true
		}
	}
	return false
}

// errorsKey changes when Synced with errors may have changed.
func errorsKey(st syncer.Status) string {
	k := fmt.Sprint(st.Failed)
	for _, s := range st.SetStates {
		k += fmt.Sprintf("|%s:%d:%s:%d", s.ID, s.Failed, s.Error, s.PendingDeletes)
	}
	return k
}

// apply shows a new view in the tray and the open windows. full also reloads the open
// lists (an event said something changed); a progress tick only updates progress.
func (u *UI) apply(v engineView, full bool) {
	u.view = v
	u.updateTray()
	if u.prefs != nil {
		u.prefs.showView(v, full)
	}
	if u.content != nil {
		u.content.showProgress(v.st.Progress, u.waitLine())
		if full {
			u.content.reload()
		}
	}
	if full && u.info != nil {
		u.info.reload()
	}
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
		cctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
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
		if len(evs) > 0 {
			u.handleEvents(evs)
		}
	}
}

// handleEvents gathers the notifications of evs (when the setting allows) and refreshes
// the tray and the open windows.
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
		if ev.Kind == "failure" {
			u.forgetErrors()
		}
	}
	u.do(func() {
		for _, ev := range evs {
			u.notify.add(ev, enabled)
		}
		u.notify.schedule()
	})
	if u.opt.Synchronous {
		u.refreshAll()
		return
	}
	v := u.readEngine(u.ctx)
	if u.ctx.Err() == nil {
		u.main(func() { u.apply(v, true) })
	}
	u.refreshNow() // keeps the progress ticking when a pass started
}
