// Command bench is cloudsync's end-to-end benchmark (`make bench`, issue 11). It builds a
// synthetic tree, starts real WebDAV servers on 127.0.0.1 (Debian's `rclone serve webdav`
// and Apache 2.4 mod_dav_fs), drives the built binary as a user does (`cloudsync daemon`
// and the CLI) and prints each figure beside the same work done by one curl process in the
// same run, as a ratio, and beside unison and rclone bisync when they are installed.
//
// Latencies are timed from the rename that completes an atomic write (temporary file,
// then rename) until the file is complete on the other side, read directly from the
// served folder or the local folder. Peak RSS is the daemon's VmHWM.
//
// The 1,000,000-file run takes long and is off unless -million (or CLOUDSYNC_BENCH_1M=1).
// The machine is shared: the load average is printed before and after each site.
//
// It may import syncer/remote/webdav/davtest of this module; it drives the built binary, not
// the packages.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() { os.Exit(run()) }

// run is the benchmark; it returns the exit status (so that deferred clean-ups run).
func run() int {
	bin := flag.String("bin", os.Getenv("CLOUDSYNC_BIN"), "the cloudsync binary (default $CLOUDSYNC_BIN)")
	headless := flag.String("headless", os.Getenv("CLOUDSYNC_HEADLESS_BIN"), "the headless build (make build-headless) whose peak RSS is measured too (default $CLOUDSYNC_HEADLESS_BIN)")
	servers := flag.String("servers", "rclone,apache", "WebDAV servers to run against (rclone, apache, owncloud: the ownCloud-like test server, whose folder ETags follow their subtree)")
	sizes := flag.String("sizes", "10000,100000", "tree sizes (files of 4 KiB)")
	probes := flag.Int("probes", 7, "latency probes per figure (at least 5)")
	poll := flag.Duration("poll", 0, "daemon --poll-interval (0: the engine's default)")
	pollPass := flag.String("poll-pass", "2s", "the poll intervals (comma-separated) of the daemons whose no-change poll passes are measured (not changed by -poll)")
	peers := flag.Bool("peers", true, "also run unison and rclone bisync (first size of each server)")
	big := flag.Bool("big", true, "also time 200 × 1 MiB and one 1 GiB file (first size of each server)")
	million := flag.Bool("million", os.Getenv("CLOUDSYNC_BENCH_1M") != "", "also run the 1,000,000-file tree (first server)")
	millionOnly := flag.Bool("million-only", false, "run only the 1,000,000-file tree")
	work := flag.String("work", "", "scratch folder (default: a new one under $TMPDIR, removed at the end)")
	jsonOut := flag.String("json", "", "also write the rows as JSON to this file")
	keep := flag.Bool("keep", false, "keep the scratch folders (trees, daemon logs) instead of removing them")
	heap := flag.String("heap-profile", "", "copy the daemon's heap profile at its peak (daemon --heap-profile) of each site to this folder")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "bench: set CLOUDSYNC_BIN or -bin to the built cloudsync binary (make bench does)")
		return 2
	}
	if *probes < 5 {
		fmt.Fprintln(os.Stderr, "bench: -probes must be at least 5")
		return 2
	}
	abs, err := filepath.Abs(*bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	var pollEvery []time.Duration
	for _, f := range strings.Split(*pollPass, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil || d <= 0 {
			fmt.Fprintf(os.Stderr, "bench: bad -poll-pass interval %q\n", f)
			return 2
		}
		pollEvery = append(pollEvery, d)
	}
	var ns []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1000 {
			fmt.Fprintf(os.Stderr, "bench: bad size %q (at least 1000)\n", f)
			return 2
		}
		ns = append(ns, n)
	}
	dir := *work
	if dir == "" {
		if dir, err = os.MkdirTemp("", "csbench-"); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
		if !*keep {
			defer os.RemoveAll(dir)
		}
	}
	// Apache serves as www-data when run as root: it must be able to reach the served folders.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *headless != "" {
		if *headless, err = filepath.Abs(*headless); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 2
		}
	}
	b := &bench{bin: abs, headless: *headless, work: dir, probes: *probes, poll: *poll, pollPass: pollEvery, peers: *peers, big: *big, keep: *keep, heapDir: *heap,
		rep: &report{out: os.Stdout},
		logf: func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
		}}
	fmt.Printf("cloudsync end-to-end benchmark: %s, %d CPUs, %s\n", abs, runtime.NumCPU(), loadavg())
	if _, err := os.Stat("/usr/bin/syncthing"); err != nil {
		fmt.Println("(syncthing is not installed: no syncthing column)")
	}
	failed := false
	for i, srv := range strings.Split(*servers, ",") {
		srv = strings.TrimSpace(srv)
		if !*millionOnly {
			for j, n := range ns {
				if ctx.Err() != nil {
					break
				}
				b.logf("%s %s: start (%s)", srv, files(n), loadavg())
				if err := b.runSite(ctx, srv, n, fileSize, j == 0); err != nil {
					b.logf("%s %s: %v", srv, files(n), err)
					b.rep.add(row{Figure: "site", Server: srv, Files: n, CS: errText(err), Met: "NO"})
					failed = true
				}
				b.logf("%s %s: done (%s)", srv, files(n), loadavg())
			}
		}
		if (*million || *millionOnly) && i == 0 {
			b.logf("%s 1M: start (%s)", srv, loadavg())
			if err := b.runSite(ctx, srv, 1_000_000, 64, false); err != nil {
				b.logf("%s 1M: %v", srv, err)
				b.rep.add(row{Figure: "site", Server: srv, Files: 1_000_000, CS: errText(err), Met: "NO"})
				failed = true
			}
			b.logf("%s 1M: done (%s)", srv, loadavg())
		}
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Printf("\nResults (%s at the end):\n\n", loadavg())
	b.rep.table(os.Stdout)
	if *jsonOut != "" {
		if err := b.rep.writeJSON(*jsonOut); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}
	if failed {
		return 1
	}
	return 0
}

// loadavg is the 1, 5 and 15 minute load averages of the machine.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "load n/a"
	}
	return "load " + strings.Join(f[:3], " ")
}
