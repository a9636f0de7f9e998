package syncer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/limiter"
)

// Engine is the sync engine. Create it with New, run it with Run; its methods are the
// API of the control socket (control.API) and are safe for concurrent use.
type Engine struct {
	cfg Config

	runCtx context.Context // set by Run; nil before
	wg     sync.WaitGroup

	// setMu orders the read-change-write of a stored set (setupdate.go).
	setMu sync.Mutex

	mu       sync.Mutex
	runners  map[string]*runner       // by set id
	remotes  map[string]remote.Remote // by account name, each wrapped by limits
	limits   *limiter.Limits          // bandwidth limits and the global pause, for every transfer
	paused   bool                     // global pause (persisted)
	settings Settings
	memLimit int64 // the soft memory limit last asked for (memory.go)
	// transfers is the engine-wide bound on parallel transfers (Config.Parallel slots),
	// shared by every pass of every set (exec.Env.Transfers).
	transfers chan struct{}
	passGen   uint64     // incremented whenever any pass ends
	waitCalls uint64     // Wait calls so far (see runner.lookedAt)
	passCond  *sync.Cond // broadcast when passGen changes or a runner's state changes

	// authMu orders refusals with sign-ins (authFailed, SignIn); signIns counts each
	// account's sign-ins in this process (see signInsOf).
	authMu  sync.Mutex
	signIns map[string]uint64

	ev    events
	ready chan struct{} // closed once Run has started the runners of the stored sets
	// started is when this engine instance was made: local changes with an older mtime
	// were made while no engine watched (plan.Options.WatchedSince).
	started time.Time
}

// New checks cfg and returns an engine that syncs nothing until Run.
func New(cfg Config) (*Engine, error) {
	if cfg.Dial == nil && cfg.Remotes != nil {
		cfg.Dial = cfg.Remotes.Dial(cfg.Log)
	}
	if cfg.Store == nil || cfg.Secrets == nil || cfg.Dial == nil || cfg.LocalFS == nil {
		return nil, errors.New("syncer: Store, Secrets, Dial (or Remotes) and LocalFS are required")
	}
	explicitPoll, explicitRescan := cfg.PollInterval > 0, cfg.RescanInterval > 0
	explicitUp, explicitDown := cfg.UploadLimit > 0, cfg.DownloadLimit > 0
	explicitStall := cfg.StallTimeout > 0
	cfg.defaults()
	e := &Engine{
		cfg:     cfg,
		runners: map[string]*runner{},
		remotes: map[string]remote.Remote{},
		signIns: map[string]uint64{},
		ready:   make(chan struct{}),
		started: cfg.Now(),
	}
	e.passCond = sync.NewCond(&e.mu)
	e.transfers = make(chan struct{}, e.cfg.Parallel)
	e.cfg.Store = indexingStore{Store: cfg.Store, e: e} // the sets' indexes follow every write
	e.ev.init()
	e.settings = Settings{
		PollInterval:   Duration(cfg.PollInterval),
		RescanInterval: Duration(cfg.RescanInterval),
		Notifications:  true,
	}
	if err := e.loadSettings(); err != nil {
		return nil, err
	}
	// Intervals given explicitly (daemon flags) win over stored settings.
	if explicitPoll {
		e.settings.PollInterval = Duration(cfg.PollInterval)
	}
	if explicitRescan {
		e.settings.RescanInterval = Duration(cfg.RescanInterval)
	}
	if explicitUp {
		e.settings.UploadLimit = cfg.UploadLimit
	}
	if explicitDown {
		e.settings.DownloadLimit = cfg.DownloadLimit
	}
	if explicitStall {
		e.settings.StallTimeout = Duration(cfg.StallTimeout)
	}
	e.limits = limiter.New(e.settings.UploadLimit, e.settings.DownloadLimit)
	e.limits.SetPaused(e.paused)
	return e, nil
}

// Run starts a runner per sync set and blocks until ctx ends, then stops them all.
func (e *Engine) Run(ctx context.Context) error {
	// runCtx is set before the sets are read, so a set created meanwhile is started either
	// by CreateSet or here (startRunnerLocked ignores a second start).
	e.mu.Lock()
	e.runCtx = ctx
	e.mu.Unlock()
	sets, err := e.cfg.Store.ListSets()
	if err != nil {
		return fmt.Errorf("reading sync sets: %w", err)
	}
	e.mu.Lock()
	for _, s := range sets {
		e.startRunnerLocked(s)
	}
	close(e.ready)
	e.mu.Unlock()
	e.tuneMemory()
	// Wake Wait callers when the engine stops.
	go func() {
		<-ctx.Done()
		e.mu.Lock()
		e.passCond.Broadcast()
		e.mu.Unlock()
	}()
	<-ctx.Done()
	e.wg.Wait()
	return nil
}

// startRunnerLocked starts the goroutine that syncs set s. e.mu must be held and Run
// must have started.
func (e *Engine) startRunnerLocked(s model.Set) {
	if e.runCtx == nil || e.runCtx.Err() != nil {
		return
	}
	if _, ok := e.runners[s.ID]; ok {
		return
	}
	ctx, cancel := context.WithCancel(e.runCtx)
	r := &runner{e: e, id: s.ID, kick: make(chan struct{}, 1), done: make(chan struct{}), cancel: cancel, dirty: true}
	e.runners[s.ID] = r
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		r.loop(ctx)
	}()
	r.poke()
}

// stopRunner stops set id's runner and waits until its current pass ended.
func (e *Engine) stopRunner(id string) {
	e.mu.Lock()
	r := e.runners[id]
	delete(e.runners, id)
	e.mu.Unlock()
	if r != nil {
		r.cancel()
		<-r.stopped()
	}
}

// remoteFor returns the (cached) remote of an account.
func (e *Engine) remoteFor(name string) (remote.Remote, model.Account, error) {
	a, err := e.cfg.Store.GetAccount(name)
	if err != nil {
		return nil, a, fmt.Errorf("no account named %q", name)
	}
	e.mu.Lock()
	r := e.remotes[name]
	e.mu.Unlock()
	if r != nil {
		return r, a, nil
	}
	since := e.signInsOf(name)
	secret, err := e.cfg.Secrets.Get(name)
	if err != nil {
		return nil, a, fmt.Errorf("account %q has no password in the keyring: %w", name, remote.ErrAuth)
	}
	r, err = e.cfg.Dial(a, secret)
	if err != nil {
		return nil, a, err
	}
	if a.Capabilities == nil {
		r, a = e.probeLater(a, secret, r)
	}
	r = limiter.Wrap(r, e.limits) // the one place every transfer's remote is made
	r = remote.WatchStalls(r, e.stallTimeout)
	e.authMu.Lock() // (not kept when a sign-in came since the password was read)
	if e.signIns[name] == since {
		e.mu.Lock()
		e.remotes[name] = r
		e.mu.Unlock()
	}
	e.authMu.Unlock()
	return r, a, nil
}

// probeLater probes the server of an account stored without capabilities (added before
// probing existed, or while the probe failed), stores what it found and dials the remote
// again with it. When the probe fails the remote is used as dialled, knowing nothing more.
func (e *Engine) probeLater(a model.Account, secret string, r remote.Remote) (remote.Remote, model.Account) {
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	caps := e.probe(ctx, a, r)
	if caps == nil {
		return r, a
	}
	cur, err := e.cfg.Store.GetAccount(a.Name)
	if err != nil {
		return r, a
	}
	cur.Capabilities = caps
	if err := e.cfg.Store.PutAccount(cur); err != nil {
		e.cfg.Log.Warn("storing the server's abilities", "account", a.Name, "err", err)
	}
	r2, err := e.cfg.Dial(cur, secret)
	if err != nil {
		return r, a
	}
	return r2, cur
}

// forgetRemote drops a cached remote (after its account changed or failed auth).
func (e *Engine) forgetRemote(name string) {
	e.mu.Lock()
	delete(e.remotes, name)
	e.mu.Unlock()
}

// signInsOf is how many times account was signed in to in this process. An operation
// takes it before it reads the account's password (or takes the remote made with it), and
// hands it to authFailed with a refusal.
func (e *Engine) signInsOf(account string) uint64 {
	e.authMu.Lock()
	defer e.authMu.Unlock()
	return e.signIns[account]
}

// authFailed pauses an account after a refused login, turns the state to error and
// notifies once (SPEC §4). since is signInsOf(account) from before the refused operation
// read the password: a refusal of a password the user replaced meanwhile (a sign-in came
// while the request was on its way, or while a pass that found no password ran) pauses
// nothing, or the account would stay paused with the right password in the keyring.
func (e *Engine) authFailed(account string, since uint64, err error) {
	e.authMu.Lock()
	defer e.authMu.Unlock()
	if e.signIns[account] != since {
		e.cfg.Log.Info("a refusal of the password used before the last sign-in; the account is not paused",
			"account", account, "err", err)
		return
	}
	e.forgetRemote(account)
	a, gerr := e.cfg.Store.GetAccount(account)
	if gerr != nil || a.Paused {
		return
	}
	a.Paused = true
	if perr := e.cfg.Store.PutAccount(a); perr != nil {
		e.cfg.Log.Error("pausing account", "account", account, "err", perr)
	}
	e.emit(Event{Kind: "auth", Title: "Sign-in needed for " + account,
		Body: "cloudsync could not sign in to " + a.URL + " as " + a.User +
			". Sync for this account is paused until the password is entered again.",
		Account: account})
	e.cfg.Log.Warn("authentication failed; account paused", "account", account, "err", err)
}

// kickAll asks every runner for a pass.
func (e *Engine) kickAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.runners {
		r.poke()
	}
}

func (e *Engine) runner(id string) *runner {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.runners[id]
}

func (e *Engine) isPaused() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.paused
}

func (e *Engine) pollInterval() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Duration(e.settings.PollInterval)
}

// stallTimeout is the General setting's stall timeout (remote.DefaultStallTimeout when
// unset).
func (e *Engine) stallTimeout() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.settings.StallTimeout <= 0 {
		return remote.DefaultStallTimeout
	}
	return time.Duration(e.settings.StallTimeout)
}

func (e *Engine) rescanInterval() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Duration(e.settings.RescanInterval)
}
