package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// xdo runs xdotool with args (bounded in time) and returns its trimmed output.
func xdo(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// window waits for a window whose title matches the regexp title and returns its id.
func window(t *testing.T, title string) string {
	t.Helper()
	var id string
	eventually(t, 30*time.Second, "window "+title, func() bool {
		out, err := exec.CommandContext(t.Context(), "xdotool", "search", "--onlyvisible", "--name", title).Output()
		if err != nil {
			return false
		}
		ids := strings.Fields(string(out))
		if len(ids) == 0 {
			return false
		}
		id = ids[len(ids)-1]
		return true
	})
	return id
}

// focus gives the window the keyboard (no window manager runs: X input focus).
func focus(t *testing.T, id string) {
	t.Helper()
	xdo(t, "windowraise", id)
	xdo(t, "windowfocus", "--sync", id)
	time.Sleep(300 * time.Millisecond)
}

// typeText types s into the focused widget.
func typeText(t *testing.T, s string) {
	t.Helper()
	xdo(t, "type", "--delay", "15", "--", s)
	time.Sleep(150 * time.Millisecond)
}

// key presses keys (xdotool names: Tab, Return, …).
func key(t *testing.T, keys ...string) {
	t.Helper()
	for _, k := range keys {
		xdo(t, "key", "--delay", "60", k)
		time.Sleep(120 * time.Millisecond)
	}
}

// clickAt clicks button (1 left, 3 right) at x,y inside window id.
func clickAt(t *testing.T, id string, x, y, button int) {
	t.Helper()
	xdo(t, "mousemove", "--window", id, strconv.Itoa(x), strconv.Itoa(y))
	time.Sleep(200 * time.Millisecond)
	xdo(t, "click", strconv.Itoa(button))
	time.Sleep(300 * time.Millisecond)
}

// screenshot saves window id as artifacts/<name>.png and checks it is not blank.
func screenshot(t *testing.T, id, name string) string {
	t.Helper()
	dir := os.Getenv("CLOUDSYNC_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	out := filepath.Join(dir, name+".png")
	time.Sleep(700 * time.Millisecond) // let the frame settle
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if b, err := exec.CommandContext(ctx, "import", "-window", id, out).CombinedOutput(); err != nil {
		t.Fatalf("screenshot %s: %v\n%s", name, err, b)
	}
	// A blank window has a single colour: ask ImageMagick how many there are.
	b, err := exec.CommandContext(ctx, "identify", "-format", "%k %w %h", out).Output()
	if err != nil {
		t.Fatalf("identify %s: %v", out, err)
	}
	f := strings.Fields(string(b))
	if n, _ := strconv.Atoi(f[0]); n < 20 {
		t.Errorf("screenshot %s has %d colours: blank window?", out, n)
	}
	t.Logf("screenshot %s (%sx%s)", out, f[1], f[2])
	return out
}
