package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestBareCloudsyncWithoutDisplayRunsTheEngine: `make run` on a machine without a desktop
// (a server, a container, an SSH session) must not crash in the window toolkit: a bare
// cloudsync says there is no display and runs the engine, which then answers the CLI.
func TestBareCloudsyncWithoutDisplayRunsTheEngine(t *testing.T) {
	bin := builtBinary(t)
	env := childEnv(append(cloudsyncVars, "DISPLAY", "WAYLAND_DISPLAY"),
		"CLOUDSYNC_HOME="+t.TempDir(), "CLOUDSYNC_KEYRING=memory")
	app := startProc(t, bin, env, "", io.Discard) // no argument at all, as `make run` starts it
	c := &cliCtl{bin: bin, env: env}
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		out, err := c.run(ctx, "", "status")
		cancel()
		if err == nil {
			if !strings.Contains(out, "State:") {
				t.Fatalf("status said %q", out)
			}
			break
		}
		select {
		case <-app.done:
			t.Fatalf("bare cloudsync exited without a display (%v):\n%s", app.err, app.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the engine did not answer within 15 s (%v):\n%s", err, app.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := app.stop(); err != nil {
		t.Fatalf("stopping: %v", err)
	}
	if !strings.Contains(app.stderr.String(), "no display") {
		t.Fatalf("stderr does not say why there is no window:\n%s", app.stderr.String())
	}
}
