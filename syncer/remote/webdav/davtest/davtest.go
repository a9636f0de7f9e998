// Package davtest runs real WebDAV servers on 127.0.0.1 for cloudsync's tests: Debian's
// Apache 2.4 mod_dav_fs (Basic auth), lighttpd mod_webdav, nginx with the dav and dav-ext
// modules and `rclone serve webdav`, each as a process over a temporary folder with the
// project's own config files (conf/, embedded), and golang.org/x/net/webdav in-process, plain
// or dressed as ownCloud/Nextcloud (OCFS). The conformance suite of package webdav and the
// scenario suite share it; the cloudsync binary never imports it.
//
// A test asks for a server with Shared (one instance per test binary, started on first use
// and stopped by StopShared in TestMain) and takes a fresh folder of it with NewFolder. A
// server that is not installed skips the test with a message naming the Debian package, or
// fails it when CI (or CLOUDSYNC_REQUIRE_SERVERS) is set: `make deps` installs them all.
//
// Run as root, the servers that drop privileges (Apache always, lighttpd and nginx as
// configured) serve as www-data: the served folder is theirs, and a test that writes into it
// directly (as another client of the cloud) hands what it wrote over with Adopt.
//
// It may import nothing of this module (it stands for servers cloudsync does not control).
package davtest

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Test credentials: throwaway values for servers that live only for the test.
const (
	User     = "alice"
	Password = "canary-pw-5b1e7"
)

// Prefix is the URL path every server serves its folder under: a base URL with a path and
// an "@" (which servers escape differently in hrefs) exercises href decoding for real.
const Prefix = "/dav/alice@example.com/"

// The server names Start and Shared know.
const (
	Apache   = "apache"
	Lighttpd = "lighttpd"
	Nginx    = "nginx"
	Rclone   = "rclone"
	XNet     = "xnet"
	// RcloneCached is rclone with its default directory cache (not in Names: changes made
	// to Dir directly stay hidden from it for 5 minutes).
	RcloneCached = "rclone-cached"
	// OwnCloud is the ownCloud-like server (see ServeOC) over a folder on disk (not in
	// Names: the suites run it in memory through ServeOC).
	OwnCloud = "owncloud"
)

// Names lists every server, processes first.
var Names = []string{Apache, Lighttpd, Nginx, Rclone, XNet}

// Server is a running WebDAV server.
type Server struct {
	Name string
	// URL is the base URL of Dir (ends with "/"); Host is its host:port.
	URL, Host string
	// Dir is the served folder on disk.
	Dir string
	// Version names the server software and its Debian package version, for logs.
	Version string

	uid, gid int // owner Adopt gives files; -1 when the server runs as this process's user
	seq      atomic.Int64
	stop     func() error
}

// Stop stops the server and removes its folders.
func (s *Server) Stop() error { return s.stop() }

// NewFolder makes a fresh, empty folder on the server for one test and returns its base URL
// (ending with "/") and its path on disk.
func (s *Server) NewFolder(t testing.TB) (string, string) {
	t.Helper()
	name := fmt.Sprintf("t%04d", s.seq.Add(1))
	dir := filepath.Join(s.Dir, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.Adopt(dir); err != nil {
		t.Fatal(err)
	}
	return s.URL + name + "/", dir
}

// Adopt gives path (one file or folder, not its contents) to the user the server runs as, so
// that the server can change what a test wrote directly into the served folder. It does
// nothing when the server runs as this process's user.
func (s *Server) Adopt(path string) error {
	if s.uid < 0 {
		return nil
	}
	return os.Lchown(path, s.uid, s.gid)
}

// MissingError says a server's program is not installed.
type MissingError struct {
	Name, Program, Package string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s is not installed (%s; `make deps` installs Debian package %s)", e.Name, e.Program, e.Package)
}

// Required reports whether a missing server fails the test instead of skipping it: in CI
// (CI set and not "false"/"0") or when CLOUDSYNC_REQUIRE_SERVERS is set.
func Required() bool {
	if v := os.Getenv("CI"); v != "" && v != "false" && v != "0" {
		return true
	}
	return os.Getenv("CLOUDSYNC_REQUIRE_SERVERS") != "" || os.Getenv("CLOUDSYNC_REQUIRE_RCLONE") != ""
}

// Start starts a new instance of the named server on a free 127.0.0.1 port. The caller
// stops it. A program that is not installed gives a *MissingError.
func Start(name string) (*Server, error) {
	switch name {
	case XNet:
		return startXNetDir()
	case OwnCloud:
		return startOCDir()
	}
	p, ok := programs[name]
	if !ok {
		return nil, fmt.Errorf("davtest: unknown server %q", name)
	}
	return startProcess(p)
}

var shared struct {
	mu sync.Mutex
	m  map[string]*sharedServer
}

type sharedServer struct {
	once sync.Once
	s    *Server
	err  error
}

// Shared returns the test binary's instance of the named server, starting it on first use.
// A missing server skips t (fails it when Required); a server that does not start fails t.
func Shared(t testing.TB, name string) *Server {
	t.Helper()
	shared.mu.Lock()
	if shared.m == nil {
		shared.m = map[string]*sharedServer{}
	}
	ss := shared.m[name]
	if ss == nil {
		ss = &sharedServer{}
		shared.m[name] = ss
	}
	shared.mu.Unlock()
	ss.once.Do(func() { ss.s, ss.err = Start(name) })
	checkStarted(t, name, ss.err)
	return ss.s
}

// Own starts a new instance of the named server for t alone and stops it when t ends. A
// missing server skips t (fails it when Required); a server that does not start fails t.
func Own(t testing.TB, name string) *Server {
	t.Helper()
	s, err := Start(name)
	checkStarted(t, name, err)
	t.Cleanup(func() { s.Stop() })
	return s
}

// checkStarted skips or fails t on err, the answer of Start(name) (see Shared and Own).
func checkStarted(t testing.TB, name string, err error) {
	t.Helper()
	var missing *MissingError
	switch {
	case errors.As(err, &missing) && !Required():
		t.Skipf("skipping the %s WebDAV server: %v", name, err)
	case err != nil:
		t.Fatalf("the %s WebDAV server: %v", name, err)
	}
}

// CPUTime is the CPU time this process has used (user and system): what a client costs a
// machine whose cores it shares with the server, whatever else loads them (benchmarks).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ServerCPU is the CPU time used so far by the server processes serving dir: those whose
// command line or configuration names it (rclone names it, Apache's configuration lives
// beside it), found in /proc; 0 where there is none.
func ServerCPU(dir string) time.Duration {
	top := filepath.Dir(dir)
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var total time.Duration
	for _, c := range procs {
		cmd, err := os.ReadFile(c)
		if err != nil || !strings.Contains(string(cmd), top) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(filepath.Dir(c), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: utime and stime are the 12th
		// and 13th, in clock ticks (100 a second on Linux).
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(ut+st) * 10 * time.Millisecond
	}
	return total
}

// StopShared stops every server Shared started (call it from TestMain after m.Run).
func StopShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	for name, ss := range shared.m {
		if ss.s != nil {
			if err := ss.s.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "davtest: stopping %s: %v\n", name, err)
			}
		}
		delete(shared.m, name)
	}
}

// Main is a TestMain for packages that use Shared: it runs the tests, stops the servers and
// returns the exit code for os.Exit.
func Main(m *testing.M) int {
	defer StopShared()
	return m.Run()
}

// serverUser returns the user (and its ids) a server that drops privileges runs as: www-data
// when this process is root (nobody when there is no www-data), none otherwise.
func serverUser() (name string, uid, gid int) {
	if os.Geteuid() != 0 {
		return "", -1, -1
	}
	for _, n := range []string{"www-data", "nobody"} {
		u, err := user.Lookup(n)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return n, uid, gid
	}
	return "", -1, -1
}

// htpasswdLine is User's line of an htpasswd file in the {SHA} scheme, which Apache,
// lighttpd and nginx all read.
func htpasswdLine() string {
	sum := sha1.Sum([]byte(Password))
	return User + ":{SHA}" + base64.StdEncoding.EncodeToString(sum[:]) + "\n"
}

// FreeAddr returns a 127.0.0.1 address whose port was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls url with an authenticated OPTIONS until it answers 2xx, exited closes, or
// timeout passes.
func waitReady(url string, exited <-chan struct{}, timeout time.Duration) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodOptions, url, nil)
		req.SetBasicAuth(User, Password)
		resp, err := hc.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return nil
			}
			err = fmt.Errorf("OPTIONS %s: HTTP %d", url, resp.StatusCode)
			if resp.StatusCode == http.StatusUnauthorized {
				return fmt.Errorf("the server refused the test credentials: %w", err)
			}
		}
		last = err
		select {
		case <-exited:
			return fmt.Errorf("the server exited: %v", last)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return last
		}
	}
}

// tail returns the last n bytes of s, trimmed, for error messages.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}
