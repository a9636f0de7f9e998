package syncer

import (
	"fmt"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
)

// When a failed item is tried again is the one retry policy of package remote: a failure a
// retry can fix has a back-off time (remote.RetryDelay, set by pass.failed); one no retry
// can fix (remote.WaitsForChange) waits for a change of the item or for the user: Item.Waits
// holds the fingerprint of the action that failed, checked by dropBackedOff in pass.go.

// fingerprint says what an action asks of which state of its item: the same fingerprint in
// a later plan means the item did not change on either side since.
func fingerprint(a plan.Action) string {
	node := func(n *plan.Node, hash bool) string {
		if n == nil {
			return "-"
		}
		if !hash {
			return n.ID + "@" + n.Version
		}
		return n.ID + "@" + n.Version + "#" + n.Hash
	}
	// A local file's version (size and mtime) says whether it changed; its hash is not
	// always computed (a scoped pass hashes a new file only when it needs to compare it), so
	// it is left out, lest the same file look changed.
	return fmt.Sprintf("%s|%s|%s|%s|%s", a.Op, a.Path, a.To, node(a.Local, false), node(a.Remote, true))
}

// dropBackedOff removes the actions of failed items that must not be tried now (and what
// depends on them), so that a failing item is never retried in a tight loop: an item in
// back-off until its retry time, and an item whose failure no retry can fix (Item.Waits)
// while the plan asks of it exactly what failed, i.e. until the item changes on either
// side. The planner's own Fail actions are recorded again only for items in back-off, so a
// permanent failure is recorded (and logged) once. Request Sync (force) retries everything.
func (p *pass) dropBackedOff(pl plan.Plan) plan.Plan {
	if p.force {
		return pl
	}
	now := p.e.cfg.Now()
	waiting := map[string]bool{} // keys and paths of items in back-off
	waits := map[string]string{} // keys and paths of items waiting for a change → what failed
	for _, it := range p.items {
		switch {
		case it.Status != model.StatusFailed:
		case it.Waits != "":
			waits["k:"+it.Key], waits["p:"+it.Path] = it.Waits, it.Waits
		case it.NextRetry.After(now):
			waiting["k:"+it.Key] = true
			waiting["p:"+it.Path] = true
		}
	}
	if len(waiting) == 0 && len(waits) == 0 {
		return pl
	}
	ref := func(a plan.Action) []string {
		if a.Key != "" {
			return []string{"k:" + a.Key}
		}
		return []string{"p:" + a.To, "p:" + a.Path}
	}
	// An item waiting for a change is unchanged when the plan asks again what failed.
	unchanged := map[string]bool{}
	for _, a := range pl.Actions {
		for _, k := range ref(a) {
			if w, ok := waits[k]; ok && w == fingerprint(a) {
				unchanged[k] = true
			}
		}
	}
	return dropActions(pl, func(a plan.Action) bool {
		drop := false
		for _, k := range ref(a) {
			drop = drop || unchanged[k] || waiting[k] && a.Op != plan.Fail
		}
		return drop
	})
}

// dropActions returns pl without the actions drop selects and the actions depending on them.
func dropActions(pl plan.Plan, drop func(plan.Action) bool) plan.Plan {
	dropped := map[int]bool{}
	out := plan.Plan{}
	for _, a := range pl.Actions {
		d := drop(a)
		for _, id := range a.After {
			d = d || dropped[id]
		}
		if d {
			dropped[a.ID] = true
			continue
		}
		out.Actions = append(out.Actions, a)
	}
	return out
}
