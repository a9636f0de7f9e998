package davlock

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// lockInfo is a LOCK request's body (RFC 4918 §14.11); empty means a refresh (§9.10.2).
type lockInfo struct {
	empty bool
	scope Scope
	owner string // namespace-complete XML
}

// errLockType is a lockinfo asking for another lock type than write, or a scope other than
// shared and exclusive.
var errLockType = errors.New("only write locks, shared or exclusive, are supported")

// maxLockBody bounds a LOCK body (a lockinfo is a few hundred bytes).
const maxLockBody = 64 << 10

// readLockInfo parses a LOCK body. Elements it does not know are ignored (RFC 4918 §17).
func readLockInfo(r io.Reader) (lockInfo, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxLockBody+1))
	if err != nil {
		return lockInfo{}, err
	}
	if len(body) > maxLockBody {
		return lockInfo{}, errors.New("LOCK body too large")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return lockInfo{empty: true}, nil
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	root, err := firstElement(d)
	if err != nil {
		return lockInfo{}, err
	}
	if root.Name != (xml.Name{Space: "DAV:", Local: "lockinfo"}) {
		return lockInfo{}, fmt.Errorf("LOCK body is %s, not DAV:lockinfo", root.Name.Local)
	}
	var li lockInfo
	var scope, typ xml.Name
	for {
		t, err := d.Token()
		if err != nil {
			return lockInfo{}, fmt.Errorf("LOCK body: %w", err)
		}
		switch t := t.(type) {
		case xml.EndElement:
			switch {
			case scope.Local == "" || typ.Local == "":
				return lockInfo{}, errors.New("LOCK body: a lockinfo has a lockscope and a locktype")
			case typ != xml.Name{Space: "DAV:", Local: "write"} || scope.Space != "DAV:" || scope.Local != "exclusive" && scope.Local != "shared":
				return lockInfo{}, errLockType
			}
			if scope.Local == "shared" {
				li.scope = Shared
			}
			return li, nil
		case xml.StartElement:
			if t.Name.Space != "DAV:" {
				err = d.Skip()
				break
			}
			switch t.Name.Local {
			case "lockscope":
				scope, err = onlyChild(d)
			case "locktype":
				typ, err = onlyChild(d)
			case "owner":
				li.owner, err = innerXML(d)
			default:
				err = d.Skip()
			}
			if err != nil {
				return lockInfo{}, fmt.Errorf("LOCK body: %w", err)
			}
		}
	}
}

func firstElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		t, err := d.Token()
		if err != nil {
			return xml.StartElement{}, fmt.Errorf("LOCK body: %w", err)
		}
		if se, ok := t.(xml.StartElement); ok {
			return se, nil
		}
	}
}

// onlyChild reads the rest of an element holding one empty child element (lockscope,
// locktype) and returns the child's name.
func onlyChild(d *xml.Decoder) (xml.Name, error) {
	var name xml.Name
	for {
		t, err := d.Token()
		if err != nil {
			return xml.Name{}, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if name.Local == "" {
				name = t.Name
			}
			if err := d.Skip(); err != nil {
				return xml.Name{}, err
			}
		case xml.EndElement:
			return name, nil
		}
	}
}

// innerXML reads the rest of an element and writes its content back as XML in which
// every element declares its own namespace, so it stays well-formed wherever it is
// placed (x/net/webdav copies the owner verbatim, prefixes and all, into responses that
// may not declare them).
func innerXML(d *xml.Decoder) (string, error) {
	var b strings.Builder
	for depth := 0; ; {
		t, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.StartElement:
			depth++
			b.WriteString("<" + t.Name.Local + ` xmlns="` + escape(t.Name.Space) + `"`)
			for i, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns":
					// declarations: each element declares its own namespace above
				case a.Name.Space == xmlNS:
					fmt.Fprintf(&b, ` xml:%s="%s"`, a.Name.Local, escape(a.Value))
				case a.Name.Space != "":
					fmt.Fprintf(&b, ` xmlns:a%d="%s" a%d:%s="%s"`, i, escape(a.Name.Space), i, a.Name.Local, escape(a.Value))
				default:
					fmt.Fprintf(&b, ` %s="%s"`, a.Name.Local, escape(a.Value))
				}
			}
			b.WriteString(">")
		case xml.EndElement:
			if depth == 0 {
				return b.String(), nil
			}
			depth--
			b.WriteString("</" + t.Name.Local + ">")
		case xml.CharData:
			b.WriteString(escape(string(t)))
		}
	}
}

// xmlNS is the namespace of the reserved xml: prefix (xml:lang), which no other prefix may
// be bound to.
const xmlNS = "http://www.w3.org/XML/1998/namespace"

func escape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// parseTimeout reads a Timeout header (RFC 4918 §10.7): the first value understood of its
// list; "" or Infinite is 0 (the longest the server grants).
func parseTimeout(h string) (time.Duration, error) {
	if strings.TrimSpace(h) == "" {
		return 0, nil
	}
	for _, v := range strings.Split(h, ",") {
		v = strings.TrimSpace(v)
		if strings.EqualFold(v, "Infinite") {
			return 0, nil
		}
		if n, ok := strings.CutPrefix(v, "Second-"); ok {
			if s, err := strconv.ParseUint(n, 10, 32); err == nil {
				return time.Duration(s) * time.Second, nil
			}
		}
	}
	return 0, fmt.Errorf("Timeout %q: neither Infinite nor Second-N", h)
}

// activeLock is the DAV:activelock element of l (RFC 4918 §14.1), with the time left.
func activeLock(l Lock, now time.Time) string {
	depth := "0"
	if l.Infinite {
		depth = "infinity"
	}
	owner := ""
	if l.Owner != "" {
		owner = "<D:owner>" + l.Owner + "</D:owner>"
	}
	left := max((l.Expires.Sub(now)+time.Second-1)/time.Second, 0) // rounded up: a fresh lock shows what it was granted
	return `<D:activelock xmlns:D="DAV:"><D:locktype><D:write/></D:locktype>` +
		"<D:lockscope><D:" + l.Scope.String() + "/></D:lockscope>" +
		"<D:depth>" + depth + "</D:depth>" + owner +
		"<D:timeout>Second-" + strconv.FormatInt(int64(left), 10) + "</D:timeout>" +
		"<D:locktoken><D:href>" + escape(l.Token) + "</D:href></D:locktoken>" +
		"<D:lockroot><D:href>" + escape(l.Href) + "</D:href></D:lockroot></D:activelock>"
}

// lockDiscovery is the value of DAV:lockdiscovery listing locks.
func lockDiscovery(locks []Lock, now time.Time) string {
	var b strings.Builder
	for _, l := range locks {
		b.WriteString(activeLock(l, now))
	}
	return b.String()
}

// supportedLock is the value of DAV:supportedlock (RFC 4918 §15.10): write locks of both
// scopes.
const supportedLock = `<D:lockentry xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>` +
	`<D:lockentry xmlns:D="DAV:"><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>`

// davError is an RFC 4918 §16 error body: a precondition element, with an href when the
// precondition names a resource.
func davError(condition, href string) []byte {
	inner := "<D:" + condition + "/>"
	if href != "" {
		inner = "<D:" + condition + "><D:href>" + escape(href) + "</D:href></D:" + condition + ">"
	}
	return []byte(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<D:error xmlns:D="DAV:">` + inner + "</D:error>\n")
}
