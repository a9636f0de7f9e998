package alfresco

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Metadata (SPEC §3): an item's title, description and author are its cm:title and
// cm:description (aspect cm:titled) and cm:author (aspect cm:author). Every node request
// includes properties, so listings carry them; SetMeta is one PUT nodes/{id} with the
// three properties, "" for the fields to remove. Alfresco adds an aspect with its first
// property and moves the node's modifiedAt (REAL-ALFRESCO.md, "Metadata").

var _ remote.MetaKeeper = (*Client)(nil)

// metaProps maps remote.Meta's fields to their Alfresco properties.
var metaProps = map[string]string{"title": "cm:title", "description": "cm:description", "author": "cm:author"}

// meta returns the metadata n's properties hold, nil when none is set. Alfresco leaves
// null and empty values out of a node's properties (NodesImpl.mapFromNodeProperties); a
// value that is not a string (another client's unusual model) is left out too.
func (n node) meta() *remote.Meta {
	var m remote.Meta
	for _, f := range m.Fields() {
		if v, ok := n.Properties[metaProps[f.Name]].(string); ok {
			m = m.Set(f.Name, v)
		}
	}
	if m.IsZero() {
		return nil
	}
	return &m
}

// MetaUnsupported implements remote.MetaKeeper: every Alfresco node of a document library
// keeps cm:title, cm:description and cm:author.
func (c *Client) MetaUnsupported() string { return "" }

// SetMeta implements remote.MetaKeeper: PUT nodes/{id} with properties cm:title,
// cm:description and cm:author. A field to remove is sent as "", not null: the API
// definition (NodeBodyUpdate) types property values as non-nullable strings, and Alfresco
// shows an empty value as no value (NodesImpl.mapFromNodeProperties). The returned entry is the node as
// stored, whose Version may have moved (modifiedAt for a file without auto-versioned
// labels; a new version label with cm:autoVersionOnUpdateProps). Networks and sites have
// no such properties here: ErrUnsupported.
func (c *Client) SetMeta(ctx context.Context, e remote.Entry, m remote.Meta) (remote.Entry, error) {
	p := remote.Clean(e.Path)
	l := c.locate(p)
	const op = "PUT nodes/{id}"
	if l.depth < 3 {
		return remote.Entry{}, &remote.Error{Kind: remote.ErrUnsupported, Op: op, Path: p, Message: "networks and sites have no title, description or author here"}
	}
	id, err := c.idOf(ctx, e)
	if err != nil {
		return remote.Entry{}, err
	}
	props := map[string]string{}
	for _, f := range m.Fields() {
		props[metaProps[f.Name]] = f.Value
	}
	body, err := json.Marshal(map[string]any{"properties": props})
	if err != nil {
		return remote.Entry{}, err
	}
	resp, err := c.do(ctx, call{method: http.MethodPut, url: c.coreURL(l.network, "nodes/"+id, url.Values{"include": {nodeInclude}}),
		op: op, path: p, ctype: "application/json", replayable: true, ok: []int{http.StatusOK},
		body: func() (io.Reader, int64) { return bytes.NewReader(body), int64(len(body)) }})
	return c.written(op, p, p, resp, err)
}
