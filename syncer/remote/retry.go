package remote

import (
	"errors"
	"hash/fnv"
	"strconv"
	"time"
)

// The retry policy: the one place that says whether a failure is tried again and how soon,
// for every remote and for the engine (as rclone's lib/pacer and fs/fserrors.ShouldRetry).
//
//   - Within a step, an action tries again at once only where the step itself can tell it
//     helps: an upload whose local file changed while it was read (UploadAttempts in all),
//     a download stream cut by the network (DownloadResumes reopenings at the offset read).
//   - A failed item is tried again by a later pass after RetryDelay: exponential back-off
//     with jitter, never shorter than what the server asked for (Retry-After, believed up
//     to MaxRetryAfter).
//   - A failure no retry can fix (WaitsForChange) has no timer: the item waits for a change
//     or for the user. Refused sign-ins pause the account instead (Retryable is false).
//
// HTTP remotes read Retry-After with httpclient.RetryAfter, which applies MaxRetryAfter.

// In-step retries (package exec).
const (
	// UploadAttempts bounds the uploads of one file that keeps changing while it is read
	// (docs/FAILURE-MODES.md, "a file written while it uploads").
	UploadAttempts = 3
	// DownloadResumes bounds the reopenings of one interrupted download stream.
	DownloadResumes = 2
)

// Back-off of failed items.
const (
	// MaxRetryAfter is the longest server-requested delay believed: a larger, negative or
	// unreadable Retry-After cannot hold an item back longer than this.
	MaxRetryAfter = time.Hour
	// RetryFirst is the back-off after a first failure; it doubles with each further one
	// up to RetryMax.
	RetryFirst = 10 * time.Second
	RetryMax   = time.Hour
	// retryJitter is the share of a back-off taken off at random (1/retryJitter), so items
	// that failed together are not all tried again in the same pass.
	retryJitter = 5
)

// Retryable reports whether an automatic retry (with back-off) can succeed without the user
// doing anything: true for network and server trouble, quota (space may free up), and
// locks; false for auth (the account is paused instead), invalid names and unsupported items.
func Retryable(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrAuth), errors.Is(err, ErrInvalidName), errors.Is(err, ErrUnsupported),
		errors.Is(err, ErrInsecureHTTP):
		return false
	default:
		return true
	}
}

// WaitsForChange reports whether a failure reason is one no retry can fix (SPEC §4): the
// item waits for the user (Request Sync, a rename, Unsync) or for a change, not for a
// timer. Unsupported items (symbolic links, special files) are such too.
func WaitsForChange(r Reason) bool {
	switch r {
	case ReasonTargetDeleted, ReasonMovedOut, ReasonInvalidName, ReasonNameClash, ReasonUnsupported:
		return true
	}
	return false
}

// RetryDelay is how long an item that failed attempts times in a row (1 after the first
// failure) waits before it is tried again: RetryFirst doubled per further failure, at most
// RetryMax, less a jitter of up to a fifth, and never less than the server's retryAfter
// (itself capped at MaxRetryAfter). The jitter comes from key (the item) and attempts, not
// from a random source, so a simulation replays the same.
func RetryDelay(attempts int, key string, retryAfter time.Duration) time.Duration {
	d := RetryFirst
	for i := 1; i < attempts && d < RetryMax; i++ {
		d *= 2
	}
	d = min(d, RetryMax)
	h := fnv.New64a()
	h.Write([]byte(key + "#" + strconv.Itoa(attempts)))
	d -= time.Duration(h.Sum64() % uint64(d/retryJitter+1))
	return max(d, min(retryAfter, MaxRetryAfter))
}
