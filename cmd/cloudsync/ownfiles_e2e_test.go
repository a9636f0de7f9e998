package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `cloudsync sync` refuses a folder holding cloudsync's own files, with the built binary
// and a running daemon: `sync $CLOUDSYNC_HOME` used to exit 0 and upload the live Badger
// store and logs, and with the default paths `sync ~` uploaded ~/.local/share/cloudsync
// (issue 9 point 5). The refusal exits 1 with a message naming the folder, and nothing
// reaches the server.
func TestSyncRefusesCloudsyncsOwnFolders(t *testing.T) {
	bin := builtBinary(t)
	t.Run("CLOUDSYNC_HOME", func(t *testing.T) {
		t.Parallel()
		base := t.TempDir()
		home := filepath.Join(base, "cs")
		env := childEnv(append(cloudsyncVars, "XDG_RUNTIME_DIR"), "CLOUDSYNC_HOME="+home, "CLOUDSYNC_KEYRING=memory",
			"HOME="+filepath.Join(base, "user"))
		refusesOwnFolders(t, bin, env, base, home, filepath.Join(home, "state"), filepath.Join(home, "logs"))
	})
	t.Run("default paths", func(t *testing.T) {
		t.Parallel()
		base := t.TempDir()
		home := filepath.Join(base, "user")
		env := childEnv(append(cloudsyncVars, "XDG_RUNTIME_DIR"), "CLOUDSYNC_KEYRING=memory", "HOME="+home)
		data := filepath.Join(home, ".local", "share")
		if err := os.MkdirAll(filepath.Join(data, "Trash", "files"), 0o700); err != nil {
			t.Fatal(err)
		}
		refusesOwnFolders(t, bin, env, base, home, filepath.Join(data, "cloudsync"), filepath.Join(data, "cloudsync", "state"),
			filepath.Join(home, ".config", "cloudsync"), filepath.Join(data, "Trash"))
	})
}

// refusesOwnFolders starts a server and a daemon in env and checks that syncing each of
// folders is refused and uploads nothing.
func refusesOwnFolders(t *testing.T, bin string, env []string, base string, folders ...string) {
	served := filepath.Join(base, "server")
	if err := os.MkdirAll(served, 0o700); err != nil {
		t.Fatal(err)
	}
	dav, _ := startServeWebDAV(t, bin, childEnv(cloudsyncVars), served, "alice", "wonderland")
	startDaemon(t, bin, env)
	ctl := &cliCtl{bin: bin, env: env}
	if _, err := ctl.run(t.Context(), "wonderland\n", "account", "add", "dav", "--type", "webdav",
		"--url", dav, "--user", "alice", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		if err := os.MkdirAll(f, 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := ctl.run(t.Context(), "", "sync", f, "--account", "dav", "--to", "Backup")
		var ce *cliError
		if !errors.As(err, &ce) || ce.Code != exitFail || !strings.Contains(ce.Stderr, "cloudsync's own files") {
			t.Errorf("sync %s: %v, want exit 1 saying it holds cloudsync's own files", f, err)
		}
	}
	if entries, _ := os.ReadDir(served); len(entries) != 0 {
		t.Fatalf("the server received %d entries from refused folders", len(entries))
	}
}
