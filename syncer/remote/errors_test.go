package remote

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"
)

func TestReasonOfMapsEveryKind(t *testing.T) {
	cases := []struct {
		err      error
		notFound Reason
		want     Reason
	}{
		{nil, ReasonTargetDeleted, ReasonNone},
		{context.Canceled, ReasonTargetDeleted, ReasonNone},
		{&Error{Kind: ErrNotFound, Status: 404}, ReasonTargetDeleted, ReasonTargetDeleted},
		{&Error{Kind: ErrNotFound, Status: 404}, ReasonMissingDestination, ReasonMissingDestination},
		{&Error{Kind: ErrNameClash, Status: 409}, "", ReasonNameClash},
		{fmt.Errorf("upload x: %w", &Error{Kind: ErrQuota, Status: 507}), "", ReasonQuotaExceeded},
		{&Error{Kind: ErrTooLarge, Status: 413}, "", ReasonTooLarge},
		{&Error{Kind: ErrAuth, Status: 401}, "", ReasonAuthFailed},
		{&Error{Kind: ErrPermission, Status: 403}, "", ReasonPermissionDenied},
		{&Error{Kind: ErrLocked, Status: 423}, "", ReasonLocked},
		{&Error{Kind: ErrInvalidName, Status: 422}, "", ReasonInvalidName},
		{ErrUnsupported, "", ReasonUnsupported},
		{&Error{Kind: ErrServer, Status: 503}, "", ReasonNetwork},
		{errors.New("connection reset"), "", ReasonNetwork},
	}
	for _, c := range cases {
		if got := ReasonOf(c.err, c.notFound); got != c.want {
			t.Errorf("ReasonOf(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestRetryableRefusesPermanentFailures(t *testing.T) {
	for _, err := range []error{ErrAuth, ErrInvalidName, ErrUnsupported, nil} {
		if Retryable(&Error{Kind: err}) && err != nil {
			t.Errorf("Retryable(%v) = true", err)
		}
	}
	for _, err := range []error{ErrNetwork, ErrServer, ErrQuota, ErrLocked} {
		if !Retryable(&Error{Kind: err}) {
			t.Errorf("Retryable(%v) = false", err)
		}
	}
}

func TestValidateRemoteNameRefusesTraversal(t *testing.T) {
	for _, bad := range []string{"", ".", "..", "a/b", "/abs", "a\\b", "nul\x00"} {
		if err := ValidateRemoteName(bad); !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateRemoteName(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
	for _, ok := range []string{"a", ".hidden", "report (1).docx", "ünïcode", "a..b"} {
		if err := ValidateRemoteName(ok); err != nil {
			t.Errorf("ValidateRemoteName(%q) = %v", ok, err)
		}
	}
}

func TestCleanCanonicalises(t *testing.T) {
	for in, want := range map[string]string{"": "", "/": "", "a/": "a", "/a//b/./c": "a/b/c", "a/../../b": "b"} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCleanOfACleanPathIsThePathItself: Clean returns a path already in the canonical form
// as it is, without allocating (a listing cleans every entry's path), and gives every
// other path the form path.Clean gives it.
func TestCleanOfACleanPathIsThePathItself(t *testing.T) {
	parts := []string{"", "/", "a", "b.txt", ".", "..", "...", " ", ".x", "é"}
	var walk func(prefix string, depth int)
	walk = func(p string, depth int) {
		want := strings.Trim(path.Clean("/"+p), "/")
		if want == "." {
			want = ""
		}
		if got := Clean(p); got != want {
			t.Errorf("Clean(%q) = %q, want %q", p, got, want)
		}
		if depth == 4 {
			return
		}
		for _, q := range parts {
			walk(p+q, depth+1)
		}
	}
	walk("", 0)
	p := "g000/d00000/f0000000.bin"
	if n := testing.AllocsPerRun(100, func() { _ = Clean(p) }); n != 0 {
		t.Errorf("Clean of a clean path allocated %v times", n)
	}
}

// Join gives Clean(path.Join(...)) for every pair of paths of up to three parts, clean or
// not, and joins two clean paths with one allocation.
func TestJoinIsTheCleanPathJoin(t *testing.T) {
	parts := []string{"", "/", "a", "b.txt", ".", "..", " ", "é"}
	var paths []string
	var walk func(p string, depth int)
	walk = func(p string, depth int) {
		paths = append(paths, p)
		if depth == 3 {
			return
		}
		for _, q := range parts {
			walk(p+q, depth+1)
		}
	}
	walk("", 0)
	for _, a := range paths {
		for _, b := range paths {
			want := Clean(path.Join(a, b))
			if got := Join(a, b); got != want {
				t.Fatalf("Join(%q, %q) = %q, want %q", a, b, got, want)
			}
			for _, have := range []string{"", want, a + "/" + b, a + b, b} {
				if got := JoinAs(have, a, b); got != want {
					t.Fatalf("JoinAs(%q, %q, %q) = %q, want %q", have, a, b, got, want)
				}
			}
		}
	}
	root, p := "Documents/Projects", "g000/d00000/f0000000.bin"
	if n := testing.AllocsPerRun(100, func() { _ = Join(root, p) }); n > 1 {
		t.Errorf("Join of two clean paths allocated %v times", n)
	}
	have := Join(root, p)
	if n := testing.AllocsPerRun(100, func() { _ = JoinAs(have, root, p) }); n != 0 {
		t.Errorf("JoinAs of two clean paths and their join allocated %v times", n)
	}
}
