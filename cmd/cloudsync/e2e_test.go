package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// e2e drives the built binary as a user or script would.
type e2e struct {
	t   *testing.T
	ctx context.Context
	bin string
	env []string
}

// cli runs one command with stdin and returns its exit status and output. Each command
// is bounded.
func (x *e2e) cli(stdin string, args ...string) (int, string, string) {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(x.ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, x.bin, args...)
	cmd.Env = x.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok || ctx.Err() != nil {
			x.t.Fatalf("%v: %v (ctx %v)", args, err, ctx.Err())
		}
		code = ee.ExitCode()
	}
	return code, out.String(), errb.String()
}

// ok runs a command that must succeed.
func (x *e2e) ok(stdin string, args ...string) string {
	x.t.Helper()
	code, out, errOut := x.cli(stdin, args...)
	if code != 0 {
		x.t.Fatalf("%v: exit %d\nstdout %s\nstderr %s", args, code, out, errOut)
	}
	return out
}

func (x *e2e) status() syncer.Status {
	x.t.Helper()
	var st syncer.Status
	if out := x.ok("", "status", "--json"); json.Unmarshal([]byte(out), &st) != nil {
		x.t.Fatalf("status --json is not JSON: %s", out)
	}
	return st
}

// start starts a long-running command of the binary, stopped (SIGTERM, then kill) at the
// end of the test.
func (x *e2e) start(stdin string, stderr *os.File, args ...string) *exec.Cmd {
	x.t.Helper()
	cmd := exec.CommandContext(x.ctx, x.bin, args...)
	cmd.Env = x.env
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stderr = stderr
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func stopProcess(cmd *exec.Cmd) error {
	if cmd.Process == nil || cmd.ProcessState != nil {
		return nil
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		return <-done
	}
}

// TestDaemonEndToEnd runs `cloudsync daemon` and `cloudsync serve-webdav` from the built
// binary and drives them with the CLI: accounts (right and wrong password), status,
// pause/resume, a folder synced to the WebDAV server, and the security checks of docs/TESTING.md
// (socket 0600, the password nowhere on disk nor in any process's arguments).
func TestDaemonEndToEnd(t *testing.T) {
	bin := os.Getenv("CLOUDSYNC_BIN")
	if bin == "" {
		t.Skip("CLOUDSYNC_BIN not set: run through `make test`, which builds the binary")
	}
	const password = "canary-Pw-7f3a9e"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	home := t.TempDir()
	scratch := t.TempDir()
	x := &e2e{t: t, ctx: ctx, bin: bin,
		env: append(os.Environ(), "CLOUDSYNC_HOME="+home, "CLOUDSYNC_KEYRING=memory", "BROWSER=false")}

	// The WebDAV server, with the password on stdin.
	davDir := filepath.Join(scratch, "dav")
	os.Mkdir(davDir, 0o700)
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pl.Addr().String()
	pl.Close()
	dav := x.start(password+"\n", nil, "serve-webdav", davDir, "--addr", addr, "--user", "alice", "--password-stdin")
	davOut, _ := dav.StdoutPipe()
	if err := dav.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopProcess(dav) })
	if line, err := bufio.NewReader(davOut).ReadString('\n'); err != nil || !strings.Contains(line, addr) {
		t.Fatalf("serve-webdav said %q, %v", line, err)
	}

	// The engine.
	daemonLog, err := os.Create(filepath.Join(scratch, "daemon.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer daemonLog.Close()
	daemon := x.start("", daemonLog, "daemon", "--poll-interval", "2s")
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopProcess(daemon) })
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if code, _, _ := x.cli("", "status"); code == 0 {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(daemonLog.Name())
			t.Fatalf("the daemon did not answer within 15s; its stderr:\n%s", b)
		}
	}

	sock := filepath.Join(home, "run", "control.sock")
	if p, _ := resolvePaths(func(k string) string { return map[string]string{"CLOUDSYNC_HOME": home}[k] }); p.Socket != sock {
		sock = p.Socket // the home path was too long for a socket
	}
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("control socket %s: %v, %v; want a socket with mode 0600", sock, fi.Mode(), err)
	}
	if fi, _ := os.Stat(filepath.Dir(sock)); fi.Mode().Perm() != 0o700 {
		t.Errorf("socket folder mode %v, want 0700", fi.Mode().Perm())
	}

	if code, _, errOut := x.cli("", "daemon"); code != 1 || !strings.Contains(errOut, "already running") {
		t.Errorf("second daemon: exit %d, %q", code, errOut)
	}

	url := "http://" + addr + "/"
	x.ok(password+"\n", "account", "add", "local", "--type", "webdav", "--url", url, "--user", "alice", "--password-stdin")
	code, _, errOut := x.cli("not-the-password\n", "account", "add", "wrong", "--type", "webdav", "--url", url, "--user", "alice", "--password-stdin")
	if code != 1 || !strings.Contains(errOut, "wrong user name or password") {
		t.Errorf("wrong password: exit %d, stderr %q", code, errOut)
	}
	// Signing in again takes only the password, checked before it replaces the old one.
	if code, _, errOut := x.cli("not-the-password\n", "account", "sign-in", "local", "--password-stdin"); code != 1 || !strings.Contains(errOut, "wrong password") {
		t.Errorf("sign-in with a wrong password: exit %d, stderr %q", code, errOut)
	}
	if out := x.ok(password+"\n", "account", "sign-in", "local", "--password-stdin"); !strings.Contains(out, "Signed in to local") {
		t.Errorf("sign-in: %q", out)
	}
	var accounts []model.Account
	if out := x.ok("", "account", "list", "--json"); json.Unmarshal([]byte(out), &accounts) != nil ||
		len(accounts) != 1 || accounts[0].Name != "local" || accounts[0].URL != strings.TrimSuffix(url, "/") {
		t.Fatalf("account list --json: %s", out)
	}
	// account add probed serve-webdav (x/net/webdav): ETags, locks, dead properties kept as
	// extended attributes, no file ids.
	if c := accounts[0].Capabilities; c == nil || !c.ETags || !c.Locking || c.FileIDs || c.ProbedAt.IsZero() {
		t.Errorf("account list --json: capabilities %+v, want what serve-webdav offers", c)
	}
	if out := x.ok("", "account", "list"); !strings.Contains(out, "local") || strings.Contains(out, "wrong") {
		t.Errorf("account list: %s", out)
	}

	if st := x.status(); st.State != syncer.StateIdle || st.Paused {
		t.Fatalf("fresh status: %+v", st)
	}
	x.ok("", "pause")
	if st := x.status(); st.State != syncer.StatePaused || !st.Paused {
		t.Fatalf("after pause: %+v", st)
	}
	x.ok("", "resume")
	if st := x.status(); st.State != syncer.StateIdle {
		t.Fatalf("after resume: %+v", st)
	}

	// A folder synced to the server.
	local := filepath.Join(scratch, "Docs")
	os.Mkdir(local, 0o700)
	if err := os.WriteFile(filepath.Join(local, "hello.txt"), []byte("hello cloud"), 0o600); err != nil {
		t.Fatal(err)
	}
	x.ok("", "sync", local, "--account", "local", "--to", "Backup/Docs")
	x.ok("", "wait", "--timeout", "20s")
	if b, err := os.ReadFile(filepath.Join(davDir, "Backup", "Docs", "hello.txt")); err != nil || string(b) != "hello cloud" {
		t.Fatalf("file on the server: %q, %v", b, err)
	}
	var info syncer.ItemInfo
	if out := x.ok("", "info", filepath.Join(local, "hello.txt"), "--json"); json.Unmarshal([]byte(out), &info) != nil ||
		info.Status != model.StatusSynced || info.Cloud.Account != "local" || info.LastSync == "" {
		t.Fatalf("info --json: %s", out)
	}
	if out := x.ok("", "view-in-cloud", "--print-url", filepath.Join(local, "hello.txt")); strings.TrimSpace(out) != url+"Backup/Docs/hello.txt" {
		t.Errorf("view-in-cloud --print-url: %q", out)
	}
	if code, _, errOut := x.cli("", "account", "remove", "local"); code != 1 || !strings.Contains(errOut, "unsync it first") {
		t.Errorf("removing an account in use: exit %d %q", code, errOut)
	}
	x.ok("", "unsync", local)
	x.ok("", "account", "remove", "local")
	if out := x.ok("", "account", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("account list after remove: %s", out)
	}

	// The password is in no file under CLOUDSYNC_HOME (state, Badger's files, logs), not in
	// the daemon's output, and in no process's arguments.
	filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(password)) {
			t.Errorf("the password is in %s", p)
		}
		return nil
	})
	for _, cmd := range []*exec.Cmd{daemon, dav} {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/cmdline")
		if err != nil {
			t.Errorf("reading the command line of %v: %v", cmd.Args, err)
		} else if bytes.Contains(b, []byte(password)) {
			t.Errorf("the password is on the command line of %v", cmd.Args[1])
		}
	}

	// A clean stop removes the socket; then commands say no engine runs.
	if err := stopProcess(daemon); err != nil {
		t.Errorf("daemon exit: %v", err)
	}
	if b, _ := os.ReadFile(daemonLog.Name()); bytes.Contains(b, []byte(password)) {
		t.Error("the password is in the daemon's stderr")
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left after the daemon stopped: %v", err)
	}
	if code, _, errOut := x.cli("", "status"); code != 1 || !strings.Contains(errOut, "no cloudsync engine is running") {
		t.Errorf("status without engine: exit %d %q", code, errOut)
	}
}
