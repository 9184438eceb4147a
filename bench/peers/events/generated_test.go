package events

import (
	"testing"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/spec"
)

// TestGeneratedFilesAreCurrent fails when events.tpgen.yaml or the
// generator changed without `go generate` being run.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	s, err := spec.Load("events.tpgen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := generator.Generate(s, generator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff, stale := generator.Diff(".", files); stale {
		t.Errorf("generated files are stale; run go generate ./events (in bench/peers):\n%s", diff)
	}
}
