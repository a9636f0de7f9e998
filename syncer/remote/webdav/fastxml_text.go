package webdav

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// The character data, names and attribute values the fast multistatus decoder
// (fastxml.go) takes as they are, and what it hands to encoding/xml instead.

// plainText reports whether raw is character data encoding/xml would return unchanged:
// valid UTF-8 of XML characters, no carriage return (XML normalises line ends), no "]]>".
func plainText(raw []byte) bool {
	ascii, gt := true, false // one pass for the usual ASCII text without ">"
	for _, c := range raw {
		switch {
		case c >= 0x80:
			ascii = false
		case c < 0x20 && c != '\t' && c != '\n':
			return false
		case c == '>':
			gt = true
		}
	}
	if gt && bytes.Contains(raw, []byte("]]>")) {
		return false
	}
	return ascii || utf8.Valid(raw) && !bytes.Contains(raw, []byte("\xef\xbf\xbe")) && !bytes.Contains(raw, []byte("\xef\xbf\xbf"))
}

// plainValue reports whether an attribute value can be taken as it is: no reference, "<",
// control character or white space XML would normalise, and valid UTF-8 of XML characters.
func plainValue(val []byte) bool {
	ascii := true
	for _, c := range val {
		switch {
		case c == '&' || c == '<' || c < 0x20:
			return false
		case c >= 0x80:
			ascii = false
		}
	}
	return ascii || utf8.Valid(val) && !bytes.Contains(val, []byte("\xef\xbf\xbe")) && !bytes.Contains(val, []byte("\xef\xbf\xbf"))
}

// entity decodes the name of an entity reference (between & and ;).
func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if name[1] == 'x' {
		n, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || n == 0 || n > utf8.MaxRune || n >= 0xD800 && n < 0xE000 {
		return 0, false
	}
	r := rune(n)
	if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
		return 0, false
	}
	return r, true
}

// plainName reports whether raw is an ASCII XML name (with at most one colon); others go
// to encoding/xml.
func plainName(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	for i, c := range raw {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// splitName splits a name off the start of b.
func splitName(b []byte) ([]byte, []byte) {
	for i, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n', '=', '/', '>':
			return b[:i], b[i:]
		}
	}
	return b, nil
}

// knownString is string(b), without allocating for the namespaces and prefixes servers
// declare in every answer (rclone declares the ownCloud namespace on each property, Apache
// its prefixes on each response).
func knownString(b []byte) string {
	switch string(b) {
	case nsDAV:
		return nsDAV
	case nsOC:
		return nsOC
	case nsDC:
		return nsDC
	case "D":
		return "D"
	case "d":
		return "d"
	case "oc":
		return "oc"
	case "dc":
		return "dc"
	case "lp1": // Apache's prefixes and its own namespace
		return "lp1"
	case "lp2":
		return "lp2"
	case "g0":
		return "g0"
	case "g1":
		return "g1"
	case "ns0":
		return "ns0"
	case "ns1":
		return "ns1"
	case "http://apache.org/dav/props/":
		return "http://apache.org/dav/props/"
	}
	return string(b)
}
