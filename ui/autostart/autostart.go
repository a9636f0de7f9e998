// Package autostart owns the "start at login" entry of the desktop app: on Linux (and the
// other XDG desktops) a copy of the app's .desktop entry in $XDG_CONFIG_HOME/autostart
// (freedesktop Desktop Application Autostart Specification). Windows and macOS are not
// implemented yet (see packaging/README.md): Set reports that clearly instead of failing
// silently.
//
// It may import nothing of this module.
package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// FileName is the autostart entry's file name (the app's desktop file id).
const FileName = "io.github.cloudsync.cloudsync.desktop"

// Dir is the autostart folder for getenv's environment.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "autostart"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "autostart"), nil
	}
	return "", errors.New("no HOME: cannot find the autostart folder")
}

// Entry is the autostart .desktop entry that starts exe (the tray app, no arguments).
func Entry(exe string) string {
	return strings.Join([]string{
		"[Desktop Entry]",
		"Type=Application",
		"Name=cloudsync",
		"Comment=Keep folders in sync with the cloud",
		"Exec=" + desktopQuote(exe),
		"Icon=io.github.cloudsync.cloudsync",
		"Terminal=false",
		"Categories=Network;FileTransfer;",
		"X-GNOME-Autostart-enabled=true",
		"",
	}, "\n")
}

// desktopQuote quotes an Exec argument per the Desktop Entry spec when needed.
func desktopQuote(s string) string {
	if !strings.ContainsAny(s, " \t\"'\\><~|&;$*?#()`%") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\\\`, `"`, `\\"`, "`", "\\\\`", "$", `\\$`, "%", "%%")
	return `"` + r.Replace(s) + `"`
}

// Set installs (on) or removes (off) the autostart entry for exe. Removing an entry that
// does not exist is not an error.
func Set(on bool, exe string, getenv func(string) string) error {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		if on {
			return fmt.Errorf("start at login is not implemented on %s yet", runtime.GOOS)
		}
		return nil
	}
	dir, err := Dir(getenv)
	if err != nil {
		return err
	}
	name := filepath.Join(dir, FileName)
	if !on {
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing the autostart entry: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the autostart folder: %w", err)
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, []byte(Entry(exe)), 0o644); err != nil {
		return fmt.Errorf("writing the autostart entry: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing the autostart entry: %w", err)
	}
	return nil
}
