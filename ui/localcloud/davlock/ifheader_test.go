package davlock

import (
	"reflect"
	"slices"
	"testing"
)

const (
	tokA = "urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2" // the tokens of RFC 4918's examples
	tokB = "urn:uuid:58f202ac-22cf-11d1-b12d-002035b29092"
)

func tok(t string) Condition    { return Condition{Token: t} }
func notTok(t string) Condition { return Condition{Not: true, Token: t} }
func tag(e string) Condition    { return Condition{ETag: e} }
func notTag(e string) Condition { return Condition{Not: true, ETag: e} }

func untagged(conds ...Condition) IfList { return IfList{Conditions: conds} }
func tagged(res string, conds ...Condition) IfList {
	return IfList{Resource: res, Conditions: conds}
}

func TestParseIfReadsTheRFC4918ExamplesAndLitmusHeaders(t *testing.T) {
	cases := []struct {
		name, header string
		want         []IfList
	}{
		{"§10.4.6 no-tag lists", `(<` + tokA + `> ["I am an ETag"]) (["I am another ETag"])`,
			[]IfList{untagged(tok(tokA), tag(`"I am an ETag"`)), untagged(tag(`"I am another ETag"`))}},
		{"§10.4.7 Not", `(Not <` + tokA + `> <` + tokB + `>)`,
			[]IfList{untagged(notTok(tokA), tok(tokB))}},
		{"§10.4.8 always true", `(<` + tokA + `>) (Not <DAV:no-lock>)`,
			[]IfList{untagged(tok(tokA)), untagged(notTok("DAV:no-lock"))}},
		{"§10.4.9 tagged list in COPY", `<http://www.example.com/resource1> (<` + tokA + `> [W/"A weak ETag"]) (["strong ETag"])`,
			[]IfList{tagged("http://www.example.com/resource1", tok(tokA), tag(`W/"A weak ETag"`)),
				tagged("http://www.example.com/resource1", tag(`"strong ETag"`))}},
		{"§10.4.10 collection lock", `<http://www.example.com/specs/> (<` + tokA + `>)`,
			[]IfList{tagged("http://www.example.com/specs/", tok(tokA))}},
		{"§10.4.11 unmapped URL", `<http://www.example.com/specs/rfc2518.doc> (["4217"])`,
			[]IfList{tagged("http://www.example.com/specs/rfc2518.doc", tag(`"4217"`))}},
		{"several tagged resources", `<http://h/a> (<t1>) </b> (<t2>) (Not [W/"e"])`,
			[]IfList{tagged("http://h/a", tok("t1")), tagged("/b", tok("t2")), tagged("/b", notTag(`W/"e"`))}},
		{"litmus fail_complex_cond_put", `(<opaquelocktoken:x> ["18a2b"]) (Not <DAV:no-lock> ["18a2b"])`,
			[]IfList{untagged(tok("opaquelocktoken:x"), tag(`"18a2b"`)), untagged(notTok("DAV:no-lock"), tag(`"18a2b"`))}},
		{"white space, folded lines, lower-case not, no space after Not",
			"\t( not<a>\r\n [\"e\"] )(NOT[\"f\"])  ",
			[]IfList{untagged(notTok("a"), tag(`"e"`)), untagged(notTag(`"f"`))}},
		{"quoted pair and bracket inside an entity tag", `(["a\"b]c"])`,
			[]IfList{untagged(tag(`"a\"b]c"`))}},
		{"a token that starts with Not is a token", `(<note:1>)`, []IfList{untagged(tok("note:1"))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, err := ParseIf(c.header)
			if err != nil {
				t.Fatalf("ParseIf(%q): %v", c.header, err)
			}
			if !reflect.DeepEqual(h.Lists, c.want) {
				t.Fatalf("ParseIf(%q)\n got %+v\nwant %+v", c.header, h.Lists, c.want)
			}
		})
	}
}

func TestParseIfRefusesMalformedHeaders(t *testing.T) {
	for _, header := range []string{
		"", "   ", "x", "()", "(<a>", "(<a> ", "(Not)", "(Not )", "(<a b>)", "(<>)", "(<a>",
		"<http://h/x>", "<http://h/x> <http://h/y> (<a>)", "<http://h/x>(<a>) ()",
		"(<a>) <http://h/x> (<b>)", // untagged, then tagged: no mixing (§10.4.2)
		"<http://h/x> (<a>) (<b>) x",
		`([ "e"])`, `(["e" ])`, `(["e])`, `([e])`, `([W/ "e"])`, `(["e\"])`,
		"(Nothing)", "(<a>) garbage", "<http://h/x y> (<a>)",
	} {
		if _, err := ParseIf(header); err == nil {
			t.Errorf("ParseIf(%q) succeeded, want an error", header)
		}
	}
}

func TestIfTokensAreEveryStateTokenNamedNegatedOrNot(t *testing.T) {
	h, err := ParseIf(`</a> (<t1> ["e"]) (Not <t2>) </b> (Not <DAV:no-lock>)`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Tokens(), []string{"t1", "t2", "DAV:no-lock"}; !slices.Equal(got, want) {
		t.Fatalf("Tokens() = %q, want %q", got, want)
	}
}

func TestIfEvalFollowsRFC4918(t *testing.T) {
	locked := State{ETag: `"I am an ETag"`, Tokens: []string{tokA}}
	other := State{ETag: `"I am another ETag"`}
	unmapped := State{}
	cases := []struct {
		name, header string
		states       map[string]State // by resource tag; "" is the Request-URI
		want         bool
	}{
		{"§10.4.6 first list: token and etag", `(<` + tokA + `> ["I am an ETag"]) (["I am another ETag"])`,
			map[string]State{"": locked}, true},
		{"§10.4.6 second list: the other etag", `(<` + tokA + `> ["I am an ETag"]) (["I am another ETag"])`,
			map[string]State{"": other}, true},
		{"§10.4.6 token without its etag: lists are ANDed", `(<` + tokA + `> ["I am an ETag"]) (["I am another ETag"])`,
			map[string]State{"": {ETag: `"changed"`, Tokens: []string{tokA}}}, false},
		{"§10.4.7 Not A and B, resource locked by B only", `(Not <` + tokA + `> <` + tokB + `>)`,
			map[string]State{"": {Tokens: []string{tokB}}}, true},
		{"§10.4.7 Not A and B, resource locked by both", `(Not <` + tokA + `> <` + tokB + `>)`,
			map[string]State{"": {Tokens: []string{tokA, tokB}}}, false},
		{"§10.4.8 always true, without any lock", `(<` + tokA + `>) (Not <DAV:no-lock>)`,
			map[string]State{"": unmapped}, true},
		{"§10.4.9 tagged COPY: weak etag matches its strong twin", `<http://www.example.com/resource1> (<` + tokA + `> [W/"A weak ETag"]) (["strong ETag"])`,
			map[string]State{"http://www.example.com/resource1": {ETag: `"A weak ETag"`, Tokens: []string{tokA}}}, true},
		{"§10.4.9 tagged COPY: second list", `<http://www.example.com/resource1> (<` + tokA + `> [W/"A weak ETag"]) (["strong ETag"])`,
			map[string]State{"http://www.example.com/resource1": {ETag: `W/"strong ETag"`}}, true},
		{"§10.4.9 tagged COPY: neither", `<http://www.example.com/resource1> (<` + tokA + `> [W/"A weak ETag"]) (["strong ETag"])`,
			map[string]State{"http://www.example.com/resource1": {ETag: `"A weak ETag"`}}, false},
		{"§10.4.10 collection lock matched through the collection's tag", `<http://www.example.com/specs/> (<` + tokA + `>)`,
			map[string]State{"http://www.example.com/specs/": {Tokens: []string{tokA}}}, true},
		{"§10.4.11 etag of an unmapped URL never matches", `<http://www.example.com/specs/rfc2518.doc> (["4217"])`,
			map[string]State{"http://www.example.com/specs/rfc2518.doc": unmapped}, false},
		{"§10.4.11 Not etag of an unmapped URL holds", `<http://www.example.com/specs/rfc2518.doc> (Not ["4217"])`,
			map[string]State{"http://www.example.com/specs/rfc2518.doc": unmapped}, true},
		{"a collection has no etag to match", `(["x"])`, map[string]State{"": {Tokens: []string{tokA}}}, false},
		{"lists of two resources are ORed", `</a> (<t1>) </b> (<t2>)`,
			map[string]State{"/a": unmapped, "/b": {Tokens: []string{"t2"}}}, true},
		{"lists of two resources, neither", `</a> (<t1>) </b> (<t2>)`,
			map[string]State{"/a": {Tokens: []string{"t2"}}, "/b": {Tokens: []string{"t1"}}}, false},
		{"token matching is exact", `(<URN:UUID:181D4FAE-7D8C-11D0-A765-00A0C91E6BF2>)`,
			map[string]State{"": locked}, false},
		{"litmus cond_put", `(<` + tokA + `> ["I am an ETag"])`, map[string]State{"": locked}, true},
		{"litmus fail_cond_put", `(<DAV:no-lock> ["I am an ETag"])`, map[string]State{"": locked}, false},
		{"litmus cond_put_with_not", `(<` + tokA + `>) (Not <DAV:no-lock>)`, map[string]State{"": locked}, true},
		{"litmus cond_put_corrupt_token: the header holds (the lock check answers 423)",
			`(<` + tokA + `x>) (Not <DAV:no-lock>)`, map[string]State{"": locked}, true},
		{"litmus complex_cond_put", `(<` + tokA + `> ["I am an ETag"]) (Not <DAV:no-lock> ["I am an ETag"])`,
			map[string]State{"": locked}, true},
		{"litmus fail_complex_cond_put", `(<` + tokA + `> ["I am an ETaf"]) (Not <DAV:no-lock> ["I am an ETaf"])`,
			map[string]State{"": locked}, false},
		{"litmus fail_cond_put_unlocked", `(<DAV:no-lock>)`, map[string]State{"": other}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, err := ParseIf(c.header)
			if err != nil {
				t.Fatal(err)
			}
			asked := map[string]int{}
			got := h.Eval(func(res string) State {
				asked[res]++
				st, ok := c.states[res]
				if !ok {
					t.Fatalf("state of %q asked, not in the case", res)
				}
				return st
			})
			if got != c.want {
				t.Fatalf("%s with %+v = %v, want %v", c.header, c.states, got, c.want)
			}
			for res, n := range asked {
				if n > 1 {
					t.Errorf("state of %q asked %d times", res, n)
				}
			}
		})
	}
}
