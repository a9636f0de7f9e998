package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `cloudsync wait` exits 0 only when everything converged and nothing is in Synced with
// errors, else 1 with a one-line summary (SPEC §5); it used to exit 0 while items were
// failed (issue 9 point 9). Built binary, serve-webdav and a daemon.
func TestWaitExitsOneWhileItemsAreFailed(t *testing.T) {
	ctl, root, served, _ := syncedFolder(t, func(root string) {
		writeFile(t, filepath.Join(root, "a.txt"), "a")
		if err := os.Symlink("a.txt", filepath.Join(root, "link")); err != nil { // unsupported: fails
			t.Fatal(err)
		}
	})
	_, err := ctl.run(t.Context(), "", "wait", "--timeout", "30s")
	var ce *cliError
	if !errors.As(err, &ce) || ce.Code != exitFail {
		t.Fatalf("wait with a failed item: %v, want exit 1", err)
	}
	lines := strings.Split(strings.TrimSpace(ce.Stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "1 item(s) in Synced with errors") {
		t.Fatalf("wait's summary is not one line naming the failed item: %q", ce.Stderr)
	}
	if got, err := os.ReadFile(filepath.Join(served, "Docs", "a.txt")); err != nil || string(got) != "a" {
		t.Fatalf("the readable file was not synced beside the failed one: %q, %v", got, err)
	}

	if err := os.Remove(filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	mustRun(t, ctl, t.Context(), "", []string{"request-sync", root})
	if out, err := ctl.run(t.Context(), "", "wait", "--timeout", "30s"); err != nil {
		t.Fatalf("wait once nothing is failed: %v (%s)", err, out)
	}
}

// syncedFolder runs serve-webdav and a daemon (no polling) from the built binary, fills a
// new local folder with prepare, syncs it to the server's folder Docs and returns the CLI,
// the local folder, the served folder and the server's process.
func syncedFolder(t *testing.T, prepare func(root string)) (*cliCtl, string, string, *proc) {
	bin := builtBinary(t)
	t.Parallel()
	base := t.TempDir()
	served, root := filepath.Join(base, "server"), filepath.Join(base, "Docs")
	for _, d := range []string{served, root} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	prepare(root)
	dav, server := startServeWebDAV(t, bin, childEnv(cloudsyncVars), served, "alice", "wonderland")
	env := childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+filepath.Join(base, "cs"), "CLOUDSYNC_KEYRING=memory",
		"XDG_DATA_HOME="+filepath.Join(base, "xdg"))
	startDaemon(t, bin, env, "--poll-interval", "1h")
	ctl := &cliCtl{bin: bin, env: env}
	mustRun(t, ctl, t.Context(), "wonderland\n", []string{"account", "add", "dav", "--type", "webdav", "--url", dav,
		"--user", "alice", "--password-stdin"})
	mustRun(t, ctl, t.Context(), "", []string{"sync", root, "--account", "dav", "--to", "Docs"})
	return ctl, root, served, server
}
