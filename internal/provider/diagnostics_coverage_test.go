package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// unprovokable lists the summaries no test can make the provider show,
// and why.
var unprovokable = map[string]string{
	"Invalid Notification Provider Configuration": "clientConfig refuses every configuration client.New refuses",
}

// Every error and warning summary the provider can show is asserted by a
// test: each appears in a test file other than this one. Run with -v for
// the list of summaries and the tests asserting them.
func TestEverySummaryIsAsserted(t *testing.T) {
	t.Parallel()
	summaries := providerSummaries(t)
	if len(summaries) < 20 {
		t.Fatalf("found only %d summaries: %q; has the way diagnostics are written changed?", len(summaries), summaries)
	}
	asserting := testsMentioning(t, summaries)
	for _, s := range summaries {
		switch tests := asserting[s]; {
		case unprovokable[s] != "":
			t.Logf("%-52s (cannot be provoked: %s)", s, unprovokable[s])
		case len(tests) == 0:
			t.Errorf("no test asserts %q", s)
		default:
			t.Logf("%-52s %s", s, strings.Join(tests, ", "))
		}
	}
}

// providerSummaries returns the summaries of the package's diagnostics: the
// string passed as summary to the diagnostics API or to a constructor whose
// parameter is named summary, and the strings assigned to a variable named
// summary. Of a summary built by concatenation, the leading literal.
func providerSummaries(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	var found []string
	add := func(e ast.Expr) {
		for {
			bin, ok := e.(*ast.BinaryExpr)
			if !ok {
				break
			}
			e = bin.X
		}
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, _ := strconv.Unquote(lit.Value)
			if s = strings.TrimSpace(s); !slices.Contains(found, s) {
				found = append(found, s)
			}
		}
	}
	summaryArg := map[string]int{
		"AddError": 0, "AddWarning": 0, "AddAttributeError": 1, "AddAttributeWarning": 1,
		"addReleaseWarning": 1, "addSettingError": 2, "error": 1,
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				var fn string
				switch f := n.Fun.(type) {
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				case *ast.Ident:
					fn = f.Name
				}
				if i, ok := summaryArg[fn]; ok && i < len(n.Args) {
					add(n.Args[i])
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && id.Name == "summary" && i < len(n.Rhs) {
						add(n.Rhs[i])
					}
				}
			}
			return true
		})
	}
	return found
}

// testsMentioning maps each summary to the test functions whose source
// contains it.
func testsMentioning(t *testing.T, summaries []string) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*_test.go")
	out := map[string][]string{}
	for _, name := range files {
		if name == "diagnostics_coverage_test.go" {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || !strings.HasPrefix(fn.Name.Name, "Test") {
				continue
			}
			body := string(src[fset.Position(fn.Pos()).Offset:fset.Position(fn.End()).Offset])
			for _, s := range summaries {
				if strings.Contains(body, s) {
					out[s] = append(out[s], fn.Name.Name)
				}
			}
		}
	}
	return out
}
