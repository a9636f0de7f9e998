package syncer_test

import (
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestEveryReasonHasAPlainSentence: SPEC §4 — every failure reason has a sentence saying
// what happened and what to do, in words, not the code.
func TestEveryReasonHasAPlainSentence(t *testing.T) {
	for _, r := range remote.AllReasons {
		s := syncer.Explain(r)
		if len(s) < 40 || !strings.HasSuffix(s, ".") || strings.Contains(s, "("+string(r)+")") || strings.Contains(s, "_") {
			t.Errorf("%s: %q is not a plain sentence", r, s)
		}
	}
	if syncer.Explain("") != "" {
		t.Error("no reason must have no sentence")
	}
}
