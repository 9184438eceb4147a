package physical

import (
	"slices"
	"testing"

	"github.com/tpgen/tpgen/runtime/expr"
)

// TestSumAvgDistinct: each distinct non-null value counts once per group,
// in every plan shape PlanAggregate picks and under a selection.
func TestSumAvgDistinct(t *testing.T) {
	mem := checked(t)
	leaf := aggInput(t, mem) // b has 2 twice (one row of it hidden), a has 1 and 5
	k, v := colExpr("k", str), colExpr("v", i64)
	aggs := []AggregateExpr{
		{Func: expr.AggSum, Arg: v, Distinct: true, Name: "sum(DISTINCT v)"},
		{Func: expr.AggAvg, Arg: v, Distinct: true, Name: "avg(DISTINCT v)"},
		{Func: expr.AggSum, Arg: v, Name: "sum(v)"},
	}
	want := []string{"NULL,3,3,3", "a,6,3,6", "b,2,2,4", "c,NULL,NULL,NULL"}
	for _, parts := range []int{1, 3} {
		p, err := PlanAggregate(leaf, []expr.Expr{k}, []string{"k"}, aggs, parts)
		if err != nil {
			t.Fatal(err)
		}
		got := collectRows(t, mem, p)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%d partitions: %v, want %v", parts, got, want)
		}
	}
	if _, err := NewHashAggregate(AggregatePartial, leaf, []expr.Expr{k}, []string{"k"}, aggs); err == nil {
		t.Error("a partial sum(DISTINCT) should be refused")
	}
}
