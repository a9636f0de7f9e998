// Package limiter owns the engine-wide bandwidth limits: a decorator around any
// remote.Remote (the model is restic's internal/backend/limiter) whose content streams —
// the reader Upload consumes and the reader Open returns — pass through one shared token
// bucket per direction (golang.org/x/time/rate). The same Limits also hold transfers while
// the engine is paused, so a pause wins over bytes already budgeted.
//
// It may import syncer/remote of this module.
package limiter

import (
	"context"
	"io"
	"sync"

	"golang.org/x/time/rate"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// chunk is the most a content stream moves between two waits on its bucket, and the
// buckets' burst: small enough that a low limit stays smooth, big enough to cost nothing.
const chunk = 32 << 10

// Limits are the upload and download rates shared by every remote of an engine, and the
// engine's pause. Their methods are safe for concurrent use; changes apply to transfers
// in flight.
type Limits struct {
	up, down *rate.Limiter
	mu       sync.Mutex
	paused   bool
	resumed  chan struct{} // closed when a pause ends
}

// New returns limits of up and down bytes per second (0: unlimited).
func New(up, down int64) *Limits {
	l := &Limits{up: rate.NewLimiter(rate.Inf, chunk), down: rate.NewLimiter(rate.Inf, chunk), resumed: make(chan struct{})}
	l.Set(up, down)
	return l
}

// Set changes the rates (bytes per second; 0 or less: unlimited).
func (l *Limits) Set(up, down int64) {
	l.up.SetLimit(limitOf(up))
	l.down.SetLimit(limitOf(down))
}

func limitOf(n int64) rate.Limit {
	if n <= 0 {
		return rate.Inf
	}
	return rate.Limit(n)
}

// SetPaused holds every content stream (no byte moves) until SetPaused(false).
func (l *Limits) SetPaused(p bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p == l.paused {
		return
	}
	l.paused = p
	if !p {
		close(l.resumed)
		l.resumed = make(chan struct{})
	}
}

// wait returns once n bytes may move in the direction of lim: not while paused, and
// within lim's rate. It returns ctx's error when ctx ends first.
func (l *Limits) wait(ctx context.Context, lim *rate.Limiter, n int) error {
	for {
		l.mu.Lock()
		paused, resumed := l.paused, l.resumed
		l.mu.Unlock()
		if !paused {
			break
		}
		select {
		case <-resumed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if lim.Limit() == rate.Inf {
		return nil
	}
	return lim.WaitN(ctx, n)
}

// Wrap returns r with its content streams limited by l. Abilities of r beyond Remote are
// found with remote.As.
func Wrap(r remote.Remote, l *Limits) remote.Remote {
	return &limited{Remote: r, l: l}
}

type limited struct {
	remote.Remote
	l *Limits
}

func (r *limited) Unwrap() remote.Remote { return r.Remote }

func (r *limited) Open(ctx context.Context, e remote.Entry, offset int64) (io.ReadCloser, error) {
	rc, err := r.Remote.Open(ctx, e, offset)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{&reader{ctx: ctx, r: rc, l: r.l, lim: r.l.down}, rc}, nil
}

func (r *limited) Upload(ctx context.Context, p string, replace *remote.Entry, in io.Reader, size int64) (remote.Entry, error) {
	return r.Remote.Upload(ctx, p, replace, &reader{ctx: ctx, r: in, l: r.l, lim: r.l.up}, size)
}

// reader is a content stream that waits on its bucket before each chunk it passes on.
type reader struct {
	ctx context.Context
	r   io.Reader
	l   *Limits
	lim *rate.Limiter
}

func (r *reader) Read(p []byte) (int, error) {
	if len(p) > chunk {
		p = p[:chunk]
	}
	if err := r.l.wait(r.ctx, r.lim, len(p)); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

var _ remote.Wrapper = (*limited)(nil)
