package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
)

// runList is `list [--errors] [--json]`: Synced content, or Synced with errors.
func runList(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	errorsOnly := fs.Bool("errors", false, "only the items that failed (Synced with errors)")
	asJSON := fs.Bool("json", false, "print JSON")
	return e.withEngine(ctx, c, fs, args, 0, 0, func(ctx context.Context, cl *control.Client, _ []string) int {
		items, err := cl.ListItems(ctx, *errorsOnly)
		if err != nil {
			return e.fail(c, err)
		}
		for i := range items {
			items[i] = normalizeInfo(items[i])
		}
		if items == nil {
			items = []syncer.ItemInfo{}
		}
		if *asJSON {
			return e.printJSON(c, items)
		}
		if len(items) == 0 {
			if *errorsOnly {
				fmt.Fprintln(e.stdout, "No errors.")
			} else {
				fmt.Fprintln(e.stdout, "Nothing is synced yet. Start with `cloudsync sync`.")
			}
			return exitOK
		}
		if *errorsOnly {
			rows := [][]string{{"PATH", "REASON", "DETAILS"}}
			for _, it := range items {
				rows = append(rows, []string{it.Path, orDash(string(it.Reason)), orDash(oneLine(it.Details))})
			}
			e.table(rows)
			return exitOK
		}
		rows := [][]string{{"STATUS", "PATH", "CLOUD", "REASON"}}
		for _, it := range items {
			rows = append(rows, []string{string(it.Status), it.Path, orDash(cloudName(it.Cloud)), orDash(string(it.Reason))})
		}
		e.table(rows)
		return exitOK
	})
}

// runInfo is `info PATH [--json]`: the Sync Info of an item.
func runInfo(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	asJSON := fs.Bool("json", false, "print JSON (path, status, reason, details, cloud{account,location,url}, last_sync, conflicts)")
	return e.withPath(ctx, c, args, fs, func(ctx context.Context, cl *control.Client, p string) int {
		it, err := cl.Info(ctx, p)
		if err != nil {
			return e.fail(c, err)
		}
		it = normalizeInfo(it)
		if *asJSON {
			return e.printJSON(c, it)
		}
		e.printInfo(it)
		return exitOK
	})
}

// printInfo prints Sync Info as an aligned table.
func (e *env) printInfo(it syncer.ItemInfo) {
	lastSync := it.LastSync
	if lastSync == "" {
		lastSync = "never"
	}
	rows := [][]string{
		{"Path:", it.Path},
		{"Status:", string(it.Status)},
	}
	if it.Message != "" {
		rows = append(rows, []string{"Problem:", it.Message})
	}
	if it.Reason != "" {
		rows = append(rows, []string{"Reason:", string(it.Reason)})
	}
	if it.Details != "" {
		rows = append(rows, []string{"Details:", oneLine(it.Details)})
	}
	rows = append(rows,
		[]string{"Account:", orDash(it.Cloud.Account)},
		[]string{"Cloud location:", orDash(it.Cloud.Location)},
		[]string{"Cloud URL:", orDash(it.Cloud.URL)},
		[]string{"Last sync:", lastSync},
	)
	if it.NextRetry != "" {
		rows = append(rows, []string{"Next retry:", it.NextRetry})
	}
	if len(it.Conflicts) == 0 {
		rows = append(rows, []string{"Conflicts:", "none"})
	}
	for i, cp := range it.Conflicts {
		label := ""
		if i == 0 {
			label = "Conflicts:"
		}
		rows = append(rows, []string{label, cp})
	}
	e.table(rows)
}

// runViewInCloud is `view-in-cloud PATH [--print-url]`.
func runViewInCloud(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	printURL := fs.Bool("print-url", false, "print the address instead of opening a browser")
	return e.withPath(ctx, c, args, fs, func(cctx context.Context, cl *control.Client, p string) int {
		u, err := cl.ViewURL(cctx, p)
		if err != nil {
			return e.fail(c, err)
		}
		if *printURL {
			fmt.Fprintln(e.stdout, u)
			return exitOK
		}
		// The browser may outlive the engine call's deadline: open it with the command's ctx.
		if err := openURL(ctx, u, e.getenv); err != nil {
			fmt.Fprintf(e.stderr, "cloudsync %s: %v\nThe address is: %s\n", c.name, err, u)
			return exitFail
		}
		return exitOK
	})
}

// runBrowse is `browse ACCOUNT [CLOUD_FOLDER] [--json]`.
func runBrowse(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	asJSON := fs.Bool("json", false, "print JSON")
	return e.withEngine(ctx, c, fs, args, 1, 2, func(ctx context.Context, cl *control.Client, pos []string) int {
		folder := ""
		if len(pos) == 2 {
			folder = pos[1]
		}
		es, err := cl.Browse(ctx, pos[0], folder)
		if err != nil {
			return e.fail(c, err)
		}
		if es == nil {
			es = []syncer.BrowseEntry{}
		}
		if *asJSON {
			return e.printJSON(c, es)
		}
		if len(es) == 0 {
			fmt.Fprintln(e.stdout, "(empty)")
			return exitOK
		}
		rows := [][]string{{"KIND", "NAME", "PATH"}}
		for _, en := range es {
			rows = append(rows, []string{en.Kind, en.Name, en.Path})
		}
		e.table(rows)
		return exitOK
	})
}

// normalizeInfo gives scripts a stable shape: conflicts is a list, never null.
func normalizeInfo(it syncer.ItemInfo) syncer.ItemInfo {
	if it.Conflicts == nil {
		it.Conflicts = []string{}
	}
	return it
}

func cloudName(c syncer.Cloud) string {
	if c.Account == "" {
		return ""
	}
	return c.Account + ":" + c.Location
}

// oneLine keeps a table row on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
