package webdav

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Metadata (SPEC §3): on a server that stores dead properties (Capabilities.DeadProperties,
// found by the probe's PROPPATCH at `account add`), an item's title, description and
// author are the Dublin Core properties title, description and creator (namespace
// remote.DublinCoreNS), set and removed with PROPPATCH and read by every PROPFIND. The
// values are plain text. Where the server keeps none (nginx, rclone, x/net/webdav over a
// folder, ownCloud-like servers that refuse foreign properties) MetaUnsupported says so
// and listings carry no metadata. SERVERS.md records what each server does.

var _ remote.MetaKeeper = (*Client)(nil)

// dcProps are the Dublin Core properties listings ask for where the server keeps them
// (propfindBody), in the namespace metaNS declares.
const dcProps = `
    <dc:title/>
    <dc:description/>
    <dc:creator/>`

const metaNS = ` xmlns:dc="` + remote.DublinCoreNS + `"`

// metaProps are the Dublin Core properties of a PROPFIND answer (a nil field: not listed).
type metaProps struct {
	Title       *metaValue `xml:"http://purl.org/dc/elements/1.1/ title"`
	Description *metaValue `xml:"http://purl.org/dc/elements/1.1/ description"`
	Creator     *metaValue `xml:"http://purl.org/dc/elements/1.1/ creator"`
}

// metaValue is a property's text (markup another client put inside is left out).
type metaValue struct {
	Text string `xml:",chardata"`
}

func (v *metaValue) text() string {
	if v == nil {
		return ""
	}
	return v.Text
}

// merge takes the fields of o that m lacks (a response may split them over propstats).
func (m *metaProps) merge(o metaProps) {
	if m.Title == nil {
		m.Title = o.Title
	}
	if m.Description == nil {
		m.Description = o.Description
	}
	if m.Creator == nil {
		m.Creator = o.Creator
	}
}

// meta returns the Meta the properties describe, nil when none is set.
func (m metaProps) meta() *remote.Meta {
	v := remote.Meta{Title: m.Title.text(), Description: m.Description.text(), Author: m.Creator.text()}
	if v.IsZero() {
		return nil
	}
	kept := v // only a set value is allocated
	return &kept
}

// keepsMeta reports whether the server stores the metadata properties.
func (c *Client) keepsMeta() bool { return c.caps.DeadProperties }

// MetaUnsupported implements remote.MetaKeeper: "" when the probe found that the server
// stores dead properties, else why the account keeps no metadata.
func (c *Client) MetaUnsupported() string {
	switch {
	case c.caps.DeadProperties:
		return ""
	case c.caps.ProbedAt.IsZero():
		return "what this WebDAV server offers is not known (it was not probed when the account was added; add the account again to probe it)"
	}
	server := "this WebDAV server"
	if c.caps.Server != "" {
		server += " (" + c.caps.Server + ")"
	}
	return server + " does not store the properties (WebDAV dead properties) they would be kept in"
}

// metaPropName maps a remote.Meta field to its Dublin Core property name.
var metaPropName = map[string]string{"title": "title", "description": "description", "author": "creator"}

// proppatchBody builds the PROPPATCH that gives an item exactly m: the fields set in m are
// set, the others removed (removing a property that is not there is no error, RFC 4918
// §14.23). Each property has its own set or remove element: lighttpd stores only the first
// property of a prop element (SERVERS.md).
func proppatchBody(m remote.Meta) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<d:propertyupdate xmlns:d="DAV:" xmlns:dc="` + remote.DublinCoreNS + `">`)
	for _, f := range m.Fields() {
		name := "dc:" + metaPropName[f.Name]
		if f.Value == "" {
			b.WriteString("<d:remove><d:prop><" + name + "/></d:prop></d:remove>")
			continue
		}
		b.WriteString("<d:set><d:prop><" + name + ">" + escapeText(f.Value) + "</" + name + "></d:prop></d:set>")
	}
	b.WriteString("</d:propertyupdate>")
	return b.String()
}

// escapeText escapes s as XML character data; a carriage return is sent as a character
// reference, since an XML parser turns a literal one into a line feed.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;").Replace(s)
}

// SetMeta implements remote.MetaKeeper with one PROPPATCH of e (setting the fields of m
// and removing the others), then a Stat. On a server with file ids, e's id must still be
// at e's path (ErrNotFound otherwise). When e.Meta is set (what the caller last saw), the
// item's metadata is read first and, when it is other, nothing is written: ErrChanged
// (walks read an unchanged item's metadata once every few polls, walkmeta.go, so another
// client's edit may not have been listed yet; the cloud wins such a clash, SPEC §3). A
// property the server refuses (a 207 that reports 403 or 409 for it) is ErrUnsupported;
// 423 is ErrLocked.
func (c *Client) SetMeta(ctx context.Context, e remote.Entry, m remote.Meta) (remote.Entry, error) {
	p := remote.Clean(e.Path)
	if why := c.MetaUnsupported(); why != "" {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrUnsupported, Op: "PROPPATCH", Path: p, Message: why}
	}
	for _, f := range m.Fields() {
		if !remote.ValidMetaValue(f.Value) {
			return remote.Entry{}, &remote.Error{Kind: remote.ErrUnsupported, Op: "PROPPATCH", Path: p,
				Message: "the " + f.Name + " is not text a WebDAV property can hold"}
		}
	}
	if byID := !e.IDIsPath && e.ID != ""; byID || e.Meta != nil {
		cur, err := c.Stat(ctx, p)
		if err != nil {
			return remote.Entry{}, err
		}
		if byID && cur.ID != e.ID {
			return remote.Entry{}, &remote.Error{Kind: remote.ErrNotFound, Op: "PROPPATCH", Path: p,
				Message: fmt.Sprintf("another item (id %s) is at its path now", cur.ID)}
		}
		if now := metaOrZero(cur.Meta); e.Meta != nil && now != *e.Meta {
			c.marks.note(p, e.IsDir) // (the walks' kept listings of it are stale)
			return remote.Entry{}, &remote.Error{Kind: remote.ErrChanged, Op: "PROPPATCH", Path: p,
				Message: fmt.Sprintf("its metadata changed on the server since it was listed: %s instead of %s", describeMeta(now), describeMeta(*e.Meta))}
		}
	}
	// The walks' kept listings of its folder read before the PROPPATCH ended hold what it
	// may have changed (walkmeta.go).
	defer c.marks.note(p, e.IsDir)
	req, err := c.newRequest(ctx, "PROPPATCH", p, e.IsDir && p != "", strings.NewReader(proppatchBody(m)))
	if err != nil {
		return remote.Entry{}, err
	}
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	resp, err := c.do(req, p, false, http.StatusMultiStatus, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return remote.Entry{}, err
	}
	defer closeBody(resp)
	if resp.StatusCode == http.StatusMultiStatus {
		ms, err := decodeMultistatus("PROPPATCH", p, resp.Body)
		if err != nil {
			return remote.Entry{}, err
		}
		if err := proppatchError(p, ms); err != nil {
			return remote.Entry{}, err
		}
	}
	got, err := c.Stat(ctx, p)
	if err != nil {
		return remote.Entry{}, err
	}
	if got.IsDir != e.IsDir {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrNotFound, Op: "PROPPATCH", Path: p,
			Message: "another kind of item is at its path now"}
	}
	// A success is checked, not trusted: lighttpd answers 204 to a PROPPATCH whose prop
	// element holds several properties and stores only the first, and Apache stores a
	// carriage return as a line feed.
	if kept := metaOrZero(got.Meta); kept != m {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrUnsupported, Op: "PROPPATCH", Path: p,
			Message: fmt.Sprintf("the server answered success but kept %s instead of %s", describeMeta(kept), describeMeta(m))}
	}
	return got, nil
}

// proppatchError returns the failure a PROPPATCH's 207 reports, nil when every property
// was set or removed. A failed property makes the server answer 424 for the others (the
// request is atomic, RFC 4918 §9.2): the cause is the first status that is not 424.
func proppatchError(p string, ms *multistatus) error {
	var first error
	for _, r := range ms.Responses {
		statuses := []string{r.Status}
		for _, ps := range r.Propstats {
			statuses = append(statuses, ps.Status)
		}
		for _, s := range statuses {
			st := statusCode(s)
			if st == 0 || st < 300 {
				continue
			}
			kind := remote.ErrUnsupported
			switch st {
			case http.StatusNotFound, http.StatusGone:
				kind = remote.ErrNotFound
			case http.StatusLocked:
				kind = remote.ErrLocked
			case http.StatusInsufficientStorage:
				kind = remote.ErrQuota
			case http.StatusUnauthorized:
				kind = remote.ErrAuth
			}
			err := &remote.Error{Kind: kind, Op: "PROPPATCH", Path: p, Status: st,
				Message: "the server did not store the properties: " + strings.TrimSpace(s)}
			if st != http.StatusFailedDependency {
				return err
			}
			if first == nil {
				first = err
			}
		}
	}
	return first
}

func metaOrZero(m *remote.Meta) remote.Meta {
	if m == nil {
		return remote.Meta{}
	}
	return *m
}

// describeMeta quotes m's fields for a message.
func describeMeta(m remote.Meta) string {
	var parts []string
	for _, f := range m.Fields() {
		if f.Value != "" {
			parts = append(parts, fmt.Sprintf("%s %q", f.Name, f.Value))
		}
	}
	if len(parts) == 0 {
		return "no metadata"
	}
	return strings.Join(parts, ", ")
}
