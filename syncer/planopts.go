package syncer

import "github.com/cloudsync/cloudsync/syncer/plan"

// setPathIDs tells the planner that the remote's ids are paths, so that it pairs a vanished
// cloud item with a new one of the same version (a move) instead of delete + create.
func setPathIDs(o *plan.Options, v bool) { o.RemoteIDsArePaths = v }
