package webdav

import (
	"bytes"
	"crypto/sha256"
)

// Apache writes the namespace declarations of each D:response element from an APR hash
// table (mod_dav's dav_xmlns_generate over a request's apr_hash_t), so one listing comes
// in many byte forms: a folder of k folders in up to 2^(k+1), a folder of files in two or
// three (SERVERS.md). Keeping the SHA-256 of the answer's bytes, a walk decoded such a
// folder on most polls. answerSum hashes the answer with the namespace declarations of
// each start tag in one order instead, and costs a search for "xmlns" besides the hash.
//
// It stays exact: two answers get the same digest only if they decode to the same entries
// (or both fail). The text it hashes is the answer with each start tag of the form
//
//	<name xmlns:p1="v1" xmlns:p2="v2" ...>   (or "/>" at the end; "xmlns" for no prefix)
//
// that is, a plain name, one space before each attribute, no space around "=", values in
// double quotes of printable ASCII without quotes, "<", ">" or "&", every attribute a
// namespace declaration, every prefix another, written with its declarations sorted by
// prefix: the same bytes in another order. Why that changes no decoding of any answer:
// both decoders here (fastxml.go, and encoding/xml, the reference it falls back to) read
// an answer from its start, so they reach such a tag's "<" having read the same bytes
// either way. Where that "<" starts a start tag (in content), they bind every
// declaration of the tag before resolving a name, and with distinct prefixes the bindings
// do not depend on their order (the XML Namespaces recommendation; XML gives the order of
// attributes no meaning). Anywhere else ("<" in an attribute value, in a tag or an end tag)
// it is a syntax error right there, in both texts. Comments, CDATA sections, DOCTYPEs and
// processing instructions, where "<" may be text, make answerSum hash the answer as it is,
// as do tags of any other form (left as they are) and an answer that repeats a prefix in
// one tag (the last declaration wins; left as it is).

// answerSum is the canonical digest of PROPFIND answer b (see above), whose SHA-256 is raw:
// raw itself when nothing in b is written in another order.
func answerSum(b []byte, raw [sha256.Size]byte) [sha256.Size]byte {
	at := 0 // the XML declaration is read as it is
	if bytes.HasPrefix(b, []byte("<?")) {
		if at = bytes.Index(b, []byte("?>")); at < 0 {
			return raw
		}
	}
	if markup(b[at:], '!') || markup(b[at:], '?') {
		return raw
	}
	h := sha256.New()
	done := 0 // b[:done] is hashed
	var t declTag
	for {
		k := bytes.Index(b[at:], []byte("xmlns"))
		if k < 0 {
			break
		}
		k += at
		lt := bytes.LastIndexByte(b[at:k], '<')
		if lt < 0 || !t.parse(b, at+lt) || k >= t.end {
			at = k + len("xmlns")
			continue
		}
		if t.sort() {
			h.Write(b[done : at+lt+len(t.name)+1])
			for _, a := range t.attrs[:t.n] {
				h.Write(b[a.from:a.to])
			}
			h.Write(b[t.tail:t.end])
			done = t.end
		}
		at = t.end
	}
	if done == 0 {
		return raw
	}
	h.Write(b[done:])
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// maxDecls bounds the declarations of a tag that answerSum reorders (Apache writes up to
// four); a tag with more is hashed as it is.
const maxDecls = 16

// declTag is a start tag whose attributes are all namespace declarations (see answerSum).
type declTag struct {
	name  []byte
	tail  int // where its text after the declarations starts
	end   int // just after its ">"
	attrs [maxDecls]declAt
	n     int
}

// declAt is a declaration's text (from the space before it to its closing quote), and the
// prefix it declares ("" for "xmlns").
type declAt struct {
	from, to int
	prefix   []byte
}

// parse reads the tag at b[lt] ("<") into t; false when it is not of answerSum's form.
func (t *declTag) parse(b []byte, lt int) bool {
	i := lt + 1
	for i < len(b) && b[i] != ' ' && b[i] != '>' && b[i] != '/' {
		i++
	}
	t.name, t.n = b[lt+1:i], 0
	if !plainName(t.name) {
		return false
	}
	for i < len(b) && b[i] == ' ' {
		if t.n == maxDecls {
			return false
		}
		from := i
		i++
		eq := bytes.IndexByte(b[i:], '=')
		if eq < 0 || i+eq+1 >= len(b) || b[i+eq+1] != '"' {
			return false
		}
		name := b[i : i+eq]
		prefix, ok := bytes.CutPrefix(name, []byte("xmlns:"))
		if ok && (!plainName(prefix) || bytes.IndexByte(prefix, ':') >= 0) || !ok && string(name) != "xmlns" {
			return false
		}
		if !ok {
			prefix = nil
		}
		i += eq + 2
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 || !plainURI(b[i:i+q]) {
			return false
		}
		i += q + 1
		t.attrs[t.n] = declAt{from: from, to: i, prefix: prefix}
		t.n++
	}
	t.tail = i
	switch {
	case t.n == 0:
		return false
	case i < len(b) && b[i] == '>':
		t.end = i + 1
	case i+1 < len(b) && b[i] == '/' && b[i+1] == '>':
		t.end = i + 2
	default:
		return false
	}
	return true
}

// sort reports whether t's declarations are to be hashed in another order: they are out
// of order, and of distinct prefixes. It sorts them.
func (t *declTag) sort() bool {
	a := t.attrs[:t.n]
	moved := false
	for i := 1; i < len(a); i++ { // insertion sort: Apache writes four
		for j := i; j > 0; j-- {
			c := bytes.Compare(a[j-1].prefix, a[j].prefix)
			if c == 0 {
				return false
			}
			if c < 0 {
				break
			}
			a[j-1], a[j] = a[j], a[j-1]
			moved = true
		}
	}
	return moved
}

// markup reports whether b has "<" followed by c.
func markup(b []byte, c byte) bool {
	for i := 0; ; i++ {
		k := bytes.IndexByte(b[i:], c)
		if k < 0 {
			return false
		}
		if i += k; i > 0 && b[i-1] == '<' {
			return true
		}
	}
}

// plainURI reports whether a declared namespace is printable ASCII without quotes, "<",
// ">" or "&" (what answerSum reorders).
func plainURI(v []byte) bool {
	for _, c := range v {
		if c <= ' ' || c > '~' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
