package syncer

import (
	"errors"
	"time"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// raceRecheck is how soon the cloud is looked at again after a pass met a cloud item that
// changed after it was listed (an upload's If-Match refused, a download that read other
// content, a re-check before a delete).
const raceRecheck = time.Second

// raceKey names an action across passes: the same item planned the same way again.
func raceKey(a plan.Action) string { return a.Path + "\x00" + a.To }

// replanRace reports whether res met a cloud item changed since it was listed
// (remote.ErrChanged) while the same action did not meet one in the set's last pass.
// Such a race is not a failure: the cloud was reached, and what it holds now is newer than
// the plan. Nothing is recorded (the item stays pending, its cloud side as last synced),
// no "could not sync" is shown, and the runner looks at the cloud again within
// raceRecheck, so that the next plan sees both edits (a conflict, cloud wins). Before,
// the race was recorded as a network failure with back-off: "the cloud could not be
// reached" for a cloud that answered, and the edit waited for the back-off. An action that
// races again in the next pass fails as any other error does, so that a server whose
// versions never match shows a failure and backs off instead of being retried unseen.
// (A transfer whose content step succeeded and whose metadata step met such a change is
// metaFailed's: its content is recorded.)
func (p *pass) replanRace(res exec.Result) bool {
	return !errors.Is(res.Err, exec.ErrMetaFailed) && p.noteRace(res)
}

// noteRace reports whether res met a cloud item changed since it was listed for the first
// time in a row, and notes it so (replanRace).
func (p *pass) noteRace(res exec.Result) bool {
	if !errors.Is(res.Err, remote.ErrChanged) {
		return false
	}
	k := raceKey(res.Action)
	if p.r.raced[k] {
		return false
	}
	if p.r.racing == nil {
		p.r.racing = map[string]bool{}
	}
	p.r.racing[k] = true
	p.e.cfg.Log.Info("the cloud changed while an item synced; the next look plans it again",
		"set", p.s.ID, "path", res.Action.To, "err", res.Err)
	return true
}

// endRaces makes the races of the pass that ended the ones the next pass checks against,
// and returns how soon the cloud is to be looked at again (0: at the poll interval).
func (r *runner) endRaces(poll time.Duration) time.Duration {
	r.raced, r.racing = r.racing, nil
	if len(r.raced) == 0 {
		return 0
	}
	return min(raceRecheck, poll)
}
