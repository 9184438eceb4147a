package generator

import (
	"bytes"
	"go/format"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/spec"
)

// seedSpecs returns every spec the generator's tests know: the bad specs of
// golden/errors, the test specs, the examples, the generator's own nasty
// inputs under testdata, and the inputs the fuzzer found (testdata/fuzz).
// The rule they check is tpgen's promise to its users: whatever validate
// accepts, generate compiles.
func seedSpecs(t testing.TB) map[string][]byte {
	seeds := map[string][]byte{}
	for _, pattern := range []string{
		filepath.Join("..", "golden", "errors", "*.tpgen.yaml"),
		filepath.Join("..", "spec", "testdata", "*.tpgen.yaml"),
		filepath.Join("..", "examples", "*", "*.tpgen.yaml"),
		filepath.Join("testdata", "*.tpgen.yaml"),
	} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			seeds[p] = data
		}
	}
	found, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzGenerate", "*"))
	for _, p := range found {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// go test fuzz v1, then one line: []byte("...").
		lines := strings.SplitN(string(data), "\n", 3)
		if len(lines) < 2 || !strings.HasPrefix(lines[1], "[]byte(") {
			t.Fatalf("%s: not a fuzz corpus file", p)
		}
		v, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		seeds[p] = []byte(v)
	}
	return seeds
}

// generateChecked generates the provider of a spec that validates and
// fails the test unless every file is gofmt'd Go that parses.
func generateChecked(t *testing.T, data []byte, pkg string) []File {
	s, err := spec.Parse("fuzz.tpgen.yaml", data)
	if err != nil {
		return nil // validate rejects it: generate is not asked to
	}
	files, err := Generate(s, Options{Package: pkg})
	if err != nil {
		t.Fatalf("validate accepts a spec generate rejects: %v\n%s", err, data)
	}
	for _, f := range files {
		formatted, err := format.Source(f.Content)
		if err != nil {
			t.Fatalf("%s does not format: %v\n%s", f.Name, err, data)
		}
		if !bytes.Equal(formatted, f.Content) {
			t.Fatalf("%s is not gofmt'd\n%s", f.Name, data)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Content, parser.AllErrors); err != nil {
			t.Fatalf("%s does not parse: %v\n%s", f.Name, err, data)
		}
	}
	return files
}

// FuzzGenerate checks that every spec spec.Parse accepts generates three
// gofmt'd files that parse. TestSeedSpecsVet type-checks and vets what the
// seeds generate.
func FuzzGenerate(f *testing.F) {
	for _, data := range seedSpecs(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		generateChecked(t, data, "fuzz")
	})
}

// TestSeedSpecsVet generates every seed spec that validates into a package
// of its own and runs go vet over them all, so the promise "validate
// accepts it, so it compiles" is checked by the Go type checker, not only
// by the parser.
func TestSeedSpecsVet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	// Inside the module (so the runtime resolves) and under testdata (so
	// ./... never sees it).
	root, err := os.MkdirTemp("testdata", "vet")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	seeds := seedSpecs(t)
	n := 0
	for _, name := range slices.Sorted(maps.Keys(seeds)) {
		pkg := "seed" + strconv.Itoa(n)
		files := generateChecked(t, seeds[name], pkg)
		if files == nil {
			continue
		}
		dir := filepath.Join(root, pkg)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := WriteFiles(dir, files); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 9 {
		t.Fatalf("only %d seed specs validate; the corpus lost its good specs", n)
	}
	cmd := exec.Command(goTool, "vet", "./"+filepath.ToSlash(root)+"/...")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the seed specs' generated code: %v\n%s", err, out)
	}
}
