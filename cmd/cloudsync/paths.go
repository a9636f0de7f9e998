package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cloudsync/cloudsync/syncer/control"
)

// paths are where cloudsync keeps its files (SPEC §5).
//
// With $CLOUDSYNC_HOME set, everything lives under it: config/, state/, logs/ and
// run/control.sock. Otherwise config goes to os.UserConfigDir()/cloudsync, the Badger state
// to $XDG_DATA_HOME/cloudsync (default ~/.local/share/cloudsync), the logs to
// $XDG_STATE_HOME/cloudsync (default ~/.local/state/cloudsync: the XDG base directory spec's
// place for logs), and the socket to $XDG_RUNTIME_DIR/cloudsync/control.sock (without
// XDG_RUNTIME_DIR: <data>/run/).
//
// A Unix socket path longer than the kernel allows is replaced by a short one,
// /tmp/cloudsync-UID/HASH.sock (a 0700 folder of this user), where HASH is derived from the
// long path: the engine and every client of one home compute the same one.
type paths struct {
	Config string // folder of configuration files
	State  string // the Badger state folder
	Logs   string // folder of cloudsync.log and its rotated copies
	Socket string // the control socket
}

// resolvePaths computes the paths from the environment; it creates nothing.
func resolvePaths(getenv func(string) string) (paths, error) {
	var p paths
	if home := getenv("CLOUDSYNC_HOME"); home != "" {
		h, err := filepath.Abs(home)
		if err != nil {
			return p, fmt.Errorf("CLOUDSYNC_HOME: %w", err)
		}
		p = paths{
			Config: filepath.Join(h, "config"),
			State:  filepath.Join(h, "state"),
			Logs:   filepath.Join(h, "logs"),
			Socket: filepath.Join(h, "run", "control.sock"),
		}
	} else {
		cfg, err := userConfigDir(getenv)
		if err != nil {
			return p, err
		}
		data, err := dataDir(getenv)
		if err != nil {
			return p, err
		}
		home, err := homeDir(getenv)
		if err != nil {
			return p, err
		}
		p = paths{
			Config: filepath.Join(cfg, "cloudsync"),
			State:  filepath.Join(data, "state"),
			Logs:   filepath.Join(xdgDir(getenv, "XDG_STATE_HOME", home, ".local/state"), "cloudsync"),
			Socket: filepath.Join(data, "run", "control.sock"),
		}
		if rt := getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(rt) {
			p.Socket = filepath.Join(rt, "cloudsync", "control.sock")
		}
	}
	p.Socket = shortSocket(p.Socket)
	return p, nil
}

// shortSocket returns sock, or a short stand-in when sock is too long for a Unix socket.
func shortSocket(sock string) string {
	if control.CheckSocketPath(sock) == nil {
		return sock
	}
	sum := sha256.Sum256([]byte(sock))
	return filepath.Join("/tmp", "cloudsync-"+strconv.Itoa(os.Getuid()), hex.EncodeToString(sum[:8])+".sock")
}

// userConfigDir is os.UserConfigDir, reading the environment through getenv.
func userConfigDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return d, nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config folder: set CLOUDSYNC_HOME or HOME: %w", err)
	}
	return d, nil
}

// dataDir is $XDG_DATA_HOME/cloudsync, or ~/.local/share/cloudsync.
func dataDir(getenv func(string) string) (string, error) {
	h, err := homeDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(xdgDir(getenv, "XDG_DATA_HOME", h, ".local/share"), "cloudsync"), nil
}

// xdgDir is the XDG base directory in variable v, or home/def when v is unset or relative
// (the spec says to ignore relative values).
func xdgDir(getenv func(string) string, v, home, def string) string {
	if d := getenv(v); filepath.IsAbs(d) {
		return d
	}
	return filepath.Join(home, def)
}

// homeDir is $HOME, or the user's home folder from the system.
func homeDir(getenv func(string) string) (string, error) {
	if h := getenv("HOME"); h != "" {
		return h, nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("no home folder: set CLOUDSYNC_HOME or HOME")
	}
	return h, nil
}

// ownFolders are the folders the engine must never sync (syncer.Config.Protected): the
// config, state and log folders, the socket's folder, and the desktop trash
// ($XDG_DATA_HOME/Trash, ~/.local/share/Trash), each also in its symlink-free form so that
// a set named through a symbolic link is caught too.
func ownFolders(p paths, getenv func(string) string) []string {
	dirs := []string{p.Config, p.State, p.Logs, filepath.Dir(p.Socket)}
	data := getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(data) {
		data = ""
		if h := getenv("HOME"); h != "" {
			data = filepath.Join(h, ".local", "share")
		}
	}
	if data != "" {
		dirs = append(dirs, filepath.Join(data, "Trash"))
	}
	out := append([]string(nil), dirs...)
	for _, d := range dirs {
		if r, err := filepath.EvalSymlinks(d); err == nil && r != d {
			out = append(out, r)
		}
	}
	return out
}
