//go:build cgo

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/ui/desktopapp"
)

// runGUI is a bare `cloudsync`: the tray app with the engine hosted in-process (the UI
// talks to it only through control.API, like the CLI over the socket). Single instance:
// when an engine already owns the control socket, it asks that app to show Preferences
// and exits.
func runGUI(ctx context.Context, e *env) int {
	c := &command{name: "app"}
	if e.getenv("DISPLAY") == "" && e.getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(e.stderr, "cloudsync: no display ($DISPLAY and $WAYLAND_DISPLAY are unset): "+
			"running the sync engine without a window, as `cloudsync daemon` does")
		return e.runDaemon(ctx, &command{name: "daemon"}, daemonOpts{})
	}
	var show windowShower
	h, err := openHost(e, func(cfg *syncer.Config) { cfg.ShowWindow = show.show })
	if errors.Is(err, control.ErrAlreadyRunning) {
		p, _ := resolvePaths(e.getenv)
		return showRunning(ctx, e, c, p.Socket)
	}
	if err != nil {
		return e.fail(c, err)
	}
	defer h.shutdown()
	exe, _ := os.Executable()
	err = h.run(ctx, func(ctx context.Context) error {
		return desktopapp.Run(ctx, desktopapp.Config{
			API: h.eng, LocalCloud: h.local,
			OpenURL: func(ctx context.Context, u string) error { return openURL(ctx, u, e.getenv) },
			Exe:     exe, Getenv: e.getenv, Log: h.log,
			LogFiles: func() []string { return logFiles(h.paths.Logs) }, Version: versionString(),
			OnReady: show.set,
		})
	})
	if err != nil {
		return e.fail(c, err)
	}
	return exitOK
}

// showRunning asks the running app to show Preferences (a second start).
func showRunning(ctx context.Context, e *env, c *command, sock string) int {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cl := control.NewClient(sock)
	defer cl.Close()
	if err := cl.ShowWindow(ctx, "preferences"); err != nil {
		return e.fail(c, fmt.Errorf("cloudsync is already running but cannot show a window (%v); is `cloudsync daemon` running? Stop it to start the app", err))
	}
	fmt.Fprintln(e.stdout, "cloudsync is already running: its Preferences window was opened.")
	return exitOK
}

// windowShower is the engine's ShowWindow seam, wired to the UI once it runs.
type windowShower struct {
	mu sync.Mutex
	f  func(string) error
}

func (w *windowShower) set(f func(string) error) {
	w.mu.Lock()
	w.f = f
	w.mu.Unlock()
}

func (w *windowShower) show(name string) error {
	w.mu.Lock()
	f := w.f
	w.mu.Unlock()
	if f == nil {
		return errors.New("the app is still starting")
	}
	return f(name)
}
