package spec

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden/errors/*.err from the current messages")

const goldenDir = "../golden/errors"

// TestGoldenErrors parses every bad spec in golden/errors and compares the
// full error text with NAME.err. The file is named by its base name only, so
// the expected text does not depend on where the repository lives.
func TestGoldenErrors(t *testing.T) {
	specs, err := filepath.Glob(filepath.Join(goldenDir, "*.tpgen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) < 35 {
		t.Fatalf("golden catalog has %d bad specs, want at least 35", len(specs))
	}
	for _, path := range specs {
		base := filepath.Base(path)
		name := strings.TrimSuffix(base, ".tpgen.yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(base, data)
			if err == nil {
				t.Fatalf("Parse accepted a bad spec: %+v", s)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want ErrorList", err)
			}
			for _, e := range list {
				if e.File != base || e.Line < 1 || e.Col < 1 || e.Msg == "" {
					t.Errorf("malformed entry %#v", e)
				}
				if strings.Contains(e.Msg, "internal error") {
					t.Errorf("Parse recovered from a panic: %s", e.Msg)
				}
			}
			got := err.Error() + "\n"
			errPath := filepath.Join(goldenDir, name+".err")
			if *update {
				if err := os.WriteFile(errPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(errPath)
			if err != nil {
				t.Fatalf("%v (run go test ./spec -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("errors differ from %s (run go test ./spec -update to accept)\ngot:\n%s\nwant:\n%s", errPath, got, want)
			}
		})
	}
}

// TestGoldenNoOrphans keeps the catalog tidy: every .err belongs to a spec.
func TestGoldenNoOrphans(t *testing.T) {
	errs, err := filepath.Glob(filepath.Join(goldenDir, "*.err"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		spec := strings.TrimSuffix(e, ".err") + ".tpgen.yaml"
		if _, err := os.Stat(spec); err != nil {
			t.Errorf("%s has no spec %s", e, filepath.Base(spec))
		}
	}
}
