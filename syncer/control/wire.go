package control

import (
	"context"
	"errors"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// The wire format: every API method is POST /v1/<method> with a JSON body holding the
// arguments (one of the *Args types below, or the request type itself) and a JSON answer
// holding the result. A failed call answers HTTP 500 with an errorBody. A call's
// remaining time travels in the timeoutHeader so the engine stops waiting when the
// caller would (a long-poll then ends with its normal empty answer rather than an error).

const (
	apiPrefix     = "/v1/"
	timeoutHeader = "X-Cloudsync-Timeout" // remaining time of the caller's ctx, a Go duration
	maxBody       = 4 << 20               // requests are small; this bounds a bad client
)

// Method names on the wire.
const (
	mAddAccount    = "add_account"
	mListAccounts  = "list_accounts"
	mRemoveAccount = "remove_account"
	mSignIn        = "sign_in"
	mCreateSet     = "create_set"
	mListSets      = "list_sets"
	mListItems     = "list_items"
	mInfo          = "info"
	mRequestSync   = "request_sync"
	mUnsync        = "unsync"
	mViewURL       = "view_url"
	mPause         = "pause"
	mResume        = "resume"
	mStatus        = "status"
	mWait          = "wait"
	mBrowse        = "browse"
	mMakeFolder    = "make_folder"
	mGetSettings   = "get_settings"
	mPutSettings   = "put_settings"
	mEvents        = "events"
	mShowWindow    = "show_window"
)

type none struct{}

type nameArgs struct {
	Name string `json:"name"`
}

// signInArgs carries a password: like AddAccountRequest, only over the user-only socket.
type signInArgs struct {
	Account  string `json:"account"`
	Password string `json:"password"`
}

type pathArgs struct {
	Path string `json:"path"`
}

type listItemsArgs struct {
	ErrorsOnly bool `json:"errors_only"`
}

type unsyncArgs struct {
	Path            string `json:"path"`
	RemoveFromCloud bool   `json:"remove_from_cloud"`
}

type setArgs struct {
	Set string `json:"set"`
}

type folderArgs struct {
	Account string `json:"account"`
	Folder  string `json:"folder"`
}

type urlResult struct {
	URL string `json:"url"`
}

type eventsArgs struct {
	After int64 `json:"after"`
}

type eventsResult struct {
	Events []syncer.Event `json:"events"`
	Last   int64          `json:"last"`
}

// errorBody is the answer of a failed call: the error's message, unchanged, and its kind
// when it wraps one the client can reproduce (see Error).
type errorBody struct {
	Error string `json:"error"`
	Kind  string `json:"kind,omitempty"`
}

// kinds are the error kinds that survive the socket: a client-side *Error of that kind
// matches the sentinel with errors.Is, so callers classify engine errors as if local.
var kinds = []struct {
	name string
	err  error
}{
	{"not_found", remote.ErrNotFound},
	{"name_clash", remote.ErrNameClash},
	{"invalid_name", remote.ErrInvalidName},
	{"permission_denied", remote.ErrPermission},
	{"quota_exceeded", remote.ErrQuota},
	{"too_large", remote.ErrTooLarge},
	{"auth_failed", remote.ErrAuth},
	{"locked", remote.ErrLocked},
	{"unsupported", remote.ErrUnsupported},
	{"network", remote.ErrNetwork},
	{"server", remote.ErrServer},
	{"canceled", context.Canceled},
	{"deadline", context.DeadlineExceeded},
}

func kindOf(err error) string {
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return ""
}

// Error is an error returned by the engine, as the client sees it: Error() is the engine's
// message unchanged; Kind names the error kind it wrapped ("auth_failed", "not_found", …,
// or "" for none), and errors.Is(err, remote.ErrAuth) etc. hold as they did in the engine.
type Error struct {
	Message string
	Kind    string
}

func (e *Error) Error() string { return e.Message }

// Is reports whether the engine-side error wrapped target (one of the kinds above).
func (e *Error) Is(target error) bool {
	for _, k := range kinds {
		if k.name == e.Kind && k.err == target {
			return true
		}
	}
	return false
}
