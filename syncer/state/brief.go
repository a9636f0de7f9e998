package state

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// ListItemBriefs is ListItems with only the fields model.ItemBrief names decoded (a
// set's index at start, issue 11: decoding every field of 10,000 items with
// encoding/json was most of the 100 ms the engine's start spent reading them). Each
// stored item is read whole and checked to be well-formed JSON; an item the scanner below
// does not take as written by json.Marshal of a model.Item (an unknown field spelled like
// a known one, a field of the wrong type, a string it cannot unescape) is decoded by
// encoding/json instead, which reports what is wrong with it.
func (s *Store) ListItemBriefs(set string, fn func(model.Item) bool) error {
	return s.listItems(set, func(val []byte, it *model.Item) error {
		if decodeBrief(val, it) {
			return nil
		}
		*it = model.Item{}
		return json.Unmarshal(val, it)
	}, fn)
}

var _ model.ItemBriefLister = (*Store)(nil)

// decodeBrief decodes into it the fields of a stored item that model.ItemBrief names,
// from JSON object b, and reports whether it could: false for anything not well-formed
// or not as json.Marshal writes a model.Item.
func decodeBrief(b []byte, it *model.Item) bool {
	d := briefScanner{b: b}
	ok := d.fields([]briefField{{name: "key", str: &it.Key}, {name: "path", str: &it.Path},
		{name: "is_dir", flag: &it.IsDir}, {name: "has_base", flag: &it.HasBase}, {name: "status", str: (*string)(&it.Status)},
		{name: "local", side: &it.Local}, {name: "remote", side: &it.Remote}, {name: "meta", meta: &it.Meta},
		{name: "conflicts", list: &it.Conflicts}})
	if it.Status == model.StatusSynced {
		it.Status = model.StatusSynced // the constant, not a copy for every item
	}
	d.space()
	return ok && d.i == len(b)
}

// briefField is a member of an object that decodeBrief reads, and where it goes (one of
// the pointers is set).
type briefField struct {
	name string
	str  *string
	flag *bool
	side *model.Side
	meta **remote.Meta
	list *[]string
}

// briefScanner reads JSON from b at i. Its methods report false on anything unexpected.
type briefScanner struct {
	b []byte
	i int
}

func (d *briefScanner) space() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n' || d.b[d.i] == '\r') {
		d.i++
	}
}

// consume skips spaces and then word, if it is next.
func (d *briefScanner) consume(word string) bool {
	d.space()
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word { // (compared in place)
		return false
	}
	d.i += len(word)
	return true
}

// briefObject is where member is in an object.
type briefObject struct{ open bool }

// member reads up to the next member's value in an object and returns its name (nil
// after the object's end). A name with escapes fails, and so does one that folds to the
// name of one of known but is not it: encoding/json would decode it into that field.
func (d *briefScanner) member(o *briefObject, known []briefField) ([]byte, bool) {
	if !o.open {
		if !d.consume("{") {
			return nil, false
		}
		o.open = true
		if d.consume("}") {
			return nil, true
		}
	} else if d.consume("}") {
		return nil, true
	} else if !d.consume(",") {
		return nil, false
	}
	raw, esc, _, ok := d.raw()
	if !ok || esc || !d.consume(":") {
		return nil, false
	}
	for _, f := range known {
		if f.name != string(raw) && len(f.name) == len(raw) && strings.EqualFold(f.name, string(raw)) {
			return nil, false
		}
	}
	return raw, true
}

// fields reads an object, each member named in fs into its place; others are skipped.
func (d *briefScanner) fields(fs []briefField) bool {
	var o briefObject
	for {
		name, ok := d.member(&o, fs)
		if !ok || name == nil {
			return ok
		}
		var f *briefField
		for i := range fs {
			if fs[i].name == string(name) {
				f = &fs[i]
			}
		}
		switch {
		case f == nil:
			ok = d.skip()
		case f.str != nil:
			ok = d.str(f.str)
		case f.flag != nil:
			ok = d.boolean(f.flag)
		case f.side != nil:
			ok = d.side(f.side)
		case f.meta != nil:
			ok = d.meta(f.meta)
		default:
			ok = d.strings(f.list)
		}
		if !ok {
			return false
		}
	}
}

// null reads a null, which leaves a field as it was (as encoding/json does).
func (d *briefScanner) null() bool { return d.consume("null") }

func (d *briefScanner) boolean(v *bool) bool {
	switch {
	case d.consume("true"):
		*v = true
	case d.consume("false"):
		*v = false
	default:
		return d.null()
	}
	return true
}

// raw reads a string and returns its body, whether it has escapes, and whether it has
// bytes beyond ASCII.
func (d *briefScanner) raw() (body []byte, esc, high, ok bool) {
	if !d.consume(`"`) {
		return nil, false, false, false
	}
	start := d.i
	for ; d.i < len(d.b); d.i++ {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			return d.b[start : d.i-1], esc, high, true
		case c < 0x20:
			return nil, false, false, false
		case c == '\\':
			esc = true
			if d.i++; d.i == len(d.b) || !strings.ContainsRune(`"\\/bfnrtu`, rune(d.b[d.i])) {
				return nil, false, false, false
			}
			if d.b[d.i] == 'u' {
				if len(d.b)-d.i <= 4 || !hex4(d.b[d.i+1:d.i+5]) {
					return nil, false, false, false
				}
				d.i += 4
			}
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	return nil, false, false, false
}

func hex4(b []byte) bool {
	for _, c := range b[:4] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// str reads a string (or null). A string with escapes is unescaped by unescape; bytes
// that are not UTF-8 are left to encoding/json (which replaces them).
func (d *briefScanner) str(v *string) bool {
	if d.null() {
		return true
	}
	raw, esc, high, ok := d.raw()
	switch {
	case !ok:
		return false
	case high && !utf8.Valid(raw):
		return json.Unmarshal(d.b[d.i-len(raw)-2:d.i], v) == nil
	case esc:
		return unescape(raw, v)
	}
	*v = string(raw)
	return true
}

// unescape decodes the body of a JSON string with escapes (valid UTF-8). A \u escape of
// half a surrogate pair is left to encoding/json.
func unescape(body []byte, v *string) bool {
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i++; i == len(body) {
			return false
		}
		switch body[i] {
		case '"', '\\', '/':
			out = append(out, body[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+4 >= len(body) {
				return false
			}
			r, err := strconv.ParseUint(string(body[i+1:i+5]), 16, 32)
			if err != nil {
				return false
			}
			if utf16.IsSurrogate(rune(r)) {
				q := append(append([]byte{'"'}, body...), '"')
				return json.Unmarshal(q, v) == nil
			}
			out = utf8.AppendRune(out, rune(r))
			i += 4
		default:
			return false
		}
	}
	*v = string(out)
	return true
}

func (d *briefScanner) side(s *model.Side) bool {
	return d.null() || d.fields([]briefField{{name: "id", str: &s.ID}, {name: "version", str: &s.Version},
		{name: "gone", flag: &s.Gone}, {name: "excluded", flag: &s.Excl}})
}

func (d *briefScanner) meta(m **remote.Meta) bool {
	if d.null() {
		*m = nil
		return true
	}
	if *m == nil {
		*m = &remote.Meta{}
	}
	return d.fields([]briefField{{name: "title", str: &(*m).Title}, {name: "description", str: &(*m).Description},
		{name: "author", str: &(*m).Author}})
}

// strings reads an array of strings (or null).
func (d *briefScanner) strings(v *[]string) bool {
	if d.null() {
		*v = nil
		return true
	}
	out := []string{}
	ok := d.array(func() bool {
		var s string
		if !d.str(&s) {
			return false
		}
		out = append(out, s)
		return true
	})
	*v = out
	return ok
}

// array reads an array, calling elem to read each element.
func (d *briefScanner) array(elem func() bool) bool {
	if !d.consume("[") {
		return false
	}
	if d.consume("]") {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.consume("]") {
			return true
		}
		if !d.consume(",") {
			return false
		}
	}
}

// skip reads any JSON value, checking that it is well-formed.
func (d *briefScanner) skip() bool {
	d.space()
	if d.i == len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		_, _, _, ok := d.raw()
		return ok
	case c == '{':
		return d.fields(nil)
	case c == '[':
		return d.array(d.skip)
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	var b bool
	return d.boolean(&b)
}

// number reads a number as JSON spells them: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *briefScanner) number() bool {
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.b[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}
