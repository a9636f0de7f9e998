package syncer_test

import (
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// A cloud folder with ".." (or ".") segments is refused, not silently resolved: "../x"
// used to become "x" and "a/../../b" to become "b" (issue 9, point 8). The GUI creates sets
// through the same API, so the engine refuses them too, not only the CLI.
func TestCreateSetRefusesCloudFolderWithDotSegments(t *testing.T) {
	r := newRig(t, nil)
	r.write("a.txt", "a")
	for _, to := range []string{"../x", "a/../../b", "a/..", "./x", "a/./b", "..", "a\x00b"} {
		_, err := r.eng.CreateSet(r.ctx(), syncer.CreateSetRequest{Paths: []string{testRoot}, Account: "cloud", To: to, Options: model.DefaultOptions()})
		if err == nil {
			t.Fatalf("--to %q was accepted", to)
		}
		if !strings.Contains(err.Error(), "cloud folder") {
			t.Errorf("--to %q: the error does not say what is wrong: %v", to, err)
		}
	}
	if sets, _ := r.store.ListSets(); len(sets) != 0 {
		t.Fatalf("refused cloud folders created sets: %+v", sets)
	}
	if tree := r.rem.Tree(""); len(tree) != 0 {
		t.Fatalf("refused cloud folders created cloud folders: %v", tree)
	}
	for _, to := range []string{"x", "/Backup/x/", "a b/c..d", "-default-/site/doc"} {
		if err := syncer.CheckCloudFolder(to); err != nil {
			t.Errorf("CheckCloudFolder(%q) = %v, want nil", to, err)
		}
	}
}
