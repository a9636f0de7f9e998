package syncer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

var accountName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// checkTimeout bounds a login check.
const checkTimeout = 30 * time.Second

// AddAccount checks the login and, unless r.Test, stores the account (public data in the
// store, the password only through Secrets). A wrong password stores nothing.
func (e *Engine) AddAccount(ctx context.Context, r AddAccountRequest) (model.Account, error) {
	a := model.Account{Name: r.Name, Type: r.Type, URL: strings.TrimRight(r.URL, "/"), User: r.User, WebUI: r.WebUI}
	switch {
	case !accountName.MatchString(a.Name):
		return a, fmt.Errorf("invalid account name %q: use letters, digits, '.', '_', '-', '@' (up to 64)", a.Name)
	case e.cfg.Remotes != nil && e.cfg.Remotes.Check(a.Type) != nil:
		return a, e.cfg.Remotes.Check(a.Type)
	case a.User == "":
		return a, errors.New("a user name is required")
	case r.Password == "":
		return a, errors.New("a password is required")
	}
	u, err := url.Parse(a.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return a, fmt.Errorf("invalid URL %q: it must start with https:// (or http://)", r.URL)
	}
	rem, err := e.cfg.Dial(a, r.Password)
	if err != nil {
		return a, err
	}
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	if err := checkRemote(cctx, rem); err != nil {
		if errors.Is(err, remote.ErrAuth) {
			return a, fmt.Errorf("sign-in refused by %s for user %q: wrong user name or password (nothing was stored)", a.URL, a.User)
		}
		return a, fmt.Errorf("could not connect to %s: %v (nothing was stored)", a.URL, err)
	}
	a.Capabilities = e.probe(cctx, a, rem)
	if r.Test {
		return a, nil
	}
	if err := e.cfg.Secrets.Set(a.Name, r.Password); err != nil {
		return a, fmt.Errorf("storing the password in the keyring failed (nothing was stored): %w", err)
	}
	if err := e.cfg.Store.PutAccount(a); err != nil {
		_ = e.cfg.Secrets.Delete(a.Name)
		return a, err
	}
	e.forgetRemote(a.Name)
	e.kickAll()
	return a, nil
}

// SignIn checks password for an existing account and, when the cloud accepts it, keeps it
// (in the keyring, like AddAccount) and resumes the account's syncing, which a refused
// sign-in paused (SPEC §4 auth_failed, §6 "Sign in asks for the password only"). A refused
// password changes nothing and returns an error wrapping remote.ErrAuth.
func (e *Engine) SignIn(ctx context.Context, account, password string) error {
	a, err := e.cfg.Store.GetAccount(account)
	if err != nil {
		return fmt.Errorf("no account named %q", account)
	}
	if password == "" {
		return errors.New("a password is required")
	}
	rem, err := e.cfg.Dial(a, password)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	if err := checkRemote(cctx, rem); err != nil {
		if errors.Is(err, remote.ErrAuth) {
			return fmt.Errorf("sign-in refused by %s for user %q: wrong password (nothing was changed): %w", a.URL, a.User, remote.ErrAuth)
		}
		return fmt.Errorf("could not connect to %s: %w (nothing was changed)", a.URL, err)
	}
	if err := e.cfg.Secrets.Set(a.Name, password); err != nil {
		return fmt.Errorf("storing the password in the keyring failed: %w", err)
	}
	if err := e.signedIn(a.Name); err != nil {
		return err
	}
	e.kickAll()
	e.changed()
	return nil
}

// signedIn counts a sign-in to account (its new password is in the keyring), forgets the
// remote made with the old one, and resumes the account: under authMu, so that a refusal
// of the old password that comes later pauses nothing and one that came earlier is undone
// (authFailed).
func (e *Engine) signedIn(account string) error {
	e.authMu.Lock()
	defer e.authMu.Unlock()
	e.signIns[account]++
	e.forgetRemote(account)
	a, err := e.cfg.Store.GetAccount(account)
	if err != nil || !a.Paused {
		return err
	}
	a.Paused = false
	return e.cfg.Store.PutAccount(a)
}

// probe asks a remote that has a probe what its server offers (once, when the account is
// added); nil when it has none or the probe failed (logged: the account works without).
func (e *Engine) probe(ctx context.Context, a model.Account, rem remote.Remote) *remote.Capabilities {
	p, ok := remote.As[remote.Prober](rem)
	if !ok {
		return nil
	}
	caps, err := p.Probe(ctx)
	if err != nil {
		e.cfg.Log.Warn("probing the server failed; its abilities stay unknown", "account", a.Name, "err", err)
		return nil
	}
	e.cfg.Log.Info("probed the server", "account", a.Name, "server", caps.Server, "file_ids", caps.FileIDs,
		"etags", caps.ETags, "folder_etags", caps.FolderETags, "checksums", caps.Checksums,
		"hides_dot_files", caps.HidesDotFiles, "dead_properties", caps.DeadProperties)
	// What the server lacks is said once, here, where it is found (SERVERS.md).
	if !caps.ETags {
		e.cfg.Log.Warn("the server gives files no version tags (ETags): a cloud edit that keeps a file's size "+
			"within the same second as the one before it is not seen", "account", a.Name, "server", caps.Server)
	}
	if caps.HidesDotFiles {
		e.cfg.Log.Warn("the server leaves names starting with a dot out of its folder listings: "+
			"such files are not synced there (unsupported)", "account", a.Name, "server", caps.Server)
	}
	return &caps
}

func checkRemote(ctx context.Context, rem remote.Remote) error {
	if c, ok := remote.As[remote.Checker](rem); ok {
		return c.Check(ctx)
	}
	_, err := rem.ReadDir(ctx, "")
	return err
}

// ListAccounts returns the accounts (public data only).
func (e *Engine) ListAccounts(ctx context.Context) ([]model.Account, error) {
	as, err := e.cfg.Store.ListAccounts()
	sort.Slice(as, func(i, j int) bool { return as[i].Name < as[j].Name })
	return as, err
}

// RemoveAccount deletes an account and its keyring secret. Sets using it must be unsynced
// first, so no pairing silently loses its remote.
func (e *Engine) RemoveAccount(ctx context.Context, name string) error {
	if _, err := e.cfg.Store.GetAccount(name); err != nil {
		return fmt.Errorf("no account named %q", name)
	}
	sets, err := e.cfg.Store.ListSets()
	if err != nil {
		return err
	}
	for _, s := range sets {
		if s.Account == name {
			return fmt.Errorf("account %q is used by the sync set of %s: unsync it first", name, s.LocalRoot)
		}
	}
	if err := e.cfg.Store.DeleteAccount(name); err != nil {
		return err
	}
	e.forgetRemote(name)
	if err := e.cfg.Secrets.Delete(name); err != nil {
		e.cfg.Log.Warn("removing the keyring secret failed", "account", name, "err", err)
	}
	return nil
}
