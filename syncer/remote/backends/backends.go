// Package backends is the one place that lists cloudsync's remote types: Registry builds
// the registry of every backend package. Adding a remote type is writing its package (with
// its registry.Backend) and adding it here. The CLI, the UI and the engine's host import
// this package; the engine core does not (the backends use net/http) and is handed the
// Registry through its Config.
//
// It may import syncer/remote/registry and the backend packages (syncer/remote/webdav,
// syncer/remote/alfresco) of this module.
package backends

import (
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco"
	"github.com/cloudsync/cloudsync/syncer/remote/registry"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
)

// Registry returns the registry of every remote type, in the order the UI offers them.
func Registry() *registry.Registry {
	return registry.New(
		webdav.Backend(),
		alfresco.Backend(),
	)
}
