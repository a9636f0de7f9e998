package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestExportImportRecreatesSetsAsNew: sets exported from one engine are imported into
// another (a new machine: another state dir, the same folders): the password is asked on
// stdin, bad files each give one clear error and change nothing, and the imported sets
// start without bases — a file edited while no engine ran becomes a conflict copy, a
// local file gone comes back from the cloud, nothing is deleted.
func TestExportImportRecreatesSetsAsNew(t *testing.T) {
	bin := builtBinary(t)
	const password = "canary-export-pw-8d21"
	base := t.TempDir()
	envFor := func(home string) []string {
		return childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+filepath.Join(base, home), "CLOUDSYNC_KEYRING=memory",
			"XDG_DATA_HOME="+filepath.Join(base, "xdg-data"), "BROWSER=false")
	}
	davDir := filepath.Join(base, "dav")
	os.Mkdir(davDir, 0o700)
	davURL, _ := startServeWebDAV(t, bin, envFor("old"), davDir, "alice", password)

	// The old machine: a folder set and a documents set.
	folder, docs := filepath.Join(base, "Projects"), filepath.Join(base, "Letters")
	write := func(p, s string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(folder, "plan.txt"), "plan v1\n")
	write(filepath.Join(folder, "keep.txt"), "keep\n")
	write(filepath.Join(docs, "a.txt"), "letter a\n")
	write(filepath.Join(docs, "b.txt"), "letter b\n")
	write(filepath.Join(docs, "other.txt"), "not synced\n")
	old := startDaemon(t, bin, envFor("old"))
	x := &e2e{t: t, ctx: t.Context(), bin: bin, env: envFor("old")}
	x.ok(password+"\n", "account", "add", "dav", "--type", "webdav", "--url", davURL, "--user", "alice", "--password-stdin")
	x.ok("", "sync", folder, "--account", "dav", "--to", "Projects", "--lock")
	x.ok("", "sync", filepath.Join(docs, "a.txt"), filepath.Join(docs, "b.txt"), "--account", "dav", "--to", "Letters")
	x.ok("", "wait", "--timeout", "60s")
	exported := filepath.Join(base, "sets.json")
	if out := x.ok("", "export", "--output", exported); !strings.Contains(out, "1 account(s) and 2 sync set(s)") {
		t.Errorf("export said %q", out)
	}
	raw, _ := os.ReadFile(exported)
	if strings.Contains(string(raw), password) {
		t.Fatal("the export holds the password")
	}
	// The same but for the time of the export (to the second: two exports can straddle one).
	exportedAt := regexp.MustCompile(`"exported": "[^"]*"`)
	if stdout := x.ok("", "export"); exportedAt.ReplaceAllString(stdout, "") != exportedAt.ReplaceAllString(string(raw), "") {
		t.Errorf("export to stdout differs from --output:\n%s\n%s", stdout, raw)
	}
	x.ok("", "unsync", folder) // the lock goes, as a move to a new machine would lose it
	if err := old.stop(); err != nil {
		t.Fatal(err)
	}

	// While no engine runs: an edit, and a local file gone.
	write(filepath.Join(folder, "plan.txt"), "plan v2, edited offline\n")
	os.Remove(filepath.Join(folder, "keep.txt"))

	startDaemon(t, bin, envFor("new"))
	y := &e2e{t: t, ctx: t.Context(), bin: bin, env: envFor("new")}
	unchanged := func(what string, wantAccounts, wantSets int) {
		t.Helper()
		var as []model.Account
		json.Unmarshal([]byte(y.ok("", "account", "list", "--json")), &as)
		var st syncer.Status
		json.Unmarshal([]byte(y.ok("", "status", "--json")), &st)
		if len(as) != wantAccounts || st.Sets != wantSets {
			t.Errorf("%s: %d accounts and %d sets after it, want %d and %d", what, len(as), st.Sets, wantAccounts, wantSets)
		}
	}
	var good map[string]any
	if err := json.Unmarshal(raw, &good); err != nil {
		t.Fatal(err)
	}
	bad := func(name string, change func(m map[string]any)) string {
		var m map[string]any
		json.Unmarshal(raw, &m)
		change(m)
		b, _ := json.Marshal(m)
		p := filepath.Join(base, name+".json")
		os.WriteFile(p, b, 0o600)
		return p
	}
	set := func(m map[string]any, i int) map[string]any { return m["sets"].([]any)[i].(map[string]any) }
	cases := []struct {
		name, want, stdin string
		file              string
	}{
		{"wrong version", "version 2 of the export format", password + "\n", bad("v2", func(m map[string]any) { m["version"] = 2 })},
		{"not an export", "not a cloudsync export file", password + "\n", bad("other", func(m map[string]any) { delete(m, "format") })},
		{"missing field", "accounts[0]: url is missing", password + "\n", bad("nourl", func(m map[string]any) {
			delete(m["accounts"].([]any)[0].(map[string]any), "url")
		})},
		{"missing option", "options must give", password + "\n", bad("noopt", func(m map[string]any) {
			delete(set(m, 1)["options"].(map[string]any), "allow_cloud_delete")
		})},
		{"path not here", "the folder does not exist on this machine", password + "\n", bad("nopath", func(m map[string]any) {
			set(m, 1)["local"] = filepath.Join(base, "gone")
		})},
		{"document not here", "the document zz.txt does not exist", password + "\n", bad("nodoc", func(m map[string]any) {
			set(m, 0)["documents"] = []any{"a.txt", "zz.txt"}
		})},
		{"no password", "no password for the account dav", "", exported},
		{"wrong password", "account dav:", "wrong\n", exported},
		// Passes every check, but the engine refuses the second set (its own state folder):
		// the account and the first set it had created are undone.
		{"engine refuses a set", "nothing was imported", password + "\n", bad("protected", func(m map[string]any) {
			os.MkdirAll(filepath.Join(base, "new", "config"), 0o700)
			set(m, 1)["local"] = filepath.Join(base, "new", "config")
		})},
	}
	for _, tc := range cases {
		code, out, errOut := y.cli(tc.stdin, "import", tc.file)
		if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q (want one line with %q)", tc.name, code, out, errOut, tc.want)
		}
		unchanged(tc.name, 0, 0)
	}
	if out := y.ok("", "import", exported, "--dry-run"); !strings.Contains(out, "Would add the account dav") ||
		!strings.Contains(out, "Would sync folder "+folder+" with dav:Projects") || !strings.Contains(out, "2 document(s) of "+docs) {
		t.Errorf("dry run said %q", out)
	}
	unchanged("dry run", 0, 0)

	if out := y.ok(password+"\n", "import", exported); !strings.Contains(out, "Imported 1 account(s) and 2 sync set(s)") {
		t.Errorf("import said %q", out)
	}
	y.ok("", "wait", "--timeout", "60s")
	read := func(p string) string { b, _ := os.ReadFile(p); return string(b) }
	if got := read(filepath.Join(folder, "keep.txt")); got != "keep\n" {
		t.Errorf("keep.txt, gone locally while no base was trusted, is %q: want it back from the cloud", got)
	}
	if got := read(filepath.Join(davDir, "Projects", "keep.txt")); got != "keep\n" {
		t.Errorf("keep.txt in the cloud is %q: the import deleted it", got)
	}
	// The offline edit differs from the cloud: the cloud wins the name, the edit is kept.
	copies, _ := filepath.Glob(filepath.Join(folder, "plan (conflict copy*).txt"))
	if got := read(filepath.Join(folder, "plan.txt")); got != "plan v1\n" || len(copies) != 1 || read(copies[0]) != "plan v2, edited offline\n" {
		t.Errorf("plan.txt %q, conflict copies %v", got, copies)
	}
	var sets []syncer.SetInfo
	if err := json.Unmarshal([]byte(y.ok("", "status", "--json")), &struct {
		Sets *[]syncer.SetInfo `json:"set_states"`
	}{&sets}); err != nil || len(sets) != 2 {
		t.Fatalf("sets after import: %v %+v", err, sets)
	}
	for _, s := range sets {
		if s.LocalRoot == folder && (!s.Options.Lock || s.RemoteRoot != "Projects") {
			t.Errorf("folder set came back as %+v", s)
		}
		if s.LocalRoot == docs && (s.Kind != model.KindDocuments || len(s.Documents) != 2) {
			t.Errorf("documents set came back as %+v", s)
		}
	}
	// Importing again: the account is the same one (reused), the sets clash.
	code, _, errOut := y.cli("", "import", exported)
	if code != 1 || !strings.Contains(errOut, "overlaps the synced folder") {
		t.Errorf("second import: exit %d, %q", code, errOut)
	}
	clash := bad("clash", func(m map[string]any) {
		m["accounts"].([]any)[0].(map[string]any)["user"] = "mallory"
		m["sets"] = []any{}
	})
	if code, _, errOut := y.cli("pw\n", "import", clash); code != 1 || !strings.Contains(errOut, "the account name dav is taken here") {
		t.Errorf("clashing account: exit %d, %q", code, errOut)
	}
	unchanged("clashes", 1, 2)
}
