package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// Client calls the engine's API over its control socket. It is safe for concurrent use.
// Each method honours its ctx: cancelling it abandons the call on both sides, and the
// engine sees the caller's deadline too.
type Client struct {
	sock string
	hc   *http.Client
}

var _ API = (*Client)(nil)

// Dial connects to the engine listening on sockPath. It fails fast, with ErrNoEngine,
// when no engine answers there.
func Dial(sockPath string) (*Client, error) {
	if err := CheckSocketPath(sockPath); err != nil {
		return nil, err
	}
	c, err := net.DialTimeout("unix", sockPath, probeTimeout)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("cannot use the control socket %s: %w", sockPath, fs.ErrPermission)
		}
		return nil, ErrNoEngine
	}
	c.Close()
	return NewClient(sockPath), nil
}

// NewClient returns a client for the socket at sockPath without checking that an engine
// listens there (calls then fail with ErrNoEngine).
func NewClient(sockPath string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, "unix", sockPath)
			if err != nil {
				return nil, dialError{err}
			}
			return c, nil
		},
		MaxIdleConns:    4,
		IdleConnTimeout: 30 * time.Second,
	}
	return &Client{sock: sockPath, hc: &http.Client{Transport: tr}}
}

// Close releases the client's idle connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

type dialError struct{ err error }

func (e dialError) Error() string { return e.err.Error() }
func (e dialError) Unwrap() error { return e.err }

// call runs one API method: in is marshalled as the arguments, the answer is decoded into
// out (when not nil).
func (c *Client) call(ctx context.Context, method string, in, out any) error {
	if in == nil {
		in = none{}
	}
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("control: encoding the %s arguments: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://cloudsync"+apiPrefix+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if dl, ok := ctx.Deadline(); ok {
		// Give the engine less time than we wait, so that its answer (an empty long-poll,
		// a timeout error) arrives before we give up, also on a loaded machine where the
		// answer may take a few hundred milliseconds to be scheduled and read.
		left := time.Until(dl)
		left -= min(left/4, 500*time.Millisecond)
		if left <= 0 {
			return context.DeadlineExceeded
		}
		req.Header.Set(timeoutHeader, left.String())
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		var de dialError
		if errors.As(err, &de) {
			if errors.Is(de.err, fs.ErrPermission) {
				return fmt.Errorf("cannot use the control socket %s: %w", c.sock, fs.ErrPermission)
			}
			return ErrNoEngine
		}
		return fmt.Errorf("the cloudsync engine did not answer: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if out == nil {
			return nil
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			return fmt.Errorf("control: reading the %s answer: %w", method, err)
		}
		return nil
	}
	var eb errorBody
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if json.Unmarshal(b, &eb) != nil || eb.Error == "" {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("control: %s: unexpected answer (HTTP %d) from %s", method, resp.StatusCode, c.sock)
	}
	if resp.StatusCode != http.StatusInternalServerError {
		return errors.New(eb.Error)
	}
	return &Error{Message: eb.Error, Kind: eb.Kind}
}

// AddAccount checks and stores an account; r.Password crosses only the user-only socket.
func (c *Client) AddAccount(ctx context.Context, r syncer.AddAccountRequest) (model.Account, error) {
	var a model.Account
	err := c.call(ctx, mAddAccount, r, &a)
	return a, err
}

func (c *Client) ListAccounts(ctx context.Context) ([]model.Account, error) {
	var as []model.Account
	err := c.call(ctx, mListAccounts, nil, &as)
	return as, err
}

func (c *Client) RemoveAccount(ctx context.Context, name string) error {
	return c.call(ctx, mRemoveAccount, nameArgs{Name: name}, nil)
}

// SignIn sends a new password for account; it crosses only the user-only socket.
func (c *Client) SignIn(ctx context.Context, account, password string) error {
	return c.call(ctx, mSignIn, signInArgs{Account: account, Password: password}, nil)
}

func (c *Client) CreateSet(ctx context.Context, r syncer.CreateSetRequest) (model.Set, error) {
	var s model.Set
	err := c.call(ctx, mCreateSet, r, &s)
	return s, err
}

func (c *Client) ListSets(ctx context.Context) ([]syncer.SetInfo, error) {
	var ss []syncer.SetInfo
	err := c.call(ctx, mListSets, nil, &ss)
	return ss, err
}

func (c *Client) ListItems(ctx context.Context, errorsOnly bool) ([]syncer.ItemInfo, error) {
	var is []syncer.ItemInfo
	err := c.call(ctx, mListItems, listItemsArgs{ErrorsOnly: errorsOnly}, &is)
	return is, err
}

func (c *Client) Info(ctx context.Context, path string) (syncer.ItemInfo, error) {
	var i syncer.ItemInfo
	err := c.call(ctx, mInfo, pathArgs{Path: path}, &i)
	return i, err
}

func (c *Client) RequestSync(ctx context.Context, path string) error {
	return c.call(ctx, mRequestSync, pathArgs{Path: path}, nil)
}

func (c *Client) Unsync(ctx context.Context, path string, removeFromCloud bool) error {
	return c.call(ctx, mUnsync, unsyncArgs{Path: path, RemoveFromCloud: removeFromCloud}, nil)
}

func (c *Client) ViewURL(ctx context.Context, path string) (string, error) {
	var u urlResult
	err := c.call(ctx, mViewURL, pathArgs{Path: path}, &u)
	return u.URL, err
}

func (c *Client) Pause(ctx context.Context, set string) error {
	return c.call(ctx, mPause, setArgs{Set: set}, nil)
}

func (c *Client) Resume(ctx context.Context, set string) error {
	return c.call(ctx, mResume, setArgs{Set: set}, nil)
}

func (c *Client) Status(ctx context.Context) (syncer.Status, error) {
	var s syncer.Status
	err := c.call(ctx, mStatus, nil, &s)
	return s, err
}

// Wait blocks until the engine has no pending work, or ctx ends (then it returns ctx's
// error and the engine stops waiting too).
func (c *Client) Wait(ctx context.Context) error {
	err := c.call(ctx, mWait, nil, nil)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (c *Client) Browse(ctx context.Context, account, folder string) ([]syncer.BrowseEntry, error) {
	var es []syncer.BrowseEntry
	err := c.call(ctx, mBrowse, folderArgs{Account: account, Folder: folder}, &es)
	return es, err
}

func (c *Client) MakeFolder(ctx context.Context, account, folder string) error {
	return c.call(ctx, mMakeFolder, folderArgs{Account: account, Folder: folder}, nil)
}

func (c *Client) GetSettings(ctx context.Context) (syncer.Settings, error) {
	var s syncer.Settings
	err := c.call(ctx, mGetSettings, nil, &s)
	return s, err
}

func (c *Client) PutSettings(ctx context.Context, s syncer.Settings) error {
	return c.call(ctx, mPutSettings, s, nil)
}

// Events long-polls the engine's events after seq. When ctx's deadline passes with no
// event, it returns no events, the last seq known (after, if the engine did not answer
// in time) and no error, like the engine does.
func (c *Client) Events(ctx context.Context, after int64) ([]syncer.Event, int64, error) {
	var r eventsResult
	err := c.call(ctx, mEvents, eventsArgs{After: after}, &r)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && !errors.Is(ctx.Err(), context.Canceled) {
			return nil, after, nil
		}
		return nil, after, err
	}
	return r.Events, r.Last, nil
}

func (c *Client) ShowWindow(ctx context.Context, name string) error {
	return c.call(ctx, mShowWindow, nameArgs{Name: name}, nil)
}

// SocketPath is the socket the client talks to.
func (c *Client) SocketPath() string { return c.sock }
