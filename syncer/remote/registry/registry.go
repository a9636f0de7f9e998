// Package registry is the list of remote types, as rclone's fs.Register is: each remote
// package (webdav, alfresco) describes itself as a Backend — its type name, its
// constructor, the fields of its account form and the fixed levels of its folder tree — and
// package backends puts them into one Registry. The CLI, the engine and the UI ask that
// Registry instead of naming types, so adding a remote type touches its own package and
// one line of package backends.
//
// It owns the description of remote types and no I/O. It imports only remote and model,
// so the engine core (package syncer, which must not depend on net/http) may use it; the
// backends themselves are imported only by package backends. A Registry is built once,
// explicitly, and never changes (no package-level registration in init, STYLE rule 6).
//
// It may import syncer/model and syncer/remote of this module, never a backend.
package registry

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Field keys: which part of an account a form field fills.
const (
	FieldURL      = "url"
	FieldUser     = "user"
	FieldPassword = "password"
	FieldWebUI    = "web-ui"
)

// Field is one field of a remote type's account form (the UI's form, the CLI's flags).
type Field struct {
	Key         string // FieldURL, FieldUser, FieldPassword or FieldWebUI
	Label       string // the form's label, e.g. "Address"
	Placeholder string // the form's grey example text
	Help        string // one line for the CLI's flag help, e.g. what the URL points at
	Optional    bool
}

// Backend describes one remote type.
type Backend struct {
	// Type is the name stored with an account and given to `account add --type`
	// (lower case, e.g. "webdav").
	Type string
	// Label is its name for people, e.g. "WebDAV".
	Label string
	// Fields is the account form, in order (the name and type are common to every form).
	Fields []Field
	// Levels are the kinds of the fixed top levels of the account's tree, outermost first:
	// for Alfresco the entries at the top are networks and those inside a network are
	// sites. Below them everything is a folder (or a file); nil when there are none.
	// Folders can be made and synced only below these levels.
	Levels []string
	// New builds the remote of an account. It must do no network I/O (the engine checks
	// the login itself). log is already tagged with the account's name.
	New func(a model.Account, secret string, log *slog.Logger) (remote.Remote, error)
}

// AccountFields is the usual account form: the server's address (with its placeholder and
// the CLI's help line saying what the URL points at), the user name, the password and an
// optional web page for View in Cloud.
func AccountFields(urlPlaceholder, urlHelp, userPlaceholder string) []Field {
	return []Field{
		{Key: FieldURL, Label: "Address", Placeholder: urlPlaceholder, Help: urlHelp},
		{Key: FieldUser, Label: "User", Placeholder: userPlaceholder},
		{Key: FieldPassword, Label: "Password"},
		{Key: FieldWebUI, Label: "Web page", Optional: true},
	}
}

// Built turns a backend constructor's (*Client, error) into New's result, so that a failed
// constructor gives a nil remote.Remote, not a nil *Client in a non-nil interface.
func Built[C remote.Remote](c C, err error) (remote.Remote, error) {
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Field returns the form field with key, if the type has it.
func (b Backend) Field(key string) (Field, bool) {
	for _, f := range b.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// EntryKind is the kind of a folder listed inside a folder at depth (0 for the top):
// a level's kind (e.g. "network", "site") within the fixed levels, else "folder".
func (b Backend) EntryKind(depth int) string {
	if depth >= 0 && depth < len(b.Levels) {
		return b.Levels[depth]
	}
	return "folder"
}

// CanMakeFolder reports whether a folder can be made inside a folder at depth: only below
// the fixed levels (for Alfresco, inside a site's document library).
func (b Backend) CanMakeFolder(depth int) bool { return depth >= len(b.Levels) }

// Registry is the list of remote types. Its zero value and nil have no types.
type Registry struct {
	backends []Backend
}

// New returns a registry of backends, in the order given (the order the UI offers them).
// Two backends with the same type, or one without a type, label or constructor, are a
// wiring mistake and panic.
func New(backends ...Backend) *Registry {
	seen := map[string]bool{}
	for _, b := range backends {
		if b.Type == "" || b.Label == "" || b.New == nil || b.Type != strings.ToLower(b.Type) {
			panic(fmt.Sprintf("registry: backend %q needs a lower-case type, a label and a constructor", b.Type))
		}
		if seen[b.Type] {
			panic(fmt.Sprintf("registry: remote type %q registered twice", b.Type))
		}
		seen[b.Type] = true
	}
	return &Registry{backends: append([]Backend(nil), backends...)}
}

// Types returns the type names, in registration order.
func (r *Registry) Types() []string {
	var out []string
	for _, b := range r.All() {
		out = append(out, b.Type)
	}
	return out
}

// All returns the backends, in registration order.
func (r *Registry) All() []Backend {
	if r == nil {
		return nil
	}
	return append([]Backend(nil), r.backends...)
}

// Lookup returns the backend of a type name.
func (r *Registry) Lookup(typ string) (Backend, bool) {
	for _, b := range r.All() {
		if b.Type == typ {
			return b, true
		}
	}
	return Backend{}, false
}

// Check returns nil for a registered type and otherwise an error naming the ones there are.
func (r *Registry) Check(typ string) error {
	if _, ok := r.Lookup(typ); ok {
		return nil
	}
	return fmt.Errorf("unknown account type %q: use %s", typ, r.Choices(" or "))
}

// Choices is the type names joined for a message or a usage line, e.g. "webdav or alfresco".
func (r *Registry) Choices(sep string) string {
	types := r.Types()
	if len(types) <= 1 || sep != " or " {
		return strings.Join(types, sep)
	}
	return strings.Join(types[:len(types)-1], ", ") + " or " + types[len(types)-1]
}

// Dial returns the engine's Dial seam: the remote of an account, by its type, built by the
// type's constructor with log tagged with the account's name.
func (r *Registry) Dial(log *slog.Logger) func(a model.Account, secret string) (remote.Remote, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(a model.Account, secret string) (remote.Remote, error) {
		b, ok := r.Lookup(a.Type)
		if !ok {
			return nil, r.Check(a.Type)
		}
		return b.New(a, secret, log.With("account", a.Name))
	}
}
