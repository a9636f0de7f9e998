package ui

import (
	"github.com/cloudsync/cloudsync/syncer"
)

// notifier turns engine events into desktop notifications (SPEC §6): a failure once (the
// engine announces a failure once, and a repeat of the same failure is dropped here too,
// so retries never notify again), every conflict (the body names the kept copy), a
// sign-in needed once per account until it signs in again, and the summary of a large
// first sync. "changed" events only refresh.
type notifier struct {
	send func(title, body string)
	seen map[string]bool
}

func newNotifier(send func(title, body string)) *notifier {
	return &notifier{send: send, seen: map[string]bool{}}
}

// handle shows ev when it deserves a notification and enabled is true; it reports whether
// one was shown. Events seen while notifications are off are not shown later.
func (n *notifier) handle(ev syncer.Event, enabled bool) bool {
	var key string
	switch ev.Kind {
	case "failure":
		key = "failure|" + ev.Path + "|" + ev.Title + "|" + ev.Body
	case "conflict":
		key = "conflict|" + ev.Path
	case "auth":
		key = "auth|" + ev.Account
	case "first_sync_done":
		key = "first|" + ev.Path
	default:
		return false
	}
	if n.seen[key] {
		return false
	}
	n.seen[key] = true
	if !enabled || ev.Title == "" {
		return false
	}
	n.send(ev.Title, ev.Body)
	return true
}

// signedIn forgets the sign-in notification of account, so that a later failure notifies
// again.
func (n *notifier) signedIn(account string) { delete(n.seen, "auth|"+account) }
