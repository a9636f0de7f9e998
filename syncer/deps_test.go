package syncer

import (
	"os/exec"
	"strings"
	"testing"
)

// TestEngineCoreImportsNoIOLibraries keeps the engine behind its seams (STYLE rule 2):
// syncer and syncer/plan must not depend on Fyne, net/http or Badger, so the engine can be
// tested over in-memory doubles and the planner stays pure.
func TestEngineCoreImportsNoIOLibraries(t *testing.T) {
	for _, pkg := range []string{".", "./plan"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "fyne.io/") || dep == "net/http" || strings.HasPrefix(dep, "github.com/dgraph-io/badger") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
