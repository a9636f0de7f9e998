//go:build !cgo

package main

import (
	"context"
	"fmt"
)

// runGUI without cgo: this binary was built without the desktop app (fyne needs cgo), so
// a bare `cloudsync` runs the engine without a window.
func runGUI(ctx context.Context, e *env) int {
	fmt.Fprintln(e.stderr, "cloudsync: built without the desktop app (CGO_ENABLED=0); running the sync engine without a window")
	return e.runDaemon(ctx, &command{name: "daemon"}, daemonOpts{})
}
