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

// stallTransport abandons an exchange whose request body (while it is sent) or response
// body (while it is read) moves no byte for the stall timeout its request's context carries
// (remote.StallTimeoutOf): it cancels the request, and the read or RoundTrip that was
// waiting returns a *StallError. The wait for the response headers is not watched: the
// transport's ResponseHeaderTimeout bounds it (a server may hash a large upload before it
// answers).
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
		w.arm(true)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		w.stop()
		cancel()
		return nil, w.explain(err)
	}
	resp.Body = &readBody{rc: resp.Body, w: w}
	w.arm(false)
	return resp, nil
}

// watchdog cancels its exchange when it is not kicked for d while armed.
type watchdog struct {
	d       time.Duration
	cancel  context.CancelFunc
	mu      sync.Mutex
	t       *time.Timer
	sending bool
	fired   atomic.Pointer[StallError]
}

// arm (re)starts the watch; sending says what it watches.
func (w *watchdog) arm(sending bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sending = sending
	if w.t == nil {
		w.t = time.AfterFunc(w.d, w.fire)
		return
	}
	w.t.Reset(w.d)
}

// kick notes that a byte moved.
func (w *watchdog) kick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.t != nil {
		w.t.Reset(w.d)
	}
}

// stop ends the watch (the request body is sent, or the exchange is over).
func (w *watchdog) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.t != nil {
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
	if s := w.fired.Load(); s != nil {
		return s
	}
	return err
}

// sendBody is a request body that kicks its watchdog for every byte the transport takes
// and stops it once the body is sent.
type sendBody struct {
	rc   io.ReadCloser
	w    *watchdog
	left int64 // bytes still to send when the length is known (ContentLength), else < 0
}

func (b *sendBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.w.kick()
	}
	if b.left >= 0 {
		b.left -= int64(n)
	}
	if err != nil || b.left == 0 {
		b.w.stop()
	}
	return n, b.w.explain(err)
}

func (b *sendBody) Close() error {
	b.w.stop()
	return b.rc.Close()
}

// readBody is a response body that kicks its watchdog for every byte read; Close ends the
// exchange.
type readBody struct {
	rc io.ReadCloser
	w  *watchdog
}

func (b *readBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.w.kick()
	}
	if err != nil && err != io.EOF {
		err = b.w.explain(err)
	}
	return n, err
}

func (b *readBody) Close() error {
	b.w.stop()
	err := b.rc.Close()
	b.w.cancel()
	return err
}
