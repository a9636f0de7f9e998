package webdav

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestStalledAnswersAreNetworkFailures: a server that sends the headers of a listing or a
// download and then nothing holds nothing forever: after the stall timeout the request
// fails as a network error (retried with back-off), not as a cancellation.
func TestStalledAnswersAreNetworkFailures(t *testing.T) {
	const stall = 200 * time.Millisecond
	release := make(chan struct{})
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "PROPFIND":
			w.WriteHeader(http.StatusMultiStatus)
			io.WriteString(w, okFile[:len(okFile)/2])
		case http.MethodGet:
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, "the first bytes")
		}
		w.(http.Flusher).Flush()
		<-release
	})
	t.Cleanup(func() { close(release) })
	ctx := remote.WithStallTimeout(testCtx(t), stall)

	start := time.Now()
	_, err := c.Stat(ctx, "f.txt")
	wantStalled(t, "Stat", err, start, stall)

	rc, err := c.Open(ctx, remote.Entry{Path: "f.txt", Size: 1000}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	start = time.Now()
	_, err = io.ReadAll(rc)
	wantStalled(t, "reading a download", err, start, stall)
}

func wantStalled(t *testing.T, what string, err error, start time.Time, stall time.Duration) {
	t.Helper()
	switch {
	case !errors.Is(err, remote.ErrNetwork) || errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stalled"):
		t.Errorf("%s from a stalled server = %v, want a network error saying it stalled", what, err)
	case remote.ReasonOf(err, remote.ReasonTargetDeleted) != remote.ReasonNetwork || !remote.Retryable(err):
		t.Errorf("%s: reason %q, retryable %v; want network, retried", what, remote.ReasonOf(err, ""), remote.Retryable(err))
	case time.Since(start) > 10*stall:
		t.Errorf("%s stalled for %v with a stall timeout of %v", what, time.Since(start), stall)
	}
}
