package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// installInto runs `make install`'s script with the built binary into prefix, with HOME
// (and so the Thunar and autostart files) under home.
func installInto(t *testing.T, bin, prefix, home string) {
	t.Helper()
	cmd := exec.Command("../../packaging/linux/install.sh", prefix, bin)
	cmd.Env = childEnv([]string{"AUTOSTART", "THUNAR_UCA", "XDG_CONFIG_HOME"}, "HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
}

// TestInstallShipsLinuxConventions: make install puts the man pages, completions, the
// AppStream metainfo and the systemd user unit where Linux looks for them, and the real
// tools accept them: appstreamcli validate, systemd-analyze verify (which also runs the
// unit's ExecStart binary check and finds its Documentation= man pages).
func TestInstallShipsLinuxConventions(t *testing.T) {
	bin := builtBinary(t)
	base := t.TempDir()
	prefix, home := filepath.Join(base, "usr-local"), filepath.Join(base, "home")
	installInto(t, bin, prefix, home)
	share := filepath.Join(prefix, "share")
	for _, f := range []string{
		"bin/cloudsync", "share/man/man1/cloudsync.1", "share/man/man1/cloudsync-daemon.1", "share/man/man1/cloudsync-export.1",
		"share/bash-completion/completions/cloudsync", "share/zsh/site-functions/_cloudsync",
		"share/fish/vendor_completions.d/cloudsync.fish", "share/metainfo/io.github.cloudsync.cloudsync.metainfo.xml",
		"lib/systemd/user/cloudsync.service",
	} {
		if _, err := os.Stat(filepath.Join(prefix, f)); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
	unit, _ := os.ReadFile(filepath.Join(prefix, "lib/systemd/user/cloudsync.service"))
	if !strings.Contains(string(unit), "ExecStart="+filepath.Join(prefix, "bin", "cloudsync")+" daemon\n") {
		t.Errorf("unit:\n%s", unit)
	}
	meta, _ := os.ReadFile(filepath.Join(share, "metainfo/io.github.cloudsync.cloudsync.metainfo.xml"))
	if strings.Contains(string(meta), "@VERSION@") || !strings.Contains(string(meta), `<release version="`) {
		t.Errorf("metainfo release: %s", meta)
	}

	if tool, err := exec.LookPath("appstreamcli"); err != nil {
		t.Log("appstreamcli not installed (Debian appstream; make deps installs it): metainfo not validated")
	} else if out, err := exec.Command(tool, "validate", "--no-net", filepath.Join(share, "metainfo/io.github.cloudsync.cloudsync.metainfo.xml")).CombinedOutput(); err != nil {
		t.Errorf("appstreamcli validate: %v\n%s", err, out)
	}
	if tool, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Log("systemd-analyze not installed (Debian systemd; make deps installs it): unit not verified")
	} else {
		rt := filepath.Join(base, "run")
		os.Mkdir(rt, 0o700)
		cmd := exec.Command(tool, "verify", "--user", filepath.Join(prefix, "lib/systemd/user/cloudsync.service"))
		cmd.Env = childEnv(nil, "XDG_RUNTIME_DIR="+rt, "HOME="+home, "MANPATH="+filepath.Join(share, "man"))
		// verify exits 0 on warnings (an unknown key): any output fails the test too.
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	}
}

// TestInstallForOneUserPutsTheUnitWhereTheUserManagerLooks: with PREFIX=~/.local the unit
// goes to ~/.local/share/systemd/user, one of the user manager's unit paths (it does not
// read ~/.local/lib), so `systemctl --user enable --now cloudsync` finds it.
func TestInstallForOneUserPutsTheUnitWhereTheUserManagerLooks(t *testing.T) {
	bin := builtBinary(t)
	home := t.TempDir()
	prefix := filepath.Join(home, ".local")
	installInto(t, bin, prefix, home)
	unit := filepath.Join(prefix, "share/systemd/user/cloudsync.service")
	if _, err := os.Stat(unit); err != nil {
		t.Fatal(err)
	}
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (Debian systemd; make deps installs it)")
	}
	cmd := exec.Command(tool, "--user", "unit-paths")
	cmd.Env = childEnv([]string{"XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_DATA_DIRS"}, "HOME="+home)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(strings.Fields(string(out)), filepath.Dir(unit)) {
		t.Errorf("%s is not among the user unit paths:\n%s", filepath.Dir(unit), out)
	}
}
