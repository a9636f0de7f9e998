package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/remote/backends"
	"github.com/cloudsync/cloudsync/syncer/state"
	"github.com/cloudsync/cloudsync/ui/localcloud"
)

// host is the engine as `cloudsync daemon` and the desktop app run it: the control socket,
// the log, the state store, the keyring and the engine with its seams. Both commands open
// it the same way, so they cannot drift apart.
type host struct {
	paths   paths
	log     *slog.Logger
	ln      net.Listener
	store   *state.Store
	secrets syncer.Secrets
	eng     *syncer.Engine
	local   *localcloud.Service
	close   []func()
}

// openHost takes the control socket first (a second engine stops there with
// control.ErrAlreadyRunning, returned as is, before touching the state dir the first one
// holds), then the log, the state store and the keyring, and builds the engine; tweak
// adjusts its Config (intervals, the GUI's ShowWindow). Call shutdown when done.
func openHost(e *env, tweak func(*syncer.Config)) (*host, error) {
	mode := e.getenv("CLOUDSYNC_KEYRING")
	if mode != "" && mode != "memory" && mode != "os" {
		return nil, fmt.Errorf("CLOUDSYNC_KEYRING=%q: use \"os\" (the keyring, mandatory), \"memory\" (passwords in memory only) or leave it unset (the keyring when there is one)", mode)
	}
	p, err := resolvePaths(e.getenv)
	if err != nil {
		return nil, err
	}
	h := &host{paths: p}
	h.ln, err = control.Listen(p.Socket)
	if err != nil {
		if errors.Is(err, control.ErrAlreadyRunning) {
			return nil, err
		}
		return nil, fmt.Errorf("control socket: %w", err)
	}
	h.close = append(h.close, func() { h.ln.Close() })
	log, closeLog, err := openLog(p.Logs, e)
	if err != nil {
		h.shutdown()
		return nil, err
	}
	h.log = log
	h.close = append(h.close, closeLog)
	if h.store, err = state.Open(p.State); err != nil {
		h.shutdown()
		return nil, err
	}
	h.close = append(h.close, func() {
		if err := h.store.Close(); err != nil {
			log.Error("closing the state store", "err", err)
		}
	})
	var where string
	h.secrets, where = selectSecrets(mode, log)
	// The local cloud ("Try it with a local cloud") runs wherever the engine runs, and is
	// up before the engine's first pass, so its sets are never offline for want of it.
	h.local = &localcloud.Service{Local: localcloud.Local{Dir: filepath.Join(filepath.Dir(p.State), "localcloud"), Secrets: h.secrets}, Log: log}
	if err := h.local.StartIfSetUp(); err != nil {
		log.Warn("local cloud not started", "err", err)
	}
	h.close = append(h.close, h.local.Close)
	cfg := syncer.Config{
		Store: h.store, Secrets: h.secrets, SecretsWhere: where,
		Remotes: backends.Registry(), LocalFS: localFS, Watch: watchLocal, Log: log,
		Protected: ownFolders(p, e.getenv), MemoryLimit: memoryLimit(e.getenv),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	if h.eng, err = syncer.New(cfg); err != nil {
		h.shutdown()
		return nil, err
	}
	return h, nil
}

// run runs the engine and serves the control socket until ctx ends, SIGINT or SIGTERM
// arrives, or front (the desktop app; nil for the daemon) returns. It returns the first
// failure of the three.
func (h *host) run(ctx context.Context, front func(ctx context.Context) error) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- h.eng.Run(ctx) }()
	serveDone := make(chan error, 1)
	go func() { serveDone <- control.Serve(ctx, h.ln, h.eng) }()
	h.log.Info("engine started", "pid", os.Getpid(), "socket", h.paths.Socket, "state", h.paths.State)
	var frontErr error
	if front != nil {
		frontErr = front(ctx)
		cancel()
	}
	serveErr := <-serveDone
	cancel()
	runErr := <-runDone
	switch {
	case serveErr != nil:
		h.log.Error("control socket failed", "err", serveErr)
		return serveErr
	case runErr != nil:
		h.log.Error("engine stopped", "err", runErr)
		return runErr
	case frontErr != nil:
		return frontErr
	}
	h.log.Info("engine stopped")
	return nil
}

// shutdown closes what openHost opened, in reverse order.
func (h *host) shutdown() {
	for i := len(h.close) - 1; i >= 0; i-- {
		h.close[i]()
	}
	h.close = nil
}

// selectSecrets returns where account passwords are kept for CLOUDSYNC_KEYRING=mode, and a
// phrase saying where: the OS keyring ("os", mandatory), the engine's memory ("memory"), or
// by default the keyring when one answers, else memory. Without a usable Secret Service (a
// server, a container, a desktop without gnome-keyring) passwords could not be kept at
// all; memory is better than disk, and the log says so.
func selectSecrets(mode string, log *slog.Logger) (syncer.Secrets, string) {
	const inKeyring, inMemory = "the OS keyring", "the engine's memory only (no OS keyring is available)"
	switch mode {
	case "memory":
		log.Warn("CLOUDSYNC_KEYRING=memory: account passwords are kept in this process's memory only and forgotten when it stops")
		return credentials.NewMemory(), inMemory
	case "os":
		return credentials.NewKeyring(), inKeyring
	}
	k := credentials.NewKeyring()
	if err := credentials.Probe(k); err != nil {
		log.Warn("no usable OS keyring (Secret Service): account passwords are kept in memory only and must be "+
			"entered again after cloudsync stops; install and unlock gnome-keyring (or another Secret Service) to keep them",
			"err", err)
		return credentials.NewMemory(), inMemory
	}
	return k, inKeyring
}

// memoryLimit is the engine's MemoryLimit seam: the Go runtime's soft memory limit follows
// what the engine asks for its sets (syncer/memory.go), unless GOMEMLIMIT fixes it. Until
// the engine asks, it is state.DesktopMemoryLimit.
func memoryLimit(getenv func(string) string) func(int64) {
	if getenv("GOMEMLIMIT") != "" {
		return nil
	}
	debug.SetMemoryLimit(state.DesktopMemoryLimit)
	return func(n int64) { debug.SetMemoryLimit(n) }
}
