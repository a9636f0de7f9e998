package webdav

import (
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/remotetest"
)

// TestConformanceXNetWebDAV runs the remote suite against golang.org/x/net/webdav (memory
// tree, path ids, file ETags from mtime+size, If-Match/If-None-Match ignored by the server).
func TestConformanceXNetWebDAV(t *testing.T) {
	t.Parallel()
	remotetest.Run(t, func(t *testing.T) remote.Remote {
		return newProbedClient(t, newXNetServer(t, nil, nil))
	})
}

// TestConformanceRealServers runs the remote suite against every real server of davtest:
// Apache mod_dav_fs, lighttpd mod_webdav, nginx dav + dav-ext, rclone serve webdav and
// x/net/webdav over a real folder, one shared instance each, a fresh folder per case.
func TestConformanceRealServers(t *testing.T) {
	for _, name := range realServers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			remotetest.Run(t, func(t *testing.T) remote.Remote { return sharedFolder(t, name) })
		})
	}
}

// TestConformanceOwnCloudLike runs the remote suite against an x/net/webdav server dressed
// as Nextcloud/ownCloud: stable oc:fileid, folder ETags that change with their subtree,
// oc:checksums, and If-Match / If-None-Match enforced.
func TestConformanceOwnCloudLike(t *testing.T) {
	t.Parallel()
	remotetest.Run(t, func(t *testing.T) remote.Remote {
		return newProbedClient(t, newOCServer(t).url)
	})
}
