//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tourStep is one line of the README's five-minute tour, typed in a shell in the
// repository's root (where `make run` built ./bin/cloudsync), and what it must print.
type tourStep struct {
	line string
	want string // a substring of its standard output; "" for none
}

// tour is the five-minute tour as README.md shows it, line for line. A line ending in " &"
// runs in the background; the next line is typed once it is ready, as a person would.
var tour = []tourStep{
	{"mkdir -p ~/cloud ~/Documents/tour", ""},
	{"echo 'hello from cloudsync' > ~/Documents/tour/hello.txt", ""},
	{"echo 'a password' | ./bin/cloudsync serve-webdav ~/cloud --user me --password-stdin &", ""},
	{"./bin/cloudsync daemon &", ""},
	{"echo 'a password' | ./bin/cloudsync account add local --type webdav --url http://127.0.0.1:8080/ --user me --password-stdin", "Added account local"},
	{"./bin/cloudsync sync ~/Documents/tour --account local --to tour", "Syncing folder"},
	{"./bin/cloudsync wait --timeout 1m", ""},
	{"./bin/cloudsync status", "State: idle"},
	{"./bin/cloudsync info ~/Documents/tour/hello.txt", "synced"},
	{"cat ~/cloud/tour/hello.txt", "hello from cloudsync"},
	{"echo 'edited in the cloud' > ~/cloud/tour/hello.txt", ""},
	{"./bin/cloudsync wait --timeout 1m", ""},
	{"cat ~/Documents/tour/hello.txt", "edited in the cloud"},
}

// tourAddr is the address serve-webdav listens on by default, as the tour relies on.
const tourAddr = "127.0.0.1:8080"

// TestReadmeTour types the tour as a new user would: HOME is a fresh empty folder,
// CLOUDSYNC_HOME and the XDG variables are unset (so the default locations are used),
// and passwords stay in the engine's memory (CLOUDSYNC_KEYRING=memory: no Secret Service
// here; TestReadmeTourKeyring runs it with the real one).
func TestReadmeTour(t *testing.T) {
	runTour(t, tour, "XDG_RUNTIME_DIR", "CLOUDSYNC_KEYRING=memory")
}

// TestReadmeTourKeyring types the tour with the OS keyring (scripts/keyring-test.sh), as
// on a desktop, where no CLOUDSYNC_KEYRING is set.
func TestReadmeTourKeyring(t *testing.T) {
	if os.Getenv("CLOUDSYNC_KEYRING_TEST") != "1" {
		t.Skip("needs a real Secret Service: run scripts/keyring-test.sh (make test does)")
	}
	t.Cleanup(func() { _ = exec.Command("secret-tool", "clear", "service", "cloudsync", "username", "local").Run() })
	runTour(t, tour, "CLOUDSYNC_KEYRING")
}

// TestReadmeShowsTheTour checks that README.md's five-minute tour shows every line of tour
// verbatim, so the lines TestReadmeTour types are the ones a reader types.
func TestReadmeShowsTheTour(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile(`(?is)\n##+ [^\n]*five-minute tour[^\n]*\n(.*?)(\n## |$)`).FindSubmatch(b)
	if section == nil {
		t.Skip("README.md has no five-minute tour section yet")
	}
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	var shown []string
	for l := range strings.SplitSeq(string(section[1]), "\n") {
		if i := strings.Index(l, "  #"); i >= 0 { // a trailing comment
			l = l[:i]
		}
		shown = append(shown, norm(strings.TrimPrefix(strings.TrimSpace(l), "$ ")))
	}
	for _, s := range tour {
		found := false
		for _, l := range shown {
			found = found || l == norm(s.line)
		}
		if !found {
			t.Errorf("README.md's tour does not show the line %q", s.line)
		}
	}
}

// runTour types steps in a shell with a fresh HOME, in a folder whose bin/cloudsync is the
// built binary. unset names variables to remove; "K=V" entries are set.
func runTour(t *testing.T, steps []tourStep, envChanges ...string) {
	bin := builtBinary(t)
	home := t.TempDir()
	repo := t.TempDir()
	if err := os.Mkdir(filepath.Join(repo, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(repo, "bin", "cloudsync")); err != nil {
		t.Fatal(err)
	}
	var drop, set []string
	for _, c := range envChanges {
		if strings.Contains(c, "=") {
			set = append(set, c)
		} else {
			drop = append(drop, c)
		}
	}
	drop = append(drop, cloudsyncVars...)
	env := childEnv(drop, append(set, "HOME="+home, "BROWSER=false")...)

	// The tour relies on serve-webdav's default address; should something else hold it on
	// this machine, the test moves the tour to a free one.
	addr := tourAddr
	if ln, err := net.Listen("tcp", tourAddr); err != nil {
		addr = freeAddr(t)
		t.Logf("%s is taken here; the tour uses %s instead", tourAddr, addr)
	} else {
		ln.Close()
	}

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	for _, s := range steps {
		line := s.line
		if addr != tourAddr {
			line = strings.ReplaceAll(line, tourAddr, addr)
			if strings.Contains(line, " serve-webdav ") {
				line = strings.Replace(line, " &", " --addr "+addr+" &", 1)
			}
		}
		if bg, ok := strings.CutSuffix(line, " &"); ok {
			startTourProcess(t, ctx, repo, env, bg, addr)
			continue
		}
		cmd := exec.CommandContext(ctx, "bash", "-c", line)
		cmd.Dir, cmd.Env = repo, env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("$ %s\n%v\nstdout: %s\nstderr: %s", line, err, out.String(), errb.String())
		}
		t.Logf("$ %s\n%s", line, strings.TrimRight(out.String(), "\n"))
		if !strings.Contains(out.String(), s.want) {
			t.Fatalf("$ %s: the output does not contain %q", line, s.want)
		}
	}

	// The defaults: state under ~/.local/share/cloudsync, logs under ~/.local/state/cloudsync.
	for _, p := range []string{".local/share/cloudsync/state/MANIFEST", ".local/state/cloudsync/cloudsync.log"} {
		if _, err := os.Stat(filepath.Join(home, p)); err != nil {
			t.Errorf("the default location %s: %v", p, err)
		}
	}
}

// startTourProcess runs a background line in its own process group (stopped with SIGTERM
// when the test ends) and returns when it is ready: serve-webdav accepts connections, the
// engine answers `status`.
func startTourProcess(t *testing.T, ctx context.Context, dir string, env []string, line, addr string) {
	t.Helper()
	cmd := exec.Command("bash", "-c", line)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
			if !stoppedByTerm(waitErr) {
				t.Errorf("%s: %v", line, waitErr)
			}
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
			t.Errorf("%s did not stop within 5 s of SIGTERM", line)
		}
		if t.Failed() {
			t.Logf("output of %s:\n%s", line, tail(stderr.String(), 4000))
		}
	})
	ready := func() bool {
		if strings.Contains(line, " serve-webdav ") {
			c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
			if err == nil {
				c.Close()
			}
			return err == nil
		}
		st := exec.CommandContext(ctx, "./bin/cloudsync", "status")
		st.Dir, st.Env = dir, env
		return st.Run() == nil
	}
	deadline := time.Now().Add(15 * time.Second)
	for !ready() {
		select {
		case <-exited:
			t.Fatalf("$ %s &\nexited: %v\n%s", line, waitErr, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("$ %s &\nnot ready within 15 s:\n%s", line, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("$ %s &   (ready)", line)
}

// stoppedByTerm reports whether a background line ended cleanly on SIGTERM: exit 0 (the
// engine and serve-webdav stop cleanly), or the shell of a pipeline ended by the signal.
func stoppedByTerm(err error) bool {
	var ee *exec.ExitError
	if err == nil {
		return true
	}
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ee.ExitCode() == 128+int(syscall.SIGTERM) || (ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM)
}
