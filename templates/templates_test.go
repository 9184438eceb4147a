package templates

import (
	"bytes"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/spec"
)

func TestEveryTemplateIsRendered(t *testing.T) {
	entries, err := fs.ReadDir(files, "files")
	if err != nil {
		t.Fatal(err)
	}
	var embedded, used []string
	for _, e := range entries {
		embedded = append(embedded, e.Name())
	}
	for _, s := range starters("events") {
		used = append(used, s.tmpl)
	}
	slices.Sort(used)
	if !slices.Equal(embedded, used) {
		t.Errorf("embedded templates %v, rendered %v: every template must be written by init", embedded, used)
	}
}

// The Go templates are gofmt-clean as written, so what users first read is
// what the template's author saw.
func TestGoTemplatesAreGofmtClean(t *testing.T) {
	for _, s := range starters("events") {
		if !strings.HasSuffix(s.out, ".go") {
			continue
		}
		raw, err := execute(s.tmpl, Params{Package: "events", Table: "events"})
		if err != nil {
			t.Fatal(err)
		}
		formatted, err := format.Source(raw)
		if err != nil {
			t.Fatalf("%s: %v", s.tmpl, err)
		}
		if !bytes.Equal(raw, formatted) {
			t.Errorf("%s is not gofmt-clean:\n%s", s.tmpl, raw)
		}
	}
}

func TestRenderEvents(t *testing.T) {
	got := render(t, Params{Package: "events", Table: "events"})
	if names := fileNames(got); !slices.Equal(names, []string{"events.tpgen.yaml", "source.go", "generate.go"}) {
		t.Fatalf("files %v", names)
	}
	yaml := string(got[0].Content)
	if first, _, _ := strings.Cut(yaml, "\n"); first != "# yaml-language-server: $schema="+SchemaURL {
		t.Errorf("spec starts with %q, want the schema line", first)
	}
	s, err := spec.Parse("events.tpgen.yaml", got[0].Content)
	if err != nil {
		t.Fatalf("starter spec is invalid: %v", err)
	}
	var cols []string
	for _, c := range s.Columns {
		cols = append(cols, c.Name)
	}
	if s.Table != "events" || !slices.Equal(cols, []string{"region", "ts", "value", "note"}) {
		t.Errorf("table %q, columns %v", s.Table, cols)
	}
	if f := s.FilterFor("region"); f == nil || !f.Exact {
		t.Errorf("region filter %+v: the starter source relies on it being exact", f)
	}
	if !strings.Contains(string(got[2].Content), "\n//go:generate go tool tpgen generate events.tpgen.yaml\n") {
		t.Errorf("generate.go lacks the go:generate line:\n%s", got[2].Content)
	}
}

func TestRenderNameWithUnderscore(t *testing.T) {
	got := render(t, Params{Package: "order_items", Table: "order_items"})
	if names := fileNames(got); names[0] != "order_items.tpgen.yaml" {
		t.Fatalf("files %v", names)
	}
	s, err := spec.Parse(got[0].Name, got[0].Content)
	if err != nil {
		t.Fatalf("spec invalid: %v", err)
	}
	if s.Table != "order_items" {
		t.Errorf("table %q, want order_items", s.Table)
	}
	if s.GoName() != "OrderItems" {
		t.Errorf("GoName %q", s.GoName())
	}
	for _, f := range got[1:] {
		if pkg := packageName(t, f); pkg != "order_items" {
			t.Errorf("%s: package %q", f.Name, pkg)
		}
	}
	if !strings.Contains(string(got[2].Content), "//go:generate go tool tpgen generate order_items.tpgen.yaml\n") {
		t.Errorf("generate.go:\n%s", got[2].Content)
	}
	if !strings.Contains(string(got[1].Content), `session.Register("order_items", order_items.NewTable(&order_items.Sample{}))`) {
		t.Errorf("source.go does not show how to register the table:\n%s", got[1].Content)
	}
}

func TestRenderRejectsBadParams(t *testing.T) {
	for _, p := range []Params{{Package: "", Table: "t"}, {Package: "my-pkg", Table: "t"}, {Package: "func", Table: "t"}, {Package: "t", Table: ""}} {
		if _, err := Render(p); err == nil {
			t.Errorf("Render(%+v) succeeded", p)
		}
	}
}

func render(t *testing.T, p Params) []File {
	t.Helper()
	files, err := Render(p)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func fileNames(files []File) []string {
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	return names
}

func packageName(t *testing.T, f File) string {
	t.Helper()
	parsed, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Content, parser.PackageClauseOnly)
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	return parsed.Name.Name
}
