package limiter_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	xwebdav "golang.org/x/net/webdav"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/limiter"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
)

// davServer is a real WebDAV server (x/net/webdav) over a temporary folder, and a client.
func davServer(t *testing.T) (string, remote.Remote) {
	t.Helper()
	dir := t.TempDir()
	hs := httptest.NewServer(&xwebdav.Handler{FileSystem: xwebdav.Dir(dir), LockSystem: xwebdav.NewMemLS()})
	t.Cleanup(hs.Close)
	c, err := webdav.New(webdav.Config{URL: hs.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	return dir, c
}

// TestLimitsHoldUploadsAndDownloadsToTheirRate moves 256 KiB each way at 128 KiB/s: with
// the 32 KiB burst that takes at least 1.75 s; the test asks for 1.2 s (loose: it checks
// the limit is applied, not the scheduler's precision), and that unlimited is fast.
func TestLimitsHoldUploadsAndDownloadsToTheirRate(t *testing.T) {
	if testing.Short() {
		t.Skip("timed transfers")
	}
	dir, c := davServer(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		up, down int64
		min      time.Duration
	}{
		{"upload limited", 128 << 10, 0, 1200 * time.Millisecond},
		{"download limited", 0, 128 << 10, 1200 * time.Millisecond},
		{"unlimited", 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := limiter.Wrap(c, limiter.New(tc.up, tc.down))
			name := "f-" + tc.name
			start := time.Now()
			en, err := r.Upload(ctx, name, nil, bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			rc, err := r.Open(ctx, en, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			took := time.Since(start)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read back %d bytes, %v", len(got), err)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Equal(b, data) {
				t.Fatalf("the server holds %d bytes", len(b))
			}
			if took < tc.min {
				t.Errorf("took %v, want at least %v at the limit", took, tc.min)
			}
			if tc.min == 0 && took > 1200*time.Millisecond {
				t.Errorf("unlimited took %v", took)
			}
		})
	}
}

// TestPauseWinsOverBudgetedBytes: while paused, a download in flight moves nothing, even
// unlimited (a full bucket); on resume it completes. A pause that outlasts the transfer's
// context ends it with that context's error.
func TestPauseWinsOverBudgetedBytes(t *testing.T) {
	_, c := davServer(t)
	ctx := context.Background()
	data := bytes.Repeat([]byte("x"), 200<<10)
	en, err := c.Upload(ctx, "f", nil, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	l := limiter.New(0, 0)
	r := limiter.Wrap(c, l)
	rc, err := r.Open(ctx, en, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 16<<10)
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	l.SetPaused(true)
	got := make(chan int64, 1)
	go func() {
		n, _ := io.Copy(io.Discard, rc)
		got <- n
	}()
	select {
	case n := <-got:
		t.Fatalf("a paused download moved %d bytes", n)
	case <-time.After(300 * time.Millisecond):
	}
	l.SetPaused(false)
	select {
	case n := <-got:
		if n != int64(len(data)-len(buf)) {
			t.Errorf("after resume %d bytes, want %d", n, len(data)-len(buf))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the download did not resume")
	}

	l.SetPaused(true)
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err = r.Upload(cctx, "g", nil, bytes.NewReader(data), int64(len(data)))
	if err == nil {
		t.Error("an upload went through while paused")
	}
}

// TestAbilitiesOfTheWrappedRemoteStayFound: the decorator hides optional interfaces from a
// type assertion; remote.As finds them on the remote it wraps.
func TestAbilitiesOfTheWrappedRemoteStayFound(t *testing.T) {
	_, c := davServer(t)
	r := limiter.Wrap(c, limiter.New(0, 0))
	_, direct := c.(remote.WebURLer)
	if _, ok := remote.As[remote.WebURLer](r); ok != direct {
		t.Errorf("As found WebURLer %v, the WebDAV client has it: %v", ok, direct)
	}
	if _, ok := remote.As[remote.Checker](r); !ok {
		t.Error("As did not find the WebDAV client's Checker through the limiter")
	}
}

func TestParseRate(t *testing.T) {
	good := map[string]int64{"0": 0, "off": 0, "": 0, "500K": 500 << 10, "2M": 2 << 20, "2MiB": 2 << 20, "1.5M/s": 3 << 19, "1G": 1 << 30, "4096": 4096, "10kb": 10 << 10}
	for in, want := range good {
		if got, err := limiter.ParseRate(in); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
		if want > 0 {
			if back, _ := limiter.ParseRate(limiter.FormatRate(want)); back != want {
				t.Errorf("FormatRate(%d) = %q reads back as %d", want, limiter.FormatRate(want), back)
			}
		}
	}
	for _, bad := range []string{"fast", "-1M", "1T", "M", "1.2.3K"} {
		if _, err := limiter.ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}
