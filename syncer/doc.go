// Package syncer is the sync engine: it owns the sync sets, schedules passes (on local
// change events, on the poll interval, on Request Sync), runs each pass as scan → plan →
// guard → exec → record, keeps item status and failures with back-off, and answers the
// API the control socket exposes. It owns no I/O details: the store, the remotes, the
// local file system, the watcher and the clock are seams given in Config by
// cmd/cloudsync, so tests run the real engine over in-memory doubles.
//
// It may import syncer/exec, syncer/model, syncer/plan, syncer/remote, syncer/remote/limiter
// and syncer/remote/registry of this module, and never net/http, Fyne or Badger
// (deps_test.go).
package syncer
