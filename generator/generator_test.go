package generator

import (
	"bytes"
	"flag"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files under golden/gen")

// goldenSpecs are the test specs whose generated code is kept under
// golden/gen/<name>: every type, key and range partitioning, no pushdown,
// every filter op, everything nullable.
var goldenSpecs = []string{"alltypes", "keyed", "ranged", "nopushdown", "allops", "nullable"}

func generate(t *testing.T, name string) []File {
	t.Helper()
	s, err := spec.Load(filepath.Join("..", "spec", "testdata", name+".tpgen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(s, Options{Package: name})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGolden(t *testing.T) {
	for _, name := range goldenSpecs {
		t.Run(name, func(t *testing.T) {
			files := generate(t, name)
			dir := filepath.Join("..", "golden", "gen", name)
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if _, err := WriteFiles(dir, files); err != nil {
					t.Fatal(err)
				}
			}
			if d, stale := Diff(dir, files); stale {
				t.Errorf("golden files of %s are stale (go test ./generator -update rewrites them):\n%s", name, d)
			}
		})
	}
}

func TestGeneratedFilesAreWellFormed(t *testing.T) {
	for _, name := range goldenSpecs {
		files := generate(t, name)
		again := generate(t, name)
		want := []string{name + "_provider.gen.go", name + "_plan.gen.go", name + "_stream.gen.go"}
		if len(files) != len(want) {
			t.Fatalf("%s: %d files, want %d", name, len(files), len(want))
		}
		for i, f := range files {
			if f.Name != want[i] {
				t.Errorf("%s: file %d is %s, want %s", name, i, f.Name, want[i])
			}
			if !bytes.Equal(f.Content, again[i].Content) {
				t.Errorf("%s: generating twice gave different bytes", f.Name)
			}
			formatted, err := format.Source(f.Content)
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			if !bytes.Equal(formatted, f.Content) {
				t.Errorf("%s is not gofmt'd", f.Name)
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Content, parser.ParseComments)
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			if !ast.IsGenerated(parsed) {
				t.Errorf("%s lacks the generated-code header", f.Name)
			}
			if parsed.Name.Name != name {
				t.Errorf("%s: package %s, want %s", f.Name, parsed.Name.Name, name)
			}
		}
	}
}

// TestGoldenVet runs go vet over the golden packages (and their
// hand-written tests), so generated code is checked as real Go, not text.
func TestGoldenVet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	cmd := exec.Command(goTool, "vet", "./golden/gen/...")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet ./golden/gen/...: %v\n%s", err, out)
	}
}

func TestPackageName(t *testing.T) {
	s, err := spec.Load(filepath.Join("..", "spec", "testdata", "keyed.tpgen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(files[0].Content, []byte("\npackage testdata\n")) {
		t.Errorf("default package is not the spec's directory name:\n%.200s", files[0].Content)
	}
	if _, err := Generate(s, Options{Package: "not-a-name"}); err == nil {
		t.Error("invalid package name accepted")
	}
	if _, err := Generate(nil, Options{}); err == nil {
		t.Error("nil spec accepted")
	}
	files, err = Generate(s, Options{Package: "x", Runtime: "example.com/rt"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(files[0].Content, []byte(`"example.com/rt/source"`)) {
		t.Error("Options.Runtime is not used for imports")
	}
}

func TestWriteFilesAndDiff(t *testing.T) {
	dir := t.TempDir()
	files := []File{{Name: "a.gen.go", Content: []byte("package a\n\nconst A = 1\n")}}
	d, stale := Diff(dir, files)
	if !stale || !strings.Contains(d, "--- /dev/null") || !strings.Contains(d, "+const A = 1") {
		t.Errorf("diff against a missing file:\n%s", d)
	}
	changed, err := WriteFiles(dir, files)
	if err != nil || len(changed) != 1 {
		t.Fatalf("first write: %v %v", changed, err)
	}
	info, _ := os.Stat(changed[0])
	changed, err = WriteFiles(dir, files)
	if err != nil || len(changed) != 0 {
		t.Fatalf("rewriting unchanged content: %v %v", changed, err)
	}
	if info2, _ := os.Stat(filepath.Join(dir, "a.gen.go")); !info2.ModTime().Equal(info.ModTime()) {
		t.Error("unchanged file was rewritten")
	}
	if _, stale := Diff(dir, files); stale {
		t.Error("Diff reports a current file as stale")
	}
	files[0].Content = []byte("package a\n\nconst A = 2\n")
	d, stale = Diff(dir, files)
	want := "--- " + filepath.Join(dir, "a.gen.go") + "\n+++ " + filepath.Join(dir, "a.gen.go") + "\n" +
		"@@ -1,3 +1,3 @@\n package a\n \n-const A = 1\n+const A = 2\n"
	if !stale || d != want {
		t.Errorf("diff:\n%s\nwant:\n%s", d, want)
	}
	if _, err := WriteFiles(dir, []File{{Name: "../evil.go"}}); err == nil {
		t.Error("a name escaping the directory was accepted")
	}
}

func TestUnifiedDiffHunks(t *testing.T) {
	var a, b []string
	for i := range 20 {
		a = append(a, strings.Repeat("x", i))
		b = append(b, strings.Repeat("x", i))
	}
	b[2] = "changed"
	b = append(b[:15], b[16:]...)
	d := unifiedDiff("a", "b", strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n")
	want := "--- a\n+++ b\n@@ -1,6 +1,6 @@\n \n x\n-xx\n+changed\n xxx\n xxxx\n xxxxx\n" +
		"@@ -13,7 +13,6 @@\n xxxxxxxxxxxx\n xxxxxxxxxxxxx\n xxxxxxxxxxxxxx\n-xxxxxxxxxxxxxxx\n xxxxxxxxxxxxxxxx\n xxxxxxxxxxxxxxxxx\n xxxxxxxxxxxxxxxxxx\n"
	if d != want {
		t.Errorf("diff:\n%s\nwant:\n%s", d, want)
	}
}

func TestWriteFilesNeverReplacesAFileTpgenDidNotWrite(t *testing.T) {
	dir := t.TempDir()
	gen := "// " + Header + "\n\npackage a\n"
	mine := "package a\n\n// Code generated by tpgen. DO NOT EDIT. (quoted in a comment, not a header)\n"
	if err := os.WriteFile(filepath.Join(dir, "b.gen.go"), []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []File{{Name: "a.gen.go", Content: []byte(gen)}, {Name: "b.gen.go", Content: []byte(gen)}}
	changed, err := WriteFiles(dir, files)
	if err == nil || !strings.Contains(err.Error(), "b.gen.go exists and was not generated by tpgen") || len(changed) != 0 {
		t.Fatalf("changed %v, error %v", changed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.gen.go")); err == nil {
		t.Error("a.gen.go was written though the run failed")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "b.gen.go")); string(got) != mine {
		t.Error("the user's file was replaced")
	}
	// A generated file edited by hand keeps its header and is regenerated.
	if err := os.WriteFile(filepath.Join(dir, "b.gen.go"), []byte(gen+"// edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if changed, err := WriteFiles(dir, files); err != nil || len(changed) != 2 {
		t.Errorf("changed %v, error %v", changed, err)
	}
	for _, c := range []struct {
		content string
		want    bool
	}{
		{gen, true}, {"// " + Header + "\r\n\r\npackage a\r\n", true}, {mine, false}, {"", false},
		{"// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage a\n", false},
	} {
		if got := IsGenerated([]byte(c.content)); got != c.want {
			t.Errorf("IsGenerated(%q) = %v", c.content, got)
		}
	}
}

// Columns named like the Writer's own fields (or Go keywords) must not
// collide with them: every Writer field name stays distinct.
func TestWriterFieldsDoNotCollideWithColumns(t *testing.T) {
	src := "version: 1\ntable: clash\ncolumns:\n" +
		"  - {name: b, type: int64}\n  - {name: all, type: bool}\n  - {name: type, type: string}\n"
	s, err := spec.Parse("clash.tpgen.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(s, Options{Package: "clash"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name, "_stream.gen.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Content, 0)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		ast.Inspect(file, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || ts.Name.Name != "Writer" {
				return true
			}
			for _, fld := range ts.Type.(*ast.StructType).Fields.List {
				for _, name := range fld.Names {
					if seen[name.Name] {
						t.Errorf("Writer field %q declared twice", name.Name)
					}
					seen[name.Name] = true
				}
			}
			return false
		})
		if len(seen) != 5 {
			t.Errorf("Writer has fields %v, want b, all and one per column", seen)
		}
	}
}
