package sqllogictest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// corpusDir holds the corpus; the issue asks for it under runtime/testdata.
const corpusDir = "../testdata/sqllogictest"

func parseCorpus(t *testing.T) []*File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(corpusDir, "*.slt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files in %s (%v)", corpusDir, err)
	}
	var files []*File
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(filepath.Base(path), data)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// TestCorpusBuilds parses every file and builds each of its tables under
// each of its layouts, so a data mistake shows up without the engine, and
// keeps the corpus at the size the issue asks for, so a file lost in a
// merge does not pass unnoticed.
func TestCorpusBuilds(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	n := 0
	for _, f := range parseCorpus(t) {
		layouts := f.Layouts
		if len(layouts) == 0 {
			layouts = []string{Declared}
		}
		for _, r := range f.Records {
			if r.Kind != KindTable {
				n++
				continue
			}
			for _, name := range layouts {
				l, err := r.Table.LayoutFor(name)
				if err != nil {
					t.Fatalf("%s:%d: layout %s: %v", f.Name, r.Line, name, err)
				}
				parts, err := r.Table.Build(mem, l)
				if err != nil {
					t.Fatalf("%s:%d: layout %s: %v", f.Name, r.Line, name, err)
				}
				ReleaseAll(parts)
			}
		}
	}
	if n < 170 {
		t.Errorf("corpus has %d statements, queries and explains; want at least 170", n)
	}
	t.Logf("%d statements, queries and explains", n)
}
