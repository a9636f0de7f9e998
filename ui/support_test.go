package ui

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/setsfile"
	"github.com/cloudsync/cloudsync/syncer/model"
)

type closeBuffer struct {
	bytes.Buffer
	closed bool
}

func (b *closeBuffer) Close() error { b.closed = true; return nil }

// TestDebugArchiveFromPreferences: the General tab has the button, and the archive it
// saves is built from the engine's answers and the log files the app was given.
func TestDebugArchiveFromPreferences(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work", Type: "webdav", URL: "https://dav.example/"}}
	u, _, _ := newTestUI(t, api)
	logFile := filepath.Join(t.TempDir(), "cloudsync.log")
	os.WriteFile(logFile, []byte("level=INFO msg=\"engine started\"\n"), 0o600)
	u.opt.LogFiles = func() []string { return []string{logFile} }
	u.opt.Version = "9.9.9 (commit x)"
	u.ShowWindow("preferences")
	u.prefs.tabs.SelectIndex(tabGeneral)
	button(t, u.Window("preferences").Canvas(), "Debug archive…")

	var out closeBuffer
	if err := u.writeDebugArchive(u.ctx, &out); err != nil || !out.closed {
		t.Fatalf("%v, closed %v", err, out.closed)
	}
	zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range zr.File {
		seen[f.Name] = true
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		switch f.Name {
		case "accounts.json":
			if !strings.Contains(b.String(), `"work"`) {
				t.Errorf("accounts.json: %s", b.String())
			}
		case "versions.txt":
			if !strings.Contains(b.String(), "cloudsync: 9.9.9") {
				t.Errorf("versions.txt: %s", b.String())
			}
		}
	}
	if !seen["logs/cloudsync.log"] || !seen["settings.json"] || !seen["failed-items.json"] {
		t.Errorf("archive holds %v", seen)
	}
}

// TestImportFromPreferencesAsksPasswordsThenImports: the buttons are there; a good file
// asks for the new account's password and creates the account and the set; a bad one says
// why and changes nothing.
func TestImportFromPreferencesAsksPasswordsThenImports(t *testing.T) {
	api := newFakeAPI()
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("preferences")
	u.prefs.tabs.SelectIndex(tabGeneral)
	button(t, u.Window("preferences").Canvas(), "Export…")
	button(t, u.Window("preferences").Canvas(), "Import…")
	dir := t.TempDir()
	file := `{"format": "cloudsync-sets", "version": 1, "exported": "2026-12-05T10:00:00Z",
	 "accounts": [{"name": "dav", "type": "webdav", "url": "https://h/dav", "user": "alice"}],
	 "sets": [{"account": "dav", "kind": "folder", "local": "` + dir + `", "cloud": "P",
	   "options": {"include_subfolders": true, "lock": false, "allow_cloud_delete": true, "delete_local_on_cloud_delete": false}}]}`
	var said string
	say := func(s string) { said = s }
	u.importData("bad.json", []byte(strings.Replace(file, `"version": 1`, `"version": 7`, 1)), func([]setsfile.Account, func(map[string]string)) {
		t.Error("a bad file asked for passwords")
	}, say)
	if !strings.Contains(said, "version 7") || len(api.accounts) != 0 || len(api.created) != 0 {
		t.Errorf("bad file: said %q, accounts %v, sets %v", said, api.accounts, api.created)
	}
	var asked []string
	u.importData("sets.json", []byte(file), func(accts []setsfile.Account, answer func(map[string]string)) {
		for _, a := range accts {
			asked = append(asked, a.Name)
		}
		answer(map[string]string{"dav": "pw"})
	}, say)
	if strings.Join(asked, ",") != "dav" || api.passwords["dav"] != "pw" || len(api.created) != 1 ||
		api.created[0].Paths[0] != dir || api.created[0].To != "P" || !strings.Contains(said, "Imported 1 account(s) and 1 sync set(s)") {
		t.Errorf("asked %v, passwords %v, created %+v, said %q", asked, api.passwords, api.created, said)
	}
}

// TestGeneralSettingsKeepBandwidthLimits: the limits load into the General tab, a bad one
// is refused with its field named, and saving keeps them (a save that dropped them would
// lift a limit behind the user's back).
func TestGeneralSettingsKeepBandwidthLimits(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "work"}}
	api.settings.UploadLimit = 512 << 10
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("preferences")
	p := u.prefs
	if p.upLimit.Text != "512K" || p.downLimit.Text != "off" {
		t.Fatalf("loaded %q %q", p.upLimit.Text, p.downLimit.Text)
	}
	p.downLimit.SetText("fast")
	p.saveSettings()
	if !strings.Contains(p.generalResult.Text, "Download at most") || api.settings.DownloadLimit != 0 {
		t.Errorf("bad limit: %q, stored %+v", p.generalResult.Text, api.settings)
	}
	p.downLimit.SetText("2M")
	p.saveSettings()
	if api.settings.UploadLimit != 512<<10 || api.settings.DownloadLimit != 2<<20 {
		t.Errorf("stored %+v", api.settings)
	}
}
