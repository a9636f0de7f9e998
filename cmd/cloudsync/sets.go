package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// runSync is `sync PATH... --account NAME --to CLOUD_FOLDER [options]`: the options of
// SPEC §2, defaults from model.DefaultOptions.
func runSync(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	account := fs.String("account", "", "account to sync with (see `cloudsync account list`)")
	to := fs.String("to", "", "cloud folder (webdav: path under the account URL; alfresco: NETWORK/SITE/path)")
	noSub := fs.Bool("no-subfolders", false, "folder sets: sync only the folder's files, not its subfolders")
	lock := fs.Bool("lock", false, "make the local copies read-only until unsync")
	keepCloud := fs.Bool("keep-cloud-on-delete", false, "a local delete leaves the cloud item in place (it leaves the sync)")
	delLocal := fs.Bool("delete-local-on-cloud-delete", false, "a cloud delete moves the local item to the trash (default: keep it, marked target_deleted)")
	pos, code, ok := e.parse(c, fs, args, 1, -1)
	if !ok {
		return code
	}
	switch {
	case *account == "":
		return e.usageError(c, "--account is required")
	case *to == "":
		return e.usageError(c, "--to is required")
	}
	if err := syncer.CheckCloudFolder(*to); err != nil {
		return e.usageError(c, "--to: %v", err)
	}
	opts := model.DefaultOptions()
	if *noSub {
		opts.IncludeSubfolders = false
	}
	opts.Lock = *lock
	if *keepCloud {
		opts.AllowCloudDelete = false
	}
	opts.DeleteLocalOnCloudDelete = *delLocal
	req := syncer.CreateSetRequest{Account: *account, To: *to, Options: opts}
	for _, p := range pos {
		a, err := absPath(p)
		if err != nil {
			return e.fail(c, err)
		}
		req.Paths = append(req.Paths, a)
	}
	cl, code, ok := e.engine(c)
	if !ok {
		return code
	}
	defer cl.Close()
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	s, err := cl.CreateSet(ctx, req)
	if err != nil {
		return e.fail(c, err)
	}
	if s.Kind == model.KindDocuments {
		fmt.Fprintf(e.stdout, "Syncing %d document(s) of %s with %s:%s (set %s).\n", len(s.Documents), s.LocalRoot, s.Account, s.RemoteRoot, s.ID)
	} else {
		fmt.Fprintf(e.stdout, "Syncing folder %s with %s:%s (set %s).\n", s.LocalRoot, s.Account, s.RemoteRoot, s.ID)
	}
	return exitOK
}

// runRequestSync is `request-sync PATH`.
func runRequestSync(ctx context.Context, e *env, c *command, args []string) int {
	return e.onPath(ctx, c, args, nil, func(ctx context.Context, cl *control.Client, p string) (string, error) {
		return "Sync requested for " + p + ".", cl.RequestSync(ctx, p)
	})
}

// runUnsync is `unsync PATH [--remove-from-cloud]`.
func runUnsync(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	rm := fs.Bool("remove-from-cloud", false, "also delete the cloud items")
	return e.onPath(ctx, c, args, fs, func(ctx context.Context, cl *control.Client, p string) (string, error) {
		if *rm {
			return "Stopped syncing " + p + " and removed it from the cloud; the local files stay.", cl.Unsync(ctx, p, true)
		}
		return "Stopped syncing " + p + "; the local files stay.", cl.Unsync(ctx, p, false)
	})
}

// onPath runs a command taking exactly one local PATH (made absolute) and printing one
// confirmation line.
func (e *env) onPath(ctx context.Context, c *command, args []string, fs *flag.FlagSet, do func(context.Context, *control.Client, string) (string, error)) int {
	return e.withPath(ctx, c, args, fs, func(ctx context.Context, cl *control.Client, p string) int {
		msg, err := do(ctx, cl, p)
		if err != nil {
			return e.fail(c, err)
		}
		fmt.Fprintln(e.stdout, msg)
		return exitOK
	})
}

// withPath runs a command taking exactly one local PATH (fs: its flags, nil for none):
// body gets the path made absolute, the engine and a bounded context, and returns the exit
// status.
func (e *env) withPath(ctx context.Context, c *command, args []string, fs *flag.FlagSet, body func(context.Context, *control.Client, string) int) int {
	if fs == nil {
		fs = newFlags(c)
	}
	return e.withEngine(ctx, c, fs, args, 1, 1, func(ctx context.Context, cl *control.Client, pos []string) int {
		p, err := absPath(pos[0])
		if err != nil {
			return e.fail(c, err)
		}
		return body(ctx, cl, p)
	})
}

// withEngine is the frame of most commands: parse args against fs (minPos..maxPos
// positional arguments), connect to the engine, and run body with the arguments and a
// bounded context; body returns the exit status.
func (e *env) withEngine(ctx context.Context, c *command, fs *flag.FlagSet, args []string, minPos, maxPos int, body func(context.Context, *control.Client, []string) int) int {
	pos, code, ok := e.parse(c, fs, args, minPos, maxPos)
	if !ok {
		return code
	}
	cl, code, ok := e.engine(c)
	if !ok {
		return code
	}
	defer cl.Close()
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	return body(ctx, cl, pos)
}

// runPause is `pause [SET]`; runResume is `resume [SET]`.
func runPause(ctx context.Context, e *env, c *command, args []string) int {
	return e.pauseResume(ctx, c, args, true)
}

func runResume(ctx context.Context, e *env, c *command, args []string) int {
	return e.pauseResume(ctx, c, args, false)
}

func (e *env) pauseResume(ctx context.Context, c *command, args []string, pause bool) int {
	pos, code, ok := e.parse(c, newFlags(c), args, 0, 1)
	if !ok {
		return code
	}
	set := ""
	if len(pos) == 1 {
		var err error
		if set, err = setArg(pos[0]); err != nil {
			return e.fail(c, err)
		}
	}
	cl, code, ok := e.engine(c)
	if !ok {
		return code
	}
	defer cl.Close()
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	verb := "resumed"
	if pause {
		verb = "paused"
		err := cl.Pause(ctx, set)
		if err != nil {
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
