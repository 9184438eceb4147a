package physical

import (
	"sort"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// TestRepartitionSharesRecordsSafely: a repartition hands one record to
// several outputs, read on several goroutines. A sliced array's null count
// is computed lazily on first use and cached without synchronisation, so
// the repartition must compute it before sharing (go test -race catches
// the regression).
func TestRepartitionSharesRecordsSafely(t *testing.T) {
	mem := checked(t)
	s := schemaOf("a", i64, "b", str)
	var as, bs []any
	for i := range 64 {
		as = append(as, i)
		if i%3 == 0 {
			bs = append(bs, nil)
		} else {
			bs = append(bs, "x")
		}
	}
	whole := rec(s, col(mem, i64, as...), col(mem, str, bs...))
	sliced := whole.NewSlice(1, 64) // null counts unknown until asked
	whole.Release()
	leaf := newLeaf(s, []plan.Batch{{Record: sliced}})
	defer leaf.release()
	rep, err := NewRepartition(leaf, []expr.Expr{colExpr("a", i64)}, 4)
	if err != nil {
		t.Fatal(err)
	}
	notNull, err := NewFilter(rep, &expr.IsNull{E: colExpr("b", str), Negated: true})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := Collect(t.Context(), NewCoalescePartitions(notNull), &plan.TaskContext{Allocator: mem, Parallelism: 4})
	if err != nil {
		t.Fatal(err)
	}
	got := rows(recs)
	release(recs)
	sort.Strings(got)
	var want []string
	for i := 1; i < 64; i++ {
		if i%3 != 0 {
			want = append(want, strconv.Itoa(i)+",x")
		}
	}
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
