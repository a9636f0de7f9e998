package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/ui"
	"github.com/cloudsync/cloudsync/ui/localcloud"
)

// env is the environment of the app and of the CLI calls: a private CLOUDSYNC_HOME and a
// BROWSER stub that writes the URL it is given to a file.
type env struct {
	bin, home, browserLog string
	vars                  []string
}

func (e *env) cli(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = e.vars
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cloudsync %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (e *env) status(t *testing.T) syncer.Status {
	t.Helper()
	var st syncer.Status
	if err := json.Unmarshal([]byte(e.cli(t, "status", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestDesktopApp does every step of issue 4's "Done when" against the built binary.
func TestDesktopApp(t *testing.T) {
	if os.Getenv("CLOUDSYNC_GUI_E2E") != "1" {
		t.Skip("real-window test: run scripts/gui-test.sh (make test-gui)")
	}
	bin, prefix := os.Getenv("CLOUDSYNC_BIN"), os.Getenv("CLOUDSYNC_INSTALL_PREFIX")
	if bin == "" || prefix == "" {
		t.Fatal("set CLOUDSYNC_BIN and CLOUDSYNC_INSTALL_PREFIX")
	}
	home := os.Getenv("HOME")
	tmp := t.TempDir()
	e := &env{bin: bin, home: filepath.Join(tmp, "cs"), browserLog: filepath.Join(tmp, "browser.log")}
	stub := filepath.Join(tmp, "browser-stub")
	os.WriteFile(stub, []byte("#!/bin/sh\nprintf '%s\\n' \"$1\" >>"+e.browserLog+"\n"), 0o755)
	e.vars = append(os.Environ(), "CLOUDSYNC_HOME="+e.home, "BROWSER="+stub)

	// A WebDAV server on 127.0.0.1 with a password, standing for the user's cloud.
	cloudDir := filepath.Join(tmp, "cloud")
	os.MkdirAll(cloudDir, 0o755)
	const davUser, davPassword = "ann", "dav-Pa55word-e2e"
	dav, err := localcloud.Start(cloudDir, "127.0.0.1:0", davUser, davPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer dav.Close(context.Background())

	notes := startFakeNotifications(t)

	// The app, as a user starts it: bare `cloudsync`.
	logf, _ := os.Create(filepath.Join(artifacts(t), "gui-app.log"))
	defer logf.Close()
	app := exec.Command(bin)
	app.Env, app.Stdout, app.Stderr = e.vars, logf, logf
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	defer func() {
		app.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			app.Process.Kill()
			<-exited
		}
	}()

	// 1. First run: no account, so the app opens account setup (Preferences → Accounts,
	// the name field focused). Add the account by typing into the form.
	prefs := window(t, "^cloudsync Preferences$")
	focus(t, prefs)
	typeText(t, "Work")
	key(t, "Tab", "Tab") // the type select keeps WebDAV
	typeText(t, dav.URL)
	key(t, "Tab")
	typeText(t, davUser)
	key(t, "Tab")
	typeText(t, davPassword)
	key(t, "Return") // Enter in the password field adds the account
	eventually(t, 30*time.Second, "the account in `cloudsync account list`", func() bool {
		return strings.Contains(e.cli(t, "account", "list", "--json"), `"Work"`)
	})
	// The password is in the keyring, nowhere on disk.
	out, err := exec.CommandContext(t.Context(), "secret-tool", "lookup", "service", "cloudsync", "username", "Work").Output()
	if err != nil || string(out) != davPassword {
		t.Fatalf("keyring lookup: %q, %v", out, err)
	}
	for _, dir := range []string{home, e.home, os.Getenv("XDG_RUNTIME_DIR")} {
		assertNotInFiles(t, dir, davPassword)
	}
	shots := map[string]string{}
	shots["preferences"] = screenshot(t, prefs, "preferences")

	// 2. Sync to Cloud: a folder with a file, to a new cloud folder.
	docs := filepath.Join(tmp, "Reports")
	os.MkdirAll(docs, 0o755)
	os.WriteFile(filepath.Join(docs, "plan.txt"), []byte("version 1\n"), 0o644)
	cl := control.NewClient(socketOf(t, e))
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	if err := cl.ShowWindow(ctx, "sync-to-cloud"); err != nil {
		t.Fatal(err)
	}
	cancel()
	dlg := window(t, "^Sync to Cloud$")
	focus(t, dlg)
	typeText(t, docs) // the folder field has the focus; the cloud folder follows its name
	time.Sleep(time.Second)
	shots["sync-to-cloud"] = screenshot(t, dlg, "sync-to-cloud")
	key(t, "Return") // Sync
	eventually(t, 30*time.Second, "the sync set", func() bool { return e.status(t).Sets == 1 })
	e.cli(t, "wait", "--timeout", "60s")
	if b, err := os.ReadFile(filepath.Join(cloudDir, "Reports", "plan.txt")); err != nil || string(b) != "version 1\n" {
		t.Fatalf("cloud copy: %q, %v", b, err)
	}

	// 3. The tray over D-Bus: Pause Sync → Resume Sync, another icon, status paused.
	tr := findTray(t, app.Process.Pid)
	labels := tr.labels(t)
	for _, want := range []string{ui.LabelPause, ui.LabelSynced, ui.LabelErrors(0), ui.LabelPreferences, ui.LabelQuit} {
		if !slices.Contains(labels, want) {
			t.Fatalf("tray menu %q lacks %q", labels, want)
		}
	}
	iconBefore := tr.icon(t)
	tr.click(t, ui.LabelPause)
	eventually(t, 15*time.Second, "Resume Sync in the tray menu", func() bool {
		return slices.Contains(tr.labels(t), ui.LabelResume)
	})
	if slices.Contains(tr.labels(t), ui.LabelPause) {
		t.Error("Pause Sync still in the menu")
	}
	if tr.icon(t) == iconBefore {
		t.Error("the tray icon did not change on pause")
	}
	if st := e.status(t); !st.Paused || st.State != syncer.StatePaused {
		t.Fatalf("status after Pause Sync: %+v", st)
	}

	// 4. A conflict while paused: both sides change plan.txt; Resume Sync; the app
	// notifies, naming the kept copy.
	setFastPolling(t, cl)
	os.WriteFile(filepath.Join(docs, "plan.txt"), []byte("version 2, local\n"), 0o644)
	os.WriteFile(filepath.Join(cloudDir, "Reports", "plan.txt"), []byte("version 2, cloud\n"), 0o644)
	tr.click(t, ui.LabelResume)
	var conflict notification
	eventually(t, 60*time.Second, "a conflict notification", func() bool {
		for _, n := range notes.all() {
			if strings.HasPrefix(n.Summary, "Conflict") {
				conflict = n
				return true
			}
		}
		return false
	})
	kept := keptCopy(t, docs, "plan")
	if !strings.Contains(conflict.Body, kept) {
		t.Errorf("conflict notification %q does not name the kept copy %s", conflict.Body, kept)
	}
	t.Logf("notification: %s — %s", conflict.Summary, conflict.Body)
	e.cli(t, "wait", "--timeout", "60s")

	// 5. Synced content (from the tray) and Sync Info (right-click → Sync Info).
	tr.click(t, ui.LabelSynced)
	content := window(t, "^Synced content$")
	focus(t, content)
	shots["synced-content"] = screenshot(t, content, "synced-content")
	clickAt(t, content, 120, 62, 3) // right-click the first item
	clickAt(t, content, 150, 78, 1) // the menu's first entry: Sync Info
	info := window(t, "^Sync Info — ")
	focus(t, info)
	shots["sync-info"] = screenshot(t, info, "sync-info")

	// 6. The installed file-manager actions and desktop entry (make install PREFIX=…).
	checkInstall(t, prefix)
	target := filepath.Join(docs, "plan.txt")
	want := strings.TrimSpace(e.cli(t, "view-in-cloud", "--print-url", target))
	script := filepath.Join(prefix, "share", "nautilus", "scripts", "View in Cloud")
	sctx, scancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer scancel()
	cmd := exec.CommandContext(sctx, script, "plan.txt") // Nautilus: cwd = the folder, names as arguments
	cmd.Dir, cmd.Env = docs, e.vars
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("Nautilus script: %v\n%s", err, out)
	}
	eventually(t, 10*time.Second, "the browser stub to be called", func() bool {
		b, _ := os.ReadFile(e.browserLog)
		return strings.TrimSpace(string(b)) == want
	})
	t.Logf("View in Cloud opened %s", want)

	// A second `cloudsync` shows the running app's Preferences and exits.
	tr.click(t, ui.LabelPreferences) // (already open: raised)
	second := e.cli(t)
	if !strings.Contains(second, "already running") {
		t.Errorf("second start said %q", second)
	}

	// "Try it with a local cloud" (Preferences → Accounts): the built-in WebDAV server on
	// 127.0.0.1 and an account for it, its generated password in the keyring only.
	ctx, cancel = context.WithTimeout(t.Context(), 10*time.Second)
	if err := cl.ShowWindow(ctx, "accounts"); err != nil {
		t.Fatal(err)
	}
	cancel()
	prefs = window(t, "^cloudsync Preferences$")
	focus(t, prefs)
	clickAt(t, prefs, 100, 541, 1) // the button under "No server yet?"
	var accts []struct{ Name, URL string }
	eventually(t, 30*time.Second, "the local cloud account", func() bool {
		json.Unmarshal([]byte(e.cli(t, "account", "list", "--json")), &accts)
		return slices.ContainsFunc(accts, func(a struct{ Name, URL string }) bool {
			return a.Name == localcloud.AccountName && strings.HasPrefix(a.URL, "http://127.0.0.1:")
		})
	})
	window(t, "^Sync to Cloud$") // offered next
	pw, err := exec.CommandContext(t.Context(), "secret-tool", "lookup", "service", "cloudsync", "username", localcloud.AccountName).Output()
	if err != nil || len(pw) < 20 {
		t.Fatalf("local cloud password in the keyring: %d bytes, %v", len(pw), err)
	}
	for _, dir := range []string{home, e.home} {
		assertNotInFiles(t, dir, string(pw))
	}
	for name, p := range shots {
		t.Logf("%s: %s", name, p)
	}
}

func artifacts(t *testing.T) string {
	if d := os.Getenv("CLOUDSYNC_ARTIFACTS"); d != "" {
		return d
	}
	return t.TempDir()
}

// socketOf is the control socket the CLI of env uses (CLOUDSYNC_HOME/run/control.sock,
// or its short stand-in).
func socketOf(t *testing.T, e *env) string {
	p := filepath.Join(e.home, "run", "control.sock")
	if control.CheckSocketPath(p) != nil {
		t.Fatalf("socket path %s too long for this test", p)
	}
	return p
}

// setFastPolling makes the engine look at the cloud every second (General settings).
func setFastPolling(t *testing.T, cl *control.Client) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s, err := cl.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.PollInterval = syncer.Duration(time.Second)
	if err := cl.PutSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
}

// keptCopy returns the name of the conflict copy of stem in dir.
func keptCopy(t *testing.T, dir, stem string) string {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != stem+".txt" && strings.HasPrefix(e.Name(), stem) {
			return e.Name()
		}
	}
	t.Fatalf("no conflict copy of %s in %s", stem, dir)
	return ""
}

func assertNotInFiles(t *testing.T, dir, secret string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s contains the password", p)
		}
		return nil
	})
}

// checkInstall checks what `make install PREFIX=…` put in place.
func checkInstall(t *testing.T, prefix string) {
	t.Helper()
	desktop := filepath.Join(prefix, "share", "applications", "io.github.cloudsync.cloudsync.desktop")
	if out, err := exec.CommandContext(t.Context(), "desktop-file-validate", desktop).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("desktop-file-validate %s: %v\n%s", desktop, err, out)
	}
	for _, f := range []string{
		"share/icons/hicolor/48x48/apps/io.github.cloudsync.cloudsync.png",
		"share/icons/hicolor/scalable/apps/io.github.cloudsync.cloudsync.svg",
		"share/nautilus/scripts/View in Cloud",
		"share/nautilus/scripts/Request Sync",
		"share/nemo/actions/cloudsync-view-in-cloud.nemo_action",
		"share/nemo/actions/cloudsync-request-sync.nemo_action",
		"share/kio/servicemenus/io.github.cloudsync.cloudsync-servicemenu.desktop",
		"etc/xdg/Thunar/uca.xml",
	} {
		b, err := os.ReadFile(filepath.Join(prefix, f))
		if err != nil {
			t.Errorf("not installed: %s", f)
			continue
		}
		if strings.Contains(string(b), "@BINDIR@") {
			t.Errorf("%s: @BINDIR@ not substituted", f)
		}
	}
	uca, _ := os.ReadFile(filepath.Join(prefix, "etc/xdg/Thunar/uca.xml"))
	if !strings.Contains(string(uca), "view-in-cloud %f") || !strings.Contains(string(uca), "request-sync %f") {
		t.Errorf("Thunar actions missing:\n%s", uca)
	}
}
