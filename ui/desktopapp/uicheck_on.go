//go:build uicheck

package desktopapp

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/ui"
	"github.com/cloudsync/cloudsync/ui/uicheck"
)

// startUICheck, in the real-window test's build, looks at every open window twice a
// second: each new problem ui/uicheck finds (glyphs the fonts lack, clipped labels) is
// appended as "window title: problem" to $CLOUDSYNC_UI_CHECK/problems.txt, and the texts
// each window shows are written to $CLOUDSYNC_UI_CHECK/<window title>.txt, one per line
// with its place in pixels ("text TAB x TAB y TAB width TAB height"), for the test to read
// what a window says and to click a button by its label.
func startUICheck(ctx context.Context, u *ui.UI, run func(func()), getenv func(string) string, log *slog.Logger) {
	dir := getenv("CLOUDSYNC_UI_CHECK")
	if dir == "" {
		return
	}
	seen := map[string]bool{}
	last := map[string]string{}
	tick := func() {
		if ctx.Err() != nil {
			return
		}
		for _, w := range u.Windows() {
			title := w.Title()
			var problems []string
			for _, p := range uicheck.Texts(w.Canvas()) {
				if line := title + ": " + p; !seen[line] {
					seen[line] = true
					problems = append(problems, line)
				}
			}
			if len(problems) > 0 {
				appendLines(filepath.Join(dir, "problems.txt"), problems, log)
			}
			var b strings.Builder
			scale := w.Canvas().Scale()
			for _, t := range uicheck.ShownTexts(w.Canvas()) {
				fmt.Fprintf(&b, "%s\t%.0f\t%.0f\t%.0f\t%.0f\n", t.Text, t.Pos.X*scale, t.Pos.Y*scale, t.Size.Width*scale, t.Size.Height*scale)
			}
			texts := b.String()
			name := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(title)+".txt")
			if last[name] != texts {
				last[name] = texts
				os.WriteFile(name+".tmp", []byte(texts), 0o600)
				os.Rename(name+".tmp", name)
			}
		}
	}
	go func() {
		t := time.NewTicker(300 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				run(tick)
			}
		}
	}()
}

func appendLines(name string, lines []string, log *slog.Logger) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		log.Warn("ui check", "err", err)
		return
	}
	defer f.Close()
	for _, l := range lines {
		fmt.Fprintln(f, l)
	}
}
