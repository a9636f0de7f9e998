package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// server is a WebDAV server on 127.0.0.1 serving Dir (which the benchmark also reads and
// writes directly, as another client of the cloud would) behind Basic auth.
type server struct {
	Name       string
	URL        string // base URL, ending with "/"
	Dir        string
	user, pass string
	cmd        *exec.Cmd
	log        string
	stopFn     func() // stops a server started by davtest
}

// Credentials of the benchmark's rclone server. They are passed through its environment,
// never on a command line (docs/TESTING.md's canary rule).
const (
	davUser = "bench"
	davPass = "bench-pw-5b1e"
)

// startServer starts the named server ("rclone", "apache" or "owncloud") on dir, with its
// logs and configuration under work. "owncloud" is the ownCloud-like test server
// (davtest.OwnCloud, in this process): its folder ETags change with their subtree, so the
// client prunes unchanged subtrees from its polls, as on Nextcloud and ownCloud; neither
// rclone nor Apache offers that (syncer/remote/webdav/SERVERS.md).
func startServer(ctx context.Context, name, dir, work string) (*server, error) {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	switch name {
	case "rclone":
		return startRclone(ctx, dir, work)
	case "apache":
		return startDavtest(davtest.Apache)
	case "owncloud":
		return startDavtest(davtest.OwnCloud)
	}
	return nil, fmt.Errorf("unknown server %q (rclone, apache, owncloud)", name)
}

// startRclone runs Debian's `rclone serve webdav` with its default settings. Its directory
// cache (5 minutes) hides changes made to dir behind its back, so the benchmark makes
// server-side changes through WebDAV, as another client of the cloud does. (With
// --dir-cache-time 0s, as some tests run it, every PROPFIND re-reads the folder once per
// entry: 100 entries take 75 ms instead of 3 ms.)
func startRclone(ctx context.Context, dir, work string) (*server, error) {
	addr, err := davtest.FreeAddr()
	if err != nil {
		return nil, err
	}
	s := &server{Name: "rclone", URL: "http://" + addr + "/", Dir: dir, user: davUser, pass: davPass, log: filepath.Join(work, "rclone.log")}
	s.cmd = exec.CommandContext(ctx, "rclone", "serve", "webdav", dir, "--addr", addr,
		"--config", "/dev/null", "--log-level", "ERROR",
		"--log-file", s.log)
	s.cmd.Env = append(os.Environ(), "RCLONE_USER="+davUser, "RCLONE_PASS="+davPass)
	return s, s.startAndDial(addr)
}

// startDavtest starts a server of package davtest: Debian's Apache 2.4 with mod_dav_fs with
// the project's own configuration (the one the conformance and scenario suites use), or the
// ownCloud-like server.
func startDavtest(name string) (*server, error) {
	ds, err := davtest.Start(name)
	if err != nil {
		return nil, err
	}
	return &server{Name: name, URL: ds.URL, Dir: ds.Dir, user: davtest.User, pass: davtest.Password,
		stopFn: func() { _ = ds.Stop() }}, nil
}

func (s *server) startAndDial(addr string) error {
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s.cmd.Cancel = func() error { return syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM) }
	s.cmd.WaitDelay = 10 * time.Second
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", s.Name, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			s.stop()
			msg, _ := os.ReadFile(s.log)
			return fmt.Errorf("%s did not listen on %s: %v\n%s", s.Name, addr, err, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server (its whole process group).
func (s *server) stop() {
	if s.stopFn != nil {
		s.stopFn()
		s.stopFn = nil
		return
	}
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	s.cmd = nil
}

// path is the server-side file system path of account-relative slash path p.
func (s *server) path(p string) string { return filepath.Join(s.Dir, filepath.FromSlash(p)) }

// do sends one WebDAV request as another client of the server would, and fails unless the
// answer is a success.
func (s *server) do(ctx context.Context, method, p string, body []byte, hdr ...string) error {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+p, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.SetBasicAuth(s.user, s.pass)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, p, resp.Status)
	}
	return nil
}
