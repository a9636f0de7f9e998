package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
)

// env is the environment of the app and of the CLI calls: a private CLOUDSYNC_HOME and a
// BROWSER stub that writes the URL it is given to a file.
type env struct {
	bin, home, browserLog string
	vars                  []string
}

func (e *env) cli(t *testing.T, args ...string) string {
	t.Helper()
	out, err := e.try(t, "", args...)
	if err != nil {
		t.Fatalf("cloudsync %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// try runs the CLI with stdin and returns its output and error.
func (e *env) try(t testing.TB, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Minute) // commands bound themselves (wait --timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = e.vars
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// wait runs `cloudsync wait`: every set converged; items left in Synced with errors (the
// targets deleted in the cloud, kept as the set says) do not count as not converged here.
func (e *env) wait(t *testing.T) {
	t.Helper()
	out, err := e.try(t, "", "wait", "--timeout", "90s")
	if err != nil && !strings.Contains(out, "in Synced with errors") {
		t.Fatalf("cloudsync wait: %v\n%s", err, out)
	}
}

func (e *env) status(t *testing.T) syncer.Status {
	t.Helper()
	var st syncer.Status
	if err := json.Unmarshal([]byte(e.cli(t, "status", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func (e *env) info(t *testing.T, p string) syncer.ItemInfo {
	t.Helper()
	var it syncer.ItemInfo
	if err := json.Unmarshal([]byte(e.cli(t, "info", "--json", p)), &it); err != nil {
		t.Fatal(err)
	}
	return it
}

// app is one run of the desktop app, as a user starts it: a bare `cloudsync`.
type app struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it exited; err is then its exit error
	err  error
	log  string
}

func startApp(t testing.TB, e *env, bin, logName string, extra ...string) *app {
	t.Helper()
	a := &app{done: make(chan struct{}), log: filepath.Join(artifacts(t), logName)}
	logf, err := os.Create(a.log)
	if err != nil {
		t.Fatal(err)
	}
	a.cmd = exec.Command(bin)
	a.cmd.Env, a.cmd.Stdout, a.cmd.Stderr = append(append([]string(nil), e.vars...), extra...), logf, logf
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { a.err = a.cmd.Wait(); logf.Close(); close(a.done) }()
	t.Cleanup(a.stop)
	return a
}

// exited waits up to d for the app to end and reports whether it did.
func (a *app) exited(d time.Duration) bool {
	select {
	case <-a.done:
		return true
	case <-time.After(d):
		return false
	}
}

// quitFailed fails the test for an app that Quit did not end, with what it was doing: a
// SIGQUIT makes the Go runtime write every goroutine's stack into its log.
func (a *app) quitFailed(t *testing.T, what string) {
	t.Helper()
	a.cmd.Process.Signal(syscall.SIGQUIT)
	a.exited(10 * time.Second)
	b, _ := os.ReadFile(a.log)
	if i := bytes.Index(b, []byte("SIGQUIT")); i >= 0 {
		b = b[i:]
	}
	t.Fatalf("%s; its goroutines (from %s):\n%s", what, a.log, b)
}

// stop ends the app (SIGINT, then kill) unless it already exited.
func (a *app) stop() {
	select {
	case <-a.done:
		return
	default:
	}
	a.cmd.Process.Signal(os.Interrupt)
	if !a.exited(15 * time.Second) {
		a.cmd.Process.Kill()
		<-a.done
	}
}

// session drives the app's windows: it opens them through the control socket (as a second
// `cloudsync` does), reads what they show (the app built with the uicheck tag writes each
// window's texts to checkDir), takes their screenshots, and fails on the text problems
// the app's check finds (glyphs its fonts lack, clipped labels).
type session struct {
	t        *testing.T
	e        *env
	cl       *control.Client
	checkDir string
	shots    []string
	problems int
}

func (s *session) show(name string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.t.Context(), 10*time.Second)
	defer cancel()
	if err := s.cl.ShowWindow(ctx, name); err != nil {
		s.t.Fatalf("show %s: %v", name, err)
	}
}

// shownText is one text a window shows, and where (window pixels).
type shownText struct {
	text       string
	x, y, w, h int
}

// shown is what the window titled title shows.
func (s *session) shown(title string) []shownText {
	name := strings.NewReplacer("/", "_", " ", "_").Replace(title) + ".txt"
	b, _ := os.ReadFile(filepath.Join(s.checkDir, name))
	var out []shownText
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			continue
		}
		st := shownText{text: f[0]}
		st.x, _ = strconv.Atoi(f[1])
		st.y, _ = strconv.Atoi(f[2])
		st.w, _ = strconv.Atoi(f[3])
		st.h, _ = strconv.Atoi(f[4])
		out = append(out, st)
	}
	return out
}

// texts is what the window titled title shows, one text per line.
func (s *session) texts(title string) string {
	var b strings.Builder
	for _, st := range s.shown(title) {
		b.WriteString(st.text + "\n")
	}
	return b.String()
}

// click clicks the text label (a button's) in the window titled title.
func (s *session) click(title, label string) {
	s.t.Helper()
	s.waitTexts(title, label)
	id := window(s.t, "^"+regexp.QuoteMeta(title)+"$")
	for _, st := range s.shown(title) {
		if st.text == label {
			focus(s.t, id)
			clickAt(s.t, id, st.x+st.w/2, st.y+st.h/2, 1)
			return
		}
	}
	s.t.Fatalf("%s shows no %q", title, label)
}

// scrollTo turns the mouse wheel where the text over shows (in a scrolled part of the
// window titled title) until the window shows want.
func (s *session) scrollTo(title, over, want string) {
	s.t.Helper()
	s.waitTexts(title, over)
	id := window(s.t, "^"+regexp.QuoteMeta(title)+"$")
	shown := s.shown(title)
	i := slices.IndexFunc(shown, func(st shownText) bool { return st.text == over })
	if i < 0 {
		s.t.Fatalf("%s shows no %q", title, over)
	}
	at := shown[i]
	focus(s.t, id)
	for range 20 {
		if strings.Contains(s.texts(title), want) {
			return
		}
		clickAt(s.t, id, at.x+at.w/2, at.y+at.h/2, 5) // wheel down
	}
	s.waitTexts(title, want)
}

// waitTexts waits until the window titled title shows every one of want.
func (s *session) waitTexts(title string, want ...string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := s.texts(title)
		missing := ""
		for _, w := range want {
			if !strings.Contains(got, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("window %s does not show %q; it shows:\n%s", title, missing, got)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// shot raises the window titled title, waits until it shows want, takes its screenshot
// as artifacts/<name>.png and checks the app found no broken text in it.
func (s *session) shot(title, name string, want ...string) string {
	s.t.Helper()
	id := window(s.t, "^"+regexp.QuoteMeta(title)+"$")
	xdo(s.t, "windowraise", id)
	s.waitTexts(title, want...)
	p := screenshot(s.t, id, name)
	s.shots = append(s.shots, p)
	s.checkProblems()
	return p
}

// checkProblems fails on every problem the app's check reported since the last call.
func (s *session) checkProblems() {
	s.t.Helper()
	time.Sleep(700 * time.Millisecond) // two rounds of the app's check
	b, _ := os.ReadFile(filepath.Join(s.checkDir, "problems.txt"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) == 1 && lines[0] == "" {
		lines = nil
	}
	for _, l := range lines[min(s.problems, len(lines)):] {
		s.t.Errorf("broken text: %s", l)
	}
	s.problems = len(lines)
}

// closeWindow closes the window titled title with Ctrl+W.
func (s *session) closeWindow(title string) {
	s.t.Helper()
	id := window(s.t, "^"+regexp.QuoteMeta(title)+"$")
	focus(s.t, id)
	key(s.t, "ctrl+w")
	eventually(s.t, 10*time.Second, title+" to close", func() bool {
		out, _ := exec.CommandContext(s.t.Context(), "xdotool", "search", "--onlyvisible", "--name", "^"+regexp.QuoteMeta(title)+"$").Output()
		return strings.TrimSpace(string(out)) == ""
	})
}

func artifacts(t testing.TB) string {
	if d := os.Getenv("CLOUDSYNC_ARTIFACTS"); d != "" {
		return d
	}
	return t.TempDir()
}

// socketOf is the control socket the CLI of env uses (CLOUDSYNC_HOME/run/control.sock).
func socketOf(t testing.TB, e *env) string {
	p := filepath.Join(e.home, "run", "control.sock")
	if control.CheckSocketPath(p) != nil {
		t.Fatalf("socket path %s too long for this test", p)
	}
	return p
}

// setPolling makes the engine look at the cloud every d (General settings).
func setPolling(t testing.TB, cl *control.Client, d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := cl.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.PollInterval = syncer.Duration(d)
	if err := cl.PutSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
}
