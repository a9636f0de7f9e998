package remote

import (
	"context"
	"time"
)

// freshKey is the context key of InFreshFolder.
type freshKey struct{}

// InFreshFolder marks ctx for an Upload of a new file, or a Move, into a folder the caller
// made a moment ago with Mkdir (which succeeds only where nothing was), into which it writes
// only names it keeps distinct (one plan's). A backend may then skip asking whether the
// folder exists and the name is free before it writes (it still sends the condition its
// server honours: If-None-Match: * and Overwrite: F on WebDAV): only another client writing
// the same name into a folder that just appeared could be there, and only on a server that
// ignores that condition. The first upload of a tree and files moved into a new folder are
// mostly such, and each question costs a round trip (issue 11).
func InFreshFolder(ctx context.Context) context.Context {
	return context.WithValue(ctx, freshKey{}, true)
}

// FreshFolder reports whether ctx was marked by InFreshFolder.
func FreshFolder(ctx context.Context) bool {
	v, _ := ctx.Value(freshKey{}).(bool)
	return v
}

// pendingKey is the context key of DeferLookup.
type pendingKey struct{}

// Pending is what an Upload that left out the look at the stored file tells its caller
// (see DeferLookup).
type Pending struct {
	// Deferred: the Entry Upload returned is only what it wrote (path, id where ids are
	// paths, size); the caller must take the stored entry from a listing of the folder and
	// check it is the one it wrote.
	Deferred bool
	// Until is the server's clock, at the latest, when it answered the write (its Date
	// plus the request's length; zero when it gave none): the stored file's mtime is not
	// later than that second.
	Until time.Time
}

// DeferLookup marks ctx for an Upload of a new file whose caller will list the folder
// after its other uploads there and take the stored entry from that one listing (issue 11:
// a server whose write answer has no ETag, Apache, costs one PROPFIND per file otherwise).
// A backend that would look the file up after writing it may instead set p.Deferred.
func DeferLookup(ctx context.Context, p *Pending) context.Context {
	return context.WithValue(ctx, pendingKey{}, p)
}

// PendingOf returns the Pending ctx was marked with by DeferLookup, or nil.
func PendingOf(ctx context.Context) *Pending {
	p, _ := ctx.Value(pendingKey{}).(*Pending)
	return p
}
