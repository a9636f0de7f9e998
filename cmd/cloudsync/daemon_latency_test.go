package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The latency promises of the engine issue, measured on the built daemon.
// The poll interval is longer than localLatency, so that only the watcher can meet it: the
// poll timer restarts after every pass, and the local changes follow a pass at once.
const (
	latencyPoll = 3 * time.Second
	// localLatency: a local change reaches the server this fast, with no command.
	localLatency = 2 * time.Second
	// pollMargin is the time a pass may take after the poll timer fires.
	pollMargin = 1500 * time.Millisecond
)

// TestDaemonLatency runs `cloudsync daemon --poll-interval 3s` (watcher on, the default
// rescan interval) with a folder synced to `cloudsync serve-webdav`, then changes files
// without running any command: local changes (an edit, a new file in a new folder) must be
// on the server within 2 s, driven by the watcher; a change made on the server must be in
// the local folder within one poll interval plus a margin for the pass itself.
func TestDaemonLatency(t *testing.T) {
	bin := builtBinary(t)
	base := t.TempDir()
	served, local := filepath.Join(base, "server"), filepath.Join(base, "Docs")
	for _, d := range []string{served, local} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(local, "notes.txt"), "v1")
	writeFile(t, filepath.Join(local, "cloud-edited.txt"), "v1")

	dav, _ := startServeWebDAV(t, bin, childEnv(cloudsyncVars), served, "alice", "wonderland")
	env := childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+filepath.Join(base, "cs"), "CLOUDSYNC_KEYRING=memory",
		"XDG_DATA_HOME="+filepath.Join(base, "xdg-data"))
	startDaemon(t, bin, env, "--poll-interval", latencyPoll.String())
	ctl := &cliCtl{bin: bin, env: env}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	mustRun(t, ctl, ctx, "wonderland\n", []string{"account", "add", "dav", "--type", "webdav", "--url", dav, "--user", "alice", "--password-stdin"})
	mustRun(t, ctl, ctx, "", []string{"sync", local, "--account", "dav", "--to", "Docs"})
	mustRun(t, ctl, ctx, "", []string{"wait", "--timeout", "20s"})
	cloud := filepath.Join(served, "Docs")
	if got, _ := os.ReadFile(filepath.Join(cloud, "notes.txt")); string(got) != "v1" {
		t.Fatalf("first sync: server has %q", got)
	}

	local2cloud := []struct {
		name, rel, data string
	}{
		{"LocalEdit", "notes.txt", "v2: edited locally, longer"},
		{"NewFileInNewFolder", "new folder/fresh.txt", "made after the sync started"},
	}
	for _, c := range local2cloud {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			writeFile(t, filepath.Join(local, filepath.FromSlash(c.rel)), c.data)
			took := waitForContent(t, filepath.Join(cloud, filepath.FromSlash(c.rel)), c.data, start, localLatency)
			t.Logf("%s reached the server after %v", c.rel, took.Round(time.Millisecond))
		})
	}

	t.Run("ServerEdit", func(t *testing.T) {
		const data = "v2: edited on the server by another client"
		start := time.Now()
		writeFile(t, filepath.Join(cloud, "cloud-edited.txt"), data)
		took := waitForContent(t, filepath.Join(local, "cloud-edited.txt"), data, start, latencyPoll+pollMargin)
		t.Logf("the server edit reached the local folder after %v (poll interval %v)", took.Round(time.Millisecond), latencyPoll)
	})
}

// mustRun runs a CLI command that must succeed and returns its stdout.
func mustRun(t *testing.T, c *cliCtl, ctx context.Context, stdin string, args []string) string {
	t.Helper()
	out, err := c.run(ctx, stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFile(t testing.TB, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitForContent polls p until it holds data, failing the test when that takes longer
// than limit after start; it returns how long it took.
func waitForContent(t testing.TB, p, data string, start time.Time, limit time.Duration) time.Duration {
	t.Helper()
	deadline := start.Add(limit)
	for {
		if b, err := os.ReadFile(p); err == nil && string(b) == data {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			b, err := os.ReadFile(p)
			t.Fatalf("%s did not get the change within %v: it holds %q (%v)", p, limit, b, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
