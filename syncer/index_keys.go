package syncer

import (
	"strconv"
	"strings"
)

// keyRef is an item key as the set's index keeps it: a number instead of a string, so
// that a million items' keys cost 8 bytes each instead of a string header in two maps and
// the string itself (issue 11). The engine's keys are a prefix (one per pass that created
// items, see pass.newKey) and a sequence number: "000000000042.000123" is prefix
// "000000000042" and 123. The prefix is kept once in the keyTable and the ref is its
// number and the sequence; any other key is kept whole as a prefix of its own (sequence
// noSeq). A ref gives back exactly its key: the table never confuses two keys.
type keyRef uint64

// noSeq is the sequence of a ref whose key is its prefix alone.
const noSeq = 1<<32 - 1

// keyTable holds the key prefixes of one index. Prefixes are never removed: there is one
// per pass that created items (and one per key of another form), and the index is built
// anew by every full pass.
type keyTable struct {
	prefixes []string
	ids      map[string]uint32
}

func newKeyTable() keyTable { return keyTable{ids: map[string]uint32{}} }

// ref returns key's ref; ok false when its prefix is not in the table and add is not set
// (then no item of the index has that key).
func (t *keyTable) ref(key string, add bool) (keyRef, bool) {
	prefix, seq := splitKey(key)
	id, ok := t.ids[prefix]
	if !ok {
		if !add {
			return 0, false
		}
		prefix = strings.Clone(prefix) // not the item's string, which may hold more
		id = uint32(len(t.prefixes))
		t.prefixes = append(t.prefixes, prefix)
		t.ids[prefix] = id
	}
	return keyRef(uint64(id)<<32 | uint64(seq)), true
}

// lookup is ref without adding: the ref of a key the table may know.
func (t *keyTable) lookup(key string) (keyRef, bool) { return t.ref(key, false) }

// key returns the key of ref r.
func (t *keyTable) key(r keyRef) string {
	prefix, seq := t.prefixes[r>>32], uint32(r)
	if seq == noSeq {
		return prefix
	}
	n := strconv.FormatUint(uint64(seq), 10)
	if len(n) < 6 {
		n = strings.Repeat("0", 6-len(n)) + n
	}
	return prefix + "." + n
}

// splitKey splits key into a prefix and a sequence number when it reads back exactly as
// prefix + "." + the number in at least 6 digits (pass.newKey's "%s.%06d"); otherwise the
// prefix is the whole key and the sequence noSeq.
func splitKey(key string) (string, uint32) {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return key, noSeq
	}
	digits := key[i+1:]
	if len(digits) < 6 || len(digits) > 9 || len(digits) > 6 && digits[0] == '0' {
		return key, noSeq
	}
	n := uint32(0)
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return key, noSeq
		}
		n = n*10 + uint32(c-'0')
	}
	return key[:i], n
}
