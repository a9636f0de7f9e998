package localcloud

import (
	"context"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/remotetest"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
)

// TestConformanceLocalCloud runs the remote conformance suite with the cloudsync WebDAV
// client against the server of `cloudsync serve-webdav` and the app's local cloud (Basic
// auth, dead properties, davlock's locks and If header in front of x/net/webdav), a fresh
// server over a fresh folder per case, probed as `account add` probes it.
func TestConformanceLocalCloud(t *testing.T) {
	t.Parallel()
	remotetest.Run(t, func(t *testing.T) remote.Remote {
		dir := t.TempDir()
		srv, err := Start(dir, "127.0.0.1:0", "ann", "conformance-pw")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close(context.Background()) })
		cfg := webdav.Config{URL: srv.URL, User: "ann", Password: "conformance-pw"}
		probe, err := webdav.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		caps, err := probe.Probe(ctx)
		if err != nil {
			t.Fatalf("Probe: %v", err)
		}
		if !caps.ETags || !caps.Locking || caps.DeadProperties != (DeadPropsSupported(dir) == nil) {
			t.Errorf("probed abilities %+v: want ETags, locking, and dead properties where the folder keeps user attributes", caps)
		}
		cfg.Capabilities = &caps
		c, err := webdav.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	})
}
