package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco"
)

// runMainEnv makes the test binary act as the server command, so the end-to-end test runs
// the test server as a real separate process without building another binary.
const runMainEnv = "ALFRESCO_TEST_SERVER_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// cli runs the built cloudsync binary.
type cli struct {
	t   *testing.T
	ctx context.Context
	bin string
	env []string
}

func (c *cli) run(stdin string, args ...string) (int, string, string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env, cmd.Stdin = c.env, strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok || ctx.Err() != nil {
			c.t.Fatalf("%v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return code, out.String(), errb.String()
}

func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	code, out, errOut := c.run(stdin, args...)
	if code != 0 {
		c.t.Fatalf("cloudsync %v: exit %d\nstdout %s\nstderr %s", args, code, out, errOut)
	}
	return out
}

// start starts a long-running process, stopped with SIGTERM (then killed) at the end.
func start(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
}

// TestCLIAgainstTheTestServerProcess runs the test server as a process and drives the built
// cloudsync binary against it: account add (right and wrong password), browse (networks,
// sites, folders), sync of a folder to -default-/SITE/path (missing folders created), and
// view-in-cloud --print-url giving the Share URL of the node.
func TestCLIAgainstTheTestServerProcess(t *testing.T) {
	bin := os.Getenv("CLOUDSYNC_BIN")
	if bin == "" {
		t.Skip("CLOUDSYNC_BIN not set: run through `make test`, which builds the binary")
	}
	const password = "canary-Alf-Pw-93c1"
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Second)
	defer cancel()
	scratch := t.TempDir()

	// The server, as its own process.
	srvLog, err := os.Create(filepath.Join(scratch, "server.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer srvLog.Close()
	srv := exec.CommandContext(ctx, os.Args[0], "-addr", "127.0.0.1:0", "-user", "alice", "-password-stdin", "-site", "docs,archive", "-realistic")
	srv.Env = append(os.Environ(), runMainEnv+"=1")
	srv.Stdin, srv.Stderr = strings.NewReader(password+"\n"), srvLog
	srvOut, _ := srv.StdoutPipe()
	start(t, srv)
	line, err := bufio.NewReader(srvOut).ReadString('\n')
	url, found := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !found {
		t.Fatalf("the server said %q, %v", line, err)
	}

	// The engine.
	home := t.TempDir()
	c := &cli{t: t, ctx: ctx, bin: bin, env: append(os.Environ(), "CLOUDSYNC_HOME="+home, "CLOUDSYNC_KEYRING=memory", "BROWSER=false")}
	daemonLog, err := os.Create(filepath.Join(scratch, "daemon.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer daemonLog.Close()
	daemon := exec.CommandContext(ctx, bin, "daemon", "--poll-interval", "1s")
	daemon.Env, daemon.Stderr = c.env, daemonLog
	start(t, daemon)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if code, _, _ := c.run("", "status"); code == 0 {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(daemonLog.Name())
			t.Fatalf("the daemon did not answer within 15s; its stderr:\n%s", b)
		}
	}

	if code, _, errOut := c.run("wrong\n", "account", "add", "bad", "--type", "alfresco", "--url", url, "--user", "alice", "--password-stdin"); code != 1 ||
		!strings.Contains(errOut, "wrong user name or password") {
		t.Errorf("wrong password: exit %d, %q", code, errOut)
	}
	c.ok(password+"\n", "account", "add", "A", "--type", "alfresco", "--url", url, "--user", "alice", "--password-stdin")

	browse := func(args ...string) []syncer.BrowseEntry {
		t.Helper()
		var es []syncer.BrowseEntry
		// "--": the network id "-default-" starts with a dash, so a positional destination
		// needs it (a flag value such as --to -default-/… does not).
		out := c.ok("", append([]string{"browse", "A", "--json", "--"}, args...)...)
		if err := json.Unmarshal([]byte(out), &es); err != nil {
			t.Fatalf("browse --json %v: %s", args, out)
		}
		return es
	}
	if es := browse(); len(es) != 1 || es[0].Name != "-default-" || es[0].Kind != "network" {
		t.Fatalf("browse A: %+v", es)
	}
	if out := c.ok("", "browse", "A"); !strings.Contains(out, "-default-") {
		t.Errorf("browse A (table): %s", out)
	}
	if es := browse("-default-"); len(es) != 2 || es[0].Kind != "site" || es[0].Path != "-default-/archive" || es[1].Path != "-default-/docs" {
		t.Fatalf("browse A -default-: %+v", es)
	}

	local := filepath.Join(scratch, "Report Folder")
	if err := os.MkdirAll(filepath.Join(local, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	for p, data := range map[string]string{"hello.txt": "hello alfresco", "sub/deep.txt": "deep"} {
		if err := os.WriteFile(filepath.Join(local, p), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c.ok("", "sync", local, "--account", "A", "--to", "-default-/docs/Projects/2026")
	c.ok("", "wait", "--timeout", "30s")
	if es := browse("-default-/docs/Projects/2026"); len(es) != 2 || es[0].Name != "sub" || es[0].Kind != "folder" || es[1].Name != "hello.txt" {
		t.Fatalf("browse of the synced folder: %+v", es)
	}

	// What the server holds, read back through the remote.
	rem, err := alfresco.New(alfresco.Config{URL: url, User: "alice", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	file, err := rem.Stat(ctx, "-default-/docs/Projects/2026/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rem.Open(ctx, file, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	_, _ = got.ReadFrom(rc)
	rc.Close()
	if got.String() != "hello alfresco" {
		t.Fatalf("content on the server: %q", got.String())
	}

	wantFile := url + "/share/page/document-details?nodeRef=workspace://SpacesStore/" + file.ID
	if out := strings.TrimSpace(c.ok("", "view-in-cloud", "--print-url", filepath.Join(local, "hello.txt"))); out != wantFile {
		t.Errorf("view-in-cloud --print-url of the file: %q, want %q", out, wantFile)
	}
	wantDir := url + "/share/page/site/docs/documentlibrary?path=/Projects/2026/sub"
	if out := strings.TrimSpace(c.ok("", "view-in-cloud", "--print-url", filepath.Join(local, "sub"))); out != wantDir {
		t.Errorf("view-in-cloud --print-url of a folder: %q, want %q", out, wantDir)
	}

	for _, f := range []string{daemonLog.Name(), srvLog.Name()} {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(password)) {
			t.Errorf("the password is in %s", f)
		}
		if bytes.Contains(b, []byte("CONTRACT VIOLATION")) {
			t.Errorf("the server reported contract violations:\n%s", b)
		}
	}
	if b, _ := os.ReadFile(srvLog.Name()); len(b) > 0 {
		t.Logf("server stderr:\n%s", b)
	}
}
