package physical

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// TestRangePartitioningPropagates follows Range([a]) through every
// operator that can sit between a range-partitioned scan and the sort or
// aggregate that relies on it.
func TestRangePartitioningPropagates(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: i64},                 // the range column, no NULLs
		{Name: "b", Type: i64, Nullable: true}, // nullable
	}, nil)
	ranged := func(col string) *leafExec {
		l := newLeaf(s, nil, nil, nil)
		l.props.Partitioning = plan.Partitioning{Kind: plan.RangePartitioning, Columns: []string{col}}
		l.props.Ordering = []plan.SortKey{{Column: col}}
		return l
	}
	a, b := colExpr("a", i64), colExpr("b", i64)
	plus := &expr.Binary{Op: expr.OpAdd, L: a, R: &expr.Literal{Value: expr.Int64(1)}, Type: i64}
	must := func(p plan.ExecutionPlan, err error) plan.ExecutionPlan {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	count := []AggregateExpr{{Func: expr.AggCount, Name: "n"}}
	tests := []struct {
		name       string
		p          plan.ExecutionPlan
		want       string // partitioning
		partitions int
	}{
		{"filter keeps it", must(NewFilter(ranged("a"), gt("b", 1))), "Range([a])", 3},
		{"projection keeps it", must(NewProjection(ranged("a"), []expr.Expr{b, a}, []string{"b", "a"})), "Range([a])", 3},
		{"projection renames it", must(NewProjection(ranged("a"), []expr.Expr{a}, []string{"t"})), "Range([t])", 3},
		{"projection of a repeated column keeps the first name", must(NewProjection(ranged("a"), []expr.Expr{a, a}, []string{"x", "y"})), "Range([x])", 3},
		{"projection drops it", must(NewProjection(ranged("a"), []expr.Expr{b}, []string{"b"})), "Unknown", 3},
		{"computed column named like it", must(NewProjection(ranged("a"), []expr.Expr{plus}, []string{"a"})), "Unknown", 3},
		{"swapped names", must(NewProjection(ranged("a"), []expr.Expr{b, a}, []string{"a", "b"})), "Range([b])", 3},
		{"local limit keeps it", NewLocalLimit(ranged("a"), 5), "Range([a])", 3},
		{"per-partition sort keeps it", must(NewSort(ranged("a"), []SortExpr{{Expr: b}}, -1, true)), "Range([a])", 3},
		{"coalesce: one partition", NewCoalescePartitions(ranged("a")), "Single", 1},
		{"aggregate grouped by it keeps it", must(PlanAggregate(ranged("a"), []expr.Expr{a, b}, []string{"g", "b"}, count, 2)), "Range([g])", 3},
		// NULLs of b may be in every partition: its NULL group would
		// come out of several, so the plan must combine partials.
		{"aggregate by a nullable range column", must(PlanAggregate(ranged("b"), []expr.Expr{b}, []string{"b"}, count, 2)), "Key([b])", 2},
		{"aggregate not grouped by it", must(PlanAggregate(ranged("a"), []expr.Expr{b}, []string{"b"}, count, 2)), "Key([b])", 2},
	}
	for _, tc := range tests {
		got := tc.p.Properties()
		if got.Partitioning.String() != tc.want || got.Partitions != tc.partitions {
			t.Errorf("%s: %d partitions, %s; want %d, %s\n%s", tc.name, got.Partitions, got.Partitioning, tc.partitions, tc.want, Explain(tc.p))
		}
	}

	// A Partial aggregate over a nullable range column promises nothing.
	partial := must(NewHashAggregate(AggregatePartial, ranged("b"), []expr.Expr{b}, []string{"b"}, count))
	if got := partial.Properties().Partitioning; got.Kind != plan.UnknownPartitioning {
		t.Errorf("partial aggregate by nullable range column: %s, want Unknown", got)
	}
	if got := Explain(must(PlanAggregate(ranged("b"), []expr.Expr{b}, []string{"b"}, count, 2))); got !=
		"AggregateExec: mode=Final, gby=[b], aggr=[count(*) AS n]\n"+
			"  RepartitionExec: partitioning=Hash([b], 2), input_partitions=2\n"+
			"    AggregateExec: mode=Partial, gby=[b], aggr=[count(*) AS n]\n"+
			"      SharePartitionsExec: partitions=2, input_partitions=3\n"+
			"        LeafExec: partitions=3\n" {
		t.Errorf("aggregate by nullable range column:\n%s", got)
	}
}
