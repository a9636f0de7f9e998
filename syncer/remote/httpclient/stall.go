package httpclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// StallError is the error of an exchange abandoned because no byte of its request or
// response body moved for the stall timeout. It is a network failure (errors.Is(err,
// remote.ErrNetwork)): retried with back-off, never taken for a cancellation.
type StallError struct {
	Timeout time.Duration
	// Sending says the request body stalled (the server stopped reading), else the answer.
	Sending bool
}

func (e *StallError) Error() string {
	what := "the server's answer"
	if e.Sending {
		what = "the upload"
	}
	return fmt.Sprintf("%s stalled: no data for %v", what, e.Timeout)
}

// Is makes a StallError a remote.ErrNetwork.
func (e *StallError) Is(target error) bool { return target == remote.ErrNetwork }

// stallTransport abandons an exchange whose peer stops moving bytes for the stall timeout
// its request's context carries (remote.StallTimeoutOf): a response body read that waits
// that long for data, or a request body the transport does not come back for that long (the
// server stopped reading). It cancels the request, and the read or RoundTrip that was
// waiting returns a *StallError. Time spent by the caller (a paused engine, a bandwidth
// limit, a slow disk) is not counted: only waits on the server are. Neither is the wait for
// the response headers, which the transport's ResponseHeaderTimeout bounds (a server may
// hash a large upload before it answers).
type stallTransport struct {
	next http.RoundTripper
}

func (t stallTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	d := remote.StallTimeoutOf(req.Context())
	if d <= 0 {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithCancel(req.Context())
	w := &watchdog{d: d, cancel: cancel}
	req = req.WithContext(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = &sendBody{rc: req.Body, w: w, left: req.ContentLength}
	}
	resp, err := t.next.RoundTrip(req)
	w.answered()
	if err != nil {
		cancel()
		return nil, w.explain(err)
	}
	resp.Body = &readBody{rc: resp.Body, w: w}
	return resp, nil
}

// watchdog cancels its exchange when its clock runs for d. The clock runs for one side at
// a time: the request body while the transport is away sending it, then, once the answer's
// headers are in, the response body while a read waits. (The transport may close the
// request body after the answer arrived; that must not stop the answer's clock.)
type watchdog struct {
	d       time.Duration
	cancel  context.CancelFunc
	mu      sync.Mutex
	t       *time.Timer
	sending bool // whose clock runs (when it runs)
	replied bool // the answer's headers are in: the request body's clock is over
	fired   atomic.Pointer[StallError]
}

// start starts the clock for the request body (sending) or the answer.
func (w *watchdog) start(sending bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if sending && w.replied {
		return
	}
	w.sending = sending
	if w.t == nil {
		w.t = time.AfterFunc(w.d, w.fire)
		return
	}
	w.t.Reset(w.d)
}

// stop stops the clock if it runs for that side.
func (w *watchdog) stop(sending bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.t != nil && w.sending == sending {
		w.t.Stop()
	}
}

// answered ends the request body's clock: RoundTrip returned.
func (w *watchdog) answered() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.replied = true
	if w.t != nil && w.sending {
		w.t.Stop()
	}
}

func (w *watchdog) fire() {
	w.mu.Lock()
	sending := w.sending
	w.mu.Unlock()
	w.fired.Store(&StallError{Timeout: w.d, Sending: sending})
	w.cancel()
}

// explain returns the stall behind err when the watchdog fired, else err.
func (w *watchdog) explain(err error) error {
	if s := w.fired.Load(); s != nil && err != nil {
		return s
	}
	return err
}

// sendBody is a request body whose watchdog runs while the transport is away sending what
// it took (a server that stops reading blocks it there) and stops once the body is sent.
type sendBody struct {
	rc   io.ReadCloser
	w    *watchdog
	left int64 // bytes still to send when the length is known (ContentLength), else < 0
	done atomic.Bool
}

func (b *sendBody) Read(p []byte) (int, error) {
	b.w.stop(true)
	n, err := b.rc.Read(p)
	if b.left >= 0 {
		b.left -= int64(n)
	}
	if err != nil || b.left == 0 {
		b.done.Store(true)
	}
	if !b.done.Load() {
		b.w.start(true)
	}
	return n, err
}

func (b *sendBody) Close() error {
	b.done.Store(true)
	b.w.stop(true)
	return b.rc.Close()
}

// readBody is a response body whose watchdog runs while a Read waits for the server; Close
// ends the exchange.
type readBody struct {
	rc io.ReadCloser
	w  *watchdog
}

func (b *readBody) Read(p []byte) (int, error) {
	b.w.start(false)
	n, err := b.rc.Read(p)
	b.w.stop(false)
	if err != nil && err != io.EOF {
		err = b.w.explain(err)
	}
	return n, err
}

func (b *readBody) Close() error {
	b.w.stop(false)
	err := b.rc.Close()
	b.w.cancel()
	return err
}
