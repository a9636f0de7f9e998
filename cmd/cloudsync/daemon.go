package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/state"
)

// runDaemon is `daemon [--poll-interval D] [--rescan-interval D]`: the engine without a
// window. It owns the control socket and the state dir until SIGINT or SIGTERM, then
// stops the engine, removes the socket and closes the store.
func runDaemon(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	poll := fs.Duration("poll-interval", 0, "how often the clouds are listed (default: the saved setting, else 30s)")
	rescan := fs.Duration("rescan-interval", 0, "how often local folders are fully rescanned (default: the saved setting, else 10m)")
	if _, code, ok := e.parse(c, fs, args, 0, 0); !ok {
		return code
	}
	switch {
	case *poll < 0 || (*poll > 0 && *poll < syncerMinPoll):
		return e.usageError(c, "--poll-interval must be at least %v", syncerMinPoll)
	case *rescan < 0 || (*rescan > 0 && *rescan < syncerMinRescan):
		return e.usageError(c, "--rescan-interval must be at least %v", syncerMinRescan)
	}
	keyringMode := e.getenv("CLOUDSYNC_KEYRING")
	if keyringMode != "" && keyringMode != "memory" && keyringMode != "os" {
		return e.fail(c, fmt.Errorf("CLOUDSYNC_KEYRING=%q: use \"os\" (the keyring, mandatory), \"memory\" (passwords in memory only) or leave it unset (the keyring when there is one)", keyringMode))
	}
	p, err := resolvePaths(e.getenv)
	if err != nil {
		return e.fail(c, err)
	}
	log, closeLog, err := openLog(p.Logs, e)
	if err != nil {
		return e.fail(c, err)
	}
	defer closeLog()

	// The socket first: a second engine stops here with a clear message, before touching
	// the state dir the first one holds.
	ln, err := control.Listen(p.Socket)
	if err != nil {
		if errors.Is(err, control.ErrAlreadyRunning) {
			return e.fail(c, err)
		}
		return e.fail(c, fmt.Errorf("control socket: %w", err))
	}
	defer ln.Close()
	store, err := state.Open(p.State)
	if err != nil {
		return e.fail(c, err)
	}

	limitMemory(e.getenv)
	secrets := selectSecrets(keyringMode, log)
	eng, err := syncer.New(syncer.Config{
		Store:          store,
		Secrets:        secrets,
		Dial:           dialRemote(log),
		LocalFS:        localFS,
		Watch:          watchLocal,
		PollInterval:   *poll,
		RescanInterval: *rescan,
		Log:            log,
	})
	if err != nil {
		store.Close()
		return e.fail(c, err)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- eng.Run(ctx) }()
	log.Info("engine started", "pid", os.Getpid(), "socket", p.Socket, "state", p.State)
	serveErr := control.Serve(ctx, ln, eng)
	cancel()
	runErr := <-runDone
	if err := store.Close(); err != nil {
		log.Error("closing the state store", "err", err)
	}
	switch {
	case serveErr != nil:
		log.Error("control socket failed", "err", serveErr)
		return exitFail
	case runErr != nil:
		log.Error("engine stopped", "err", runErr)
		return exitFail
	}
	log.Info("engine stopped")
	return exitOK
}

// Minimum intervals, as the engine's PutSettings enforces them.
const (
	syncerMinPoll   = time.Second
	syncerMinRescan = 10 * time.Second
)

// openLog logs to <logs>/cloudsync.log (mode 0600) and to stderr. Secrets are never
// logged: the engine and the remotes log names, paths and error kinds only.
func openLog(dir string, e *env) (*slog.Logger, func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("creating the log folder: %w", err)
	}
	name := filepath.Join(dir, "cloudsync.log")
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the log: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("restricting the log: %w", err)
	}
	h := slog.NewMultiHandler(
		slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo}),
		slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}),
	)
	return slog.New(h), func() { f.Close() }, nil
}

// selectSecrets returns where account passwords are kept for CLOUDSYNC_KEYRING=mode: the OS
// keyring ("os", mandatory), the engine's memory ("memory"), or by default the keyring when
// one answers, else memory. Without a usable Secret Service (a server, a container, a desktop
// without gnome-keyring) passwords could not be kept at all; memory is better than disk,
// and the log says so.
func selectSecrets(mode string, log *slog.Logger) syncer.Secrets {
	switch mode {
	case "memory":
		log.Warn("CLOUDSYNC_KEYRING=memory: account passwords are kept in this process's memory only and forgotten when it stops")
		return credentials.NewMemory()
	case "os":
		return credentials.NewKeyring()
	}
	k := credentials.NewKeyring()
	if err := credentials.Probe(k); err != nil {
		log.Warn("no usable OS keyring (Secret Service): account passwords are kept in memory only and must be "+
			"entered again after cloudsync stops; install and unlock gnome-keyring (or another Secret Service) to keep them",
			"err", err)
		return credentials.NewMemory()
	}
	return k
}

// limitMemory sets the Go runtime's soft memory limit to state.DesktopMemoryLimit unless
// GOMEMLIMIT says otherwise: the garbage collector then works harder before the heap grows
// past it, which roughly halves the engine's peak RSS over a large state (see
// state.BenchmarkStore100kItems) at no visible cost in speed.
func limitMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(state.DesktopMemoryLimit)
	}
}
