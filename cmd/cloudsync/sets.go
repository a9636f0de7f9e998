package main

import (
	"context"
	"fmt"
	"os"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// syncCmd is `sync PATH... --account NAME --to CLOUD_FOLDER [options] [--json]`: the
// options of SPEC §2, defaults from model.DefaultOptions.
func syncCmd(e *env) *cobra.Command {
	c := &command{name: "sync", minPos: 1, maxPos: -1,
		args: "PATH... --account NAME --to CLOUD_FOLDER [--no-subfolders] [--lock] [--keep-cloud-on-delete] [--delete-local-on-cloud-delete] [--json]",
		summary: "Sync one folder (folder set) or one or more files of one folder (documents set) with a cloud folder.\n" +
			"CLOUD_FOLDER: webdav: a path under the account URL; alfresco: NETWORK/SITE/path/in/documentLibrary.\n" +
			"Missing folders on that path are created. With --json, the created set is printed as JSON."}
	var o syncOpts
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int { return e.runSync(ctx, c, o, pos) })
	f := cmd.Flags()
	f.StringVar(&o.account, "account", "", "the account to sync with, by `NAME` (see: cloudsync account list)")
	f.StringVar(&o.to, "to", "", "the `CLOUD_FOLDER` (webdav: path under the account URL; alfresco: NETWORK/SITE/path)")
	f.BoolVar(&o.noSub, "no-subfolders", false, "folder sets: sync only the folder's files, not its subfolders")
	f.BoolVar(&o.lock, "lock", false, "make the local copies read-only until unsync")
	f.BoolVar(&o.keepCloud, "keep-cloud-on-delete", false, "a local delete leaves the cloud item in place (it leaves the sync)")
	f.BoolVar(&o.delLocal, "delete-local-on-cloud-delete", false, "a cloud delete moves the local item to the trash (default: keep it, marked target_deleted)")
	f.BoolVar(&o.json, "json", false, "print the created set as JSON")
	cmd.RegisterFlagCompletionFunc("account", e.completeAccounts)
	cmd.RegisterFlagCompletionFunc("to", cobra.NoFileCompletions)
	return cmd
}

type syncOpts struct {
	account, to                            string
	noSub, lock, keepCloud, delLocal, json bool
}

func (e *env) runSync(ctx context.Context, c *command, o syncOpts, pos []string) int {
	switch {
	case o.account == "":
		return e.usageError(c, "--account is required")
	case o.to == "":
		return e.usageError(c, "--to is required")
	}
	if err := syncer.CheckCloudFolder(o.to); err != nil {
		return e.usageError(c, "--to: %v", err)
	}
	opts := model.DefaultOptions()
	if o.noSub {
		opts.IncludeSubfolders = false
	}
	opts.Lock = o.lock
	if o.keepCloud {
		opts.AllowCloudDelete = false
	}
	opts.DeleteLocalOnCloudDelete = o.delLocal
	req := syncer.CreateSetRequest{Account: o.account, To: o.to, Options: opts}
	for _, p := range pos {
		a, err := absPath(p)
		if err != nil {
			return e.fail(c, err)
		}
		req.Paths = append(req.Paths, a)
	}
	return e.withEngine(ctx, c, pos, func(ctx context.Context, cl *control.Client, _ []string) int {
		s, err := cl.CreateSet(ctx, req)
		if err != nil {
			return e.fail(c, err)
		}
		if o.json {
			return e.printJSON(c, s)
		}
		if s.Kind == model.KindDocuments {
			fmt.Fprintf(e.stdout, "Syncing %d document(s) of %s with %s:%s (set %s).\n", len(s.Documents), s.LocalRoot, s.Account, s.RemoteRoot, s.ID)
		} else {
			fmt.Fprintf(e.stdout, "Syncing folder %s with %s:%s (set %s).\n", s.LocalRoot, s.Account, s.RemoteRoot, s.ID)
		}
		return exitOK
	})
}

// requestSyncCmd is `request-sync PATH [--notify]`.
func requestSyncCmd(e *env) *cobra.Command {
	c := &command{name: "request-sync", args: "PATH [--notify]", minPos: 1, maxPos: 1,
		summary: "Sync an item or a set now, both ways (recreates a cloud target that was deleted)."}
	var notify bool
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		return e.withNotify(c, notify, "Request Sync", true, func(e *env) int {
			return e.onPath(ctx, c, pos, func(ctx context.Context, cl *control.Client, p string) (string, error) {
				return "Sync requested for " + p + ".", cl.RequestSync(ctx, p)
			})
		})
	})
	cmd.Flags().BoolVar(&notify, "notify", false, notifyUsage)
	return cmd
}

// unsyncCmd is `unsync PATH [--remove-from-cloud]`.
func unsyncCmd(e *env) *cobra.Command {
	c := &command{name: "unsync", args: "PATH [--remove-from-cloud]", minPos: 1, maxPos: 1,
		summary: "Stop syncing a set or a directly synced document; local files stay (unlocked)."}
	var rm bool
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		return e.onPath(ctx, c, pos, func(ctx context.Context, cl *control.Client, p string) (string, error) {
			if rm {
				return "Stopped syncing " + p + " and removed it from the cloud; the local files stay.", cl.Unsync(ctx, p, true)
			}
			return "Stopped syncing " + p + "; the local files stay.", cl.Unsync(ctx, p, false)
		})
	})
	cmd.Flags().BoolVar(&rm, "remove-from-cloud", false, "also delete the cloud items")
	return cmd
}

// pauseCmd is `pause [SET]`; resumeCmd is `resume [SET]`.
func pauseCmd(e *env) *cobra.Command {
	c := &command{name: "pause", args: "[SET]", maxPos: 1,
		summary: "Pause all syncing, or one set (by its folder or id). Changes are still recorded."}
	return e.leaf(c, func(ctx context.Context, pos []string) int { return e.pauseResume(ctx, c, pos, true) })
}

func resumeCmd(e *env) *cobra.Command {
	c := &command{name: "resume", args: "[SET]", maxPos: 1, summary: "Resume all syncing, or one set."}
	return e.leaf(c, func(ctx context.Context, pos []string) int { return e.pauseResume(ctx, c, pos, false) })
}

func (e *env) pauseResume(ctx context.Context, c *command, pos []string, pause bool) int {
	set := ""
	if len(pos) == 1 {
		var err error
		if set, err = setArg(pos[0]); err != nil {
			return e.fail(c, err)
		}
	}
	return e.withEngine(ctx, c, pos, func(ctx context.Context, cl *control.Client, _ []string) int {
		verb := "resumed"
		if pause {
			verb = "paused"
			if err := cl.Pause(ctx, set); err != nil {
				return e.fail(c, err)
			}
		} else if err := cl.Resume(ctx, set); err != nil {
			return e.fail(c, err)
		}
		if set == "" {
			fmt.Fprintf(e.stdout, "Sync %s.\n", verb)
		} else {
			fmt.Fprintf(e.stdout, "Sync %s for %s.\n", verb, set)
		}
		return exitOK
	})
}

// setID is the form of a sync set's id (as printed by `sync` and `status`).
var setID = regexp.MustCompile(`^[0-9a-f]{12}$`)

// setArg turns a SET argument into what the engine takes: a set id as is (unless a file
// of that name exists here), anything else as an absolute path.
func setArg(s string) (string, error) {
	if setID.MatchString(s) {
		if _, err := os.Lstat(s); err != nil {
			return s, nil
		}
	}
	return absPath(s)
}
