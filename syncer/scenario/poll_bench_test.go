package scenario

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// BenchmarkPollPass measures the daemon's no-change poll pass (issue 11: ≤ 0.1 s at 10k
// files, ≤ 1 s at 100k): the real engine with a local watcher that reports nothing, over
// the real file system and Badger store, polling a tree of files in folders of 100 on
// rclone (as the end-to-end benchmark runs it, with its directory cache) and Apache on
// 127.0.0.1 every 300 ms. It reports the median of the passes' own durations (the
// status's last_pass, which the end-to-end benchmark reads too). CLOUDSYNC_BENCH_POLL_FILES
// sets the tree's size (default 10,000), CLOUDSYNC_BENCH_POLL_SERVERS the servers
// (default "rclone-cached,apache"), CLOUDSYNC_BENCH_POLL_INTERVAL the poll interval
// (default 300ms; the end-to-end benchmark's daemon polls every 2s), and
// CLOUDSYNC_BENCH_POLL_PROFILE a prefix for a CPU profile of the polling alone
// (prefix-<server>.cpu), CLOUDSYNC_BENCH_POLL_PASSES the passes measured (default 10), and
// CLOUDSYNC_BENCH_POLL_DIAG=1 logs, for each pass, this process's minor page faults and
// collections, the heap given back to the OS before it, and the connections to the server
// it opened (passDiag).
func BenchmarkPollPass(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("CLOUDSYNC_BENCH_POLL_FILES")); err == nil && v > 0 {
		n = v
	}
	servers := []string{davtest.RcloneCached, davtest.Apache}
	if v := os.Getenv("CLOUDSYNC_BENCH_POLL_SERVERS"); v != "" {
		servers = strings.Split(v, ",")
	}
	interval := 300 * time.Millisecond
	if v, err := time.ParseDuration(os.Getenv("CLOUDSYNC_BENCH_POLL_INTERVAL")); err == nil && v > 0 {
		interval = v
	}
	for _, name := range servers {
		b.Run(name, func(b *testing.B) {
			srv := davtest.Own(b, name)
			folderURL, served := srv.NewFolder(b)
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
			quiet := func(c *syncer.Config) {
				c.MemoryLimit = func(n int64) { debug.SetMemoryLimit(n) } // as the daemon runs
				c.PollInterval = interval
				c.Watch = func(ctx context.Context, _ string, _ bool, _ time.Duration) (<-chan syncer.WatchEvent, error) {
					ch := make(chan syncer.WatchEvent)
					go func() { <-ctx.Done(); close(ch) }()
					return ch, nil
				}
			}
			e := davEnv(b, b.TempDir(), folderURL, DirTree{T: b, Root: filepath.Join(served, "Docs"), Adopt: srv.Adopt}, &Meter{}, quiet)
			data := strings.Repeat("x", 4<<10)
			for i := range n {
				e.Local.Write(fmt.Sprintf("d%04d/f%07d.bin", i/100, i), data)
			}
			// The first sync of a large tree takes longer than Env's waits allow.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			req := syncer.CreateSetRequest{Paths: []string{e.Root}, Account: e.Account, To: e.CloudFolder, Options: defaults()}
			if _, err := e.Ctl.CreateSet(ctx, req); err != nil {
				b.Fatal(err)
			}
			if err := e.Ctl.Wait(ctx); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if prefix := os.Getenv("CLOUDSYNC_BENCH_POLL_PROFILE"); prefix != "" {
					f, err := os.Create(prefix + "-" + name + ".cpu")
					if err != nil {
						b.Fatal(err)
					}
					pprof.StartCPUProfile(f)
				}
				cpu0, srv0 := davtest.CPUTime(), davtest.ServerCPU(srv.Dir)
				passes := pollPasses(b, e, 10, srv.Host)
				pprof.StopCPUProfile()
				// The process's CPU time while the passes ran (and the status was read):
				// what the client costs the cores it shares with the server; and the
				// server's (0 for one in this process).
				b.ReportMetric(float64((davtest.CPUTime()-cpu0).Microseconds())/1000/float64(len(passes)), "cpu-ms/pass")
				b.ReportMetric(float64((davtest.ServerCPU(srv.Dir)-srv0).Microseconds())/1000/float64(len(passes)), "server-cpu-ms/pass")
				slices.Sort(passes)
				b.ReportMetric(passes[len(passes)/2].Seconds(), "s/pass")
				b.Logf("%s, %d files: poll passes %v", srv.Version, n, passes)
			}
		})
	}
}

// pollPasses collects the durations of the next k poll passes (cloud listed, local look
// at the watcher's reports) from the status.
func pollPasses(b *testing.B, e *Env, k int, host string) []time.Duration {
	if v, err := strconv.Atoi(os.Getenv("CLOUDSYNC_BENCH_POLL_PASSES")); err == nil && v > 0 {
		k = v
	}
	diag := &passDiag{hostPort: host}
	seen := map[time.Time]bool{}
	var out []time.Duration
	deadline := time.Now().Add(time.Duration(k) * time.Minute)
	first := true
	for len(out) < k && time.Now().Before(deadline) {
		diag.sample()
		st := e.Status()
		for _, s := range st.SetStates {
			lp := s.LastPass
			if seen[lp.Started] || !lp.Cloud || lp.Local == "all" {
				continue
			}
			seen[lp.Started] = true
			if first { // the pass that may have run before the measurement
				first = false
				continue
			}
			out = append(out, time.Duration(lp.Seconds*float64(time.Second)))
			if os.Getenv("CLOUDSYNC_BENCH_POLL_DIAG") != "" {
				time.Sleep(100 * time.Millisecond)
				diag.sample()
				b.Logf("pass %s", diag.pass(lp.Started, out[len(out)-1]))
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(out) < k {
		b.Fatalf("only %d poll passes seen", len(out))
	}
	return out
}
