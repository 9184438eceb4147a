package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and that its two outcomes are
// well formed: an ErrorList of positioned messages, or a spec that is
// consistent and valid against the JSON Schema. Its seeds are every bad
// spec in golden/errors and every good one in testdata, so `go test` runs
// them all as ordinary cases.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{filepath.Join(goldenDir, "*.tpgen.yaml"), filepath.Join("testdata", "*.tpgen.yaml")} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.tpgen.yaml", data)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty ErrorList", err, err)
			}
			for _, e := range list {
				if e.File != "fuzz.tpgen.yaml" || e.Line < 1 || e.Col < 1 || e.Msg == "" {
					t.Fatalf("malformed error %#v", e)
				}
				if strings.Contains(e.Msg, "internal error") {
					t.Fatalf("Parse panicked: %s", e.Msg)
				}
			}
			return
		}
		if s == nil || s.File != "fuzz.tpgen.yaml" || len(s.Columns) == 0 {
			t.Fatalf("bad spec %+v", s)
		}
		for _, c := range s.Columns {
			if again, err := ParseType(c.Type.String()); err != nil || again != c.Type {
				t.Fatalf("type %s does not round-trip: %v", c.Type, err)
			}
			if c.Type.Arrow() == nil {
				t.Fatalf("column %s has no Arrow type", c.Name)
			}
		}
		for _, name := range append(s.Partitioning.Columns(), orderingColumns(s)...) {
			if s.Column(name) == nil {
				t.Fatalf("reference to unknown column %q", name)
			}
		}
		for _, flt := range s.Pushdown.Filters {
			c := s.Column(flt.Column)
			if c == nil || len(flt.Ops) == 0 {
				t.Fatalf("bad filter %+v", flt)
			}
			for _, op := range flt.Ops {
				if opMismatch(op, c) != "" {
					t.Fatalf("op %s accepted on %s", op, c.Type)
				}
			}
		}
		if err := validateYAML(t, data); err != nil {
			t.Fatalf("Parse accepts a spec the schema rejects: %v\n%s", err, data)
		}
	})
}

func orderingColumns(s *Spec) []string {
	var cols []string
	for _, k := range s.Ordering {
		cols = append(cols, k.Column)
	}
	return cols
}
