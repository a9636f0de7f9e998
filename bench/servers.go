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
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// server is a WebDAV server on 127.0.0.1 serving Dir (which the benchmark also reads and
// writes directly, as another client of the cloud would) behind Basic auth.
type server struct {
	Name string
	URL  string // base URL, ending with "/"
	Dir  string
	cmd  *exec.Cmd
	log  string
}

// Credentials of the benchmark's servers. They are passed through environment variables,
// files and standard input, never on a command line (TESTING.md's canary rule).
const (
	davUser = "bench"
	davPass = "bench-pw-5b1e"
)

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer starts the named server ("rclone" or "apache") on dir, with its logs and
// configuration under work.
func startServer(ctx context.Context, name, dir, work string) (*server, error) {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	switch name {
	case "rclone":
		return startRclone(ctx, dir, work)
	case "apache":
		return startApache(ctx, dir, work)
	}
	return nil, fmt.Errorf("unknown server %q (rclone, apache)", name)
}

// startRclone runs Debian's `rclone serve webdav` with its default settings. Its directory
// cache (5 minutes) hides changes made to dir behind its back, so the benchmark makes
// server-side changes through WebDAV, as another client of the cloud does. (With
// --dir-cache-time 0s, as some tests run it, every PROPFIND re-reads the folder once per
// entry: 100 entries take 75 ms instead of 3 ms.)
func startRclone(ctx context.Context, dir, work string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &server{Name: "rclone", URL: "http://" + addr + "/", Dir: dir, log: filepath.Join(work, "rclone.log")}
	s.cmd = exec.CommandContext(ctx, "rclone", "serve", "webdav", dir, "--addr", addr,
		"--config", "/dev/null", "--log-level", "ERROR",
		"--log-file", s.log)
	s.cmd.Env = append(os.Environ(), "RCLONE_USER="+davUser, "RCLONE_PASS="+davPass)
	return s, s.startAndDial(addr)
}

// apacheConf is a minimal Apache 2.4 configuration serving one folder with mod_dav_fs
// behind Basic auth, keep-alive unlimited (as a server tuned for sync clients would be).
const apacheConf = `ServerName 127.0.0.1
Listen {{addr}}
PidFile {{work}}/httpd.pid
ErrorLog {{work}}/error.log
LogLevel warn
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so
LoadModule dav_module /usr/lib/apache2/modules/mod_dav.so
LoadModule dav_fs_module /usr/lib/apache2/modules/mod_dav_fs.so
{{user}}
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 30
DAVLockDB {{work}}/DAVLock
DocumentRoot "{{dir}}"
<Directory "{{dir}}">
  Dav On
  Options None
  AllowOverride None
  AuthType Basic
  AuthName "cloudsync bench"
  AuthUserFile {{work}}/htpasswd
  Require valid-user
</Directory>
`

// startApache runs Debian's Apache 2.4 with mod_dav_fs in the foreground. As root, Apache
// serves as www-data, which then owns dir.
func startApache(ctx context.Context, dir, work string) (*server, error) {
	bin, err := exec.LookPath("apache2")
	if err != nil {
		return nil, fmt.Errorf("apache2 is not installed: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	ht := exec.CommandContext(ctx, "htpasswd", "-i", "-c", "-m", filepath.Join(work, "htpasswd"), davUser)
	ht.Stdin = strings.NewReader(davPass)
	if out, err := ht.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("htpasswd: %v: %s", err, out)
	}
	userLine := ""
	if os.Geteuid() == 0 {
		u, err := user.Lookup("www-data")
		if err != nil {
			return nil, err
		}
		userLine = "User www-data\nGroup www-data"
		var uid, gid int
		fmt.Sscan(u.Uid, &uid)
		fmt.Sscan(u.Gid, &gid)
		if err := chownTree(dir, uid, gid); err != nil {
			return nil, err
		}
		if err := os.Chown(work, uid, gid); err != nil {
			return nil, err
		}
		if err := os.Chmod(filepath.Join(work, "htpasswd"), 0o644); err != nil {
			return nil, err
		}
	}
	conf := strings.NewReplacer("{{addr}}", addr, "{{work}}", work, "{{dir}}", dir, "{{user}}", userLine).Replace(apacheConf)
	cf := filepath.Join(work, "httpd.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	s := &server{Name: "apache", URL: "http://" + addr + "/", Dir: dir, log: filepath.Join(work, "error.log")}
	s.cmd = exec.CommandContext(ctx, bin, "-f", cf, "-DFOREGROUND")
	return s, s.startAndDial(addr)
}

func chownTree(root string, uid, gid int) error {
	return filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
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

// stop ends the server (its whole process group: Apache's children too).
func (s *server) stop() {
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
	req.SetBasicAuth(davUser, davPass)
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
