package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
	"github.com/cloudsync/cloudsync/watcher"
)

// watchDebounce is the quiet period after a burst of local changes before a pass.
const watchDebounce = 300 * time.Millisecond

// dialRemote returns the engine's Dial seam: the remote of an account by its type. It does
// no network I/O (the engine checks logins itself).
func dialRemote(log *slog.Logger) func(a model.Account, secret string) (remote.Remote, error) {
	return func(a model.Account, secret string) (remote.Remote, error) {
		switch a.Type {
		case "webdav":
			c, err := webdav.New(webdav.Config{URL: a.URL, User: a.User, Password: secret, WebUI: a.WebUI,
				Logger: log.With("account", a.Name), Capabilities: a.Capabilities})
			if err != nil {
				return nil, err
			}
			return c, nil
		case "alfresco":
			c, err := alfresco.New(alfresco.Config{URL: a.URL, User: a.User, Password: secret, WebUI: a.WebUI,
				Logger: log.With("account", a.Name)})
			if err != nil {
				return nil, err
			}
			return c, nil
		}
		return nil, fmt.Errorf("unknown account type %q", a.Type)
	}
}

// localFS is the engine's LocalFS seam: the real file system under root.
func localFS(root string) exec.LocalFS { return exec.NewOSFS(root) }

// watchLocal is the engine's Watch seam over package watcher.
func watchLocal(ctx context.Context, root string, recursive bool, rescan time.Duration) (<-chan syncer.WatchEvent, error) {
	in, err := watcher.Watch(ctx, root, recursive, rescan, watchDebounce)
	if err != nil {
		return nil, err
	}
	out := make(chan syncer.WatchEvent)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- syncer.WatchEvent{Paths: ev.Paths, Rescan: ev.Rescan}:
			case <-ctx.Done():
				return // the watcher stops on ctx too and never blocks on its channel
			}
		}
	}()
	return out, nil
}
