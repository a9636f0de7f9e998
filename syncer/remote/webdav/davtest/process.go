package davtest

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"text/template"
	"time"
)

//go:embed conf/*.conf
var confFS embed.FS

// program describes how to run one server process.
type program struct {
	name, bin, pkg string
	// conf is the template in conf/ ("" for none); args builds the command line from the
	// rendered config's path and the template data.
	conf string
	args func(conf string, d confData) []string
	// env is added to the process environment (credentials for rclone).
	env func(d confData) []string
	// dropsPrivileges: run as root, the server serves as confData.User.
	dropsPrivileges bool
}

var programs = map[string]program{
	Apache: {name: Apache, bin: "/usr/sbin/apache2", pkg: "apache2", conf: "apache.conf", dropsPrivileges: true,
		args: func(conf string, d confData) []string { return []string{"-f", conf, "-DFOREGROUND"} }},
	Lighttpd: {name: Lighttpd, bin: "/usr/sbin/lighttpd", pkg: "lighttpd lighttpd-mod-webdav", conf: "lighttpd.conf", dropsPrivileges: true,
		args: func(conf string, d confData) []string { return []string{"-D", "-f", conf} }},
	Nginx: {name: Nginx, bin: "/usr/sbin/nginx", pkg: "nginx libnginx-mod-http-dav-ext", conf: "nginx.conf", dropsPrivileges: true,
		args: func(conf string, d confData) []string {
			return []string{"-c", conf, "-p", d.Run + "/", "-e", d.Run + "/error.log", "-g", "daemon off;"}
		}},
	// rclone takes the credentials from its environment, never from the command line.
	Rclone: {name: Rclone, bin: "rclone", pkg: "rclone",
		args: func(_ string, d confData) []string {
			return []string{"serve", "webdav", d.Dir, "--addr", d.Addr, "--baseurl", d.PrefixNoSlash,
				"--dir-cache-time", "0s", "--poll-interval", "0", "--config", "/dev/null", "--log-level", "ERROR"}
		},
		env: rcloneEnv},
	// rclone as a user runs it and the end-to-end benchmark (bench/servers.go) does: its
	// default directory cache (5 minutes) hides changes made to Dir behind its back, so
	// only benchmarks that change the tree through WebDAV use it.
	RcloneCached: {name: RcloneCached, bin: "rclone", pkg: "rclone",
		args: func(_ string, d confData) []string {
			return []string{"serve", "webdav", d.Dir, "--addr", d.Addr, "--baseurl", d.PrefixNoSlash,
				"--config", "/dev/null", "--log-level", "ERROR"}
		},
		env: rcloneEnv},
}

// rcloneEnv gives rclone the credentials and a private home.
func rcloneEnv(d confData) []string {
	return []string{"RCLONE_USER=" + User, "RCLONE_PASS=" + Password, "HOME=" + d.Run, "XDG_CACHE_HOME=" + d.Run + "/cache"}
}

// confData fills the config templates.
type confData struct {
	Addr, Host, Port      string
	Dir, Run, Htpasswd    string
	Prefix, PrefixNoSlash string
	User, Group           string // empty: the server runs as this process's user
}

// startProcess starts p over a new temporary folder, retrying on another port when the
// server does not come up (a port taken meanwhile).
func startProcess(p program) (*Server, error) {
	bin, err := exec.LookPath(p.bin)
	if err != nil {
		return nil, &MissingError{Name: p.name, Program: p.bin, Package: p.pkg}
	}
	if p.name == Nginx {
		if _, err := os.Stat("/usr/lib/nginx/modules/ngx_http_dav_ext_module.so"); err != nil {
			return nil, &MissingError{Name: p.name, Program: "ngx_http_dav_ext_module.so", Package: "libnginx-mod-http-dav-ext"}
		}
	}
	if p.name == Lighttpd {
		if _, err := os.Stat("/usr/lib/lighttpd/mod_webdav.so"); err != nil {
			return nil, &MissingError{Name: p.name, Program: "mod_webdav.so", Package: "lighttpd-mod-webdav"}
		}
	}
	top, err := os.MkdirTemp("", "cloudsync-"+p.name+"-")
	if err != nil {
		return nil, err
	}
	s, err := runIn(p, bin, top)
	if err != nil {
		os.RemoveAll(top)
		return nil, err
	}
	return s, nil
}

// runIn prepares top (served folder, runtime folder, password file, config) and starts p.
func runIn(p program, bin, top string) (*Server, error) {
	d := confData{
		Dir: filepath.Join(top, "served"), Run: filepath.Join(top, "run"),
		Htpasswd: filepath.Join(top, "htpasswd"),
		Prefix:   Prefix, PrefixNoSlash: strings.TrimSuffix(Prefix, "/"),
	}
	uid, gid := -1, -1
	if p.dropsPrivileges {
		d.User, uid, gid = serverUser()
		d.Group = d.User
	}
	// The server's user must reach the served folder: the temporary folder is private.
	if err := os.Chmod(top, 0o755); err != nil {
		return nil, err
	}
	for _, dir := range []string{d.Dir, d.Run, filepath.Join(d.Run, "empty")} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, err
		}
		if uid >= 0 {
			if err := os.Chown(dir, uid, gid); err != nil {
				return nil, err
			}
		}
	}
	if err := os.WriteFile(d.Htpasswd, []byte(htpasswdLine()), 0o644); err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		addr, err := FreeAddr()
		if err != nil {
			return nil, err
		}
		d.Addr = addr
		d.Host, d.Port, _ = net.SplitHostPort(addr)
		conf := ""
		if p.conf != "" {
			if conf, err = render(p.conf, filepath.Join(top, p.conf), d); err != nil {
				return nil, err
			}
		}
		s, err := launch(p, bin, conf, d)
		if err == nil {
			s.uid, s.gid = uid, gid
			s.stop = stopAndRemove(s.stop, top)
			return s, nil
		}
		lastErr = err
	}
	return nil, fmt.Errorf("%s did not start: %w", p.name, lastErr)
}

// render writes the config template name, filled with d, to path.
func render(name, path string, d confData) (string, error) {
	tpl, err := template.ParseFS(confFS, "conf/"+name)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, d); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, b.Bytes(), 0o644)
}

// syncBuffer is a bytes.Buffer safe for the process's writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// launch starts the process in its own process group (so Stop reaches the workers it
// forks) that gets SIGTERM when this process dies, and waits until it answers.
func launch(p program, bin, conf string, d confData) (*Server, error) {
	cmd := exec.Command(bin, p.args(conf, d)...)
	cmd.Env = os.Environ()
	if p.env != nil {
		cmd.Env = append(cmd.Env, p.env(d)...)
	}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() error {
		pgid := cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
			return fmt.Errorf("%s did not stop on SIGTERM", p.name)
		}
		// Workers of the group that outlived their parent.
		syscall.Kill(-pgid, syscall.SIGKILL)
		return nil
	}
	url := "http://" + d.Addr + d.Prefix
	if err := waitReady(url, exited, 20*time.Second); err != nil {
		stop()
		log, _ := os.ReadFile(filepath.Join(d.Run, "error.log"))
		return nil, fmt.Errorf("%w; output: %s; error log: %s", err, tail(out.String(), 2000), tail(string(log), 2000))
	}
	return &Server{Name: p.name, URL: url, Host: d.Addr, Dir: d.Dir, Version: version(p), stop: stop}, nil
}

// stopAndRemove wraps stop so that it also removes the server's folders.
func stopAndRemove(stop func() error, top string) func() error {
	return func() error {
		err := stop()
		return errors.Join(err, os.RemoveAll(top))
	}
}

// version returns the Debian package version of p's program, or "".
func version(p program) string {
	pkg, _, _ := strings.Cut(p.pkg, " ")
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", pkg).Output()
	if err != nil {
		return p.name
	}
	return p.name + " " + pkg + " " + strings.TrimSpace(string(out))
}
