package webdav

import (
	"context"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/remotetest"
)

// TestConformanceXNetWebDAV runs the remote suite against golang.org/x/net/webdav (memory
// tree, path ids, file ETags from mtime+size, If-Match/If-None-Match ignored by the server,
// dead properties kept). The account's base is a folder below the tree's root, since the
// memory tree refuses a PROPPATCH of its root (SERVERS.md).
func TestConformanceXNetWebDAV(t *testing.T) {
	t.Parallel()
	remotetest.Run(t, func(t *testing.T) remote.Remote {
		base := newXNetServer(t, nil, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := newTestClient(t, base, nil).Mkdir(ctx, "home"); err != nil {
			t.Fatal(err)
		}
		return newProbedClient(t, base+"home/")
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
