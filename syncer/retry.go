package syncer

import (
	"fmt"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// When a failed item is tried again: a failure a retry can fix has a back-off time
// (backoff, record.go); one no retry can fix waits for a change of the item or for the user
// (Item.Waits, checked by dropBackedOff in pass.go).

// waitsForChange reports whether a failure reason is one no retry can fix (SPEC §4): the
// item waits for the user (Request Sync, a rename, Unsync) or for a change, not for a
// timer. Unsupported items (symbolic links, special files) are such too.
func waitsForChange(r remote.Reason) bool {
	switch r {
	case remote.ReasonTargetDeleted, remote.ReasonMovedOut, remote.ReasonInvalidName, remote.ReasonNameClash,
		remote.ReasonUnsupported:
		return true
	}
	return false
}

// fingerprint says what an action asks of which state of its item: the same fingerprint in
// a later plan means the item did not change on either side since.
func fingerprint(a plan.Action) string {
	node := func(n *plan.Node) string {
		if n == nil {
			return "-"
		}
		return n.ID + "@" + n.Version + "#" + n.Hash
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s", a.Op, a.Path, a.To, node(a.Local), node(a.Remote))
}
