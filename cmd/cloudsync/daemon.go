package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/remote/limiter"
)

// daemonCmd is `daemon [--poll-interval D] [--rescan-interval D] [--upload-limit RATE]
// [--download-limit RATE] [--stall-timeout D]`: the engine without a window. It owns the
// control socket and the state dir until SIGINT or SIGTERM, then stops the engine, removes
// the socket and closes the store.
func daemonCmd(e *env) *cobra.Command {
	c := &command{name: "daemon", args: "[--poll-interval D] [--rescan-interval D] [--upload-limit RATE] [--download-limit RATE] [--stall-timeout D]",
		summary: "Run the sync engine without a window (same control socket as the app)."}
	var o daemonOpts
	cmd := e.leaf(c, func(ctx context.Context, _ []string) int { return e.runDaemon(ctx, c, o) })
	f := cmd.Flags()
	f.DurationVar(&o.poll, "poll-interval", 0, "how often the clouds are listed, every `D` (default: the saved setting, else 30s)")
	f.DurationVar(&o.rescan, "rescan-interval", 0, "how often local folders are fully rescanned, every `D` (default: the saved setting, else 10m)")
	f.Var(&o.up, "upload-limit", "upload at most `RATE` bytes per second, e.g. 500K or 2M (default: the saved setting, else off)")
	f.Var(&o.down, "download-limit", "download at most `RATE` bytes per second, e.g. 500K or 2M (default: the saved setting, else off)")
	f.DurationVar(&o.stall, "stall-timeout", 0, "abandon a transfer or listing that moves no byte for `D`, and retry it later (default: the saved setting, else 1m)")
	f.StringVar(&o.heapProfile, "heap-profile", "", "write the Go heap profile to `FILE` at each new peak of the heap, and to FILE.end at exit (for debugging memory; off by default)")
	return cmd
}

// daemonOpts are the daemon's flags; zero values mean the saved settings.
type daemonOpts struct {
	poll, rescan, stall time.Duration
	up, down            byteRate
	heapProfile         string // --heap-profile: see profileHeapPeaks
}

// byteRate is a bandwidth flag in the units of limiter.ParseRate.
type byteRate int64

func (r *byteRate) String() string {
	if *r == 0 {
		return "0" // unlimited; shown as no default in help
	}
	return limiter.FormatRate(int64(*r))
}
func (r *byteRate) Type() string { return "rate" }
func (r *byteRate) Set(s string) error {
	n, err := limiter.ParseRate(s)
	*r = byteRate(n)
	return err
}

func (e *env) runDaemon(ctx context.Context, c *command, o daemonOpts) int {
	switch {
	case o.poll < 0 || (o.poll > 0 && o.poll < syncerMinPoll):
		return e.usageError(c, "--poll-interval must be at least %v", syncerMinPoll)
	case o.rescan < 0 || (o.rescan > 0 && o.rescan < syncerMinRescan):
		return e.usageError(c, "--rescan-interval must be at least %v", syncerMinRescan)
	case o.stall < 0 || (o.stall > 0 && o.stall < syncer.MinStallTimeout):
		return e.usageError(c, "--stall-timeout must be at least %v", syncer.MinStallTimeout)
	}
	h, err := openHost(e, func(cfg *syncer.Config) {
		cfg.PollInterval, cfg.RescanInterval = o.poll, o.rescan
		cfg.UploadLimit, cfg.DownloadLimit = int64(o.up), int64(o.down)
		cfg.StallTimeout = o.stall
	})
	if err != nil {
		return e.fail(c, err)
	}
	defer h.shutdown()
	if o.heapProfile != "" {
		pctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { profileHeapPeaks(pctx, o.heapProfile); close(done) }()
		defer func() { stop(); <-done }()
	}
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
