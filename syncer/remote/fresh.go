package remote

import "context"

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
