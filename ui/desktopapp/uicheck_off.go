//go:build !uicheck

package desktopapp

import (
	"context"
	"log/slog"

	"github.com/cloudsync/cloudsync/ui"
)

// startUICheck does nothing unless the app is built with the uicheck tag (the real-window
// test's build).
func startUICheck(context.Context, *ui.UI, func(func()), func(string) string, *slog.Logger) {}
