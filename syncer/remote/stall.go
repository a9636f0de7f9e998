package remote

import (
	"context"
	"io"
	"time"
)

// DefaultStallTimeout is how long a transfer or listing may go without moving a byte before
// it is abandoned (SPEC §4): a network failure, retried with back-off.
const DefaultStallTimeout = 60 * time.Second

type stallKey struct{}

// WithStallTimeout returns ctx carrying the stall timeout d for the requests made with it
// (the engine's setting; d <= 0 turns the watch off). Remotes' HTTP clients read it with
// StallTimeoutOf.
func WithStallTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, stallKey{}, d)
}

// StallTimeoutOf returns the stall timeout ctx carries, DefaultStallTimeout when none.
func StallTimeoutOf(ctx context.Context) time.Duration {
	if d, ok := ctx.Value(stallKey{}).(time.Duration); ok {
		return d
	}
	return DefaultStallTimeout
}

// WatchStalls wraps r so that every call carries the stall timeout that timeout returns at
// the time of the call (the engine's setting, which may change while it runs). Optional
// abilities stay on r (see As).
func WatchStalls(r Remote, timeout func() time.Duration) Remote {
	return &stallWatched{Remote: r, timeout: timeout}
}

type stallWatched struct {
	Remote
	timeout func() time.Duration
}

func (s *stallWatched) Unwrap() Remote { return s.Remote }

func (s *stallWatched) ctx(ctx context.Context) context.Context {
	return WithStallTimeout(ctx, s.timeout())
}

func (s *stallWatched) Stat(ctx context.Context, p string) (Entry, error) {
	return s.Remote.Stat(s.ctx(ctx), p)
}

func (s *stallWatched) ReadDir(ctx context.Context, p string) ([]Entry, error) {
	return s.Remote.ReadDir(s.ctx(ctx), p)
}

func (s *stallWatched) List(ctx context.Context, root string, prev []Entry) ([]Entry, error) {
	return s.Remote.List(s.ctx(ctx), root, prev)
}

func (s *stallWatched) Open(ctx context.Context, e Entry, offset int64) (io.ReadCloser, error) {
	return s.Remote.Open(s.ctx(ctx), e, offset)
}

func (s *stallWatched) Upload(ctx context.Context, p string, replace *Entry, r io.Reader, size int64) (Entry, error) {
	return s.Remote.Upload(s.ctx(ctx), p, replace, r, size)
}

func (s *stallWatched) Mkdir(ctx context.Context, p string) (Entry, error) {
	return s.Remote.Mkdir(s.ctx(ctx), p)
}

func (s *stallWatched) Move(ctx context.Context, e Entry, newPath string) (Entry, error) {
	return s.Remote.Move(s.ctx(ctx), e, newPath)
}

func (s *stallWatched) Delete(ctx context.Context, e Entry) error {
	return s.Remote.Delete(s.ctx(ctx), e)
}
