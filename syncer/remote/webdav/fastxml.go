package webdav

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// A PROPFIND answer of a large tree is most of what a poll costs: with encoding/xml's
// reflection, decoding took longer than the server took to list (about 2 ms for a folder
// of 100 files, so 2 s of CPU for a listing of 100,000). fastMultistatus decodes the
// multistatus bodies servers send into the same structures, several times faster, and
// hands anything unusual (CDATA, a DOCTYPE, an unknown entity, anything malformed) back to
// encoding/xml, which stays the reference: FuzzFastMultistatusMatchesEncodingXML checks
// that both agree wherever the fast path answers.

// errFallback says the fast decoder does not handle the input; encoding/xml decides.
var errFallback = errors.New("webdav: multistatus needs the full XML decoder")

const (
	nsDAV = "DAV:"
	nsOC  = "http://owncloud.org/ns"
	nsDC  = "http://purl.org/dc/elements/1.1/"
)

// xmlName is an element's resolved name; local refers to the body (names are compared,
// never kept, so that a start tag allocates nothing).
type xmlName struct {
	space string
	local []byte
}

// is reports whether n is the element local of namespace space.
func (n xmlName) is(space, local string) bool {
	return n.space == space && string(n.local) == local
}

// fastMultistatus decodes body into ms (see above).
// The slices of ms (responses, their hrefs and propstats) are reused: what a previous
// listing left there is overwritten.
func fastMultistatus(body []byte, ms *multistatus) error {
	d := &fastDecoder{b: body}
	ms.Responses = ms.Responses[:0]
	return d.run(ms)
}

type binding struct {
	prefix, uri string
	depth       int
}

type fastDecoder struct {
	b     []byte
	i     int
	binds []binding // namespace declarations in scope, innermost last
	depth int
	text  []byte // character data of the current leaf
	// the last size and modification time read (see repeated)
	lastLength, lastModified string
}

// element kinds of the multistatus grammar the decoder fills.
const (
	eOther = iota
	eMultistatus
	eResponse
	eHref
	eStatus
	ePropstat
	ePropstatStatus
	eProp
	eResourceType
	eCollection
	eLength
	eModified
	eETag
	eFileID
	eChecksums
	eChecksum
	eTitle
	eDescription
	eCreator
)

func (d *fastDecoder) run(ms *multistatus) error {
	var stack []int    // element kinds, outermost first
	var names [][]byte // their raw names, to match end tags
	var resp *response
	var ps *propstat
	root := false
	for {
		lt := bytes.IndexByte(d.b[d.i:], '<')
		if lt < 0 {
			if !root || len(stack) != 0 || len(bytes.TrimSpace(d.b[d.i:])) != 0 {
				return errFallback
			}
			return nil
		}
		if lt > 0 {
			if len(stack) == 0 {
				if len(bytes.TrimSpace(d.b[d.i:d.i+lt])) != 0 {
					return errFallback
				}
			} else if err := d.chardata(d.b[d.i : d.i+lt]); err != nil {
				return err
			}
		}
		d.i += lt
		rest := d.b[d.i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			decl := plainDecl(rest)
			if d.i != 0 || decl == 0 {
				return errFallback // anything but the usual declaration at the start
			}
			d.i += decl
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			return errFallback // comments, CDATA, DOCTYPE
		case bytes.HasPrefix(rest, []byte("</")):
			if len(stack) == 0 {
				return errFallback
			}
			raw, err := d.endTag()
			if err != nil {
				return err
			}
			kind := stack[len(stack)-1]
			if !bytes.Equal(raw, names[len(names)-1]) {
				return errFallback // mismatched end tag: let encoding/xml say why
			}
			names = names[:len(names)-1]
			d.closeElement(kind, resp, ps, ms)
			if kind == ePropstat && resp != nil {
				ps = nil
			}
			if kind == eResponse {
				resp = nil
			}
			stack = stack[:len(stack)-1]
			d.pop()
			continue
		}
		if len(stack) > 0 && leaf(stack[len(stack)-1]) {
			return errFallback // an element inside a value: servers send none
		}
		name, raw, empty, err := d.startTag()
		if err != nil {
			return err
		}
		if len(stack) == 0 {
			if root { // a second root element
				return errFallback
			}
			root = true
		}
		kind := kindOf2(stack, name)
		switch kind {
		case eResponse:
			resp = nextResponse(ms)
		case ePropstat:
			if n := len(resp.Propstats); n < cap(resp.Propstats) {
				resp.Propstats = resp.Propstats[:n+1]
				resp.Propstats[n] = propstat{}
			} else {
				resp.Propstats = append(resp.Propstats, propstat{})
			}
			ps = &resp.Propstats[len(resp.Propstats)-1]
		case eResourceType:
			if ps.Prop.ResourceType == nil {
				ps.Prop.ResourceType = plainResource // most are files: one value for all
			}
		case eCollection:
			if ps.Prop.ResourceType == plainResource {
				ps.Prop.ResourceType = &resourceType{}
			}
			ps.Prop.ResourceType.Collection = &struct{}{}
		}
		d.text = d.text[:0]
		if empty {
			d.closeElement(kind, resp, ps, ms)
			if kind == eResponse {
				resp = nil
			}
			if kind == ePropstat {
				ps = nil
			}
			d.pop()
			continue
		}
		stack = append(stack, kind)
		names = append(names, raw)
	}
}

// nextResponse appends an empty response to ms, reusing the slices of one a previous
// listing left beyond its length.
func nextResponse(ms *multistatus) *response {
	n := len(ms.Responses)
	if n == cap(ms.Responses) {
		ms.Responses = append(ms.Responses, response{})
		return &ms.Responses[n]
	}
	ms.Responses = ms.Responses[:n+1]
	r := &ms.Responses[n]
	*r = response{Hrefs: r.Hrefs[:0], Propstats: r.Propstats[:0]}
	return r
}

// leaf reports whether an element kind holds a value (text only).
func leaf(kind int) bool {
	switch kind {
	case eHref, eStatus, ePropstatStatus, eLength, eModified, eETag, eFileID, eChecksum,
		eTitle, eDescription, eCreator:
		return true
	}
	return false
}

// xmlDecls are the XML declarations servers start their answers with.
var xmlDecls = [][]byte{
	[]byte(`<?xml version="1.0" encoding="UTF-8"?>`),
	[]byte(`<?xml version="1.0" encoding="utf-8"?>`),
	[]byte(`<?xml version="1.0" encoding="UTF-8" ?>`),
	[]byte(`<?xml version="1.0" encoding="utf-8" ?>`),
	[]byte(`<?xml version="1.0"?>`),
	[]byte(`<?xml version='1.0' encoding='UTF-8'?>`),
	[]byte(`<?xml version='1.0' encoding='utf-8'?>`),
}

// plainDecl returns the length of the XML declaration b starts with when it is one of
// xmlDecls, else 0.
func plainDecl(b []byte) int {
	for _, d := range xmlDecls {
		if bytes.HasPrefix(b, d) {
			return len(d)
		}
	}
	return 0
}

// kindOf2 names the element name, child of the elements in stack. Like encoding/xml
// decoding into multistatus, it takes any root element for the multistatus.
func kindOf2(stack []int, name xmlName) int {
	if len(stack) == 0 {
		return eMultistatus
	}
	parent := stack[len(stack)-1]
	switch {
	case parent == eMultistatus && name.is(nsDAV, "response"):
		return eResponse
	case parent == eResponse && name.is(nsDAV, "href"):
		return eHref
	case parent == eResponse && name.is(nsDAV, "status"):
		return eStatus
	case parent == eResponse && name.is(nsDAV, "propstat"):
		return ePropstat
	case parent == ePropstat && name.is(nsDAV, "status"):
		return ePropstatStatus
	case parent == ePropstat && name.is(nsDAV, "prop"):
		return eProp
	case parent == eProp && name.is(nsDAV, "resourcetype"):
		return eResourceType
	case parent == eResourceType && name.is(nsDAV, "collection"):
		return eCollection
	case parent == eProp && name.is(nsDAV, "getcontentlength"):
		return eLength
	case parent == eProp && name.is(nsDAV, "getlastmodified"):
		return eModified
	case parent == eProp && name.is(nsDAV, "getetag"):
		return eETag
	case parent == eProp && name.is(nsOC, "fileid"):
		return eFileID
	case parent == eProp && name.is(nsOC, "checksums"):
		return eChecksums
	case parent == eChecksums && name.is(nsOC, "checksum"):
		return eChecksum
	case parent == eProp && name.is(nsDC, "title"):
		return eTitle
	case parent == eProp && name.is(nsDC, "description"):
		return eDescription
	case parent == eProp && name.is(nsDC, "creator"):
		return eCreator
	}
	return eOther
}

// closeElement stores the text of a leaf that ends.
func (d *fastDecoder) closeElement(kind int, resp *response, ps *propstat, ms *multistatus) {
	switch kind {
	case eHref:
		resp.Hrefs = append(resp.Hrefs, string(d.text))
	case eStatus:
		resp.Status = d.status()
	case ePropstatStatus:
		ps.Status = d.status()
	case eLength:
		ps.Prop.ContentLength = d.repeated(&d.lastLength)
	case eModified:
		ps.Prop.LastModified = d.repeated(&d.lastModified)
	case eETag:
		ps.Prop.ETag = string(d.text)
	case eFileID:
		ps.Prop.FileID = string(d.text)
	case eChecksum:
		ps.Prop.Checksums = append(ps.Prop.Checksums, string(d.text))
	case eTitle:
		ps.Prop.Title = d.metaValue()
	case eDescription:
		ps.Prop.Description = d.metaValue()
	case eCreator:
		ps.Prop.Creator = d.metaValue()
	}
	d.text = d.text[:0]
}

// plainResource and noText are shared by the responses that have them (read only): the
// resource type of a file, and an empty property (Apache lists the Dublin Core properties
// an item lacks empty, under 404).
var (
	plainResource = &resourceType{}
	noText        = &metaValue{}
)

// metaValue is a metadata property's value.
func (d *fastDecoder) metaValue() *metaValue {
	if len(d.text) == 0 {
		return noText
	}
	return &metaValue{Text: string(d.text)}
}

// status returns the text of a status element, without allocating for the usual ones.
func (d *fastDecoder) status() string {
	switch string(d.text) {
	case "HTTP/1.1 200 OK":
		return "HTTP/1.1 200 OK"
	case "HTTP/1.1 404 Not Found":
		return "HTTP/1.1 404 Not Found"
	}
	return string(d.text)
}

// repeated returns the text, reusing *last when it is the same (the sizes and the
// modification times of a folder's files are often equal).
func (d *fastDecoder) repeated(last *string) string {
	if string(d.text) != *last {
		*last = string(d.text)
	}
	return *last
}

// chardata adds character data (entities decoded) to the current text.
func (d *fastDecoder) chardata(raw []byte) error {
	for len(raw) > 0 {
		amp := bytes.IndexByte(raw, '&')
		if amp < 0 {
			amp = len(raw)
		}
		if !plainText(raw[:amp]) {
			return errFallback
		}
		d.text = append(d.text, raw[:amp]...)
		if amp == len(raw) {
			return nil
		}
		raw = raw[amp:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 {
			return errFallback
		}
		r, ok := entity(raw[1:semi])
		if !ok {
			return errFallback
		}
		d.text = utf8.AppendRune(d.text, r)
		raw = raw[semi+1:]
	}
	return nil
}

// startTag reads "<name attr='v' …>" or "…/>" at d.i and pushes its namespace declarations.
func (d *fastDecoder) startTag() (xmlName, []byte, bool, error) {
	end := bytes.IndexByte(d.b[d.i:], '>')
	if end < 0 {
		return xmlName{}, nil, false, errFallback
	}
	tag := d.b[d.i+1 : d.i+end]
	d.i += end + 1
	empty := len(tag) > 0 && tag[len(tag)-1] == '/'
	if empty {
		tag = tag[:len(tag)-1]
	}
	raw, rest := splitName(tag)
	if len(raw) == 0 {
		return xmlName{}, nil, false, errFallback
	}
	d.depth++
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		var an []byte
		an, rest = splitName(rest)
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if !plainName(an) || len(rest) < 2 || rest[0] != '=' {
			return xmlName{}, nil, false, errFallback
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) < 2 || rest[0] != '"' && rest[0] != '\'' {
			return xmlName{}, nil, false, errFallback
		}
		q := bytes.IndexByte(rest[1:], rest[0])
		if q < 0 {
			return xmlName{}, nil, false, errFallback
		}
		val := rest[1 : 1+q]
		rest = rest[q+2:]
		if !plainValue(val) {
			return xmlName{}, nil, false, errFallback
		}
		switch {
		case string(an) == "xmlns":
			d.binds = append(d.binds, binding{"", knownString(val), d.depth})
		case bytes.HasPrefix(an, []byte("xmlns:")):
			if len(val) == 0 {
				return xmlName{}, nil, false, errFallback
			}
			d.binds = append(d.binds, binding{knownString(an[6:]), knownString(val), d.depth})
		}
	}
	name, ok := d.resolve(raw)
	if !ok {
		return xmlName{}, nil, false, errFallback
	}
	return name, raw, empty, nil
}

// endTag reads "</name>" at d.i and returns the raw name.
func (d *fastDecoder) endTag() ([]byte, error) {
	end := bytes.IndexByte(d.b[d.i:], '>')
	if end < 0 {
		return nil, errFallback
	}
	raw := bytes.TrimRight(d.b[d.i+2:d.i+end], " \t\r\n")
	d.i += end + 1
	if !plainName(raw) {
		return nil, errFallback
	}
	return raw, nil
}

// pop ends the element at the current depth: its namespace declarations go.
func (d *fastDecoder) pop() {
	for len(d.binds) > 0 && d.binds[len(d.binds)-1].depth == d.depth {
		d.binds = d.binds[:len(d.binds)-1]
	}
	d.depth--
}

// resolve maps a raw "prefix:local" or "local" name to its namespace.
func (d *fastDecoder) resolve(raw []byte) (xmlName, bool) {
	if !plainName(raw) {
		return xmlName{}, false
	}
	var prefix []byte
	local := raw
	if c := bytes.IndexByte(raw, ':'); c >= 0 {
		prefix, local = raw[:c], raw[c+1:]
		if len(prefix) == 0 || len(local) == 0 || bytes.IndexByte(local, ':') >= 0 {
			return xmlName{}, false
		}
	}
	if string(prefix) == "xml" || string(prefix) == "xmlns" {
		return xmlName{}, false
	}
	for i := len(d.binds) - 1; i >= 0; i-- {
		if d.binds[i].prefix == string(prefix) {
			return xmlName{d.binds[i].uri, local}, true
		}
	}
	if len(prefix) != 0 {
		return xmlName{}, false // undeclared prefix
	}
	return xmlName{"", local}, true
}
