// Package desktopapp runs the desktop UI (package ui) in a real fyne app: the windows, the
// tray (a StatusNotifierItem on Linux), desktop notifications with actions, and the
// autostart entry. It is the only package that imports fyne.io/fyne/v2/app (cgo,
// OpenGL); everything testable lives in package ui.
//
// The app stays light while no window is open: on Linux the tray and the notifications
// talk D-Bus directly, so no OpenGL context (with its driver's tens of megabytes) exists
// until the first window opens, and an unshown window keeps the app running when the
// last real one closes.
//
// It may import syncer/control, ui, ui/autostart and ui/localcloud of this module.
package desktopapp

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"

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
//
// fyne's loop (with its 60 Hz tick, about 1 % of a core even with no window) starts only
// when a window is wanted: until then the tray, the notifications and the UI's state run
// on other goroutines, one at a time (lazyMain), and the main goroutine waits.
func Run(ctx context.Context, cfg Config) error {
	ensureCacheDir(cfg.Log)
	a := app.NewWithID(AppID)
	a.SetIcon(ui.AppIcon())
	// The UI's goroutines stop before the driver does: once it stopped, a call they would
	// hand to the main goroutine would run on their own (fyne's "Error in Fyne call
	// thread" on quit). Quit stops them first, and ctx (a signal) ends them too. No
	// OnStopped callback: fyne 2.8.1 queues it as its loop ends (glfw/loop.go runGL), and
	// when its goroutine hands it to the loop after the loop's last drain, it never runs
	// and a.Run waits for it forever (Lifecycle.WaitForEvents).
	uiCtx, stopUI := context.WithCancel(ctx)
	defer stopUI()

	lazy := newLazyMain()
	h := &host{a: a, cfg: cfg, stopUI: stopUI, lazy: lazy, quitting: make(chan struct{})}
	// An unshown window: fyne quits when its last window closes, and the tray app must
	// not. It has no OpenGL context (a window gets one when first shown).
	a.NewWindow(AppName)
	tray := newTray(a, cfg.Log, lazy.do)
	h.notes = newNotifier(a, cfg.Log, lazy.do)
	u := ui.New(a, cfg.API, h, tray, ui.Options{Log: cfg.Log, LogFiles: cfg.LogFiles, Version: cfg.Version,
		Main: lazy.do, OpenGUI: lazy.gui})
	u.InitTray()
	tray.start()
	if tray.needsLoop() {
		lazy.once.Do(func() { close(lazy.start) })
	}
	u.Start(uiCtx)
	startUICheck(uiCtx, u, lazy.do, cfg.Getenv, cfg.Log)
	if cfg.OnReady != nil {
		cfg.OnReady(u.ShowWindow)
	}
	go func() {
		<-ctx.Done()
		h.Quit()
	}()
	select {
	case <-lazy.start:
		lazy.run()
		if h.startLoop() {
			a.Run()
		}
	case <-h.quitting:
	}
	h.quit.Do(func() {}) // a later ctx end must not reach the stopped driver
	stopUI()
	tray.stop()
	h.notes.close()
	return nil
}

// lazyMain is where the UI's state lives: before fyne's loop runs, the calling goroutine
// under a lock (no window exists, so no fyne widget is touched); once it runs, fyne's main
// goroutine.
type lazyMain struct {
	mu      sync.Mutex
	running atomic.Bool
	start   chan struct{} // closed when a window is wanted
	ran     chan struct{} // closed once the loop takes the calls
	once    sync.Once
}

func newLazyMain() *lazyMain {
	return &lazyMain{start: make(chan struct{}), ran: make(chan struct{})}
}

// do runs f where the UI's state lives (ui.Options.Main).
func (l *lazyMain) do(f func()) {
	if l.running.Load() {
		fyne.Do(f)
		return
	}
	l.mu.Lock()
	if l.running.Load() {
		l.mu.Unlock()
		fyne.Do(f)
		return
	}
	defer l.mu.Unlock()
	f()
}

// gui runs f, which opens a window, on fyne's main goroutine, starting the loop first
// (ui.Options.OpenGUI). It never waits: f is queued for the loop.
func (l *lazyMain) gui(f func()) {
	if l.running.Load() {
		fyne.Do(f)
		return
	}
	l.once.Do(func() { close(l.start) })
	go func() {
		<-l.ran
		fyne.Do(f)
	}()
}

// run hands the calls to fyne's loop (which a.Run starts next, taking the queued ones).
func (l *lazyMain) run() {
	l.mu.Lock()
	l.running.Store(true)
	l.mu.Unlock()
	close(l.ran)
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
	a        fyne.App
	cfg      Config
	notes    notifier
	stopUI   context.CancelFunc
	lazy     *lazyMain
	quit     sync.Once
	quitMu   sync.Mutex
	looping  bool          // fyne's loop was started (guarded by quitMu)
	quitting chan struct{} // closed by Quit before fyne's loop started
}

// startLoop records that fyne's loop starts, unless Quit came first.
func (h *host) startLoop() bool {
	h.quitMu.Lock()
	defer h.quitMu.Unlock()
	select {
	case <-h.quitting:
		return false
	default:
	}
	h.looping = true
	return true
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

// Quit stops the UI's goroutines, then the app: fyne's loop when it runs, else the wait
// of the main goroutine.
//
// The loop is ended with the driver's Quit, not the app's: on SIGTERM or SIGINT fyne ends
// its loop by itself too (glfw driver catchTerm), and a call queued after that runs on the
// calling goroutine; the app's Quit would then close windows of a terminated GLFW, the
// driver's does nothing a second time.
func (h *host) Quit() {
	h.quit.Do(func() {
		h.cfg.Log.Info("quitting")
		h.stopUI()
		h.quitMu.Lock()
		defer h.quitMu.Unlock()
		if h.looping {
			fyne.Do(h.a.Driver().Quit) // runs once the loop takes its queue
		} else {
			close(h.quitting)
		}
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

// trayer is the system tray the app runs; needsLoop says it needs fyne's loop running.
type trayer interface {
	ui.Tray
	start()
	stop()
	needsLoop() bool
}
