package control

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
)

// shutdownGrace bounds how long Serve waits for calls in flight once ctx ended. Their
// contexts are cancelled at once, so only a call ignoring its ctx takes that long.
const shutdownGrace = 3 * time.Second

// Serve answers the control API on ln until ctx ends, then cancels the calls in flight,
// closes ln (a Unix listener from Listen also removes its socket file) and returns nil.
// It returns an error only when serving failed for another reason.
//
// Request bodies are never logged: AddAccount carries a password.
func Serve(ctx context.Context, ln net.Listener, api API) error {
	baseCtx, cancelCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelCalls()
	srv := &http.Server{
		Handler:           newHandler(api),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	cancelCalls()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	<-done
	return nil
}

// newHandler maps each method of api to POST /v1/<method>.
func newHandler(api API) http.Handler {
	mux := http.NewServeMux()
	route := func(name string, h func(ctx context.Context, body []byte) (any, error)) {
		mux.HandleFunc("POST "+apiPrefix+name, func(w http.ResponseWriter, r *http.Request) {
			serveCall(w, r, h)
		})
	}
	route(mAddAccount, call1(api.AddAccount))
	route(mListAccounts, call0(api.ListAccounts))
	route(mRemoveAccount, callErr(func(ctx context.Context, a nameArgs) error { return api.RemoveAccount(ctx, a.Name) }))
	route(mSignIn, callErr(func(ctx context.Context, a signInArgs) error { return api.SignIn(ctx, a.Account, a.Password) }))
	route(mCreateSet, call1(api.CreateSet))
	route(mListSets, call0(api.ListSets))
	route(mListItems, call1(func(ctx context.Context, a listItemsArgs) ([]syncer.ItemInfo, error) {
		return api.ListItems(ctx, a.ErrorsOnly)
	}))
	route(mInfo, call1(func(ctx context.Context, a pathArgs) (syncer.ItemInfo, error) { return api.Info(ctx, a.Path) }))
	route(mRequestSync, callErr(func(ctx context.Context, a pathArgs) error { return api.RequestSync(ctx, a.Path) }))
	route(mUnsync, callErr(func(ctx context.Context, a unsyncArgs) error { return api.Unsync(ctx, a.Path, a.RemoveFromCloud) }))
	route(mViewURL, call1(func(ctx context.Context, a pathArgs) (urlResult, error) {
		u, err := api.ViewURL(ctx, a.Path)
		return urlResult{URL: u}, err
	}))
	route(mPause, callErr(func(ctx context.Context, a setArgs) error { return api.Pause(ctx, a.Set) }))
	route(mResume, callErr(func(ctx context.Context, a setArgs) error { return api.Resume(ctx, a.Set) }))
	route(mStatus, call0(api.Status))
	route(mWait, callErr(func(ctx context.Context, _ none) error { return api.Wait(ctx) }))
	route(mBrowse, call1(func(ctx context.Context, a folderArgs) ([]syncer.BrowseEntry, error) {
		return api.Browse(ctx, a.Account, a.Folder)
	}))
	route(mMakeFolder, callErr(func(ctx context.Context, a folderArgs) error { return api.MakeFolder(ctx, a.Account, a.Folder) }))
	route(mGetSettings, call0(api.GetSettings))
	route(mPutSettings, callErr(api.PutSettings))
	route(mEvents, call1(func(ctx context.Context, a eventsArgs) (eventsResult, error) {
		evs, last, err := api.Events(ctx, a.After)
		return eventsResult{Events: evs, Last: last}, err
	}))
	route(mShowWindow, callErr(func(ctx context.Context, a nameArgs) error { return api.ShowWindow(ctx, a.Name) }))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody{Error: "control: unknown call " + r.Method + " " + r.URL.Path})
	})
	return mux
}

// serveCall reads the arguments, applies the caller's remaining time and runs h.
func serveCall(w http.ResponseWriter, r *http.Request, h func(ctx context.Context, body []byte) (any, error)) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "control: reading the request failed"})
		return
	}
	ctx := r.Context()
	if t := r.Header.Get(timeoutHeader); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: "control: bad " + timeoutHeader + " header"})
			return
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	out, err := h(ctx, body)
	if err != nil {
		var bad badRequest
		if errors.As(err, &bad) {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
			return
		}
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: err.Error(), Kind: kindOf(err)})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// badRequest marks arguments that did not decode (a client bug, not an engine answer).
type badRequest struct{ error }

func decodeArgs[In any](body []byte) (In, error) {
	var in In
	if len(strings.TrimSpace(string(body))) == 0 {
		return in, nil
	}
	if err := json.Unmarshal(body, &in); err != nil {
		// The decoder's message may quote the body, which can hold a password: say less.
		return in, badRequest{errors.New("control: the request arguments are not valid JSON for this call")}
	}
	return in, nil
}

func call0[Out any](f func(context.Context) (Out, error)) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, _ []byte) (any, error) { return f(ctx) }
}

func call1[In, Out any](f func(context.Context, In) (Out, error)) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, body []byte) (any, error) {
		in, err := decodeArgs[In](body)
		if err != nil {
			return nil, err
		}
		return f(ctx, in)
	}
}

func callErr[In any](f func(context.Context, In) error) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, body []byte) (any, error) {
		in, err := decodeArgs[In](body)
		if err != nil {
			return nil, err
		}
		return none{}, f(ctx, in)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Error: "control: encoding the answer failed: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
