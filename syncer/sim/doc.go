// Package sim holds cloudsync's randomized engine tests, the layers of docs/TESTING.md that run
// the real engine (syncer.New) over test doubles or a real WebDAV server and check the
// oracle at the end of every run: no lost write, convergence within 3 passes, atomicity,
// idempotence and containment; and truthful status: no item reported synced has sides that
// differ (status_test.go), at the end of every run and after every engine pass in every
// layer (SIM_STATUS_EACH_PASS=0 checks the in-memory layers at the end of runs only).
//
//   - TestSimulation: deterministic simulation. Random edits on both sides (create, edit,
//     delete, rename, move, case-only rename, safe save) interleaved with single engine
//     passes, faults injected into the remote (network, server, quota, locked, lost
//     responses) and edits made in the middle of a pass.
//   - TestCrashAtEveryStep: a run's durable steps (store writes, local file system
//     mutations, remote mutations) are counted; the run is repeated with a crash after
//     every step k, then a fresh engine restarts on what was persisted.
//   - TestStoreFaults*: the i-th store operation fails, for every i; a lost or restored
//     state turns differences into conflicts and transfers, never deletions.
//   - TestNetworkFaults: an http.RoundTripper injecting latency, resets, stalls, truncated
//     bodies, 429, 5xx, 401, invalid XML, empty listings and HTTPS→HTTP redirects in
//     front of golang.org/x/net/webdav on 127.0.0.1, with the engine over a real folder.
//
// Every failure prints its seed; SIM_SEED=N reruns that one seed (with -v: its trace).
// The package has only tests: nothing here is linked into cloudsync.
//
// Its tests may import any package of this module.
package sim
