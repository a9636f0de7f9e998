package main

// The conventions a Linux command-line user expects: --version, completion, man pages,
// flag value names in help, --json on sync.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/cloudsync/cloudsync/syncer/model"
)

var versionLine = regexp.MustCompile(`^cloudsync (\S+) \(commit (\S+), go\S+ \w+/\w+\)\n$`)

func TestVersionSaysReleaseAndCommit(t *testing.T) {
	code, out, errOut := runCLI(t, "", "--version")
	if code != exitOK || errOut != "" || !versionLine.MatchString(out) {
		t.Fatalf("--version: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if m := versionLine.FindStringSubmatch(out); m[1] != "dev" {
		t.Errorf("a test binary nobody stamped says version %q, want dev", m[1])
	}
	bin := builtBinary(t)
	b, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := versionLine.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("%s --version: %q", bin, b)
	}
	// make build stamps FyneApp.toml's version and the commit.
	toml, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(toml), `Version = "`+m[1]+`"`) || m[2] == "unknown" {
		t.Errorf("%s --version = %q: want FyneApp.toml's version and a commit (built with make build?)", bin, b)
	}
}

// TestNoFlagValueNameFromStrayBackquotes: pflag takes the first `quoted` word of a flag's
// usage as the name of its value, so a usage quoting a command printed
// "--account cloudsync account list" in `sync --help`.
func TestNoFlagValueNameFromStrayBackquotes(t *testing.T) {
	for _, c := range allCommands(newRoot(&env{})) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if name, _ := pflag.UnquoteUsage(f); strings.ContainsAny(name, " ./") {
				t.Errorf("%s --%s: value shown as %q", c.CommandPath(), f.Name, name)
			}
		})
	}
	_, out, _ := runCLI(t, "", "sync", "--help")
	if !strings.Contains(out, "--account NAME ") || !strings.Contains(out, "--to CLOUD_FOLDER ") || strings.Contains(out, "--account cloudsync") {
		t.Errorf("sync --help:\n%s", out)
	}
}

func TestSyncJSONPrintsTheCreatedSet(t *testing.T) {
	withFakeEngine(t)
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "", "sync", dir, "--account", "work", "--to", "Team/Docs", "--json")
	if code != exitOK {
		t.Fatalf("exit %d, %q %q", code, out, errOut)
	}
	var s model.Set
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("stdout is not a set: %v\n%s", err, out)
	}
	if s.ID != "a1b2c3d4e5f6" || s.Account != "work" || s.LocalRoot != dir || s.RemoteRoot != "Team/Docs" {
		t.Errorf("set %+v", s)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := runCLI(t, "", "completion", sh)
		if code != exitOK || errOut != "" || !strings.Contains(out, "__complete") {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", sh, code, len(out), errOut)
		}
		if p, err := exec.LookPath(sh); err == nil {
			cmd := exec.Command(p, "-n")
			cmd.Stdin = strings.NewReader(out)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", sh, err, b)
			}
		}
	}
	if code, _, errOut := runCLI(t, "", "completion", "tcsh"); code != exitUsage || !strings.Contains(errOut, "bash, zsh or fish") {
		t.Errorf("completion tcsh: exit %d, %q", code, errOut)
	}
}

// TestBashCompletesFlagsAndSubcommands sources the bash script in a real bash and asks
// it to complete, as the shell does on Tab, with the built binary answering.
func TestBashCompletesFlagsAndSubcommands(t *testing.T) {
	bin := builtBinary(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	// The script builds on bash-completion (Debian's bash-completion, in make deps), as
	// every interactive Debian shell loads it.
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Fatalf("%v: install Debian's bash-completion (make deps)", err)
	}
	script := filepath.Join(t.TempDir(), "cloudsync.bash")
	b, err := exec.Command(bin, "completion", "bash").Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, b, 0o600); err != nil {
		t.Fatal(err)
	}
	complete := func(words ...string) []string {
		t.Helper()
		// COMP_WORDS as bash fills it for "cloudsync WORDS…<Tab>"; the function is the one
		// `complete -F` registered.
		src := `source ` + bashCompletion + `; source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; ` +
			`__start_cloudsync; printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command(bash, append([]string{"--norc", "-c", src, "bash", script, bin}, words...)...)
		cmd.Env = childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+t.TempDir())
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("completing %q: %v", words, err)
		}
		return strings.Fields(string(out))
	}
	if got := complete("sync", "x", "--acc"); strings.Join(got, " ") != "--account" {
		t.Errorf("sync x --acc<Tab>: %q", got)
	}
	if got := complete("account", ""); strings.Join(got, " ") != "add sign-in list remove" {
		t.Errorf("account <Tab>: %q", got)
	}
	if got := complete("completion", ""); strings.Join(got, " ") != "bash zsh fish" {
		t.Errorf("completion <Tab>: %q", got)
	}
}

// TestManPagesCoverEveryCommand: `cloudsync man DIR` (run by make install) writes one page
// per command with its flags, and groff renders each without a warning.
func TestManPagesCoverEveryCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1767225600")
	if code, out, errOut := runCLI(t, "", "man", dir); code != exitOK {
		t.Fatalf("man: exit %d, %q %q", code, out, errOut)
	}
	groff, _ := exec.LookPath("groff")
	for _, c := range append(allCommands(newRoot(&env{})), newRoot(&env{})) {
		if !c.IsAvailableCommand() && c.HasParent() {
			continue
		}
		page := filepath.Join(dir, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		b, err := os.ReadFile(page)
		if err != nil {
			t.Errorf("%s: %v", c.CommandPath(), err)
			continue
		}
		text := string(b)
		if !strings.Contains(text, `.TH "CLOUDSYNC" "1" "Jan 2026"`) {
			t.Errorf("%s: header %q", page, firstLine(text))
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if !strings.Contains(text, `\fB--`+f.Name+`\fP`) {
				t.Errorf("%s: no --%s", page, f.Name)
			}
		})
		if groff != "" {
			cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z", page)
			if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("groff %s: %v\n%s", page, err, out)
			}
		}
	}
}
