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

// TestSlowButSteadyAnswerAndSlowHeadersAreNotStalls: only waits on the server count: not a
// server thinking before its headers, not a slow but steady answer, and not the caller
// holding the streams (a paused engine, a bandwidth limit, a slow disk).
func TestSlowButSteadyAnswerAndSlowHeadersAreNotStalls(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, err := io.ReadAll(r.Body); err != nil || string(b) != "body" {
			t.Errorf("server read %q, %v", b, err)
		}
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
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL+"/f", &slowReader{r: strings.NewReader("body")})
	req.ContentLength = 4
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, 1)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * stall) // the caller holds the answer: not the server's stall
	rest, err := io.ReadAll(resp.Body)
	if got := string(first) + string(rest); err != nil || got != "xxxxxx" {
		t.Fatalf("slow answer: %q, %v", got, err)
	}
}

// slowReader gives one byte per Read, after a pause longer than the stall timeout.
type slowReader struct{ r io.Reader }

func (s *slowReader) Read(p []byte) (int, error) {
	time.Sleep(2 * stall)
	return s.r.Read(p[:min(len(p), 1)])
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

// TestClosingTheSentBodyLateKeepsTheAnswersClock: the transport may close a request body
// after the answer's headers came in, while a read of the answer waits; that must not stop
// the answer's clock (a listing that stalled then held its set forever).
func TestClosingTheSentBodyLateKeepsTheAnswersClock(t *testing.T) {
	fired := make(chan struct{})
	w := &watchdog{d: stall, cancel: func() { close(fired) }}
	body := &sendBody{rc: io.NopCloser(strings.NewReader("x")), w: w, left: 1}
	body.Read(make([]byte, 8))
	w.answered()
	w.start(false) // a read of the answer waits
	body.Close()   // the transport's writer finishes late
	select {
	case <-fired:
	case <-time.After(20 * stall):
		t.Fatal("the answer's clock was stopped by the request body's Close")
	}
	if s := w.fired.Load(); s == nil || s.Sending {
		t.Errorf("stall %+v, want one of the answer", s)
	}
}
