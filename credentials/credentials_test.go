package credentials

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

type secrets interface {
	Set(account, secret string) error
	Get(account string) (string, error)
	Delete(account string) error
}

// checkRoundTrip is the contract both Keyring and Memory keep.
func checkRoundTrip(t *testing.T, s secrets, account string) {
	t.Helper()
	if _, err := s.Get(account); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: %v, want ErrNotFound", err)
	}
	const canary = "canary-7f3a-secret"
	if err := s.Set(account, canary); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(account); err != nil || got != canary {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := s.Set(account, canary+"-2"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(account); got != canary+"-2" {
		t.Fatalf("overwrite: Get = %q", got)
	}
	if err := s.Delete(account); err != nil {
		t.Fatal(err)
	}
	_, err := s.Get(account)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}
	if strings.Contains(err.Error(), canary) {
		t.Fatal("error message contains the secret")
	}
	if err := s.Delete(account); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: %v, want ErrNotFound", err)
	}
}

func TestMemoryRoundTrip(t *testing.T) {
	checkRoundTrip(t, NewMemory(), "acct")
}

func TestMemoryAccountsAreSeparate(t *testing.T) {
	m := NewMemory()
	m.Set("a", "1")
	m.Set("b", "2")
	if got, _ := m.Get("a"); got != "1" {
		t.Fatalf("a = %q", got)
	}
	m.Delete("a")
	if got, _ := m.Get("b"); got != "2" {
		t.Fatalf("b = %q after deleting a", got)
	}
}

// TestKeyringRoundTrip uses the real Secret Service (gnome-keyring in a private D-Bus
// session); scripts/keyring-test.sh runs it with CLOUDSYNC_KEYRING=1.
func TestKeyringRoundTrip(t *testing.T) {
	if os.Getenv("CLOUDSYNC_KEYRING") != "1" {
		t.Skip("needs a real Secret Service; run scripts/keyring-test.sh (make test does)")
	}
	checkRoundTrip(t, NewKeyring(), fmt.Sprintf("test-%d", time.Now().UnixNano()))
}

// TestProbeWithoutSecretServiceFails: with no Secret Service on the bus the probe must say
// so, so that the daemon keeps passwords in memory instead of failing to store them.
func TestProbeWithoutSecretServiceFails(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	if err := Probe(NewKeyring()); err == nil {
		t.Fatal("Probe succeeded without a session bus")
	}
}

// TestKeyringProbe runs in the real keyring session (scripts/keyring-test.sh).
func TestKeyringProbe(t *testing.T) {
	if os.Getenv("CLOUDSYNC_KEYRING") != "1" {
		t.Skip("needs a real Secret Service: run scripts/keyring-test.sh (make test does)")
	}
	if err := Probe(NewKeyring()); err != nil {
		t.Fatalf("Probe against the running gnome-keyring: %v", err)
	}
}
