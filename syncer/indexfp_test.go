package syncer

import "testing"

// TestFingerprintsAllocateNothing: every entry of a poll is fingerprinted (sameCloud), so
// a fingerprint makes no string (issue 11: the concatenation of id and version was one
// allocation per entry of every poll). One of an id too long for the stack is the hash
// of the same bytes.
func TestFingerprintsAllocateNothing(t *testing.T) {
	x := newSetIndex()
	id, v := "tree/g000/d00001/f0000123.bin", `"18ee78d8ac67fe80123"`
	if n := testing.AllocsPerRun(100, func() { _ = x.fp(id, v, false) }); n != 0 {
		t.Errorf("a fingerprint allocated %v times", n)
	}
	long := string(make([]byte, 300))
	if x.fp(long, v, false) != x.hash(long+"\x00"+v) || x.fp(id, v, false) != x.hash(id+"\x00"+v) || x.fp(id, v, true) != x.hash(id+"\x00/") {
		t.Error("a fingerprint is not the hash of id, NUL and version")
	}
}
