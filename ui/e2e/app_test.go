package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
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

// TestDesktopApp drives the built app in real windows through the states issue 13 names
// (first run, syncing with progress, paused, offline, sign-in needed, a target deleted in
// the cloud, a conflict), takes a screenshot of every window and dialog in each, and
// checks what the tray, the windows and the notifications say.
func TestDesktopApp(t *testing.T) {
	if os.Getenv("CLOUDSYNC_GUI_E2E") != "1" {
		t.Skip("real-window test: run scripts/gui-test.sh (make test-gui)")
	}
	bin, appBin, prefix := os.Getenv("CLOUDSYNC_BIN"), os.Getenv("CLOUDSYNC_APP_BIN"), os.Getenv("CLOUDSYNC_INSTALL_PREFIX")
	if bin == "" || appBin == "" || prefix == "" {
		t.Fatal("set CLOUDSYNC_BIN, CLOUDSYNC_APP_BIN (built with -tags uicheck) and CLOUDSYNC_INSTALL_PREFIX")
	}
	home := os.Getenv("HOME")
	tmp := t.TempDir()
	e := &env{bin: bin, home: filepath.Join(tmp, "cs"), browserLog: filepath.Join(tmp, "browser.log")}
	stub := filepath.Join(tmp, "browser-stub")
	os.WriteFile(stub, []byte("#!/bin/sh\nprintf '%s\\n' \"$1\" >>"+e.browserLog+"\n"), 0o755)
	e.vars = append(os.Environ(), "CLOUDSYNC_HOME="+e.home, "BROWSER="+stub)
	checkDir := filepath.Join(tmp, "uicheck")
	os.MkdirAll(checkDir, 0o700)

	cloudDir := filepath.Join(tmp, "cloud")
	os.MkdirAll(cloudDir, 0o755)
	const davUser, davPassword, newPassword = "ann", "dav-Pa55word-e2e", "n3w-Pa55word-e2e"
	cloud := startTestCloud(t, cloudDir, davUser, davPassword)
	notes := startFakeNotifications(t)

	os.RemoveAll(filepath.Join(home, ".cache")) // a fresh HOME (fyne once failed on it)
	a := startApp(t, e, appBin, "gui-app.log", "CLOUDSYNC_UI_CHECK="+checkDir)
	s := &session{t: t, e: e, checkDir: checkDir}

	// First run: no account, so the app opens account setup (Preferences → Accounts, the
	// name field focused).
	prefs := window(t, "^cloudsync Preferences$")
	s.cl = control.NewClient(socketOf(t, e))
	defer s.cl.Close()
	s.shot("cloudsync Preferences", "01-first-run-accounts", "No account yet", "Try it with a local cloud")
	focus(t, prefs)
	typeText(t, "Work")
	key(t, "Tab", "Tab") // the type select keeps WebDAV
	typeText(t, cloud.URL)
	key(t, "Tab")
	typeText(t, davUser)
	key(t, "Tab")
	typeText(t, davPassword)
	key(t, "Return") // Enter in the password field adds the account
	eventually(t, 30*time.Second, "the account in `cloudsync account list`", func() bool {
		return strings.Contains(e.cli(t, "account", "list", "--json"), `"Work"`)
	})
	out, err := exec.CommandContext(t.Context(), "secret-tool", "lookup", "service", "cloudsync", "username", "Work").Output()
	if err != nil || string(out) != davPassword {
		t.Fatalf("keyring lookup: %q, %v", out, err)
	}
	s.shot("cloudsync Preferences", "02-first-run-account-added", "Account Work added", ui.LabelAddAccount)
	s.show("general")
	s.shot("cloudsync Preferences", "03-preferences-general", "Check the cloud every", "30s")
	s.show("about")
	s.shot("cloudsync Preferences", "04-preferences-about", "cloudsync ", "Show log")
	s.show("log")
	s.shot("cloudsync log", "05-log", "engine started")
	s.closeWindow("cloudsync log")
	setPolling(t, s.cl, time.Second)

	// Sync to Cloud: a folder with a file, to a new cloud folder; the dialog says what it
	// did instead of closing without a word.
	docs := filepath.Join(tmp, "Reports")
	os.MkdirAll(docs, 0o755)
	os.WriteFile(filepath.Join(docs, "plan.txt"), []byte("version 1\n"), 0o644)
	for _, n := range []string{"data.csv", "notes.txt", "budget.ods"} {
		os.WriteFile(filepath.Join(docs, n), []byte(n+"\n"), 0o644)
	}
	s.show("sync-to-cloud")
	dlg := window(t, "^Sync to Cloud$")
	focus(t, dlg)
	typeText(t, docs) // the folder field has the focus; the cloud folder follows its name
	s.shot("Sync to Cloud", "06-sync-to-cloud", "Reports", "Include subfolders")
	key(t, "Return") // Sync
	s.shot("Sync to Cloud", "07-sync-to-cloud-done", "Sync set created", "Syncing "+docs+" with Work: /Reports.")
	s.closeWindow("Sync to Cloud")
	e.wait(t)
	if b, err := os.ReadFile(filepath.Join(cloudDir, "Reports", "plan.txt")); err != nil || string(b) != "version 1\n" {
		t.Fatalf("cloud copy: %q, %v", b, err)
	}

	tr := findTray(t, a.cmd.Process.Pid)
	for _, want := range []string{ui.LabelPause, ui.LabelSynced, ui.LabelErrors(0), ui.LabelPreferences, ui.LabelQuit} {
		if !slices.Contains(tr.labels(t), want) {
			t.Fatalf("tray menu %q lacks %q", tr.labels(t), want)
		}
	}
	eventually(t, 15*time.Second, "the tray to say Up to date", func() bool { return tr.line(t) == "Up to date" })
	icons := map[string]string{syncer.StateIdle: tr.icon(t)}
	quitID := tr.id(t, ui.LabelQuit)

	// Syncing with progress: a 12 MB file through a cloud that takes 1 MB/s.
	cloud.set(func(c *testCloud) { c.rate = 1 << 20 })
	big := filepath.Join(docs, "Quarterly figures 2026.iso")
	os.WriteFile(big, bytes.Repeat([]byte("cloudsync "), 1_200_000), 0o644)
	eventually(t, 30*time.Second, "the progress in the tray", func() bool {
		return strings.HasPrefix(tr.line(t), "Syncing 1 item") && slices.ContainsFunc(tr.labels(t), func(l string) bool { return strings.Contains(l, "MB of 12.0 MB") })
	})
	// The progress line changes in place: the menu's item ids stay (an open menu stays open).
	before := tr.items(t)
	eventually(t, 20*time.Second, "the progress line to move on", func() bool {
		after := tr.items(t)
		return len(after) == len(before) && after[1].Label != before[1].Label
	})
	if after := tr.items(t); after[0].ID != before[0].ID || after[1].ID != before[1].ID {
		t.Errorf("the tray menu was rebuilt for a progress tick (ids %d,%d → %d,%d)", before[0].ID, before[1].ID, after[0].ID, after[1].ID)
	}
	cloud.set(func(c *testCloud) { c.rate = 0 })
	if tip := tr.tooltip(t); !strings.Contains(tip, "Quarterly figures 2026.iso") {
		t.Errorf("the tray tooltip does not name the file: %q", tip)
	}
	icons[syncer.StateSyncing] = tr.icon(t)
	s.show("synced")
	// The file being uploaded is a row of its own (a text line of its own), not only the
	// progress line's.
	s.shot("Synced content", "08-syncing-synced-content", "Syncing 1 item", "Quarterly figures 2026.iso — ", "MB of 12.0 MB", "Name", "Folder", "Status",
		"\nQuarterly figures 2026.iso\n")
	s.show("preferences")
	s.shot("cloudsync Preferences", "09-syncing-sync-sets", "Syncing, 1 item left")
	e.wait(t)
	// Syncing started and ended without a new menu: the items keep their ids, so a click
	// on a menu read a moment before (a user's, or this test's) reaches its item.
	eventually(t, 15*time.Second, "the tray to say Up to date after the upload", func() bool { return tr.line(t) == "Up to date" })
	if id := tr.id(t, ui.LabelQuit); id != quitID {
		t.Errorf("the tray menu was rebuilt when syncing started or ended (Quit's id %d → %d)", quitID, id)
	}

	// Paused: Pause Sync → Resume Sync, another icon; an edit while paused waits.
	tr.click(t, ui.LabelPause)
	eventually(t, 15*time.Second, "Resume Sync in the tray menu", func() bool { return slices.Contains(tr.labels(t), ui.LabelResume) })
	icons[syncer.StatePaused] = tr.icon(t)
	if st := e.status(t); !st.Paused || st.State != syncer.StatePaused {
		t.Fatalf("status after Pause Sync: %+v", st)
	}
	os.WriteFile(filepath.Join(docs, "notes.txt"), []byte("edited while paused\n"), 0o644)
	eventually(t, 15*time.Second, "the tray line while paused", func() bool {
		st := e.status(t)
		want := "Sync paused"
		if st.Pending > 0 {
			want += " — "
		}
		return strings.HasPrefix(tr.line(t), want)
	})
	if l := tr.line(t); strings.Count(l, "Sync paused") != 1 {
		t.Errorf("the tray line repeats itself: %q", l)
	}
	s.show("preferences")
	s.shot("cloudsync Preferences", "10-paused-sync-sets", "Paused")
	s.show("synced")
	s.shot("Synced content", "11-paused-synced-content", "Paused", "Sync paused")
	tr.click(t, ui.LabelResume)
	e.wait(t)

	// Offline: the server is down; a local edit waits and is never "Synced".
	cloud.set(func(c *testCloud) { c.down = true })
	os.WriteFile(filepath.Join(docs, "plan.txt"), []byte("version 2, while the server is down\n"), 0o644)
	eventually(t, 30*time.Second, "the tray to say Offline", func() bool { return strings.HasPrefix(tr.line(t), "Offline") })
	icons[syncer.StateOffline] = tr.icon(t)
	eventually(t, 15*time.Second, "the local edit to be pending", func() bool {
		return e.info(t, filepath.Join(docs, "plan.txt")).Status == "pending"
	})
	if l := tr.line(t); !strings.Contains(l, "wait") {
		t.Errorf("offline with a change waiting, the tray says %q", l)
	}
	s.show("preferences")
	s.shot("cloudsync Preferences", "12-offline-sync-sets", "Offline")
	s.show("synced")
	s.shot("Synced content", "13-offline-synced-content", "plan.txt", "Waiting to sync", "Offline: the cloud cannot be reached")
	s.show("info:" + filepath.Join(docs, "plan.txt"))
	s.shot("Sync Info — plan.txt", "14-offline-sync-info", "plan.txt", "Waiting to sync", "The cloud cannot be reached")
	cloud.set(func(c *testCloud) { c.down = false })
	e.wait(t)
	s.waitTexts("Sync Info — plan.txt", "Synced") // Sync Info follows the engine

	// Sign-in needed: the password changed on the server. One notification, with a Sign
	// in action that asks for the password only.
	cloud.set(func(c *testCloud) { c.password = newPassword })
	os.WriteFile(filepath.Join(docs, "data.csv"), []byte("edited while sign-in is needed\n"), 0o644)
	signIn := notes.find(t, "Sign-in needed for Work")
	eventually(t, 15*time.Second, "the tray to ask for signing in", func() bool {
		return strings.HasPrefix(tr.line(t), "Sign-in needed for Work") && slices.Contains(tr.labels(t), ui.LabelSignIn("Work"))
	})
	icons[syncer.StateError] = tr.icon(t)
	s.show("preferences")
	s.shot("cloudsync Preferences", "15-signin-sync-sets", "Sign-in needed")
	s.show("info:" + docs)
	s.shot("Sync Info — Reports", "16-signin-sync-info", "Sign in")
	notes.click(t, signIn, "Sign in…")
	s.shot("Sign in to Work", "17-signin-dialog", "could not sign in to", "Password")
	focus(t, window(t, "^Sign in to Work$"))
	typeText(t, newPassword)
	key(t, "Return")
	eventually(t, 30*time.Second, "the sign-in to be accepted", func() bool {
		return !strings.Contains(e.cli(t, "account", "list"), "sign-in needed")
	})
	e.wait(t)
	if b, _ := os.ReadFile(filepath.Join(cloudDir, "Reports", "data.csv")); string(b) != "edited while sign-in is needed\n" {
		t.Errorf("after signing in the edit is not in the cloud: %q", b)
	}

	// Targets deleted in the cloud (the set keeps local copies): one summary
	// notification in plain words, Sync Info with the Request Sync its sentence names, which
	// works and shows.
	for _, n := range []string{"data.csv", "notes.txt", "budget.ods"} {
		os.Remove(filepath.Join(cloudDir, "Reports", n))
	}
	deleted := notes.find(t, "deleted in the cloud")
	if deleted.Summary != "3 items were deleted in the cloud" {
		t.Errorf("the deletes were told as %q (%q)", deleted.Summary, deleted.Body)
	}
	s.show("errors")
	s.shot("Synced content", "18-deleted-synced-with-errors", "Deleted in cloud, kept here")
	s.show("info:" + filepath.Join(docs, "data.csv"))
	s.shot("Sync Info — data.csv", "19-deleted-sync-info", ui.ActionRequestSync, "your copy on this computer is kept")
	s.click("Sync Info — data.csv", ui.ActionRequestSync)
	eventually(t, 60*time.Second, "data.csv back in the cloud", func() bool {
		_, err := os.Stat(filepath.Join(cloudDir, "Reports", "data.csv"))
		return err == nil
	})
	s.waitTexts("Sync Info — data.csv", "Synced")

	// A conflict: both sides change plan.txt while paused; the notification names the
	// kept copy, and its Sync Info action opens Sync Info.
	tr.click(t, ui.LabelPause)
	eventually(t, 15*time.Second, "paused", func() bool { return e.status(t).Paused })
	os.WriteFile(filepath.Join(docs, "plan.txt"), []byte("version 3, local\n"), 0o644)
	os.WriteFile(filepath.Join(cloudDir, "Reports", "plan.txt"), []byte("version 3, cloud\n"), 0o644)
	tr.click(t, ui.LabelResume)
	conflict := notes.find(t, "Conflict")
	kept := keptCopy(t, docs, "plan")
	if !strings.Contains(conflict.Body, kept) {
		t.Errorf("conflict notification %q does not name the kept copy %s", conflict.Body, kept)
	}
	e.wait(t)
	notes.click(t, conflict, "Sync Info")
	s.shot("Sync Info — plan.txt", "20-conflict-sync-info", "Conflict copies", kept)
	s.show("synced")
	s.shot("Synced content", "21-conflict-synced-content", "plan.txt")

	// Notifications come from "cloudsync", with the actions that help.
	for _, n := range notes.all() {
		if n.App != "cloudsync" || strings.Contains(n.Summary, "io.github") {
			t.Errorf("notification %q sent as %q", n.Summary, n.App)
		}
	}
	if !slices.Contains(mapValues(conflict.Actions), "Open folder") {
		t.Errorf("the conflict notification offers %v, want Open folder and Sync Info", conflict.Actions)
	}

	s.show("preferences")
	s.shot("cloudsync Preferences", "22-sync-sets", "2 items not synced")
	s.click("cloudsync Preferences", "Reports") // selects the set
	s.click("cloudsync Preferences", "Unsync…")
	s.shot("cloudsync Preferences", "23-unsync-dialog", "Also remove it from the cloud", "Cancel")
	s.click("cloudsync Preferences", "Cancel")
	if st := e.status(t); st.Sets != 1 {
		t.Fatalf("cancelling Unsync unsynced: %d sets", st.Sets)
	}

	// The tray's icons differ per state.
	seen := map[string]string{}
	for state, ic := range icons {
		if other, ok := seen[ic]; ok {
			t.Errorf("states %s and %s show the same tray icon", state, other)
		}
		seen[ic] = state
	}

	// The file-manager actions and the desktop entry (make install PREFIX=…); an error
	// becomes a notification even without notify-send.
	checkInstall(t, prefix)
	target := filepath.Join(docs, "plan.txt")
	want := strings.TrimSpace(e.cli(t, "view-in-cloud", "--print-url", target))
	script := filepath.Join(prefix, "share", "nautilus", "scripts", "View in Cloud")
	runScript := func(name string) error {
		sctx, scancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer scancel()
		cmd := exec.CommandContext(sctx, script, name) // Nautilus: cwd = the folder, names as arguments
		cmd.Dir, cmd.Env = docs, append(e.vars, "PATH=/usr/bin:/bin:/nonexistent")
		return cmd.Run()
	}
	if err := runScript("plan.txt"); err != nil {
		t.Fatalf("Nautilus script: %v", err)
	}
	eventually(t, 10*time.Second, "the browser stub to be called", func() bool {
		b, _ := os.ReadFile(e.browserLog)
		return strings.TrimSpace(string(b)) == want
	})
	os.WriteFile(filepath.Join(tmp, "outside.txt"), nil, 0o644)
	if err := runScript("../outside.txt"); err == nil {
		t.Error("View in Cloud of a file outside any set succeeded")
	}
	notes.find(t, "cloudsync: View in Cloud")

	// A second `cloudsync` shows the running app's Preferences and exits.
	if second := e.cli(t); !strings.Contains(second, "already running") {
		t.Errorf("second start said %q", second)
	}

	// "Try it with a local cloud", from the account form (folded after adding Work; "Add
	// account…" opens it again below the list, which keeps room for 4 accounts; the form
	// scrolls on its own).
	s.show("accounts")
	s.click("cloudsync Preferences", ui.LabelAddAccount)
	s.shot("cloudsync Preferences", "24-accounts", "Work", "Add an account", "Name")
	s.scrollTo("cloudsync Preferences", "Address", "Try it with a local cloud")
	localAccount(t, e, s)

	// Quit from the tray: no "Error in Fyne call thread", a clean exit.
	tr.click(t, ui.LabelQuit)
	if !a.exited(20 * time.Second) {
		a.quitFailed(t, "Quit did not end the app")
	}
	if a.err != nil {
		t.Errorf("the app exited with %v", a.err)
	}
	logText, _ := os.ReadFile(a.log)
	for _, bad := range []string{"Error in Fyne call thread", "Failed to create fyne cache space", "panic"} {
		if bytes.Contains(logText, []byte(bad)) {
			t.Errorf("the app's log says %q", bad)
		}
	}
	for _, dir := range []string{home, e.home, os.Getenv("XDG_RUNTIME_DIR")} {
		assertNotInFiles(t, dir, davPassword)
		assertNotInFiles(t, dir, newPassword)
	}

	localCloudOutsideTheDemo(t, e, appBin)
	for _, p := range s.shots {
		t.Logf("screenshot %s", p)
	}
}

// localAccount presses "Try it with a local cloud" and checks the account, its password
// in the keyring only, and View in Cloud opening without a password for its owner.
func localAccount(t *testing.T, e *env, s *session) {
	s.click("cloudsync Preferences", "Try it with a local cloud")
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
	assertNotInFiles(t, e.home, string(pw))
	// A set on the local cloud; View in Cloud's page opens for its owner without a
	// password (the user never saw it).
	dir := filepath.Join(filepath.Dir(e.home), "Photos")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "cat.txt"), []byte("a cat\n"), 0o644)
	e.cli(t, "sync", dir, "--account", localcloud.AccountName, "--to", "Photos")
	e.wait(t)
	u := strings.TrimSpace(e.cli(t, "view-in-cloud", "--print-url", filepath.Join(dir, "cat.txt")))
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "a cat\n" {
		t.Errorf("View in Cloud of the local cloud: %d %q (a password the user never saw?)", resp.StatusCode, body)
	}
}

// localCloudOutsideTheDemo: `cloudsync daemon` runs the local cloud too, so its sets sync;
// and after a restart the app does not show Offline while the engine starts.
func localCloudOutsideTheDemo(t *testing.T, e *env, appBin string) {
	dir := filepath.Join(filepath.Dir(e.home), "Photos")
	os.WriteFile(filepath.Join(dir, "dog.txt"), []byte("a dog\n"), 0o644)
	d := exec.Command(e.bin, "daemon")
	d.Env = e.vars
	logf, _ := os.Create(filepath.Join(artifacts(t), "gui-daemon.log"))
	d.Stdout, d.Stderr = logf, logf
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the daemon", func() bool { _, err := e.try(t, "", "status"); return err == nil })
	e.wait(t)
	if it := e.info(t, filepath.Join(dir, "dog.txt")); it.Status != "synced" {
		t.Errorf("with `cloudsync daemon`, a file of a local cloud set is %s", it.Status)
	}
	d.Process.Signal(os.Interrupt)
	d.Wait()
	logf.Close()

	a := startApp(t, e, appBin, "gui-app-restart.log")
	tr := findTray(t, a.cmd.Process.Pid)
	deadline := time.Now().Add(8 * time.Second)
	for time.Now().Before(deadline) {
		if l := tr.line(t); strings.HasPrefix(l, "Offline") {
			t.Fatalf("after a restart the tray says %q while the local cloud starts", l)
		}
		time.Sleep(200 * time.Millisecond)
	}
	tr.click(t, ui.LabelQuit)
	if !a.exited(20 * time.Second) {
		a.quitFailed(t, "Quit did not end the restarted app")
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
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
	if !strings.Contains(string(uca), "view-in-cloud --notify %f") || !strings.Contains(string(uca), "request-sync --notify %f") {
		t.Errorf("Thunar actions missing:\n%s", uca)
	}
}
