// Package davlock owns WebDAV class 2 for the built-in server (ui/localcloud): shared and
// exclusive write locks (RFC 4918 §6, §7, §9.10, §9.11), the If header (§10.4), and the
// handler that puts both in front of golang.org/x/net/webdav. x/net/webdav knows exclusive
// locks only (a LOCK asking for <shared/> gets 501 before its LockSystem is asked, and its
// LockDetails have no scope) and does not evaluate entity tags in If headers, so LOCK and
// UNLOCK are answered here and every request is admitted here before x/net/webdav serves it.
//
// It may import nothing of this module.
package davlock

import (
	"errors"
	"fmt"
	"strings"
)

// IfHeader is a parsed If header (RFC 4918 §10.4.2): a disjunction of lists, each a
// conjunction of conditions about one resource.
type IfHeader struct {
	Lists []IfList
}

// IfList is one parenthesised list. Resource is the Resource-Tag of a tagged list as sent
// (an absolute URI or an absolute path); it is "" for an untagged list, which is about the
// Request-URI (§10.4.3).
type IfList struct {
	Resource   string
	Conditions []Condition
}

// Condition is one state token or one entity tag, negated by Not. Exactly one of Token
// and ETag is set.
type Condition struct {
	Not   bool
	Token string // a state token (Coded-URL) without its angle brackets
	ETag  string // an entity tag as sent, with its quotes and any W/
}

// ParseIf parses the value of an If header (RFC 4918 §10.4.2):
//
//	If          = ( 1*No-tag-list | 1*Tagged-list )
//	No-tag-list = List
//	Tagged-list = Resource-Tag 1*List
//	List        = "(" 1*Condition ")"
//	Condition   = ["Not"] (State-token | "[" entity-tag "]")
//
// with linear white space allowed between tokens but not inside a Resource-Tag, a
// State-token or between the brackets and the entity tag. A header mixing tagged and
// untagged lists, an empty list, or anything unparsable is an error (the request is a 400).
func ParseIf(s string) (IfHeader, error) {
	p := &ifParser{s: s}
	p.skipLWS()
	if p.end() {
		return IfHeader{}, errors.New("empty If header")
	}
	tagged := p.peek() == '<'
	var h IfHeader
	for ; !p.end(); p.skipLWS() {
		res := ""
		if tagged {
			if p.peek() != '<' {
				return IfHeader{}, p.errorf("a resource tag")
			}
			var err error
			if res, err = p.codedURL(); err != nil {
				return IfHeader{}, err
			}
			p.skipLWS()
		}
		if p.end() || p.peek() != '(' {
			return IfHeader{}, p.errorf(`"("`)
		}
		for !p.end() && p.peek() == '(' {
			conds, err := p.list()
			if err != nil {
				return IfHeader{}, err
			}
			h.Lists = append(h.Lists, IfList{Resource: res, Conditions: conds})
			p.skipLWS()
		}
	}
	return h, nil
}

// Tokens are the state tokens the header names, in order, negated or not: every one of
// them is "submitted" with the request (RFC 4918 §10.4.1: "the mere fact that a state
// token appears in an If header means that it has been submitted").
func (h IfHeader) Tokens() []string {
	var out []string
	for _, l := range h.Lists {
		for _, c := range l.Conditions {
			if c.Token != "" {
				out = append(out, c.Token)
			}
		}
	}
	return out
}

// State is what the If header can see of one resource.
type State struct {
	// ETag is the resource's entity tag; "" when it has none (a collection, here) or the
	// URL maps to nothing.
	ETag string
	// Tokens are the tokens of the locks whose scope includes the resource; none when the
	// URL maps to nothing (RFC 4918 §10.4.4: an unmapped URL is treated as a resource
	// that "does not have the specified state").
	Tokens []string
}

// Eval reports whether h holds (RFC 4918 §10.4.3): whether some list has all its
// conditions true of its resource. state gives the state of a list's Resource ("" is the
// Request-URI); Eval asks it once per resource.
func (h IfHeader) Eval(state func(resource string) State) bool {
	seen := map[string]State{}
	for _, l := range h.Lists {
		st, ok := seen[l.Resource]
		if !ok {
			st = state(l.Resource)
			seen[l.Resource] = st
		}
		if l.holds(st) {
			return true
		}
	}
	return false
}

func (l IfList) holds(st State) bool {
	for _, c := range l.Conditions {
		if !c.holds(st) {
			return false
		}
	}
	return true
}

// holds matches a state token exactly against the resource's lock tokens, and an entity
// tag with the weak comparison function (RFC 4918 §10.4.4 lets a server choose weak or
// strong; Apache mod_dav's dav_validate_resource_state uses weak).
func (c Condition) holds(st State) bool {
	match := false
	if c.Token != "" {
		for _, t := range st.Tokens {
			if t == c.Token {
				match = true
				break
			}
		}
	} else {
		match = st.ETag != "" && weakETag(c.ETag) == weakETag(st.ETag)
	}
	return match != c.Not
}

// weakETag is an entity tag without its weakness indicator (RFC 9110 §8.8.3.2).
func weakETag(t string) string { return strings.TrimPrefix(t, "W/") }

type ifParser struct {
	s string
	i int
}

func (p *ifParser) end() bool  { return p.i >= len(p.s) }
func (p *ifParser) peek() byte { return p.s[p.i] }

func (p *ifParser) skipLWS() {
	for !p.end() && strings.IndexByte(" \t\r\n", p.peek()) >= 0 {
		p.i++
	}
}

func (p *ifParser) errorf(want string) error {
	if p.end() {
		return fmt.Errorf("If header %q: %s expected at its end", p.s, want)
	}
	return fmt.Errorf("If header %q: %s expected at offset %d", p.s, want, p.i)
}

// list parses "(" 1*Condition ")".
func (p *ifParser) list() ([]Condition, error) {
	p.i++ // "("
	var conds []Condition
	for {
		p.skipLWS()
		if p.end() {
			return nil, p.errorf(`")"`)
		}
		if p.peek() == ')' {
			p.i++
			if len(conds) == 0 {
				return nil, fmt.Errorf("If header %q: an empty list", p.s)
			}
			return conds, nil
		}
		var c Condition
		if len(p.s)-p.i >= 3 && strings.EqualFold(p.s[p.i:p.i+3], "not") {
			c.Not = true
			p.i += 3
			p.skipLWS()
		}
		if p.end() {
			return nil, p.errorf("a state token or an entity tag")
		}
		var err error
		switch p.peek() {
		case '<':
			c.Token, err = p.codedURL()
		case '[':
			c.ETag, err = p.entityTag()
		default:
			err = p.errorf("a state token or an entity tag")
		}
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
	}
}

// codedURL parses "<" URI ">" with no white space inside.
func (p *ifParser) codedURL() (string, error) {
	start := p.i + 1
	j := strings.IndexByte(p.s[start:], '>')
	if j <= 0 {
		p.i = start
		return "", p.errorf(`a URI and ">"`)
	}
	u := p.s[start : start+j]
	if strings.ContainsAny(u, " \t\r\n<") {
		p.i = start
		return "", p.errorf(`a URI without white space`)
	}
	p.i = start + j + 1
	return u, nil
}

// entityTag parses "[" [ "W/" ] quoted-string "]" with nothing between the brackets and
// the tag.
func (p *ifParser) entityTag() (string, error) {
	p.i++ // "["
	start := p.i
	if strings.HasPrefix(p.s[p.i:], "W/") {
		p.i += 2
	}
	if p.end() || p.peek() != '"' {
		return "", p.errorf("a quoted entity tag")
	}
	for p.i++; ; p.i++ {
		if p.end() {
			return "", p.errorf(`the closing quote of an entity tag`)
		}
		if c := p.peek(); c == '\\' {
			p.i++
		} else if c == '"' {
			break
		}
	}
	p.i++
	tag := p.s[start:p.i]
	if p.end() || p.peek() != ']' {
		return "", p.errorf(`"]" right after the entity tag`)
	}
	p.i++
	return tag, nil
}
