package generator_test

import (
	"testing"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/spec"
)

// TestBenchPeersGeneratedFilesAreCurrent checks the generated provider of
// the peer benchmark (bench/peers, a module of its own that the main
// module's go test ./... does not reach), so a generator change that
// needs it regenerated fails here and not only in CI.
func TestBenchPeersGeneratedFilesAreCurrent(t *testing.T) {
	s, err := spec.Load("../bench/peers/events/events.tpgen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := generator.Generate(s, generator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff, stale := generator.Diff("../bench/peers/events", files); stale {
		t.Errorf("bench/peers/events is stale; run (cd bench/peers && go generate ./events):\n%s", diff)
	}
}
