package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
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
	h, err := openHost(e, func(cfg *syncer.Config) {
		cfg.PollInterval, cfg.RescanInterval = *poll, *rescan
	})
	if err != nil {
		return e.fail(c, err)
	}
	defer h.shutdown()
	if err := h.run(ctx, nil); err != nil {
		return exitFail
	}
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
