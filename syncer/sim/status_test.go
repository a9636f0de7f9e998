package sim

import (
	"context"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// checkTruthfulStatus is the oracle's "truthful status" (docs/TESTING.md 6): no item the engine
// reports synced (Sync Info, as `cloudsync info` and the app show it) has sides that
// differ: a file with other content in the cloud, or missing on one side. Items inside a
// folder kept apart (a name clash, an item gone on one side: see apart) are left out, as
// the convergence check leaves them out: the folder carries the failure, and its content
// may sit at another path on each side.
func (w *world) checkTruthfulStatus() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	items, err := w.eng.ListItems(ctx, false)
	if err != nil {
		w.fail("listing items: %v", err)
	}
	l, c := w.localTree(), w.cloudTree()
	apart, folded := w.apart()
	for _, it := range items {
		rel, ok := strings.CutPrefix(it.Path, simRoot+"/")
		if !ok || it.Status != model.StatusSynced || keptApart(rel, apart, folded) {
			continue
		}
		lv, lok := l[rel]
		cv, cok := c[rel]
		if !lok || !cok || lv != cv {
			w.fail("status lies: %s is reported synced, but local %q (present %v) and cloud %q (present %v) differ\nlocal: %v\ncloud: %v\nfailed: %v",
				rel, short(lv), lok, short(cv), cok, show(l), show(c), w.failures())
		}
	}
}

func short(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}
