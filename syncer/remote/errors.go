package remote

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Reason is a failure reason of SPEC §4, as shown to users and printed by `cloudsync info`.
type Reason string

// The failure reasons of SPEC §4. The empty Reason means "no failure".
const (
	ReasonNone               Reason = ""
	ReasonNameClash          Reason = "name_clash"
	ReasonInvalidName        Reason = "invalid_name"
	ReasonMissingDestination Reason = "missing_destination"
	ReasonTargetDeleted      Reason = "target_deleted"
	ReasonPermissionDenied   Reason = "permission_denied"
	ReasonQuotaExceeded      Reason = "quota_exceeded"
	ReasonTooLarge           Reason = "too_large"
	ReasonAuthFailed         Reason = "auth_failed"
	ReasonLocked             Reason = "locked"
	ReasonUnsupported        Reason = "unsupported"
	ReasonNetwork            Reason = "network"
	ReasonLocalIO            Reason = "local_io"
	// ReasonMovedOut: a document moved out of its documents set's home; it stays local
	// only and nothing is deleted in the cloud (SPEC §1).
	ReasonMovedOut Reason = "moved_out"
)

// AllReasons lists every failure reason, in SPEC order.
var AllReasons = []Reason{
	ReasonNameClash, ReasonInvalidName, ReasonMissingDestination, ReasonTargetDeleted,
	ReasonPermissionDenied, ReasonQuotaExceeded, ReasonTooLarge, ReasonAuthFailed,
	ReasonLocked, ReasonUnsupported, ReasonNetwork, ReasonLocalIO, ReasonMovedOut,
}

// Error kinds. Backends wrap one of these (usually through *Error); callers test with
// errors.Is. ErrNotFound becomes target_deleted or missing_destination depending on what
// was missing, which only the caller knows (see ReasonOf's notFound argument).
var (
	ErrNotFound     = errors.New("not found")
	ErrNameClash    = errors.New("name already exists")
	ErrInvalidName  = errors.New("invalid name")
	ErrPermission   = errors.New("permission denied")
	ErrQuota        = errors.New("quota exceeded")
	ErrTooLarge     = errors.New("too large")
	ErrAuth         = errors.New("authentication failed")
	ErrLocked       = errors.New("locked")
	ErrUnsupported  = errors.New("unsupported")
	ErrNetwork      = errors.New("network error")
	ErrChanged      = errors.New("changed on the server since it was listed")
	ErrServer       = errors.New("server error")
	ErrBadResponse  = errors.New("malformed server response")
	ErrInsecureHTTP = errors.New("refused redirect from HTTPS to HTTP")
)

// Error carries what a server said about a failed request: the technical details shown
// in Sync Info. Kind is one of the Err* values above.
type Error struct {
	Kind       error
	Op         string        // e.g. "PUT", "PROPFIND", "POST nodes/{id}/children"
	Path       string        // the remote path or node involved
	Status     int           // HTTP status, 0 when no response
	Message    string        // the server's message, trimmed
	RetryAfter time.Duration // from a Retry-After header, 0 when absent
	Err        error         // underlying transport error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Path != "" {
		b.WriteString(" " + e.Path)
	}
	b.WriteString(": " + e.Kind.Error())
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrQuota) true for an *Error of that kind.
func (e *Error) Is(target error) bool { return e.Kind == target }

// Unwrap exposes the transport error, if any.
func (e *Error) Unwrap() error { return e.Err }

// ReasonOf maps an error to the user-visible reason. notFound is the reason to use for
// ErrNotFound (target_deleted when a synced target vanished, missing_destination when a
// folder to put something into is gone). Context cancellation maps to ReasonNone: it is
// not a failure of the item.
func ReasonOf(err error, notFound Reason) Reason {
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return ReasonNone
	case errors.Is(err, ErrNotFound):
		return notFound
	case errors.Is(err, ErrNameClash):
		return ReasonNameClash
	case errors.Is(err, ErrInvalidName):
		return ReasonInvalidName
	case errors.Is(err, ErrPermission):
		return ReasonPermissionDenied
	case errors.Is(err, ErrQuota):
		return ReasonQuotaExceeded
	case errors.Is(err, ErrTooLarge):
		return ReasonTooLarge
	case errors.Is(err, ErrAuth):
		return ReasonAuthFailed
	case errors.Is(err, ErrLocked):
		return ReasonLocked
	case errors.Is(err, ErrUnsupported):
		return ReasonUnsupported
	default:
		// ErrNetwork, ErrServer, ErrBadResponse, ErrChanged, deadlines, resets: all
		// transient from the user's point of view.
		return ReasonNetwork
	}
}

// RetryAfterOf returns the server-requested delay carried by err, or 0.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// StatusOf returns the HTTP status carried by err, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// ValidateRemoteName checks one path element received from a server before any local path
// is built from it (SPEC §4): it refuses "", ".", "..", anything containing a slash, a
// backslash or NUL. The error wraps ErrInvalidName.
func ValidateRemoteName(name string) error {
	switch {
	case name == "", name == ".", name == "..":
		return fmt.Errorf("%w: %q", ErrInvalidName, name)
	case strings.ContainsAny(name, "/\\\x00"):
		return fmt.Errorf("%w: %q contains a path separator or NUL", ErrInvalidName, name)
	}
	return nil
}
