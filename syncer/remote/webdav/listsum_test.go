package webdav

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// apacheAnswer is an answer of Apache 2.4's mod_dav_fs to a listing's PROPFIND (Depth 1,
// the DAV and Dublin Core properties): a folder, a folder in it, and a file in it with a
// title; Apache writes each D:response's declarations in an order that varies.
const apacheAnswer = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns1="http://purl.org/dc/elements/1.1/" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/" xmlns:g0="DAV:" xmlns:g1="http://purl.org/dc/elements/1.1/">
<D:href>/dav/t/</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
<lp1:getlastmodified>Sun, 06 Dec 2026 11:03:54 GMT</lp1:getlastmodified>
<lp1:getetag>W/"1000-661f510ad4dbf"</lp1:getetag>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
<D:propstat>
<D:prop>
<g0:getcontentlength/>
<g1:title/>
<g1:description/>
<g1:creator/>
</D:prop>
<D:status>HTTP/1.1 404 Not Found</D:status>
</D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/" xmlns:g1="http://purl.org/dc/elements/1.1/" xmlns:g0="DAV:">
<D:href>/dav/t/b/</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
<lp1:getlastmodified>Sun, 06 Dec 2026 11:03:54 GMT</lp1:getlastmodified>
<lp1:getetag>W/"1000-661f510ad4dbf"</lp1:getetag>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
<D:propstat>
<D:prop>
<g0:getcontentlength/>
<g1:title/>
<g1:description/>
<g1:creator/>
</D:prop>
<D:status>HTTP/1.1 404 Not Found</D:status>
</D:propstat>
</D:response>
<D:response xmlns:ns1="http://purl.org/dc/elements/1.1/" xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/" xmlns:g0="http://purl.org/dc/elements/1.1/">
<D:href>/dav/t/1.txt</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype/>
<lp1:getcontentlength>7</lp1:getcontentlength>
<lp1:getlastmodified>Sun, 06 Dec 2026 11:03:54 GMT</lp1:getlastmodified>
<lp1:getetag>"7-661f510ad3ae0"</lp1:getetag>
<ns1:title>A title</ns1:title>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
<D:propstat>
<D:prop>
<g0:description/>
<g0:creator/>
</D:prop>
<D:status>HTTP/1.1 404 Not Found</D:status>
</D:propstat>
</D:response>
</D:multistatus>
`

var declRun = regexp.MustCompile(`( xmlns(:[a-z0-9]+)?="[^"]*")+`)

// shuffleDecls writes each start tag's run of namespace declarations in a random order.
func shuffleDecls(s string, rng *rand.Rand) string {
	return declRun.ReplaceAllStringFunc(s, func(run string) string {
		decls := strings.SplitAfter(run[1:], `" `)
		rng.Shuffle(len(decls), func(i, j int) { decls[i], decls[j] = decls[j], decls[i] })
		for i, d := range decls {
			decls[i] = strings.TrimSuffix(d, " ")
		}
		return " " + strings.Join(decls, " ")
	})
}

// decoded is what decodeListing makes of an answer, or its error.
func decoded(t *testing.T, s string) any {
	t.Helper()
	lb := new(listingBuf)
	lb.body.WriteString(s)
	ms, err := decodeListing("PROPFIND", "t", lb)
	if err != nil {
		return err.Error()
	}
	return *ms
}

// TestAnswerSumIgnoresTheOrderOfDeclarations: every order of the declarations of each tag
// of Apache's answer has one digest (and, checked too, decodes to the same); the answer
// as it comes is not hashed as its bytes are.
func TestAnswerSumIgnoresTheOrderOfDeclarations(t *testing.T) {
	want, dec := sumOf(apacheAnswer), decoded(t, apacheAnswer)
	if _, ok := dec.(multistatus); !ok {
		t.Fatalf("the answer does not decode: %v", dec)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	forms := map[string]bool{}
	for range 200 {
		s := shuffleDecls(apacheAnswer, rng)
		forms[s] = true
		if sumOf(s) != want {
			t.Fatalf("another order of the declarations has another digest:\n%s", s)
		}
		if !reflect.DeepEqual(decoded(t, s), dec) {
			t.Fatalf("another order of the declarations decodes otherwise:\n%s", s)
		}
	}
	if len(forms) < 50 {
		t.Errorf("only %d forms tried", len(forms))
	}
	if raw := sha256Of(apacheAnswer); raw == want {
		t.Error("the answer's digest is that of its bytes: no declaration was put in order")
	}
}

// TestAnswerSumSeesEveryChangedByte: any one byte of the answer changed, removed or
// inserted, in any of its forms, gives another digest. (The text hashed has the answer's
// bytes, in another order within tags; one byte more, less or other is another text.)
func TestAnswerSumSeesEveryChangedByte(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for f := range 3 {
		s := apacheAnswer
		if f > 0 {
			s = shuffleDecls(s, rng)
		}
		want := sumOf(s)
		b := []byte(s)
		for i := range b {
			for _, c := range []byte{'a', '1', ' ', '"', '<'} {
				if b[i] == c {
					continue
				}
				changed := bytes.Clone(b)
				changed[i] = c
				if sumOf(string(changed)) == want {
					t.Fatalf("form %d: byte %d (%q) set to %q: same digest", f, i, b[i], c)
				}
			}
			if sumOf(string(append(bytes.Clone(b[:i]), b[i+1:]...))) == want {
				t.Fatalf("form %d: byte %d (%q) removed: same digest", f, i, b[i])
			}
			if sumOf(string(append(append(bytes.Clone(b[:i]), 'x'), b[i:]...))) == want {
				t.Fatalf("form %d: 'x' inserted at %d: same digest", f, i)
			}
		}
	}
}

// TestAnswerSumKeepsTheOrderWhereItMatters: where the order of attributes could change
// what an answer says, or "<" may not start a tag, two orders have two digests.
func TestAnswerSumKeepsTheOrderWhereItMatters(t *testing.T) {
	answer := func(decls, extra string) string {
		return `<?xml version="1.0"?>` + extra + `<D:multistatus xmlns:D="DAV:"><D:response` + decls +
			`><D:href>/dav/t/</D:href><D:propstat><D:prop><a:resourcetype><D:collection/></a:resourcetype></D:prop>` +
			`<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`
	}
	for _, c := range []struct{ name, one, other, extra string }{
		{"a prefix declared twice (the last one wins)", ` xmlns:a="DAV:" xmlns:a="urn:x"`, ` xmlns:a="urn:x" xmlns:a="DAV:"`, ""},
		{"an attribute besides the declarations", ` xmlns:b="urn:x" xmlns:a="DAV:" b:x="1"`, ` xmlns:a="DAV:" xmlns:b="urn:x" b:x="1"`, ""},
		{"values in single quotes", ` xmlns:b='urn:x' xmlns:a='DAV:'`, ` xmlns:a='DAV:' xmlns:b='urn:x'`, ""},
		{"two spaces", ` xmlns:b="urn:x"  xmlns:a="DAV:"`, ` xmlns:a="DAV:"  xmlns:b="urn:x"`, ""},
		{"a comment in the answer", ` xmlns:b="urn:x" xmlns:a="DAV:"`, ` xmlns:a="DAV:" xmlns:b="urn:x"`, "<!-- x -->"},
		{"a processing instruction", ` xmlns:b="urn:x" xmlns:a="DAV:"`, ` xmlns:a="DAV:" xmlns:b="urn:x"`, "<?pi x?>"},
	} {
		one, other := answer(c.one, c.extra), answer(c.other, c.extra)
		if sumOf(one) == sumOf(other) {
			t.Errorf("%s: both orders have one digest", c.name)
		}
	}
	// The same text inside a comment is not a tag: its declarations keep their order.
	inComment := func(decls string) string {
		return answer(` xmlns:a="DAV:"`, `<!-- <x`+decls+`> -->`)
	}
	if sumOf((inComment(` xmlns:b="urn:x" xmlns:a="DAV:"`))) == sumOf((inComment(` xmlns:a="DAV:" xmlns:b="urn:x"`))) {
		t.Error("two orders of declarations inside a comment have one digest")
	}
	// The second order of a well-formed tag does get the first's digest.
	if one, other := answer(` xmlns:b="urn:x" xmlns:a="DAV:"`, ""), answer(` xmlns:a="DAV:" xmlns:b="urn:x"`, ""); sumOf(one) != sumOf(other) {
		t.Error("two orders of distinct declarations have two digests")
	}
}

func sha256Of(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// sumOf is answerSum of s.
func sumOf(s string) [32]byte { return answerSum([]byte(s), sha256Of(s)) }

// TestAnswerSumIsExact: answers with one digest decode alike. Each of 4,000 random
// mutants of Apache's answer (bytes that matter to XML set, removed or inserted: broken
// tags, quotes, "<" in values, comments, prefixes declared twice) is compared with itself
// with its declarations shuffled wherever they look like declarations; where the two get
// one digest, both must decode to the same or both fail.
func TestAnswerSumIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const chars = `<>"'=/ :!?-&x` + "\n"
	same := 0
	for n := range 4000 {
		b := []byte(apacheAnswer)
		for range 1 + n%3 {
			i, c := rng.IntN(len(b)), chars[rng.IntN(len(chars))]
			switch rng.IntN(3) {
			case 0:
				b[i] = c
			case 1:
				b = append(b[:i], b[i+1:]...)
			default:
				b = append(b[:i], append([]byte{c}, b[i:]...)...)
			}
		}
		one, other := string(b), shuffleDecls(string(b), rng)
		if sumOf(one) != sumOf(other) {
			continue
		}
		same++
		d1, d2 := decoded(t, one), decoded(t, other)
		_, fail1 := d1.(string)
		_, fail2 := d2.(string)
		if fail1 != fail2 || !fail1 && !reflect.DeepEqual(d1, d2) {
			t.Fatalf("one digest, decoded otherwise:\n%s\n%v\n----\n%s\n%v", one, d1, other, d2)
		}
	}
	if same < 1000 {
		t.Errorf("only %d of the mutants had the digest of their shuffled form", same)
	}
	t.Logf("%d of 4000 mutants had the digest of their shuffled form", same)
}

// BenchmarkAnswerSum hashes an answer of Apache's with 100 files (about 60 KB, like each
// folder of the trees) as answerSum does, and as its bytes (raw).
func BenchmarkAnswerSum(b *testing.B) {
	head, rest, _ := strings.Cut(apacheAnswer, `<D:response xmlns:ns1=`)
	file := `<D:response xmlns:ns1=` + strings.TrimSuffix(rest, "</D:multistatus>\n")
	body := []byte(head + strings.Repeat(file, 100) + "</D:multistatus>\n")
	b.Run("answerSum", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			answerSum(body, [32]byte{})
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			sha256.Sum256(body)
		}
	})
}
