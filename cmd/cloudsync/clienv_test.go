package main

// The harness of the tests that drive the built binary (CLOUDSYNC_BIN, built by `make
// test`) as separate processes: `cloudsync serve-webdav` as the cloud, `cloudsync daemon`
// as the engine, and one CLI process per command. cliCtl adapts the CLI to scenario.Ctl,
// so the scenario suite of syncer/scenario runs through the command line.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// builtBinary returns the binary under test, or skips the test when it is not built.
func builtBinary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("CLOUDSYNC_BIN")
	if bin == "" {
		t.Skip("CLOUDSYNC_BIN not set: run through `make test`, which builds bin/cloudsync")
	}
	return bin
}

// childEnv is this process's environment without the variables named in drop or set, plus
// set ("KEY=value" entries).
func childEnv(drop []string, set ...string) []string {
	skip := map[string]bool{}
	for _, k := range drop {
		skip[k] = true
	}
	for _, kv := range set {
		k, _, _ := strings.Cut(kv, "=")
		skip[k] = true
	}
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !skip[k] {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}

// cloudsyncVars are the variables that change where the binary keeps its files or which
// keyring it uses; the tests set the ones they want and drop the rest.
var cloudsyncVars = []string{"CLOUDSYNC_HOME", "CLOUDSYNC_KEYRING", "CLOUDSYNC_KEYRING_TEST", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "CLOUDSYNC_LOG_LEVEL"}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// proc is a long-running process of the binary (daemon, serve-webdav).
type proc struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
	err    error // set when done is closed
	// failed marks a process whose failure the test already handled.
	failed bool
}

// startProc starts bin with args, env and stdin, and stops it (SIGTERM, then SIGKILL after
// 5 s) when the test ends; with the test failed, its stderr goes to the test log.
func startProc(t testing.TB, bin string, env []string, stdin string, stdout io.Writer, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdin = strings.NewReader(stdin)
	p.cmd.Stdout = stdout
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s %v: %v", bin, args, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	name := "cloudsync"
	if len(args) > 0 {
		name = args[0]
	}
	t.Cleanup(func() {
		if err := p.stop(); err != nil && !p.failed {
			t.Errorf("%s did not stop cleanly: %v", name, err)
		}
		if t.Failed() {
			t.Logf("stderr of %s:\n%s", name, tail(p.stderr.String(), 4000))
		}
	})
	return p
}

// stop ends the process with SIGTERM (SIGKILL after 5 s) and returns its exit error.
func (p *proc) stop() error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("killed after not stopping within 5 s on SIGTERM (%v)", p.err)
	}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// freeAddr returns a 127.0.0.1 address that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServeWebDAV runs `cloudsync serve-webdav DIR --addr A --user U --password-stdin`
// and returns its URL and process once it said it is serving. A port taken between
// choosing and binding it (by a parallel test) is replaced by another.
func startServeWebDAV(t testing.TB, bin string, env []string, dir, user, password string) (string, *proc) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		addr := freeAddr(t)
		out := &lockedBuffer{}
		p := startProc(t, bin, env, password+"\n", out, "serve-webdav", dir, "--addr", addr, "--user", user, "--password-stdin")
		for deadline := time.Now().Add(15 * time.Second); !strings.Contains(out.String(), "\n"); time.Sleep(20 * time.Millisecond) {
			select {
			case <-p.done:
				p.failed = true
				if strings.Contains(p.stderr.String(), "address already in use") && attempt < 5 {
					break
				}
				t.Fatalf("serve-webdav exited (%v): %s", p.err, p.stderr.String())
			default:
			}
			if p.failed {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("serve-webdav did not start within 15 s")
			}
		}
		if p.failed {
			continue
		}
		if l := out.String(); !strings.Contains(l, addr) {
			t.Fatalf("serve-webdav said %q, want its address %s", l, addr)
		}
		return "http://" + addr + "/", p
	}
}

// startDaemon runs `cloudsync daemon args...` and returns once `cloudsync status` answers.
func startDaemon(t testing.TB, bin string, env []string, args ...string) *proc {
	t.Helper()
	d := startProc(t, bin, env, "", io.Discard, append([]string{"daemon"}, args...)...)
	c := &cliCtl{bin: bin, env: env}
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := c.run(ctx, "", "status")
		cancel()
		if err == nil {
			return d
		}
		select {
		case <-d.done:
			t.Fatalf("the daemon exited (%v):\n%s", d.err, d.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not answer within 15 s (%v):\n%s", err, d.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cliError is a CLI command that exited non-zero.
type cliError struct {
	Args   []string
	Code   int
	Stderr string
}

func (e *cliError) Error() string {
	return fmt.Sprintf("cloudsync %s: exit %d: %s", strings.Join(e.Args, " "), e.Code, strings.TrimSpace(e.Stderr))
}

// cliCtl is scenario.Ctl over the command line of the built binary: each call runs one
// CLI process against the running daemon.
type cliCtl struct {
	bin string
	env []string
}

// defaultCall bounds a CLI call whose context has no deadline.
const defaultCall = 60 * time.Second

// run runs one command and returns its stdout; a non-zero exit is a *cliError.
func (c *cliCtl) run(ctx context.Context, stdin string, args ...string) (string, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultCall)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = 2 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		return out.String(), fmt.Errorf("cloudsync %s: %w (stderr %q)", strings.Join(args, " "), ctx.Err(), errb.String())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), &cliError{Args: args, Code: ee.ExitCode(), Stderr: errb.String()}
	}
	if err != nil {
		return out.String(), fmt.Errorf("cloudsync %s: %w", strings.Join(args, " "), err)
	}
	return out.String(), nil
}

// runJSON runs a --json command and decodes its output into v.
func (c *cliCtl) runJSON(ctx context.Context, v any, args ...string) error {
	out, err := c.run(ctx, "", args...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		return fmt.Errorf("cloudsync %s: output is not the expected JSON (%v): %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// setLine is how `cloudsync sync` names the set it created.
var setLine = regexp.MustCompile(`\(set ([0-9a-f]{12})\)\.\s*$`)

// CreateSet is `cloudsync sync PATH... --account A --to F` with the flags of r.Options.
func (c *cliCtl) CreateSet(ctx context.Context, r syncer.CreateSetRequest) (model.Set, error) {
	args := append([]string{"sync"}, r.Paths...)
	args = append(args, "--account", r.Account, "--to", r.To)
	o := r.Options
	if !o.IncludeSubfolders {
		args = append(args, "--no-subfolders")
	}
	if o.Lock {
		args = append(args, "--lock")
	}
	if !o.AllowCloudDelete {
		args = append(args, "--keep-cloud-on-delete")
	}
	if o.DeleteLocalOnCloudDelete {
		args = append(args, "--delete-local-on-cloud-delete")
	}
	out, err := c.run(ctx, "", args...)
	if err != nil {
		return model.Set{}, err
	}
	m := setLine.FindStringSubmatch(out)
	if m == nil {
		return model.Set{}, fmt.Errorf("cloudsync sync did not name the new set: %q", out)
	}
	st, err := c.Status(ctx)
	if err != nil {
		return model.Set{}, err
	}
	for _, s := range st.SetStates {
		if s.ID == m[1] {
			got := s.Options
			if s.Kind == model.KindDocuments {
				got.IncludeSubfolders = o.IncludeSubfolders // not an option of documents sets
			}
			if got != o {
				return s.Set, fmt.Errorf("set %s has options %+v, asked for %+v", s.ID, s.Options, o)
			}
			return s.Set, nil
		}
	}
	return model.Set{}, fmt.Errorf("status --json does not list the new set %s", m[1])
}

// ListItems is `cloudsync list [--errors] --json`.
func (c *cliCtl) ListItems(ctx context.Context, errorsOnly bool) ([]syncer.ItemInfo, error) {
	args := []string{"list", "--json"}
	if errorsOnly {
		args = append(args, "--errors")
	}
	var items []syncer.ItemInfo
	return items, c.runJSON(ctx, &items, args...)
}

// Info is `cloudsync info PATH --json`.
func (c *cliCtl) Info(ctx context.Context, p string) (syncer.ItemInfo, error) {
	var it syncer.ItemInfo
	return it, c.runJSON(ctx, &it, "info", p, "--json")
}

// RequestSync is `cloudsync request-sync PATH`.
func (c *cliCtl) RequestSync(ctx context.Context, p string) error {
	_, err := c.run(ctx, "", "request-sync", p)
	return err
}

// Unsync is `cloudsync unsync PATH [--remove-from-cloud]`.
func (c *cliCtl) Unsync(ctx context.Context, p string, removeFromCloud bool) error {
	args := []string{"unsync", p}
	if removeFromCloud {
		args = append(args, "--remove-from-cloud")
	}
	_, err := c.run(ctx, "", args...)
	return err
}

// Pause is `cloudsync pause [SET]` ("" pauses everything).
func (c *cliCtl) Pause(ctx context.Context, set string) error {
	_, err := c.run(ctx, "", optional("pause", set)...)
	return err
}

// Resume is `cloudsync resume [SET]`.
func (c *cliCtl) Resume(ctx context.Context, set string) error {
	_, err := c.run(ctx, "", optional("resume", set)...)
	return err
}

func optional(cmd, arg string) []string {
	if arg == "" {
		return []string{cmd}
	}
	return []string{cmd, arg}
}

// Status is `cloudsync status --json`.
func (c *cliCtl) Status(ctx context.Context) (syncer.Status, error) {
	var st syncer.Status
	return st, c.runJSON(ctx, &st, "status", "--json")
}

// Wait is `cloudsync wait --timeout D`, D being what is left of ctx (a second kept back
// so the command reports its own timeout).
func (c *cliCtl) Wait(ctx context.Context) error {
	args := []string{"wait"}
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl) - time.Second
		if left < time.Second {
			left = time.Second
		}
		args = append(args, "--timeout", left.Round(time.Millisecond).String())
	}
	_, err := c.run(ctx, "", args...)
	// The engine settled with something in Synced with errors (or stopped, offline,
	// paused): that is what Ctl.Wait means; the scenarios look at what is failed.
	var ce *cliError
	if errors.As(err, &ce) && ce.Code == exitFail && strings.Contains(ce.Stderr, notInSync) {
		return nil
	}
	return err
}
