package physical

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/plan"
)

// TestTopNMatchesFullSort runs top-N over many small batches (enough to
// force the heap to compact the batches it pins) and compares with the
// prefix of a full stable sort.
func TestTopNMatchesFullSort(t *testing.T) {
	mem := checked(t)
	rng := rand.New(rand.NewPCG(5, 6))
	s := schemaOf("a", i64, "b", i64)
	var batches []plan.Batch
	for i := range 60 {
		var as, bs []any
		for j := range 4 {
			if rng.IntN(10) == 0 {
				as = append(as, nil)
			} else {
				as = append(as, rng.IntN(50)) // ties and scattered winners pin many batches
			}
			bs = append(bs, i*4+j)
		}
		batches = append(batches, plan.Batch{Record: rec(s, col(mem, i64, as...), col(mem, i64, bs...))})
	}
	leaf := newLeaf(s, batches)
	defer leaf.release()
	keys := []SortExpr{{Expr: colExpr("a", i64), NullsFirst: true}}
	full, err := NewSort(leaf, keys, -1, false)
	if err != nil {
		t.Fatal(err)
	}
	all := collectRows(t, mem, full)
	for _, fetch := range []int{1, 3, 10, 40, 500} {
		top, err := NewSort(leaf, keys, fetch, false)
		if err != nil {
			t.Fatal(err)
		}
		want := all[:min(fetch, len(all))]
		if diff := cmp.Diff(want, collectRows(t, mem, top)); diff != "" {
			t.Errorf("fetch=%d (-want +got):\n%s", fetch, diff)
		}
		// With large output batches the heap compacts once it pins more
		// than 8 input batches.
		recs, err := Collect(context.Background(), top, &plan.TaskContext{Allocator: mem, BatchSize: 8192})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, rows(recs)); diff != "" {
			t.Errorf("fetch=%d, batch 8192 (-want +got):\n%s", fetch, diff)
		}
		release(recs)
	}
}
