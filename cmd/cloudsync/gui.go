//go:build cgo

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/state"
	"github.com/cloudsync/cloudsync/ui/desktopapp"
)

// runGUI is a bare `cloudsync`: the tray app with the engine hosted in-process (the UI
// talks to it only through control.API, like the CLI over the socket). Single instance:
// when an engine already owns the control socket, it asks that app to show Preferences
// and exits.
func runGUI(ctx context.Context, e *env) int {
	c := &command{name: "app"}
	keyringMode := e.getenv("CLOUDSYNC_KEYRING")
	if keyringMode != "" && keyringMode != "memory" && keyringMode != "os" {
		return e.fail(c, fmt.Errorf("CLOUDSYNC_KEYRING=%q: use \"memory\" (tests only) or leave it unset", keyringMode))
	}
	p, err := resolvePaths(e.getenv)
	if err != nil {
		return e.fail(c, err)
	}
	ln, err := control.Listen(p.Socket)
	if errors.Is(err, control.ErrAlreadyRunning) {
		return showRunning(ctx, e, c, p.Socket)
	}
	if err != nil {
		return e.fail(c, fmt.Errorf("control socket: %w", err))
	}
	defer ln.Close()
	log, closeLog, err := openLog(p.Logs, e)
	if err != nil {
		return e.fail(c, err)
	}
	defer closeLog()
	store, err := state.Open(p.State)
	if err != nil {
		return e.fail(c, err)
	}
	defer func() {
		if err := store.Close(); err != nil {
			log.Error("closing the state store", "err", err)
		}
	}()
	var secrets syncer.Secrets = credentials.NewKeyring()
	if keyringMode == "memory" {
		secrets = credentials.NewMemory()
		log.Warn("CLOUDSYNC_KEYRING=memory: account passwords are kept in this process's memory only")
	}
	var show windowShower
	eng, err := syncer.New(syncer.Config{
		Store: store, Secrets: secrets, Dial: dialRemote(log), LocalFS: localFS, Watch: watchLocal,
		Log: log, ShowWindow: show.show,
	})
	if err != nil {
		return e.fail(c, err)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- eng.Run(ctx) }()
	serveDone := make(chan error, 1)
	go func() { serveDone <- control.Serve(ctx, ln, eng) }()
	log.Info("app started", "pid", os.Getpid(), "socket", p.Socket, "state", p.State)

	exe, _ := os.Executable()
	err = desktopapp.Run(ctx, desktopapp.Config{
		API: eng, Secrets: secrets, DataDir: filepath.Dir(p.State),
		OpenURL: func(ctx context.Context, u string) error { return openURL(ctx, u, e.getenv) },
		Exe:     exe, Getenv: e.getenv, Log: log,
		OnReady: show.set,
	})
	cancel()
	if serr := <-serveDone; serr != nil {
		log.Error("control socket failed", "err", serr)
	}
	if rerr := <-runDone; rerr != nil {
		log.Error("engine stopped", "err", rerr)
		return exitFail
	}
	if err != nil {
		return e.fail(c, err)
	}
	log.Info("app stopped")
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
