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
		return newTestClient(t, newXNetServer(t, nil, nil), nil)
	})
}

// TestConformanceRclone runs the remote suite against Debian's `rclone serve webdav` over
// a real directory.
func TestConformanceRclone(t *testing.T) {
	t.Parallel()
	srv := startRclone(t)
	remotetest.Run(t, func(t *testing.T) remote.Remote { return srv.newFolder(t) })
}

// TestConformanceOwnCloudLike runs the remote suite against an x/net/webdav server dressed
// as Nextcloud/ownCloud: stable oc:fileid, folder ETags that change with their subtree,
// oc:checksums, and If-Match / If-None-Match enforced.
func TestConformanceOwnCloudLike(t *testing.T) {
	t.Parallel()
	remotetest.Run(t, func(t *testing.T) remote.Remote {
		return newTestClient(t, newOCServer(t).url, nil)
	})
}
