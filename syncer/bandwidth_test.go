package syncer_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// TestBandwidthLimitsApplyToTheEnginesTransfers: a download limit given to the engine
// (the daemon flag) bounds the first sync's download, shows in the General settings, and
// PutSettings changes it (negative refused). The rate itself is measured against a real
// WebDAV server in package limiter; this checks the engine routes its transfers through
// the limits.
func TestBandwidthLimitsApplyToTheEnginesTransfers(t *testing.T) {
	if testing.Short() {
		t.Skip("a timed transfer")
	}
	r := newRig(t, func(c *syncer.Config) { c.DownloadLimit = 64 << 10 })
	data := bytes.Repeat([]byte("d"), 128<<10)
	r.rem.Put("Docs/big.bin", data)
	start := time.Now()
	r.syncFolder(model.DefaultOptions())
	// 128 KiB at 64 KiB/s with a 32 KiB burst: at least 1.5 s; asked loosely.
	if took := time.Since(start); took < time.Second {
		t.Errorf("the download took %v under a 64 KiB/s limit", took)
	}
	if b, err := r.local().ReadFile("big.bin"); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("downloaded %d bytes, %v", len(b), err)
	}
	s, _ := r.eng.GetSettings(r.ctx())
	if s.DownloadLimit != 64<<10 || s.UploadLimit != 0 {
		t.Errorf("settings %+v", s)
	}
	s.UploadLimit = -1
	if err := r.eng.PutSettings(r.ctx(), s); err == nil || !strings.Contains(err.Error(), "must not be negative") {
		t.Errorf("negative limit: %v", err)
	}
	s.UploadLimit, s.DownloadLimit = 1<<20, 0
	if err := r.eng.PutSettings(r.ctx(), s); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.eng.GetSettings(r.ctx()); got.UploadLimit != 1<<20 || got.DownloadLimit != 0 {
		t.Errorf("after PutSettings %+v", got)
	}
}
