package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Notification action labels.
const (
	NoteOpenFolder = "Open folder"
	NoteSyncInfo   = "Sync Info"
	NoteShow       = "Show"
	NoteSignIn     = "Sign in…"
)

// notifier turns engine events into desktop notifications (SPEC §6): a failure once (the
// engine announces a failure once, and a repeat of the same failure is dropped here too,
// so retries never notify again), failures and conflicts that come close together as one
// summary, a sign-in needed once per account until it signs in again (with a Sign in
// action), and the summary of a large first sync. "changed" events only refresh. Every
// notification carries the actions that help: Open folder, Sync Info, Show, Sign in.
type notifier struct {
	u         *UI
	seen      map[string]bool
	failures  []syncer.Event
	conflicts []syncer.Event
	others    []syncer.Event
	scheduled bool
}

func newNotifier(u *UI) *notifier { return &notifier{u: u, seen: map[string]bool{}} }

// add takes ev for the next notification when it deserves one and enabled is true. Events
// seen while notifications are off are not shown later.
func (n *notifier) add(ev syncer.Event, enabled bool) {
	var key string
	switch ev.Kind {
	case "failure":
		key = "failure|" + ev.Path + "|" + string(ev.Reason) + "|" + ev.Title
	case "conflict":
		key = "conflict|" + ev.Path
	case "auth":
		key = "auth|" + ev.Account
	case "first_sync_done":
		key = "first|" + ev.Path
	case "restored": // the engine tells each refused delete once; a later one is news again
		key = fmt.Sprintf("restored|%s|%d", ev.Path, ev.Seq)
	default:
		return
	}
	if n.seen[key] {
		return
	}
	n.seen[key] = true
	if !enabled || ev.Title == "" {
		return
	}
	switch ev.Kind {
	case "failure":
		n.failures = append(n.failures, ev)
	case "conflict":
		n.conflicts = append(n.conflicts, ev)
	default:
		n.others = append(n.others, ev)
	}
}

// schedule shows what was gathered: at once when Synchronous, else after a short while,
// so failures found together in one pass become one notification.
func (n *notifier) schedule() {
	if n.u.opt.Synchronous {
		n.flush()
		return
	}
	if n.scheduled || len(n.failures)+len(n.conflicts)+len(n.others) == 0 {
		return
	}
	n.scheduled = true
	time.AfterFunc(n.u.opt.GatherNotes, func() {
		if n.u.ctx.Err() == nil {
			n.u.main(n.flush)
		}
	})
}

// flush sends the gathered notifications.
func (n *notifier) flush() {
	n.scheduled = false
	for _, ev := range n.others {
		n.send(n.single(ev))
	}
	if len(n.failures) > 0 {
		n.send(n.failureNote(n.failures))
	}
	if len(n.conflicts) == 1 {
		n.send(n.single(n.conflicts[0]))
	} else if len(n.conflicts) > 1 {
		n.send(Notification{Title: plural(len(n.conflicts), "conflict", "conflicts"),
			Body: names(n.conflicts, func(ev syncer.Event) string { return strings.TrimPrefix(ev.Title, "Conflict: ") }) +
				" were changed on this computer and in the cloud. The cloud versions were kept; your versions were saved beside them as conflict copies.",
			Actions: []NotificationAction{{NoteShow, func() { n.u.gui(func() { n.u.showContent(filterAll) }) }}}})
	}
	n.failures, n.conflicts, n.others = nil, nil, nil
}

func (n *notifier) send(note Notification) { n.u.host.Notify(note) }

// single is the notification of one event.
func (n *notifier) single(ev syncer.Event) Notification {
	u := n.u
	note := Notification{Title: ev.Title, Body: ev.Body}
	switch ev.Kind {
	case "auth":
		account := ev.Account
		note.Actions = []NotificationAction{{NoteSignIn, func() { u.gui(func() { u.showSignIn(account) }) }}}
	case "conflict":
		item := filepath.Join(filepath.Dir(ev.Path), strings.TrimPrefix(ev.Title, "Conflict: "))
		note.Actions = []NotificationAction{u.openFolderAction(filepath.Dir(ev.Path)), {NoteSyncInfo, func() { u.gui(func() { u.showInfo(item) }) }}}
	case "first_sync_done":
		note.Actions = []NotificationAction{u.openFolderAction(ev.Path)}
	case "restored":
		p := ev.Path
		note.Actions = []NotificationAction{u.openFolderAction(filepath.Dir(p)), {NoteSyncInfo, func() { u.gui(func() { u.showInfo(p) }) }}}
	}
	return note
}

// failureNote is one notification for the failures found together: the item and the
// plain sentence for one, a summary by reason for several.
func (n *notifier) failureNote(evs []syncer.Event) Notification {
	u := n.u
	if len(evs) == 1 {
		ev := evs[0]
		p := ev.Path
		note := Notification{Title: ev.Title, Body: syncer.Explain(ev.Reason)}
		switch {
		case strings.HasPrefix(ev.Title, "Sync stopped"), ev.Reason == "":
			note.Body = ev.Body
		case attention(ev.Reason):
			note.Title = "“" + filepath.Base(p) + "”: " + strings.ToLower(reasonShort(ev.Reason)[:1]) + reasonShort(ev.Reason)[1:]
		default:
			note.Title = "Could not sync “" + filepath.Base(p) + "”"
		}
		if note.Body == "" {
			note.Body = ev.Body
		}
		note.Actions = []NotificationAction{{NoteSyncInfo, func() { u.gui(func() { u.showInfo(p) }) }}, u.openFolderAction(filepath.Dir(p))}
		return note
	}
	byReason := map[remote.Reason]int{}
	kept := 0
	for _, ev := range evs {
		byReason[ev.Reason]++
		if attention(ev.Reason) {
			kept++
		}
	}
	title := plural(len(evs), "item", "items") + " could not be synced"
	switch {
	case kept == len(evs) && len(byReason) == 1 && evs[0].Reason == remote.ReasonTargetDeleted:
		title = plural(len(evs), "item was", "items were") + " deleted in the cloud"
	case kept > 0:
		title = plural(len(evs), "item needs", "items need") + " your attention"
	}
	var parts []string
	for r, c := range byReason {
		w := reasonShort(r)
		if r == "" {
			w = "Sync stopped"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", w, c))
	}
	sort.Strings(parts)
	body := names(evs, func(ev syncer.Event) string { return filepath.Base(ev.Path) }) + ". " + strings.Join(parts, "; ") + "."
	return Notification{Title: title, Body: body,
		Actions: []NotificationAction{{NoteShow, func() { u.gui(func() { u.showContent(filterErrors) }) }}}}
}

// names lists up to three names of evs: "a, b, c and 2 more".
func names(evs []syncer.Event, name func(syncer.Event) string) string {
	var ns []string
	for i, ev := range evs {
		if i == 3 {
			return strings.Join(ns, ", ") + " and " + plural(len(evs)-3, "more", "more")
		}
		ns = append(ns, "“"+name(ev)+"”")
	}
	return joinAnd(ns)
}

// openFolderAction shows folder in the file manager.
func (u *UI) openFolderAction(folder string) NotificationAction {
	return NotificationAction{NoteOpenFolder, func() {
		u.call(func(ctx context.Context) error { return u.host.OpenFolder(ctx, folder) }, nil)
	}}
}

// signedIn forgets the sign-in notification of account, so that a later failure notifies
// again.
func (n *notifier) signedIn(account string) { delete(n.seen, "auth|"+account) }
