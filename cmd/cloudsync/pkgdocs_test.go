package main

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryPackageDocSaysWhatItMayImport: each package's doc comment says which packages of
// this module it may import (docs/ARCHITECTURE.md), and its imports keep to that word.
func TestEveryPackageDocSaysWhatItMayImport(t *testing.T) {
	const module = "github.com/cloudsync/cloudsync/"
	out, err := exec.Command("go", "list", "-json", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath, Dir string
		GoFiles         []string
		Imports         []string
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	known := map[string]bool{}
	for _, p := range pkgs {
		known[strings.TrimPrefix(p.ImportPath, module)] = true
	}
	word := regexp.MustCompile(`[a-z][a-z0-9-]*(/[a-z0-9-]+)*`)
	for _, p := range pkgs {
		name := strings.TrimPrefix(p.ImportPath, module)
		var doc string
		for _, f := range p.GoFiles {
			af, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, f), nil, parser.PackageClauseOnly|parser.ParseComments)
			if err == nil && af.Doc != nil {
				doc = strings.Join(strings.Fields(af.Doc.Text()), " ")
				break
			}
		}
		i := strings.Index(doc, "may import")
		if i < 0 {
			t.Errorf("%s: the package doc does not say what it may import", name)
			continue
		}
		rule := doc[i:]
		if j := strings.Index(rule, ". "); j >= 0 {
			rule = rule[:j]
		}
		if strings.Contains(rule, "any package of this module") {
			continue
		}
		allowed := map[string]bool{}
		for _, w := range word.FindAllString(rule, -1) {
			if known[w] {
				allowed[w] = true
			}
		}
		for _, imp := range p.Imports {
			if dep, ok := strings.CutPrefix(imp, module); ok && !allowed[dep] {
				t.Errorf("%s imports %s, which its doc does not allow (%q)", name, dep, rule)
			}
		}
	}
}
