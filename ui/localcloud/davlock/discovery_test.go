package davlock

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSupportedLockWriterReplacesAcrossWriteBoundaries: x/net/webdav's exclusive-only
// value is replaced wherever the response's writes split it, and nothing else changes.
func TestSupportedLockWriterReplacesAcrossWriteBoundaries(t *testing.T) {
	in := "<a>" + xnetSupportedLock + "</a><b>" + xnetSupportedLock[:20] + "</b>" + xnetSupportedLock + "<c/>"
	want := strings.ReplaceAll(in, xnetSupportedLock, supportedLock)
	for _, size := range []int{1, 2, 7, len(xnetSupportedLock) - 1, len(xnetSupportedLock), len(in)} {
		rec := httptest.NewRecorder()
		w := &supportedLockWriter{ResponseWriter: rec}
		for s := in; s != ""; {
			n := min(size, len(s))
			if k, err := w.Write([]byte(s[:n])); k != n || err != nil {
				t.Fatalf("Write: %d, %v", k, err)
			}
			s = s[n:]
		}
		w.flush()
		if got := rec.Body.String(); got != want {
			t.Fatalf("writes of %d bytes:\n got %s\nwant %s", size, got, want)
		}
	}
}
