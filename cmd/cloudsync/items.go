package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
)

// listCmd is `list [--errors] [--json]`: Synced content, or Synced with errors.
func listCmd(e *env) *cobra.Command {
	c := &command{name: "list", args: "[--errors] [--json]", summary: "Synced content (every item), or with --errors, Synced with errors."}
	var errorsOnly, asJSON bool
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		return e.withEngine(ctx, c, pos, func(ctx context.Context, cl *control.Client, _ []string) int {
			return e.runList(ctx, c, cl, errorsOnly, asJSON)
		})
	})
	cmd.Flags().BoolVar(&errorsOnly, "errors", false, "only the items that failed (Synced with errors)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (e *env) runList(ctx context.Context, c *command, cl *control.Client, errorsOnly, asJSON bool) int {
	items, err := cl.ListItems(ctx, errorsOnly)
	if err != nil {
		return e.fail(c, err)
	}
	for i := range items {
		items[i] = normalizeInfo(items[i])
	}
	if items == nil {
		items = []syncer.ItemInfo{}
	}
	if asJSON {
		return e.printJSON(c, items)
	}
	if len(items) == 0 {
		if errorsOnly {
			fmt.Fprintln(e.stdout, "No errors.")
		} else {
			fmt.Fprintln(e.stdout, "Nothing is synced yet. Start with `cloudsync sync`.")
		}
		return exitOK
	}
	if errorsOnly {
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
}

// infoCmd is `info PATH [--json]`: the Sync Info of an item.
func infoCmd(e *env) *cobra.Command {
	c := &command{name: "info", args: "PATH [--json]", minPos: 1, maxPos: 1,
		summary: "Sync Info of an item: status, failure reason and details, cloud location, last sync, conflict copies, title, description and author."}
	var asJSON bool
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		return e.withPath(ctx, c, pos, func(ctx context.Context, cl *control.Client, p string) int {
			it, err := cl.Info(ctx, p)
			if err != nil {
				return e.fail(c, err)
			}
			it = normalizeInfo(it)
			if asJSON {
				return e.printJSON(c, it)
			}
			e.printInfo(it)
			return exitOK
		})
	})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (path, status, reason, details, note, cloud{account,location,url}, last_sync, conflicts, metadata{title,description,author})")
	return cmd
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
	if it.Note != "" {
		rows = append(rows, []string{"Note:", it.Note})
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
	rows = append(rows, metaRows(it)...)
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

// viewInCloudCmd is `view-in-cloud PATH [--print-url] [--notify]`.
func viewInCloudCmd(e *env) *cobra.Command {
	c := &command{name: "view-in-cloud", args: "PATH [--print-url] [--notify]", minPos: 1, maxPos: 1,
		summary: "Open the item's page in the cloud's web UI (with --print-url, print its address)."}
	var printURL, notify bool
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		return e.withNotify(c, notify, "View in Cloud", false, func(e *env) int {
			return e.withPath(ctx, c, pos, func(cctx context.Context, cl *control.Client, p string) int {
				u, err := cl.ViewURL(cctx, p)
				if err != nil {
					return e.fail(c, err)
				}
				if printURL {
					fmt.Fprintln(e.stdout, u)
					return exitOK
				}
				fmt.Fprintf(e.stdout, "Opening %s in the browser.\n", u)
				// The browser may outlive the engine call's deadline: open it with the command's ctx.
				if err := openURLTo(ctx, u, e.getenv, e.stdout, e.stderr); err != nil {
					fmt.Fprintf(e.stderr, "cloudsync %s: %v\nThe address is: %s\n", c.name, err, u)
					return exitFail
				}
				return exitOK
			})
		})
	})
	cmd.Flags().BoolVar(&printURL, "print-url", false, "print the address instead of opening a browser")
	cmd.Flags().BoolVar(&notify, "notify", false, notifyUsage)
	return cmd
}

// browseCmd is `browse ACCOUNT [CLOUD_FOLDER] [--json]`.
func browseCmd(e *env) *cobra.Command {
	c := &command{name: "browse", args: "ACCOUNT [CLOUD_FOLDER] [--json]", minPos: 1, maxPos: 2,
		summary: "List the networks, sites or folders under CLOUD_FOLDER, for choosing a target."}
	var asJSON bool
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		return e.withEngine(ctx, c, pos, func(ctx context.Context, cl *control.Client, pos []string) int {
			return e.runBrowse(ctx, c, cl, pos, asJSON)
		})
	})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.ValidArgsFunction = e.completeAccounts
	return cmd
}

func (e *env) runBrowse(ctx context.Context, c *command, cl *control.Client, pos []string, asJSON bool) int {
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
	if asJSON {
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
}

// metaRows are Sync Info's lines for the item's title, description and author (SPEC §3), or
// why its set does not sync them.
func metaRows(it syncer.ItemInfo) [][]string {
	var rows [][]string
	if m := it.Metadata; m != nil {
		for _, f := range []struct{ label, v string }{{"Title:", m.Title}, {"Description:", m.Description}, {"Author:", m.Author}} {
			rows = append(rows, []string{f.label, orDash(oneLine(f.v))})
		}
	}
	if it.MetadataNote != "" {
		rows = append(rows, []string{"Metadata:", oneLine(it.MetadataNote)})
	}
	return rows
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
