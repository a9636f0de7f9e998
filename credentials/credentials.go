// Package credentials owns account secrets: the OS keyring (the Secret Service on Linux,
// through go-keyring) behind a three-method interface, and an in-memory double for tests.
// Secrets live only there: never on disk, in logs or on a command line. Error messages
// name the account, never the secret.
//
// It may import nothing of this module.
package credentials

import (
	"errors"
	"fmt"
	"sync"

	"github.com/zalando/go-keyring"
)

// Service is the keyring service name under which cloudsync stores account secrets.
const Service = "cloudsync"

// ErrNotFound is wrapped by Get and Delete when the account has no secret.
var ErrNotFound = errors.New("no password stored")

// Keyring keeps secrets in the OS keyring under Service and the account name.
type Keyring struct{ Service string }

// NewKeyring returns the keyring for service "cloudsync".
func NewKeyring() *Keyring { return &Keyring{Service: Service} }

// Set stores (or replaces) the secret of account.
func (k *Keyring) Set(account, secret string) error {
	return k.wrap("storing", account, keyring.Set(k.Service, account, secret))
}

// Get returns the secret of account; ErrNotFound (wrapped) when there is none.
func (k *Keyring) Get(account string) (string, error) {
	s, err := keyring.Get(k.Service, account)
	return s, k.wrap("reading", account, err)
}

// Delete removes the secret of account; ErrNotFound (wrapped) when there is none.
func (k *Keyring) Delete(account string) error {
	return k.wrap("removing", account, keyring.Delete(k.Service, account))
}

func (k *Keyring) wrap(what, account string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("account %q: %w in the OS keyring", account, ErrNotFound)
	}
	return fmt.Errorf("%s the password of account %q: no usable OS keyring (Secret Service): %w", what, account, err)
}

// probeAccount is looked up by Probe; it is never stored.
const probeAccount = "cloudsync-keyring-probe"

// Probe checks that the keyring answers: a lookup of an account that does not exist must
// come back "not found". Any other answer (no Secret Service on the session bus, no bus at
// all) means secrets cannot be kept there.
func Probe(k *Keyring) error {
	_, err := k.Get(probeAccount)
	if err == nil || errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Memory is an in-memory double of Keyring, safe for concurrent use.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemory returns an empty in-memory keyring.
func NewMemory() *Memory { return &Memory{m: map[string]string{}} }

// Set stores (or replaces) the secret of account.
func (m *Memory) Set(account, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[account] = secret
	return nil
}

// Get returns the secret of account; ErrNotFound (wrapped) when there is none.
func (m *Memory) Get(account string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[account]
	if !ok {
		return "", fmt.Errorf("account %q: %w", account, ErrNotFound)
	}
	return s, nil
}

// Delete removes the secret of account; ErrNotFound (wrapped) when there is none.
func (m *Memory) Delete(account string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[account]; !ok {
		return fmt.Errorf("account %q: %w", account, ErrNotFound)
	}
	delete(m.m, account)
	return nil
}
