package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// fileSize is the size of the files of the 10k and 100k trees (the workload).
const fileSize = 4 << 10

// bench holds one run's settings and results.
type bench struct {
	bin    string
	work   string
	probes int
	poll   time.Duration // daemon --poll-interval; 0: the engine's default
	// pollPass are the poll intervals of the daemons whose no-change poll passes are
	// measured (2 s unless -poll-pass says otherwise; -poll does not change it).
	pollPass []time.Duration
	peers    bool
	big      bool
	keep     bool // keep each site's folders (trees, logs) for a look afterwards
	// heapDir, when set, receives the first-sync daemon's heap profiles (its peak and its
	// end) of each site, as <server>-<files>.pprof and .pprof.end, and those of the daemons
	// restarted with the same arguments after it (start, converge, stop) as .pprof.restart
	// and .pprof.restart.end.
	heapDir string
	// headless is the headless build (no GUI), whose peak RSS the goal is for;
	// empty: the desktop build's RSS is measured against the goal.
	headless string
	rep      *report
	logf     func(format string, args ...any)
	account  int
}

// site is one server at one tree size, with a daemon that has synced the tree.
type site struct {
	b      *bench
	srv    *server
	eng    *engine
	n      int
	dir    string // scratch of this site
	local  string // the synced local folder
	folder string // the cloud folder, account-relative
	full   bool   // measure every figure (first size of a server), not only the size-bound ones
	peers  peerFigures
}

func (s *site) row(figure string) row { return row{Figure: figure, Server: s.srv.Name, Files: s.n} }

// add reports r with the peers' figures for the same figure.
func (s *site) add(r row) {
	if p := s.peers[r.Figure]; p != nil {
		r.Unison, r.Bisync = p[peerUnison], p[peerBisync]
	}
	s.b.rep.add(r)
}

func (s *site) cloud(p string) string { return s.srv.path(joinURL(s.folder, p)) }

// runSite measures every figure for one server at one tree size.
func (b *bench) runSite(ctx context.Context, server string, n, size int, full bool) error {
	dir := filepath.Join(b.work, fmt.Sprintf("%s-%d", server, n))
	if !b.keep {
		defer os.RemoveAll(dir)
	}
	s := &site{b: b, n: n, dir: dir, local: filepath.Join(dir, "Docs"), folder: "tree", full: full}
	b.logf("%s %s: writing the synthetic tree (%d × %d B)", server, files(n), n, size)
	if err := makeTree(s.local, n, size); err != nil {
		return err
	}
	srvDir := filepath.Join(dir, "srv")
	if err := os.MkdirAll(srvDir, 0o755); err != nil {
		return err
	}
	srv, err := startServer(ctx, server, srvDir, filepath.Join(dir, "srvwork"))
	if err != nil {
		return err
	}
	s.srv = srv
	defer srv.stop()

	var ref refs
	if n < 1_000_000 { // one curl process uploading a million files would take the better part of an hour
		ref = s.curlReferences(ctx, size)
	}
	if b.peers && full {
		s.peers = s.runPeers(ctx)
	}

	b.account++
	args := []string{}
	if b.poll > 0 {
		args = append(args, "--poll-interval", b.poll.String())
	}
	if b.heapDir != "" {
		if err := os.MkdirAll(b.heapDir, 0o755); err != nil {
			return err
		}
		args = append(args, "--heap-profile", filepath.Join(b.heapDir, fmt.Sprintf("%s-%d.pprof", server, n)))
	}
	s.eng = newEngine(b.bin, filepath.Join(dir, "home"), args...)
	if err := s.eng.start(ctx); err != nil {
		return err
	}
	defer s.eng.stop()
	if err := s.eng.addAccount(ctx, fmt.Sprintf("%s%d", server, b.account), srv); err != nil {
		return err
	}
	b.logf("%s %s: first sync", server, files(n))
	start := time.Now()
	if _, err := s.eng.cli(ctx, "", "sync", s.local, "--account", s.eng.accounts[0].name, "--to", s.folder); err != nil {
		return err
	}
	if err := s.eng.wait(ctx, 3*time.Hour); err != nil {
		return err
	}
	first := time.Since(start)
	got, err := countFiles(s.cloud(""))
	if err != nil || got != n {
		return fmt.Errorf("after the first sync the server has %d files, want %d (%v)", got, n, err)
	}
	if n >= 1_000_000 {
		if ref.list, err = curlList(ctx, srv, dir, s.folder, treeDirs(n)); err != nil {
			b.logf("curl list: %v", err)
		}
	}
	r := s.row("first upload")
	if size != fileSize {
		r.Figure = fmt.Sprintf("first upload (%d B files)", size)
	}
	r.CS, r.Ref, r.Ratio = secs(first), secs(ref.upload), ratio(first, ref.upload)
	if n == 10_000 && size == fileSize {
		r.Goal, r.Met = "≤ 1.1× curl", met(first.Seconds() <= 1.1*ref.upload.Seconds())
	}
	if n >= 1_000_000 {
		r.Figure = "first sync completes (1M files)"
		r.Goal, r.Met = "completes", "yes"
	}
	s.add(r)

	s.noChangePass(ctx, ref.list)
	s.localLatency(ctx)
	if n < 1_000_000 {
		s.cloudLatency(ctx, ref.get)
	}
	if s.full {
		s.moveFiles(ctx, ref.move)
		s.transfers(ctx)
	}
	r = s.row("peak RSS of the engine (first sync, daemon)")
	peak := s.eng.hwm()
	r.CS = mib(peak)
	r.Note = buildKind(b.bin) + " (" + filepath.Base(b.bin) + ")"
	if b.headless == "" || n >= 1_000_000 {
		rssGoal(&r, n, peak) // (the million-file run is not repeated with the headless build)
	}
	s.add(r)
	if _, err := s.eng.stop(); err != nil {
		return err
	}
	if b.heapDir != "" { // the restarts' profiles go beside the first sync's, not over it
		s.eng.args[len(s.eng.args)-1] += ".restart"
	}
	if n < 1_000_000 {
		s.startConvergeStop(ctx)
	}
	s.pollPasses(ctx, ref.list)
	if b.headless != "" && n < 1_000_000 {
		s.headlessRSS(ctx)
	}
	return nil
}

// rssGoal sets the peak RSS goal of the issue for a tree of n files.
func rssGoal(r *row, n int, peak int64) {
	switch n {
	case 10_000:
		r.Goal, r.Met = "≤ 60 MB", met(peak <= 60e6)
	case 100_000:
		r.Goal, r.Met = "≤ 150 MB", met(peak <= 150e6)
	case 1_000_000:
		r.Goal, r.Met = "≤ 400 MB", met(peak <= 400e6)
	}
}

// headlessRSS measures the peak RSS of the headless build (no GUI libraries: `make
// build-headless`, CGO_ENABLED=0) doing the same work: a first sync of the tree into
// another cloud folder, new local files, passes that look at everything.
func (s *site) headlessRSS(ctx context.Context) {
	const figure = "peak RSS of the engine (first sync, daemon)"
	eng := newEngine(s.b.headless, filepath.Join(s.dir, "home-headless"))
	if err := eng.start(ctx); err != nil {
		s.fail(figure, err)
		return
	}
	defer eng.stop()
	name := fmt.Sprintf("%sh%d", s.srv.Name, s.b.account)
	err := eng.addAccount(ctx, name, s.srv)
	if err == nil {
		_, err = eng.cli(ctx, "", "sync", s.local, "--account", name, "--to", s.folder+"-headless")
	}
	if err == nil {
		err = eng.wait(ctx, 3*time.Hour)
	}
	for i := 0; err == nil && i < 3; i++ {
		rel := fmt.Sprintf("%s/headless-probe-%d.txt", s.probeDir(i), i)
		_, err = writeAtomic(filepath.Join(s.local, filepath.Dir(filepath.FromSlash(rel))), filepath.Join(s.local, filepath.FromSlash(rel)), []byte("probe"))
		if err == nil {
			err = eng.wait(ctx, 10*time.Minute)
		}
	}
	if err != nil {
		s.fail(figure, err)
		return
	}
	r := s.row(figure)
	peak := eng.hwm()
	r.CS = mib(peak)
	r.Note = "headless build (" + filepath.Base(s.b.headless) + ", CGO_ENABLED=0): the same work into another cloud folder"
	rssGoal(&r, s.n, peak)
	s.add(r)
}

// refs are the curl references of one site.
type refs struct {
	upload, list, get, move time.Duration
}

// curlReferences measures, on the site's server, one curl process uploading the same tree
// into another folder, listing it (PROPFIND Depth 1 per folder), fetching one file and
// moving 1,000 files into a new folder; the reference folder is then removed.
func (s *site) curlReferences(ctx context.Context, size int) refs {
	var r refs
	dirs := treeDirs(s.n)
	all := make([]string, s.n)
	for i := range all {
		all[i] = treeFile(i)
	}
	s.b.logf("%s %s: curl reference upload", s.srv.Name, files(s.n))
	var err error
	if r.upload, err = curlUpload(ctx, s.srv, s.dir, s.local, "ref", dirs, all); err != nil {
		s.b.logf("curl upload: %v", err)
		r.upload = 0
	}
	if r.list, err = curlList(ctx, s.srv, s.dir, "ref", dirs); err != nil {
		s.b.logf("curl list: %v", err)
		r.list = 0
	}
	if r.get, err = curlGet(ctx, s.srv, s.dir, "ref/"+all[0], filepath.Join(s.dir, "got.bin")); err != nil {
		s.b.logf("curl get: %v", err)
		r.get = 0
	}
	if s.full && s.n >= 1000 {
		moved := make([]string, 1000)
		for i := range moved {
			moved[i] = "ref/" + all[i]
		}
		if r.move, err = curlMoves(ctx, s.srv, s.dir, "ref/moved", moved); err != nil {
			s.b.logf("curl moves: %v", err)
			r.move = 0
		}
	}
	if err := s.srv.do(ctx, "DELETE", "ref/", nil); err != nil {
		s.b.logf("removing the reference folder: %v", err)
	}
	return r
}

// noChangePass times `cloudsync wait` in the running, converged daemon: it asks every set
// for a pass and returns when one found nothing to do. The CLI's own cost (a `cloudsync
// status` round trip, measured just before) is subtracted.
func (s *site) noChangePass(ctx context.Context, list time.Duration) {
	var passes []time.Duration
	runs := 5
	if s.n >= 1_000_000 {
		runs = 3 // each looks at everything: half a minute or more
	}
	for range runs {
		t0 := time.Now()
		if _, err := s.eng.cli(ctx, "", "status"); err != nil {
			s.fail("no-change pass in the daemon", err)
			return
		}
		cli := time.Since(t0)
		t0 = time.Now()
		if err := s.eng.wait(ctx, 10*time.Minute); err != nil {
			s.fail("no-change pass in the daemon", err)
			return
		}
		passes = append(passes, max(time.Since(t0)-cli, 0))
	}
	r := s.row("cloudsync wait, nothing changed")
	med := quantile(passes, 0.5)
	r.CS, r.Ref, r.Ratio = "median "+secs(med), secs(list), ratio(med, list)
	r.Note = "a pass looking at everything (whole local tree, cloud listing); curl: PROPFIND of every folder"
	s.add(r)
}

func (s *site) fail(figure string, err error) {
	r := s.row(figure)
	r.CS = errText(err)
	r.Met = "NO"
	s.add(r)
}

// probeDir picks the folder of probe i, spread over the tree.
func (s *site) probeDir(i int) string {
	dirs := treeDirs(s.n)
	return dirs[(i*7919)%len(dirs)]
}

// localLatency writes new files atomically into the local folder while the daemon runs and
// times until each is complete on the server.
func (s *site) localLatency(ctx context.Context) {
	var lat []time.Duration
	for i := range s.b.probes {
		rel := fmt.Sprintf("%s/local-probe-%d.txt", s.probeDir(i), i)
		data := fmt.Appendf(nil, "probe %d written locally at %v\n", i, time.Now())
		t0, err := writeAtomic(filepath.Join(s.local, filepath.Dir(filepath.FromSlash(rel))), filepath.Join(s.local, filepath.FromSlash(rel)), data)
		if err == nil {
			var t1 int64
			t1, err = awaitContent(ctx, s.cloud(rel), data, 2*time.Minute)
			lat = append(lat, time.Duration(t1-t0))
		}
		if err != nil {
			s.fail("new local file → server", err)
			return
		}
		sleepJitter(ctx, time.Second, time.Second)
	}
	r := s.row("new local file → server")
	r.CS = spread(lat)
	p50, p95 := quantile(lat, 0.5), quantile(lat, 0.95)
	if s.n <= 100_000 {
		r.Goal, r.Met = "p50 ≤ 0.5 s, p95 ≤ 1 s", met(p50 <= 500*time.Millisecond && p95 <= time.Second)
	}
	s.add(r)
}

// cloudLatency uploads new files to the server with a WebDAV PUT (as another client of the
// cloud does) and times from the end of each PUT until the file is complete in the local
// folder. Probes start at random moments, so they sample the whole poll cycle.
func (s *site) cloudLatency(ctx context.Context, get time.Duration) {
	poll := s.b.poll
	if poll <= 0 {
		poll = 30 * time.Second // the engine's default
	}
	var lat []time.Duration
	for i := range s.b.probes {
		sleepJitter(ctx, 0, poll)
		rel := fmt.Sprintf("%s/cloud-probe-%d.txt", s.probeDir(i+3), i)
		data := fmt.Appendf(nil, "probe %d written on the server at %v\n", i, time.Now())
		err := s.srv.do(ctx, http.MethodPut, joinURL(s.folder, rel), data)
		t0 := nowNano()
		if err == nil {
			var t1 int64
			t1, err = awaitContent(ctx, filepath.Join(s.local, filepath.FromSlash(rel)), data, poll+5*time.Minute)
			lat = append(lat, time.Duration(t1-t0))
		}
		if err != nil {
			s.fail("server-side new file → local", err)
			return
		}
	}
	r := s.row("server-side new file → local")
	r.CS = spread(lat)
	r.Ref = secs(get)
	r.Note = fmt.Sprintf("poll interval %v; curl: one GET", poll)
	r.Goal = fmt.Sprintf("≤ %v + 0.5 s", poll)
	r.Met = met(quantile(lat, 1) <= poll+500*time.Millisecond)
	s.add(r)
}

// startConvergeStop times, with nothing changed, starting the daemon, `cloudsync wait`
// (a pass that found nothing to do) and stopping it (SIGTERM until the process exited).
func (s *site) startConvergeStop(ctx context.Context) {
	var runs []time.Duration
	var peak int64
	for range 3 {
		t0 := time.Now()
		err := s.eng.start(ctx)
		if err == nil {
			err = s.eng.wait(ctx, 10*time.Minute)
		}
		rss, serr := s.eng.stop()
		if err == nil {
			err = serr
		}
		if err != nil {
			s.fail("nothing changed: start, converge, stop", err)
			return
		}
		runs = append(runs, time.Since(t0))
		peak = max(peak, rss)
	}
	r := s.row("nothing changed: start, converge, stop")
	med := quantile(runs, 0.5)
	r.CS = "median " + secs(med)
	r.Note = "peak RSS of these runs " + mib(peak)
	if s.eng.memoryKeyring {
		r.Note += "; no Secret Service: account re-added after each start (counted)"
	}
	if s.n == 10_000 {
		r.Goal, r.Met = "≤ 0.5 s", met(med <= 500*time.Millisecond)
	}
	s.add(r)
}

// awaitContent polls p until it holds want and returns when it was first seen so.
func awaitContent(ctx context.Context, p string, want []byte, timeout time.Duration) (int64, error) {
	deadline := time.Now().Add(timeout)
	for {
		if fi, err := os.Stat(p); err == nil && fi.Size() == int64(len(want)) {
			t := nowNano()
			if got, err := os.ReadFile(p); err == nil && bytes.Equal(got, want) {
				return t, nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s did not arrive within %v", p, timeout)
		}
		if err := sleepCtx(ctx, 2*time.Millisecond); err != nil {
			return 0, err
		}
	}
}

func nowNano() int64 { return time.Now().UnixNano() }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// sleepJitter sleeps base plus a random part of jitter.
func sleepJitter(ctx context.Context, base, jitter time.Duration) {
	d := base
	if jitter > 0 {
		d += time.Duration(rand.Int64N(int64(jitter)))
	}
	_ = sleepCtx(ctx, d)
}

// buildKind names the build of the binary at bin as its build settings tell: the headless
// build is the one without cgo (make build-headless), which maps no GUI libraries.
func buildKind(bin string) string {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "build unknown"
	}
	for _, s := range info.Settings {
		if s.Key == "CGO_ENABLED" && s.Value == "0" {
			return "headless build, CGO_ENABLED=0"
		}
	}
	return "desktop build, GUI libraries mapped"
}
