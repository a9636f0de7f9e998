package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// engine drives the built cloudsync binary as a user does: `cloudsync daemon` in the
// background, and CLI commands against it. Everything lives under home (CLOUDSYNC_HOME).
type engine struct {
	bin  string
	home string
	env  []string
	args []string // daemon flags
	cmd  *exec.Cmd
	// memoryKeyring: there is no Secret Service, so a restarted daemon has forgotten the
	// password and the account must be added again.
	memoryKeyring bool
	accounts      []account // for memoryKeyring restarts
}

// account is one `account add`: its arguments and the password it reads.
type account struct {
	name     string
	args     []string
	password string
}

func newEngine(bin, home string, daemonArgs ...string) *engine {
	env := append(os.Environ(), "CLOUDSYNC_HOME="+home)
	mem := os.Getenv("DBUS_SESSION_BUS_ADDRESS") == ""
	if mem {
		env = append(env, "CLOUDSYNC_KEYRING=memory")
	}
	return &engine{bin: bin, home: home, env: env, args: daemonArgs, memoryKeyring: mem}
}

// cli runs one command and returns its standard output; a failure includes its stderr.
func (e *engine) cli(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = e.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("cloudsync %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// start starts the daemon and returns once its control socket answers.
func (e *engine) start(ctx context.Context) error {
	if e.cmd != nil {
		return errors.New("daemon already running")
	}
	logf, err := os.OpenFile(filepath.Join(e.home, "daemon.stderr"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		if err := os.MkdirAll(e.home, 0o700); err != nil {
			return err
		}
		if logf, err = os.OpenFile(filepath.Join(e.home, "daemon.stderr"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err != nil {
			return err
		}
	}
	cmd := exec.Command(e.bin, append([]string{"daemon"}, e.args...)...)
	cmd.Env, cmd.Stderr, cmd.Stdout = e.env, logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	logf.Close()
	e.cmd = cmd
	if err := e.awaitSocket(ctx); err != nil {
		e.stop() // never leave a daemon behind
		return err
	}
	if e.memoryKeyring {
		for _, a := range e.accounts {
			if _, err := e.cli(ctx, a.password+"\n", a.args...); err != nil {
				return err
			}
		}
	}
	return nil
}

// awaitSocket retries `status` until the engine answers (every 2 ms: the start of an
// engine is part of what is measured).
func (e *engine) awaitSocket(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		cmd := exec.CommandContext(ctx, e.bin, "status")
		cmd.Env = e.env
		if cmd.Run() == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the daemon did not answer within 30 s (see %s)", filepath.Join(e.home, "daemon.stderr"))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// addAccount adds a WebDAV account for srv (password on standard input).
func (e *engine) addAccount(ctx context.Context, name string, srv *server) error {
	args := []string{"account", "add", name, "--type", "webdav", "--url", srv.URL, "--user", srv.user, "--password-stdin"}
	e.accounts = append(e.accounts, account{name: name, args: args, password: srv.pass})
	_, err := e.cli(ctx, srv.pass+"\n", args...)
	return err
}

// wait runs `cloudsync wait` (until every set ran a pass with nothing to do).
func (e *engine) wait(ctx context.Context, timeout time.Duration) error {
	_, err := e.cli(ctx, "", "wait", "--timeout", timeout.String())
	return err
}

// pid is the daemon's process id (0 when not running).
func (e *engine) pid() int {
	if e.cmd == nil || e.cmd.Process == nil {
		return 0
	}
	return e.cmd.Process.Pid
}

// hwm is the daemon's peak resident set size so far (VmHWM), in bytes.
func (e *engine) hwm() int64 {
	if e.pid() == 0 {
		return 0
	}
	return procHWM(e.pid())
}

// stop sends SIGTERM and waits for the daemon to exit; it returns the daemon's peak RSS,
// its VmHWM read just before the signal. Not ru_maxrss, which holds this process's own
// peak: Go starts a child with vfork (CLONE_VM), and the kernel records the high-water
// mark of the memory the child shares with its parent until exec into the child's
// ru_maxrss. A restart of the 200,000-file run was reported as 253 MB, this process's
// VmHWM, when the daemon's own peak was 68-81 MB (issue 11). ru_maxrss stays the answer
// only when /proc cannot be read.
func (e *engine) stop() (int64, error) {
	if e.cmd == nil {
		return 0, nil
	}
	cmd := e.cmd
	e.cmd = nil
	peak := procHWM(cmd.Process.Pid)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		err = errors.New("the daemon did not stop within 60 s of SIGTERM")
	}
	if peak == 0 {
		peak = maxRSS(cmd.ProcessState)
	}
	return peak, err
}

// status returns `cloudsync status --json` decoded loosely.
func (e *engine) status(ctx context.Context) (map[string]any, error) {
	out, err := e.cli(ctx, "", "status", "--json")
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal([]byte(out), &m)
}

// procHWM reads VmHWM of a process from /proc, in bytes (0 when unknown).
func procHWM(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// maxRSS is the peak RSS of an exited process (Linux ru_maxrss is in kB), in bytes.
func maxRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10
	}
	return 0
}

// counts are a process's minor page faults and CPU time so far.
type counts struct {
	minflt int64
	cpu    time.Duration
}

// procCounts reads pid's counts from /proc (zero when it cannot).
func procCounts(pid int) counts {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return counts{}
	}
	// Fields after the command's closing parenthesis: minflt is the 10th of the line,
	// utime and stime the 14th and 15th, in clock ticks (100 a second on Linux).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return counts{}
	}
	minflt, _ := strconv.ParseInt(f[7], 10, 64)
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return counts{minflt: minflt, cpu: time.Duration(ut+st) * 10 * time.Millisecond}
}
