package syncer

import (
	"fmt"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// When a failed item is tried again is the one retry policy of package remote: a failure a
// retry can fix has a back-off time (remote.RetryDelay, set by pass.failed); one no retry
// can fix (remote.WaitsForChange) waits for a change of the item or for the user: Item.Waits
// holds the fingerprint of the action that failed, checked by dropBackedOff in pass.go.

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
