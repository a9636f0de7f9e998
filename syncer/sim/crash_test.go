package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestCrashAtEveryStep is the crash layer of docs/TESTING.md. Per seed: a small tree synced
// once, then random edits on both sides, then two passes whose durable steps (store
// writes, local mutations including staging a temp file, remote mutations) are counted:
// K. The run is repeated for every k in 0..K with the engine crashing after step k: from
// step k+1 on nothing it does has an effect (store, local folder and cloud keep what
// steps 1..k did; a staged temp file not yet committed stays behind). A fresh engine then
// starts over the same folder, cloud and store, and the oracle must hold.
//
// What is modelled: every LocalFS mutation is durable when it returns, as OSFS makes it
// (it fsyncs the file and its folder before returning); a remote mutation is durable once
// the server applied it, whether or not the response arrived. Writes the OS could drop
// for want of an fsync have no counterpart here, because the engine issues none.
func TestCrashAtEveryStep(t *testing.T) {
	start := time.Now()
	list := seeds(t, 200, 40)
	runs := 0
	stats := &faultStats{}
	for _, seed := range list {
		k := crashRun(t, seed, -1, nil) // count the steps
		for at := 0; at <= k; at++ {
			t.Run(fmt.Sprintf("%d/crash-after-%d", seed, at), func(t *testing.T) { crashRun(t, seed, at, stats) })
			runs++
		}
	}
	t.Logf("%d seeds, %d crash points in %v; %v", len(list), runs, time.Since(start).Round(time.Millisecond), stats)
}

// openCrashBugs are seeds whose restart (even without a lost step) breaks idleness for a
// reason not diagnosed yet; reported, they fail under SIM_STRICT=1.
// (Seed 76, a file renamed locally while edited in the cloud with a new file at its old
// name, was a stale path id recorded after a move; fixed, see
// TestRenamedFileEditedInCloudWithNewFileAtOldNameSettles.)
var openCrashBugs = map[int64]string{}

// crashRun runs seed with a crash after crashAt durable steps of the measured passes
// (never when < 0) and returns the number of steps they made.
func crashRun(t *testing.T, seed int64, crashAt int, stats *faultStats) int {
	w := newWorld(t, seed, worldOptions{
		pathIDs: seed%2 == 0, parallel: 1, stats: stats,
		options: model.Options{IncludeSubfolders: true, AllowCloudDelete: true, DeleteLocalOnCloudDelete: true},
	})
	for i, n := 0, 2+w.intn(4); i < n; i++ {
		w.randomEdit("before the first pass")
	}
	w.setup()
	w.pass()
	for i, n := 0, 3+w.intn(6); i < n; i++ {
		w.randomEdit("")
	}
	before := w.crash.count()
	w.crash.arm(crashAt)
	w.logf("crash armed after %d steps", crashAt)
	w.pass()
	w.pass()
	steps := w.crash.count() - before
	crashed := w.crash.isDead()
	w.shutdown()
	if crashAt >= 0 && crashAt < steps {
		w.fail("the crash after step %d did not stop the instance (%d steps)", crashAt, steps)
	}
	if why, ok := openCrashBugs[seed]; ok && crashAt >= 0 {
		w.known = func() string { return why }
	}
	if crashed {
		w.temps = w.fs.Temps()
		w.logf("crashed (%d temp files left behind)", w.temps)
	}
	w.whileDown()
	w.logf("restarting")
	w.start(-1)
	w.settle()
	return steps
}
