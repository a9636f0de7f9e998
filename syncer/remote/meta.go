package remote

import (
	"context"
	"unicode/utf8"
)

// Meta is an item's descriptive metadata, synced both ways where both sides keep it (SPEC
// §3 "Metadata"): a title, a description and an author. Locally they are the user extended
// attributes of the freedesktop "Common Extended Attributes" convention
// (user.dublincore.title, .description, .creator); on Alfresco cm:title, cm:description and
// cm:author; on WebDAV the Dublin Core dead properties title, description and creator
// (namespace DublinCoreNS), where the server stores dead properties. An empty field is a
// field that is not set: setting it empty removes it.
type Meta struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Author      string `json:"author,omitempty"`
}

// DublinCoreNS is the XML namespace of the Dublin Core elements (WebDAV dead properties
// title, description and creator), as `cloudsync serve-webdav` maps them to
// user.dublincore.* extended attributes.
const DublinCoreNS = "http://purl.org/dc/elements/1.1/"

// IsZero reports whether no field is set.
func (m Meta) IsZero() bool { return m == Meta{} }

// Fields returns the three fields with their names, in a fixed order.
func (m Meta) Fields() [3]MetaField {
	return [3]MetaField{{"title", m.Title}, {"description", m.Description}, {"author", m.Author}}
}

// MetaField is one named field of a Meta.
type MetaField struct{ Name, Value string }

// Set returns m with the named field ("title", "description", "author") set to v.
func (m Meta) Set(name, v string) Meta {
	switch name {
	case "title":
		m.Title = v
	case "description":
		m.Description = v
	case "author":
		m.Author = v
	}
	return m
}

// ValidMetaValue reports whether v can travel as a metadata value on every side: valid
// UTF-8 without NUL or other control characters than tab, line feed and carriage return
// (XML 1.0 cannot carry them, so neither can a WebDAV property).
func ValidMetaValue(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}

// MetaKeeper is implemented by remotes that can keep items' metadata. Listings (List,
// ReadDir, Stat) of such a remote fill Entry.Meta for the entries that have some.
type MetaKeeper interface {
	// MetaUnsupported says why this account's server keeps no metadata (a WebDAV server
	// without dead properties), or "" when it keeps it.
	MetaUnsupported() string
	// SetMeta replaces the metadata of e (a file or folder) with m: fields empty in m are
	// removed. It returns e as stored afterwards, whose Version may have changed (Alfresco
	// moves modifiedAt, and may make a version). ErrNotFound when e is gone; a server that
	// answers but does not keep the values gives ErrUnsupported. e.Meta, when set, is the
	// metadata the caller last saw the item with (a zero Meta: none): a keeper whose
	// listings may show another client's edit late (WebDAV servers whose walks re-read
	// metadata on a rotation) reads it first and, when it is other, writes nothing and
	// returns ErrChanged, so that the edit is not overwritten unseen.
	SetMeta(ctx context.Context, e Entry, m Meta) (Entry, error)
}

// MetaRereader is implemented by a remote whose listings may give an unchanged item's
// metadata as it was read a few polls before (WebDAV servers whose walks re-read metadata
// on a rotation): RereadMeta makes the listings that start after it read every item's
// metadata afresh (Request Sync: the person may know of an edit made elsewhere).
type MetaRereader interface {
	RereadMeta()
}
