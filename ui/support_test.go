package ui

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
