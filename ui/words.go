package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// The app's words: counts, sizes, durations, statuses and reasons as a person reads them
// (GNOME HIG: sentence case, no codes, "1 item" / "2 items").

// plural is "1 item", "3 items", "12,345 items".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return number(n) + " " + many
}

// number writes n with thousands separators ("100,000").
func number(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// humanBytes is a size in SI units, as GNOME shows them ("12.3 MB", "512 bytes").
func humanBytes(n int64) string {
	switch {
	case n < 1000:
		return plural(int(n), "byte", "bytes")
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}

// timeLeft is an estimate in words ("about 10 seconds left"), rounded the way a person
// would say it; "" when unknown.
func timeLeft(seconds int64) string {
	switch {
	case seconds <= 0:
		return ""
	case seconds < 5:
		return "a few seconds left"
	case seconds < 60:
		return fmt.Sprintf("about %d seconds left", (seconds+4)/5*5)
	case seconds < 3600:
		return "about " + plural(int((seconds+30)/60), "minute", "minutes") + " left"
	}
	return "about " + plural(int((seconds+1800)/3600), "hour", "hours") + " left"
}

// shortDuration shows a setting's duration without zero units ("10m", "30s", "1h30m").
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// attention reports whether a reason is not a failure to fix but something that happened
// as the user's settings say (a cloud delete kept here, a document moved out, a link not
// synced): shown plainly, without the error icon.
func attention(r remote.Reason) bool {
	switch r {
	case remote.ReasonTargetDeleted, remote.ReasonMovedOut, remote.ReasonUnsupported:
		return true
	}
	return false
}

// reasonShort is a failure reason in a few words, for list rows.
func reasonShort(r remote.Reason) string {
	switch r {
	case remote.ReasonNameClash:
		return "Same name as another item"
	case remote.ReasonInvalidName:
		return "Name not allowed in the cloud"
	case remote.ReasonMissingDestination:
		return "Its folder is gone"
	case remote.ReasonTargetDeleted:
		return "Deleted in cloud, kept here"
	case remote.ReasonPermissionDenied:
		return "No permission"
	case remote.ReasonQuotaExceeded:
		return "Cloud storage full"
	case remote.ReasonTooLarge:
		return "Too large for the cloud"
	case remote.ReasonAuthFailed:
		return "Sign-in needed"
	case remote.ReasonLocked:
		return "Locked by someone else"
	case remote.ReasonUnsupported:
		return "Not synced (link or special file)"
	case remote.ReasonNetwork:
		return "Cloud not reachable, will retry"
	case remote.ReasonLocalIO:
		return "Could not read or write here"
	case remote.ReasonMovedOut:
		return "Moved out, kept here only"
	}
	return "Not synced"
}

// explain is the plain sentence of an item's problem: the engine's, or the app's own
// when an older engine sent none.
func explain(it syncer.ItemInfo) string {
	if it.Message != "" {
		return it.Message
	}
	return syncer.Explain(it.Reason)
}

// itemStatus is an item's status in words, for list rows and Sync Info.
func itemStatus(it syncer.ItemInfo) string {
	switch it.Status {
	case model.StatusSynced:
		return "Synced"
	case model.StatusSyncing:
		return "Syncing"
	case model.StatusPending:
		return "Waiting to sync"
	case model.StatusPaused:
		return "Paused"
	case model.StatusFailed:
		return reasonShort(it.Reason)
	case model.StatusLocalOnly:
		return "Kept on this computer only"
	case model.StatusExcluded:
		return "Not synced (left out by the set's options)"
	}
	return strings.ToUpper(string(it.Status[:1])) + strings.ReplaceAll(string(it.Status[1:]), "_", " ")
}

// setState is a sync set's state in words, with its counts ("Up to date, 1,204 items").
func setState(s syncer.SetInfo, accounts []model.Account) string {
	var w string
	switch {
	case accountPaused(accounts, s.Account):
		w = "Sign-in needed"
	case s.PendingDeletes > 0:
		w = "Stopped: many deletions wait for confirmation"
	case s.Error != "":
		w = "Stopped: " + strings.ToLower(reasonShort(s.Error)[:1]) + reasonShort(s.Error)[1:]
	case s.Paused || s.State == syncer.StatePaused:
		w = "Paused"
	case s.Progress != nil:
		w = "Syncing, " + plural(s.Progress.ItemsLeft, "item", "items") + " left"
	case s.State == syncer.StateSyncing:
		w = "Syncing"
	case s.State == syncer.StateOffline:
		w = "Offline"
	case s.Failed > 0:
		w = plural(s.Failed, "item", "items") + " not synced"
	case s.Pending > 0:
		w = plural(s.Pending, "change waits", "changes wait")
	case s.LastSync.IsZero():
		w = "Not synced yet"
	default:
		w = "Up to date"
	}
	return w
}

func accountPaused(accounts []model.Account, name string) bool {
	for _, a := range accounts {
		if a.Name == name {
			return a.Paused
		}
	}
	return false
}

// setTitle names a set by its folder (or its documents).
func setTitle(s syncer.SetInfo) string {
	if s.Kind == model.KindDocuments {
		return plural(len(s.Documents), "document", "documents") + " in " + filepath.Base(s.LocalRoot)
	}
	return filepath.Base(s.LocalRoot)
}

// cloudPlace is where a set syncs to: "work: /Projects/2025".
func cloudPlace(account, location string) string {
	return account + ": /" + strings.TrimPrefix(location, "/")
}

// middleEllipsis shortens s to at most n runes by cutting its middle.
func middleEllipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 5 {
		return s
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// shortPath shows a long path by its last elements.
func shortPath(p string, max int) string {
	if len([]rune(p)) <= max {
		return p
	}
	parts := strings.Split(p, "/")
	out := parts[len(parts)-1]
	for i := len(parts) - 2; i >= 0; i-- {
		if len(out)+len(parts[i])+5 > max {
			break
		}
		out = parts[i] + "/" + out
	}
	return "…/" + out
}

// lastSync shows an RFC 3339 time in local time.
func lastSync(s string) string {
	if s == "" {
		return "Never"
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.Local().Format("2006-01-02 15:04")
}

// newTwoLineRow is a list row: an icon, a bold title over a detail line (closer than two
// labels would sit), and with right a text on the right (a state).
func newTwoLineRow(right bool) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	detail := widget.NewLabel("")
	detail.Truncation = fyne.TextTruncateEllipsis
	var r fyne.CanvasObject
	if right {
		r = widget.NewLabel("")
	}
	lines := container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), title, detail)
	return container.NewBorder(nil, nil, widget.NewIcon(nil), r, lines)
}

// rowList is a list of newTwoLineRow rows (right: with a text on the right), one per element
// of *items as it is when the list draws: show fills the row of one element, pick is told
// the element selected (nil when the selection is cleared).
func rowList[T any](items *[]T, right bool, show func(T, fyne.CanvasObject), pick func(*T)) *widget.List {
	l := widget.NewList(
		func() int { return len(*items) },
		func() fyne.CanvasObject { return newTwoLineRow(right) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(*items) {
				show((*items)[i], o)
			}
		})
	l.OnSelected = func(i widget.ListItemID) {
		if i < len(*items) {
			pick(&(*items)[i])
		}
	}
	l.OnUnselected = func(widget.ListItemID) { pick(nil) }
	return l
}

// setTwoLineRow shows an icon and texts in a row of newTwoLineRow, and lays it out again
// (the right text's width may have changed).
func setTwoLineRow(o fyne.CanvasObject, icon fyne.Resource, title, detail, right string) {
	c := o.(*fyne.Container)
	lines := c.Objects[0].(*fyne.Container).Objects
	lines[0].(*widget.Label).SetText(title)
	lines[1].(*widget.Label).SetText(detail)
	c.Objects[1].(*widget.Icon).SetResource(icon)
	if len(c.Objects) > 2 {
		c.Objects[2].(*widget.Label).SetText(right)
	}
	c.Refresh()
}

// folderWords shows a folder for a list column: the home folder as ~, and a long path by
// its end (the part that tells folders apart), since the column cuts at the end.
func folderWords(dir, home string) string {
	if home != "" && (dir == home || strings.HasPrefix(dir, home+"/")) {
		dir = "~" + dir[len(home):]
	}
	return shortPath(dir, 48)
}

// sentence makes an engine note ("deleted on this computer, but …") a sentence to show:
// a capital first letter and a full stop. "" stays "".
func sentence(note string) string {
	note = strings.TrimSpace(note)
	if note == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(note)
	note = string(unicode.ToUpper(r)) + note[n:]
	if !strings.ContainsAny(note[len(note)-1:], ".!?") {
		note += "."
	}
	return note
}
