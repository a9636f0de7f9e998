// Package alone runs a test by itself in a child process of the test binary, for tests
// that measure the heap: in the package's own process, servers, connections and paused
// parallel tests of earlier tests allocate and free at the same time, and a difference of
// two MemStats readings then counts their work too (a CI run saw 3.0 heap objects per
// folder where the measured structure makes 7, because something else was freed
// in between). It may import no package of this module; only tests import it.
package alone

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const env = "CLOUDSYNC_TEST_ALONE"

// InChild reports whether the caller is the child that measures: in the test binary's
// own process it runs the test again, alone, in a child process, fails t if the child's
// run fails, logs the child's output and returns false; the caller then returns. In
// the child it returns true.
//
//	if !alone.InChild(t) {
//		return
//	}
func InChild(t *testing.T) bool {
	t.Helper()
	if os.Getenv(env) == t.Name() {
		return true
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("cannot find the test binary to run %s alone: %v", t.Name(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), env+"="+t.Name(), "GOCOVERDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err != nil && !errors.As(err, &exit):
		t.Fatalf("running %s alone: %v", t.Name(), err)
	case err != nil:
		t.Fatalf("%s, run alone in a child process, failed (%v):\n%s", t.Name(), err, out)
	case !strings.Contains(string(out), "--- PASS: "+t.Name()):
		t.Fatalf("%s did not pass when run alone in a child process:\n%s", t.Name(), out)
	}
	t.Logf("run alone in a child process:\n%s", out)
	return false
}
