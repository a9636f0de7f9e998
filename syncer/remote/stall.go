package remote

import (
	"context"
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
