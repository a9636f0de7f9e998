package main

import (
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/scenario"
)

// TestScenariosCLI runs the whole scenario suite of syncer/scenario with the built binary:
// every engine call is a `cloudsync` command (sync, wait --timeout, info --json,
// list [--errors] --json, request-sync, unsync [--remove-from-cloud], pause [SET],
// resume [SET], status --json) against a running `cloudsync daemon` (watcher on, a 2 s poll
// interval), and the cloud is `cloudsync serve-webdav` over a folder the test also edits
// directly, behind a metering proxy that counts requests and injects faults. Scenarios that
// need what a separate process cannot offer (engine events, a copied installation) skip
// and say so. The environments run in parallel, each with its own processes and folders.
func TestScenariosCLI(t *testing.T) {
	builtBinary(t)
	scenario.Run(t, func(t *testing.T) *scenario.Env { return cliEnv(t) })
}

// cliEnv is one fresh environment: its own served folder, serve-webdav process, daemon
// (CLOUDSYNC_HOME, in-memory keyring, desktop trash under XDG_DATA_HOME) and account.
func cliEnv(t *testing.T) *scenario.Env {
	t.Parallel()
	bin := builtBinary(t)
	base := t.TempDir()
	served := filepath.Join(base, "server")
	root := filepath.Join(base, "home", "Docs")
	xdgData := filepath.Join(base, "xdg-data")
	for _, d := range []string{served, root, xdgData} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { scenario.MakeWritable(base) }) // locked files, so TempDir can remove them

	dav, _ := startServeWebDAV(t, bin, childEnv(cloudsyncVars), served, "alice", "wonderland")
	target, err := url.Parse(dav)
	if err != nil {
		t.Fatal(err)
	}
	meter := &scenario.Meter{}
	proxy := httptest.NewServer(meter.Wrap(scenario.Proxy(t, target)))
	t.Cleanup(proxy.Close)

	env := childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+filepath.Join(base, "cs"), "CLOUDSYNC_KEYRING=memory",
		"XDG_DATA_HOME="+xdgData, "BROWSER=false")
	startDaemon(t, bin, env, "--poll-interval", "2s")
	ctl := &cliCtl{bin: bin, env: env}
	if _, err := ctl.run(t.Context(), "wonderland\n", "account", "add", "dav", "--type", "webdav",
		"--url", proxy.URL+"/", "--user", "alice", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	e := &scenario.Env{
		T: t, Ctl: ctl, Cloud: scenario.DirTree{T: t, Root: filepath.Join(served, "Docs")},
		Account: "dav", CloudFolder: "Docs",
		Calls: meter.Calls,
		Fault: meter.SetFault,
	}
	scenario.LocalDir(e, t, root, xdgData)
	return e
}
