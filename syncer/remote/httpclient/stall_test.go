package httpclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

const stall = 150 * time.Millisecond

// client returns the policy client for srv and a context with the short stall timeout.
func client(t *testing.T, srv *httptest.Server) (*http.Client, context.Context) {
	t.Helper()
	base, _ := url.Parse(srv.URL + "/")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return New(nil, base), remote.WithStallTimeout(ctx, stall)
}

// hanging returns a server that answers with h and a function to call before it closes:
// h may block on the channel it gets (a handler that stopped reading a body never learns
// that its client went away).
func hanging(t *testing.T, h func(w http.ResponseWriter, r *http.Request, release <-chan struct{})) *httptest.Server {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r, release) }))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv
}

func wantStall(t *testing.T, err error, sending bool, start time.Time) {
	t.Helper()
	var se *StallError
	if !errors.As(err, &se) || se.Sending != sending || !errors.Is(err, remote.ErrNetwork) || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v (%T), want a *StallError (sending %v) that is a network error, not a cancellation", err, err, sending)
	}
	if el := time.Since(start); el > 10*stall {
		t.Errorf("the stall was seen after %v, timeout %v", el, stall)
	}
}

func TestAnswerThatStopsAfterItsHeadersIsAbandoned(t *testing.T) {
	srv := hanging(t, func(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "first bytes")
		w.(http.Flusher).Flush()
		<-release
	})
	hc, ctx := client(t, srv)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/f", nil)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start := time.Now()
	b, err := io.ReadAll(resp.Body)
	wantStall(t, err, false, start)
	if string(b) != "first bytes" {
		t.Errorf("read %q before the stall", b)
	}
}

func TestUploadTheServerStopsReadingIsAbandoned(t *testing.T) {
	srv := hanging(t, func(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
		io.CopyN(io.Discard, r.Body, 1<<10)
		<-release
	})
	hc, ctx := client(t, srv)
	const size = 256 << 20 // more than the socket buffers hold
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL+"/f", io.LimitReader(zeros{}, size))
	req.ContentLength = size
	start := time.Now()
	_, err := hc.Do(req)
	wantStall(t, err, true, start)
}

func TestSlowButSteadyAnswerAndSlowHeadersAreNotStalls(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(3 * stall) // a server thinking before it answers: not watched
		w.WriteHeader(http.StatusOK)
		for range 6 {
			io.WriteString(w, "x")
			w.(http.Flusher).Flush()
			time.Sleep(stall / 2)
		}
	}))
	defer srv.Close()
	hc, ctx := client(t, srv)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL+"/f", strings.NewReader("body"))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, err := io.ReadAll(resp.Body); err != nil || string(b) != "xxxxxx" {
		t.Fatalf("slow answer: %q, %v", b, err)
	}
}

func TestStallTimeoutDefaultsToAMinute(t *testing.T) {
	if d := remote.StallTimeoutOf(context.Background()); d != time.Minute {
		t.Errorf("default stall timeout %v", d)
	}
	if d := remote.StallTimeoutOf(remote.WithStallTimeout(context.Background(), 5*time.Second)); d != 5*time.Second {
		t.Errorf("stall timeout from the context %v", d)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
