package ui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// logTail is how much of the end of the log the viewer reads.
const logTail = 256 << 10

// logHint stands where the selected line shows in full.
const logHint = "Select a line to read it in full (and copy it)."

// logWindow shows the end of the engine's log, newest last, for a person reporting a
// problem (the log holds no passwords: the engine never logs them).
type logWindow struct {
	u      *UI
	w      fyne.Window
	lines  []string
	list   *widget.List
	info   *widget.Label
	detail *widget.Label // the selected line in full (a list row is cut to its width)
}

// logFile is the engine's current log file ("" when the app was given none).
func (u *UI) logFile() string {
	if u.opt.LogFiles != nil {
		if fs := u.opt.LogFiles(); len(fs) > 0 {
			return fs[0]
		}
	}
	return ""
}

// showLog opens (or raises) the log viewer.
func (u *UI) showLog() {
	u.window("log", "cloudsync log", fyne.NewSize(900, 520), func(w fyne.Window) {
		l := &logWindow{u: u, w: w}
		u.logView = l
		l.list = widget.NewList(func() int { return len(l.lines) },
			func() fyne.CanvasObject {
				t := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
				t.Truncation = fyne.TextTruncateEllipsis
				return t
			},
			func(i widget.ListItemID, o fyne.CanvasObject) {
				if i < len(l.lines) {
					o.(*widget.Label).SetText(l.lines[i])
				}
			})
		l.detail = widget.NewLabelWithStyle(logHint, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		l.detail.Wrapping, l.detail.Selectable = fyne.TextWrapBreak, true
		l.list.OnSelected = func(i widget.ListItemID) {
			if i < len(l.lines) {
				l.detail.SetText(l.lines[i])
			}
		}
		l.info = widget.NewLabel("")
		refresh := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), l.load)
		folder := widget.NewButtonWithIcon("Open log folder", theme.FolderOpenIcon(), func() {
			dir := filepath.Dir(u.logFile())
			u.call(func(ctx context.Context) error { return u.host.OpenFolder(ctx, dir) }, nil)
		})
		w.SetContent(container.NewBorder(nil,
			container.NewVBox(widget.NewSeparator(), l.detail,
				container.NewHBox(refresh, folder, l.info, layoutFill(), widget.NewButton("Close", w.Close))),
			nil, nil, l.list))
		w.SetOnClosed(func() { delete(u.wins, "log"); u.logView = nil })
	})
	u.logView.load()
}

// load reads the end of the log and scrolls to its last line.
func (l *logWindow) load() {
	name := l.u.logFile()
	var lines []string
	l.u.call(func(context.Context) error {
		var err error
		lines, err = readTail(name, logTail)
		return err
	}, func(err error) {
		if err != nil {
			l.info.SetText("Could not read the log: " + err.Error())
			return
		}
		l.lines = lines
		l.list.UnselectAll()
		l.detail.SetText(logHint)
		l.info.SetText(plural(len(lines), "line", "lines") + " (the end of " + filepath.Base(name) + ")")
		l.list.Refresh()
		if len(lines) > 0 {
			l.list.ScrollToBottom()
		}
	})
}

// readTail returns the lines of the last n bytes of the file (the first, cut line
// dropped).
func readTail(name string, n int64) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	off := max(0, st.Size()-n)
	b, err := io.ReadAll(io.NewSectionReader(f, off, st.Size()-off))
	if err != nil {
		return nil, err
	}
	s := strings.TrimRight(string(b), "\n")
	lines := strings.Split(s, "\n")
	if off > 0 && len(lines) > 1 {
		lines = lines[1:]
	}
	if s == "" {
		return nil, nil
	}
	return lines, nil
}
