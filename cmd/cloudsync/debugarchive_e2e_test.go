package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco/alfrescotest"
)

// TestDebugArchiveHoldsNoSecret plants a canary in every secret place — the WebDAV and
// Alfresco passwords (given on stdin, kept by the engine's memory keyring), the Alfresco
// ticket the engine holds, and the content of synced files — runs the engine at debug
// level, and proves that the archive `debug-archive` writes holds none of them, while it
// does hold what a bug report needs.
func TestDebugArchiveHoldsNoSecret(t *testing.T) {
	testDebugArchiveHoldsNoSecret(t, "CLOUDSYNC_KEYRING=memory")
}

// TestDebugArchiveHoldsNoSecretKeyring is the same with the passwords in the real OS
// keyring (scripts/keyring-test.sh).
func TestDebugArchiveHoldsNoSecretKeyring(t *testing.T) {
	if os.Getenv("CLOUDSYNC_KEYRING_TEST") != "1" {
		t.Skip("needs a real Secret Service: run scripts/keyring-test.sh (make test does)")
	}
	testDebugArchiveHoldsNoSecret(t, "CLOUDSYNC_KEYRING=os")
}

func testDebugArchiveHoldsNoSecret(t *testing.T, keyring string) {
	bin := builtBinary(t)
	const (
		davPassword = "canary-dav-pw-5c1e07"
		alfPassword = "canary-alf-pw-9b44d2"
		content     = "canary-file-content-31f0aa"
	)
	base := t.TempDir()
	home := filepath.Join(base, "home")
	env := childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+home, keyring, "CLOUDSYNC_LOG_LEVEL=debug",
		"XDG_DATA_HOME="+filepath.Join(base, "xdg-data"), "BROWSER=false")
	x := &e2e{t: t, ctx: t.Context(), bin: bin, env: env}

	davDir := filepath.Join(base, "dav")
	os.Mkdir(davDir, 0o700)
	davURL, _ := startServeWebDAV(t, bin, env, davDir, "alice", davPassword)

	// The Alfresco test server behind a recorder of the tickets it hands out.
	alf := alfrescotest.New(alfrescotest.Options{NoContract: true})
	alf.AddUser("bob", alfPassword)
	alf.AddSite(alfrescotest.DefaultNetwork, "team", "Team", map[string]string{"bob": "SiteManager"})
	var mu sync.Mutex
	var tickets []string
	ticketRE := regexp.MustCompile(`TICKET_[0-9A-Za-z]+`)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		alf.ServeHTTP(rec, r)
		mu.Lock()
		tickets = append(tickets, ticketRE.FindAllString(rec.Body.String(), -1)...)
		mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(hs.Close)

	startDaemon(t, bin, env)
	x.ok(davPassword+"\n", "account", "add", "dav", "--type", "webdav", "--url", davURL, "--user", "alice", "--password-stdin")
	x.ok(alfPassword+"\n", "account", "add", "alf", "--type", "alfresco", "--url", hs.URL, "--user", "bob", "--password-stdin")
	for _, d := range []string{"a", "b"} {
		dir := filepath.Join(base, d)
		os.MkdirAll(dir, 0o700)
		if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte(content+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	x.ok("", "sync", filepath.Join(base, "a"), "--account", "dav", "--to", "A")
	x.ok("", "sync", filepath.Join(base, "b"), "--account", "alf", "--to", "-default-/team/B")
	x.ok("", "wait", "--timeout", "60s")
	if b, err := os.ReadFile(filepath.Join(davDir, "A", "notes.txt")); err != nil || !strings.Contains(string(b), content) {
		t.Fatalf("the file did not reach the WebDAV server: %q, %v", b, err)
	}
	mu.Lock()
	secrets := append([]string{davPassword, alfPassword, content}, tickets...)
	mu.Unlock()
	if len(secrets) == 3 {
		t.Fatal("the engine signed in to Alfresco without a ticket: nothing to look for")
	}

	zipPath := filepath.Join(base, "report.zip")
	out := x.ok("", "debug-archive", "--output", zipPath)
	if !strings.Contains(out, "report.zip") {
		t.Errorf("debug-archive said %q", out)
	}
	raw, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(zipPath); st.Mode().Perm() != 0o600 {
		t.Errorf("archive mode %v, want 0600", st.Mode())
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
	}
	for name, text := range files {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the secret %q", name, s)
			}
		}
	}
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the zip's bytes hold %q", s)
		}
	}

	// What a bug report needs is there.
	for _, name := range []string{"README.txt", "versions.txt", "settings.json", "accounts.json", "status.json", "sets.json", "failed-items.json", "logs/cloudsync.log"} {
		if _, ok := files[name]; !ok {
			t.Errorf("no %s in the archive (it has %v)", name, keys(files))
		}
	}
	var accounts []model.Account
	if err := json.Unmarshal([]byte(files["accounts.json"]), &accounts); err != nil || len(accounts) != 2 {
		t.Errorf("accounts.json: %v\n%s", err, files["accounts.json"])
	}
	if !strings.Contains(files["sets.json"], "-default-/team/B") && !strings.Contains(files["sets.json"], "team/B") {
		t.Errorf("sets.json does not show the Alfresco set:\n%s", files["sets.json"])
	}
	if !strings.Contains(files["logs/cloudsync.log"], "engine started") || !strings.Contains(files["versions.txt"], "cloudsync: ") {
		t.Errorf("log %q…, versions %q", tail(files["logs/cloudsync.log"], 300), files["versions.txt"])
	}
	if _, ok := files["problems.txt"]; ok {
		t.Errorf("problems.txt: %s", files["problems.txt"])
	}
}

// TestDebugArchiveWithoutEngineHasTheLogs: the archive matters most when the engine does
// not run; it then holds the logs and versions and says why the rest is missing.
func TestDebugArchiveWithoutEngineHasTheLogs(t *testing.T) {
	home := noEngineHome(t)
	os.MkdirAll(filepath.Join(home, "logs"), 0o700)
	os.WriteFile(filepath.Join(home, "logs", logName), []byte("time=x level=ERROR msg=\"store failed\" ticket=TICKET_abc123\n"), 0o600)
	os.WriteFile(filepath.Join(home, "logs", logName+".1"), []byte("older\n"), 0o600)
	out := filepath.Join(t.TempDir(), "d.zip")
	code, stdout, stderr := runCLI(t, "", "debug-archive", "-o", out)
	if code != exitOK || !strings.Contains(stderr, "no cloudsync engine is running") {
		t.Fatalf("exit %d, %q, %q", code, stdout, stderr)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = string(b)
	}
	if !strings.Contains(got["logs/cloudsync.log"], "store failed") || got["logs/cloudsync.log.1"] != "older\n" ||
		strings.Contains(got["logs/cloudsync.log"], "TICKET_abc123") || !strings.Contains(got["problems.txt"], "no cloudsync engine") {
		t.Errorf("archive: %v", got)
	}
	// A failed write leaves nothing behind.
	if code, _, _ := runCLI(t, "", "debug-archive", "-o", filepath.Join(t.TempDir(), "no", "such", "d.zip")); code != exitFail {
		t.Errorf("unwritable output: exit %d", code)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
