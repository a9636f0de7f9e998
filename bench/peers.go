package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The peers, when installed (Debian packages unison and rclone): the same workload, same
// machine, same run. rclone bisync syncs the local tree with the same WebDAV server;
// unison has no WebDAV client, so it syncs the local tree with a second local folder (its
// figures are a floor for a sync engine, not a like-for-like client of the server).

// peerFigures are the peers' figures of one site by figure name.
type peerFigures map[string]*[2]string // [unison, rclone bisync]

func (p peerFigures) set(figure string, which int, v string) {
	if p[figure] == nil {
		p[figure] = &[2]string{}
	}
	p[figure][which] = v
}

const (
	peerUnison = 0
	peerBisync = 1
)

// timed runs cmd and returns its wall time and peak RSS.
func timed(cmd *exec.Cmd) (time.Duration, int64, error) {
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	el := time.Since(t0)
	if err != nil {
		return el, 0, fmt.Errorf("%s: %v: %s", filepath.Base(cmd.Path), err, firstLines(string(out), 5))
	}
	return el, maxRSS(cmd.ProcessState), nil
}

// moveThousand moves the first 1,000 files of the tree at root into root/moved.
func moveThousand(root string) error {
	if err := os.Mkdir(filepath.Join(root, "moved"), 0o755); err != nil {
		return err
	}
	for i := range 1000 {
		if err := os.Rename(filepath.Join(root, filepath.FromSlash(treeFile(i))), filepath.Join(root, "moved", pathBase(treeFile(i)))); err != nil {
			return err
		}
	}
	return nil
}

// runPeers measures unison and rclone bisync at the site's size.
func (s *site) runPeers(ctx context.Context) peerFigures {
	p := peerFigures{}
	if _, err := exec.LookPath("unison"); err == nil {
		s.b.logf("%s %s: unison", s.srv.Name, files(s.n))
		if err := s.unison(ctx, p); err != nil {
			s.b.logf("unison: %v", err)
			p.set("first upload", peerUnison, errText(err))
		}
	}
	if _, err := exec.LookPath("rclone"); err == nil {
		s.b.logf("%s %s: rclone bisync", s.srv.Name, files(s.n))
		if err := s.bisync(ctx, p); err != nil {
			s.b.logf("rclone bisync: %v", err)
			p.set("first upload", peerBisync, errText(err))
		}
	}
	return p
}

func (s *site) unison(ctx context.Context, p peerFigures) error {
	base := filepath.Join(s.dir, "unison")
	defer os.RemoveAll(base)
	local, replica := filepath.Join(base, "local"), filepath.Join(base, "replica")
	if err := makeTree(local, s.n, fileSize); err != nil {
		return err
	}
	if err := os.MkdirAll(replica, 0o755); err != nil {
		return err
	}
	env := append(os.Environ(), "UNISON="+filepath.Join(base, "archive"), "HOME="+base)
	run := func(extra ...string) (time.Duration, int64, error) {
		cmd := exec.CommandContext(ctx, "unison", append([]string{local, replica, "-batch", "-ui", "text", "-silent"}, extra...)...)
		cmd.Env = env
		return timed(cmd)
	}
	var peak int64
	el, rss, err := run()
	if err != nil {
		return err
	}
	peak = max(peak, rss)
	p.set("first upload", peerUnison, secs(el))
	if el, rss, err = run(); err != nil {
		return err
	}
	peak = max(peak, rss)
	p.set("nothing changed: start, converge, stop", peerUnison, secs(el))
	if err := moveThousand(local); err != nil {
		return err
	}
	if el, rss, err = run(); err != nil {
		return err
	}
	peak = max(peak, rss)
	p.set("1,000 files moved to a new folder", peerUnison, secs(el))

	// Latency: unison -repeat 1 polls both replicas every second.
	cmd := exec.CommandContext(ctx, "unison", local, replica, "-batch", "-ui", "text", "-silent", "-repeat", "1")
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
		if rss := maxRSS(cmd.ProcessState); rss > peak {
			peak = rss
		}
		p.set("peak RSS of the engine (first sync, daemon)", peerUnison, mib(peak))
	}()
	_ = sleepCtx(ctx, 2*time.Second)
	var lat []time.Duration
	for i := range s.b.probes {
		rel := fmt.Sprintf("%s/unison-probe-%d.txt", s.probeDir(i), i)
		data := fmt.Appendf(nil, "unison probe %d\n", i)
		dst := filepath.Join(local, filepath.FromSlash(rel))
		if i < 10 { // the first ten folders were emptied by the move; they still exist
			_ = os.MkdirAll(filepath.Dir(dst), 0o755)
		}
		t0, err := writeAtomic(filepath.Dir(dst), dst, data)
		if err != nil {
			return err
		}
		t1, err := awaitContent(ctx, filepath.Join(replica, filepath.FromSlash(rel)), data, time.Minute)
		if err != nil {
			return err
		}
		lat = append(lat, time.Duration(t1-t0))
		sleepJitter(ctx, time.Second, time.Second)
	}
	p.set("new local file → server", peerUnison, spread(lat)+" -repeat 1")
	return nil
}

func (s *site) bisync(ctx context.Context, p peerFigures) error {
	base := filepath.Join(s.dir, "bisync")
	defer os.RemoveAll(base)
	defer s.srv.do(context.WithoutCancel(ctx), "DELETE", "bisync/", nil)
	local := filepath.Join(base, "local")
	if err := makeTree(local, s.n, fileSize); err != nil {
		return err
	}
	if err := s.srv.do(ctx, "MKCOL", "bisync/", nil); err != nil {
		return err
	}
	obs := exec.CommandContext(ctx, "rclone", "obscure", "-")
	obs.Stdin = strings.NewReader(s.srv.pass)
	out, err := obs.Output()
	if err != nil {
		return fmt.Errorf("rclone obscure: %w", err)
	}
	env := append(os.Environ(), "RCLONE_WEBDAV_URL="+s.srv.URL, "RCLONE_WEBDAV_USER="+s.srv.user,
		"RCLONE_WEBDAV_PASS="+strings.TrimSpace(string(out)), "RCLONE_WEBDAV_VENDOR=owncloud")
	run := func(extra ...string) (time.Duration, int64, error) {
		args := append([]string{"bisync", local, ":webdav:bisync", "--workdir", filepath.Join(base, "work"),
			"--config", "/dev/null", "--log-level", "ERROR"}, extra...)
		cmd := exec.CommandContext(ctx, "rclone", args...)
		cmd.Env = env
		return timed(cmd)
	}
	var peak int64
	el, rss, err := run("--resync")
	if err != nil {
		return err
	}
	peak = max(peak, rss)
	p.set("first upload", peerBisync, secs(el))
	if el, rss, err = run(); err != nil {
		return err
	}
	peak = max(peak, rss)
	p.set("nothing changed: start, converge, stop", peerBisync, secs(el))
	inodes := map[string]uint64{}
	for i := range 1000 {
		if fi, err := os.Stat(s.srv.path("bisync/" + treeFile(i))); err == nil {
			inodes[pathBase(treeFile(i))] = fi.Sys().(*syscall.Stat_t).Ino
		}
	}
	if err := moveThousand(local); err != nil {
		return err
	}
	// --force: in a small tree the move is more than half of it, which bisync holds back.
	if el, rss, err = run("--force"); err != nil {
		return err
	}
	peak = max(peak, rss)
	same := 0
	for name, ino := range inodes {
		if fi, err := os.Stat(s.srv.path("bisync/moved/" + name)); err == nil && fi.Sys().(*syscall.Stat_t).Ino == ino {
			same++
		}
	}
	p.set("1,000 files moved to a new folder", peerBisync, fmt.Sprintf("%s (%d re-uploaded)", secs(el), 1000-same))
	p.set("peak RSS of the engine (first sync, daemon)", peerBisync, mib(peak))
	return nil
}
