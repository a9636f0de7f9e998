package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// row is one line of the table: a figure measured for cloudsync on one server at one tree
// size, the curl reference measured in the same run, the peers, and the goal.
type row struct {
	Figure string `json:"figure"`
	Server string `json:"server"`
	Files  int    `json:"files"`
	CS     string `json:"cloudsync"`
	Ref    string `json:"curl,omitempty"`
	Ratio  string `json:"ratio,omitempty"`
	Unison string `json:"unison,omitempty"`
	Bisync string `json:"rclone_bisync,omitempty"`
	Goal   string `json:"goal,omitempty"`
	Met    string `json:"met,omitempty"` // "yes", "NO", or empty when there is no goal
	Note   string `json:"note,omitempty"`
}

// report collects rows and prints them as they come (so a long run shows progress) and as
// a table at the end.
type report struct {
	rows []row
	out  io.Writer
}

func (r *report) add(x row) {
	r.rows = append(r.rows, x)
	fmt.Fprintf(r.out, "BENCH %-44s %-7s %8s  cloudsync %-22s curl %-12s ratio %-6s unison %-12s bisync %-12s goal %-18s %s %s\n",
		x.Figure, x.Server, files(x.Files), x.CS, dash(x.Ref), dash(x.Ratio), dash(x.Unison), dash(x.Bisync), dash(x.Goal), x.Met, x.Note)
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func files(n int) string {
	switch {
	case n == 0:
		return ""
	case n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// table prints the rows as a Markdown table.
func (r *report) table(w io.Writer) {
	fmt.Fprintln(w, "| figure | server | files | cloudsync | curl (same run) | ratio | unison | rclone bisync | goal | met | note |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, x := range r.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", x.Figure, x.Server, files(x.Files),
			x.CS, dash(x.Ref), dash(x.Ratio), dash(x.Unison), dash(x.Bisync), dash(x.Goal), x.Met, x.Note)
	}
}

func (r *report) writeJSON(name string) error {
	b, err := json.MarshalIndent(r.rows, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}

// secs formats a duration in seconds with 3 significant decimals.
func secs(d time.Duration) string {
	switch s := d.Seconds(); {
	case s >= 100:
		return fmt.Sprintf("%.0f s", s)
	case s >= 10:
		return fmt.Sprintf("%.1f s", s)
	default:
		return fmt.Sprintf("%.3f s", s)
	}
}

func mib(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }

func ratio(a, b time.Duration) string {
	if a <= 0 || b <= 0 {
		return ""
	}
	return fmt.Sprintf("%.2f×", a.Seconds()/b.Seconds())
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// quantile returns the q-quantile (0..1) of ds by the nearest-rank method.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	k := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(k, 0), len(s)-1)]
}

// spread formats probes as "p50 X, p95 Y (n)".
func spread(ds []time.Duration) string {
	return fmt.Sprintf("p50 %s, p95 %s (%d)", secs(quantile(ds, 0.5)), secs(quantile(ds, 0.95)), len(ds))
}

func errText(err error) string {
	s := strings.ReplaceAll(err.Error(), "\n", " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return "error: " + strings.ReplaceAll(s, "|", "/")
}
