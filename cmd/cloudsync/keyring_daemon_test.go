package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestDaemonKeyringKeepsPasswordOutOfFiles runs the built daemon with the real OS keyring
// (gnome-keyring's Secret Service in a private D-Bus session; scripts/keyring-test.sh sets
// that up and CLOUDSYNC_KEYRING_TEST=1). `account add` with a canary password must put it
// in the keyring (secret-tool finds it under go-keyring's attributes service/username) and
// nowhere else: not in any file under CLOUDSYNC_HOME (config, the Badger state with its
// write-ahead and value logs, logs), neither while the daemon runs nor after it stopped,
// not in the daemon's output, and not in the command line or environment of the daemon or
// the server. A restarted daemon syncs with the password read back from the keyring. A
// wrong password is refused (exit 1, a clear message) and stores nothing.
func TestDaemonKeyringKeepsPasswordOutOfFiles(t *testing.T) {
	if os.Getenv("CLOUDSYNC_KEYRING_TEST") != "1" {
		t.Skip("needs a real Secret Service: run scripts/keyring-test.sh (make test does)")
	}
	bin := builtBinary(t)
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool is missing (Debian package libsecret-tools; make deps installs it)")
	}
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	canary := "canary-" + stamp + "-Pw9#q"
	wrong := "wrong-" + stamp + "-Pw7!x"
	account, wrongAccount := "kr-"+stamp, "kr-wrong-"+stamp

	base := t.TempDir()
	home, served, local := filepath.Join(base, "cs"), filepath.Join(base, "server"), filepath.Join(base, "Docs")
	for _, d := range []string{served, local} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(local, "a.txt"), "synced with a keyring password")

	davEnv := childEnv(cloudsyncVars)
	dav, davProc := startServeWebDAV(t, bin, davEnv, served, "alice", canary)
	// No CLOUDSYNC_KEYRING: the daemon uses the OS keyring.
	env := childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+home, "XDG_DATA_HOME="+filepath.Join(base, "xdg-data"))
	daemon := startDaemon(t, bin, env, "--poll-interval", "2s")
	ctl := &cliCtl{bin: bin, env: env}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	t.Cleanup(func() { // leave the session's keyring as it was, whatever happened
		_ = exec.Command("secret-tool", "clear", "service", credentials.Service, "username", account).Run()
	})

	addArgs := func(name string) []string {
		return []string{"account", "add", name, "--type", "webdav", "--url", dav, "--user", "alice", "--password-stdin"}
	}
	out := mustRun(t, ctl, ctx, canary+"\n", addArgs(account))
	if !strings.Contains(out, "keyring") {
		t.Errorf("account add said %q; want it to say the password is in the keyring", out)
	}
	if got, err := secretToolLookup(ctx, account); err != nil || got != canary {
		t.Fatalf("secret-tool lookup service %s username %s = %q, %v; want the password", credentials.Service, account, got, err)
	}

	// Real state to search: a synced folder (items, bases) and its log lines.
	mustRun(t, ctl, ctx, "", []string{"sync", local, "--account", account, "--to", "Docs"})
	mustRun(t, ctl, ctx, "", []string{"wait", "--timeout", "20s"})
	if b, _ := os.ReadFile(filepath.Join(served, "Docs", "a.txt")); string(b) != "synced with a keyring password" {
		t.Fatalf("first sync: server has %q", b)
	}

	// A wrong password: refused, exit 1, a clear message, nothing stored.
	_, err := ctl.run(ctx, wrong+"\n", addArgs(wrongAccount)...)
	var ce *cliError
	if !errors.As(err, &ce) || ce.Code != 1 || !strings.Contains(ce.Stderr, "wrong user name or password") ||
		!strings.Contains(ce.Stderr, "nothing was stored") {
		t.Fatalf("account add with a wrong password: %v; want exit 1 saying wrong user name or password, nothing was stored", err)
	}
	if strings.Contains(ce.Stderr, wrong) {
		t.Error("the refusal message shows the wrong password")
	}
	var accounts []model.Account
	if err := ctl.runJSON(ctx, &accounts, "account", "list", "--json"); err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 1 || accounts[0].Name != account {
		t.Errorf("account list after the refusal: %+v; want only %s", accounts, account)
	}
	if got, err := secretToolLookup(ctx, wrongAccount); err != nil || got != "" {
		t.Errorf("the keyring holds %q (%v) for the refused account", got, err)
	}

	secrets := []string{canary, wrong}
	searchProc(t, daemon.pid(), "daemon", secrets)
	searchProc(t, davProc.pid(), "serve-webdav", []string{wrong}) // it holds the right one in memory, never in argv or environ
	searchTree(t, home, account, secrets)

	// After a clean stop (Badger flushes its memtable, removes its write-ahead log), again;
	// then a new daemon syncs with the password it reads back from the keyring.
	if err := daemon.stop(); err != nil {
		t.Fatalf("daemon stop: %v", err)
	}
	searchTree(t, home, account, secrets)
	for _, s := range secrets {
		if strings.Contains(daemon.stderr.String(), s) {
			t.Error("a password is in the daemon's output")
		}
	}
	startDaemon(t, bin, env, "--poll-interval", "2s")
	writeFile(t, filepath.Join(local, "after-restart.txt"), "needs the keyring")
	mustRun(t, ctl, ctx, "", []string{"wait", "--timeout", "20s"})
	if b, _ := os.ReadFile(filepath.Join(served, "Docs", "after-restart.txt")); string(b) != "needs the keyring" {
		t.Fatalf("after a restart the daemon did not sync (password not read back from the keyring?): server has %q", b)
	}

	// Removing the account removes its keyring entry.
	mustRun(t, ctl, ctx, "", []string{"unsync", local})
	mustRun(t, ctl, ctx, "", []string{"account", "remove", account})
	if got, err := secretToolLookup(ctx, account); err != nil || got != "" {
		t.Errorf("after account remove the keyring still holds %q (%v)", got, err)
	}
}

// secretToolLookup returns the secret stored for account under cloudsync's service, "" when
// there is none (secret-tool exits 1 without output then).
func secretToolLookup(ctx context.Context, account string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "secret-tool", "lookup", "service", credentials.Service, "username", account)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && len(out) == 0 && stderr.Len() == 0 {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("secret-tool: %v: %s", err, stderr.String())
	}
	return strings.TrimSuffix(string(out), "\n"), nil
}

// searchProc checks that no secret is in a process's command line or environment.
func searchProc(t *testing.T, pid int, name string, secrets []string) {
	t.Helper()
	for _, f := range []string{"cmdline", "environ"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, f))
		if err != nil || len(b) == 0 {
			t.Errorf("reading /proc/%d/%s of %s: %v (%d bytes)", pid, f, name, err, len(b))
			continue
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("a password is in the %s of %s", f, name)
			}
		}
	}
}

// searchTree checks that no secret is in any file under dir, and that it searched the
// state (Badger) and log files. As a control, the public string known (the account name,
// which the state stores) must be found in a state file: a search that cannot see what the
// daemon stores (compressed or encrypted blocks) would prove nothing.
func searchTree(t *testing.T, dir, known string, secrets []string) {
	t.Helper()
	var files, knownIn []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, rel)
		if bytes.Contains(b, []byte(known)) {
			knownIn = append(knownIn, rel)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("a password is in %s", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("searching %s: %v", dir, err)
	}
	joined := strings.Join(files, " ")
	for _, want := range []string{"logs/cloudsync.log", "state/MANIFEST"} {
		if !strings.Contains(joined, want) {
			t.Errorf("searched %d files without %s: %v", len(files), want, files)
		}
	}
	if !slices.ContainsFunc(knownIn, func(f string) bool { return strings.HasPrefix(f, "state/") }) {
		t.Errorf("control: the account name %q was found in no state file (found in %v); the search cannot see the stored data", known, knownIn)
	}
	t.Logf("searched %d files under %s: %v; the account name is in %v", len(files), dir, files, knownIn)
}
