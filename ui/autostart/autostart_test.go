package autostart

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestSetWritesAndRemovesTheAutostartEntry(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("XDG autostart only")
	}
	cfg := t.TempDir()
	env := func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}
	name := filepath.Join(cfg, "autostart", FileName)
	if err := Set(true, "/opt/cloud sync/cloudsync", env); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `Exec="/opt/cloud sync/cloudsync"`) || !strings.HasPrefix(string(b), "[Desktop Entry]\n") {
		t.Errorf("entry:\n%s", b)
	}
	if err := Set(false, "", env); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Error("entry not removed")
	}
	if err := Set(false, "", env); err != nil {
		t.Errorf("removing twice: %v", err)
	}
}
