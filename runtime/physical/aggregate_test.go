package physical

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

func sortedRows(t *testing.T, mem allocator, p plan.ExecutionPlan) []string {
	t.Helper()
	r := collectRows(t, mem, p)
	slices.Sort(r)
	return r
}

var (
	i64 = arrow.PrimitiveTypes.Int64
	f64 = arrow.PrimitiveTypes.Float64
	str = arrow.BinaryTypes.String
)

func allAggs(v expr.Expr) []AggregateExpr {
	return []AggregateExpr{
		{Func: expr.AggCount, Name: "count(*)"},
		{Func: expr.AggCount, Arg: v, Name: "count(v)"},
		{Func: expr.AggCount, Arg: v, Distinct: true, Name: "count(DISTINCT v)"},
		{Func: expr.AggSum, Arg: v, Name: "sum(v)"},
		{Func: expr.AggMin, Arg: v, Name: "min(v)"},
		{Func: expr.AggMax, Arg: v, Name: "max(v)"},
		{Func: expr.AggAvg, Arg: v, Name: "avg(v)"},
	}
}

// aggInput is k (string), v (int64) over three partitions, one of them
// empty, with NULL keys and values and a selection hiding a row.
func aggInput(t *testing.T, mem allocator) *leafExec {
	s := schemaOf("k", str, "v", i64)
	leaf := newLeaf(s,
		[]plan.Batch{
			{Record: rec(s, col(mem, str, "a", "b", nil, "a"), col(mem, i64, 1, 2, 3, nil))},
			{Record: rec(s, col(mem, str, "b", "hidden"), col(mem, i64, 2, 100)), Sel: []int32{0}},
		},
		nil,
		[]plan.Batch{{Record: rec(s, col(mem, str, "a", nil, "c"), col(mem, i64, 5, nil, nil))}},
	)
	t.Cleanup(leaf.release)
	return leaf
}

func TestAggregateAllFunctionsEveryShape(t *testing.T) {
	mem := checked(t)
	leaf := aggInput(t, mem)
	k, v := colExpr("k", str), colExpr("v", i64)
	want := []string{
		"NULL,2,1,1,3,3,3,3",
		"a,3,2,2,6,1,5,3",
		"b,2,2,1,4,2,2,2",
		"c,1,0,0,NULL,NULL,NULL,NULL",
	}
	shapes := map[string]plan.ExecutionPlan{}
	var err error
	shapes["planned-unknown"], err = PlanAggregate(leaf, []expr.Expr{k}, []string{"k"}, allAggs(v), 3)
	if err != nil {
		t.Fatal(err)
	}
	shapes["single"], err = NewHashAggregate(AggregateSingle, leaf, []expr.Expr{k}, []string{"k"}, allAggs(v))
	if err != nil {
		t.Fatal(err)
	}
	noDistinct := slices.Delete(allAggs(v), 2, 3)
	split, err := PlanAggregate(leaf, []expr.Expr{k}, []string{"k"}, noDistinct, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := split.(*HashAggregateExec).Mode(); got != AggregateFinal {
		t.Fatalf("without DISTINCT the plan should be Partial/Final, got %s:\n%s", got, Explain(split))
	}
	for name, p := range shapes {
		if diff := cmp.Diff(want, sortedRows(t, mem, p)); diff != "" {
			t.Errorf("%s (-want +got):\n%s\n%s", name, diff, Explain(p))
		}
	}
	var wantSplit []string
	for _, w := range want {
		wantSplit = append(wantSplit, dropField(w, 3))
	}
	if diff := cmp.Diff(wantSplit, sortedRows(t, mem, split)); diff != "" {
		t.Errorf("partial/final (-want +got):\n%s\n%s", diff, Explain(split))
	}
}

// dropField removes the i-th comma-separated field (0-based) of row.
func dropField(row string, i int) string {
	f := strings.Split(row, ",")
	return strings.Join(append(f[:i:i], f[i+1:]...), ",")
}

func TestAggregateKeyPartitionedRunsPerPartition(t *testing.T) {
	mem := checked(t)
	leaf := aggInput(t, mem)
	// Not true of aggInput ("a" is in two partitions), which is how the
	// test proves the plan trusts the declaration: one phase per partition.
	leaf.props.Partitioning = plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"k"}}
	k, v := colExpr("k", str), colExpr("v", i64)
	p, err := PlanAggregate(leaf, []expr.Expr{k}, []string{"k"}, []AggregateExpr{{Func: expr.AggSum, Arg: v, Name: "s"}}, 4)
	if err != nil {
		t.Fatal(err)
	}
	got := Explain(p)
	want := "AggregateExec: mode=SinglePartitioned, gby=[k], aggr=[sum(v) AS s]\n  LeafExec: partitions=3\n"
	if got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
	if pp := p.Properties(); pp.Partitions != 3 || pp.Partitioning.Kind != plan.KeyPartitioning {
		t.Errorf("properties = %+v", pp)
	}
}

func TestAggregateGlobalOverEmptyInput(t *testing.T) {
	mem := checked(t)
	s := schemaOf("k", str, "v", i64)
	v := colExpr("v", i64)
	for _, parts := range [][][]plan.Batch{{nil}, {nil, nil, {{Record: rec(s, col(mem, str, "x"), col(mem, i64, 1)), Sel: []int32{}}}}} {
		leaf := newLeaf(s, parts...)
		p, err := PlanAggregate(leaf, nil, nil, allAggs(v), 2)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"0,0,0,NULL,NULL,NULL,NULL"}, collectRows(t, mem, p)); diff != "" {
			t.Errorf("%d partitions (-want +got):\n%s\n%s", len(parts), diff, Explain(p))
		}
		nd := slices.Delete(allAggs(v), 2, 3)
		p, err = PlanAggregate(leaf, nil, nil, nd, 2)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"0,0,NULL,NULL,NULL,NULL"}, collectRows(t, mem, p)); diff != "" {
			t.Errorf("%d partitions, split (-want +got):\n%s\n%s", len(parts), diff, Explain(p))
		}
		// Grouped over empty input: no rows.
		g, err := PlanAggregate(leaf, []expr.Expr{colExpr("k", str)}, []string{"k"}, nd, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := collectRows(t, mem, g); len(got) != 0 {
			t.Errorf("grouped aggregate over empty input = %v", got)
		}
		leaf.release()
	}
}

// TestAggregateEveryKeyType groups random data by one key of every type
// (plus a two-column key) and compares with a Go map.
func TestAggregateEveryKeyType(t *testing.T) {
	mem := checked(t)
	rng := rand.New(rand.NewPCG(3, 4))
	types := []arrow.DataType{
		arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int32, i64, arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint64,
		arrow.PrimitiveTypes.Float32, f64, str, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary,
		arrow.FixedWidthTypes.Boolean, arrow.FixedWidthTypes.Date32, &arrow.TimestampType{Unit: arrow.Nanosecond},
		&arrow.DurationType{Unit: arrow.Second}, &arrow.Decimal128Type{Precision: 10, Scale: 3},
	}
	for _, typ := range types {
		t.Run(typ.String(), func(t *testing.T) {
			const n = 200
			keys := make([]any, n)
			vals := make([]any, n)
			want := map[string][2]int{} // key -> count(*), sum(v)
			s := schemaOf("k", typ, "v", i64)
			for i := range n {
				vals[i] = rng.IntN(10)
				if rng.IntN(8) > 0 {
					keys[i] = goValue(typ, rng.IntN(7)-3)
				}
			}
			var parts [][]plan.Batch
			for lo := 0; lo < n; lo += 50 {
				r := rec(s, col(mem, typ, keys[lo:lo+50]...), col(mem, i64, vals[lo:lo+50]...))
				// Keep every other row through a selection.
				var sel []int32
				for i := 0; i < 50; i += 2 {
					sel = append(sel, int32(i))
				}
				for i := 0; i < 50; i += 2 {
					k := r.Column(0).ValueStr(i)
					if r.Column(0).IsNull(i) {
						k = "NULL"
					}
					w := want[k]
					w[0]++
					w[1] += vals[lo+i].(int)
					want[k] = w
				}
				parts = append(parts, []plan.Batch{{Record: r, Sel: sel}})
			}
			var wantRows []string
			for k, w := range want {
				wantRows = append(wantRows, fmt.Sprintf("%s,%d,%d", k, w[0], w[1]))
			}
			slices.Sort(wantRows)
			leaf := newLeaf(s, parts...)
			defer leaf.release()
			aggs := []AggregateExpr{{Func: expr.AggCount, Name: "n"}, {Func: expr.AggSum, Arg: colExpr("v", i64), Name: "s"}}
			for _, target := range []int{1, 3} {
				p, err := PlanAggregate(leaf, []expr.Expr{colExpr("k", typ)}, []string{"k"}, aggs, target)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantRows, sortedRows(t, mem, p)); diff != "" {
					t.Errorf("target=%d (-want +got):\n%s", target, diff)
				}
			}
			// Two keys: (k, v % nothing) = (k, v) against a second oracle.
			p, err := NewHashAggregate(AggregateSingle, leaf, []expr.Expr{colExpr("k", typ), colExpr("v", i64)}, []string{"k", "v"}, aggs[:1])
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, r := range sortedRows(t, mem, p) {
				var c int
				fmt.Sscanf(r[lastComma(r)+1:], "%d", &c)
				total += c
			}
			if total != n/2 {
				t.Errorf("two-key groups count %d rows, want %d", total, n/2)
			}
		})
	}
}

func lastComma(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ',' {
			return i
		}
	}
	return -1
}

func TestAggregateMinMaxSumEveryType(t *testing.T) {
	mem := checked(t)
	dec := &arrow.Decimal128Type{Precision: 12, Scale: 2}
	cases := []struct {
		typ        arrow.DataType
		vals       []any
		min, max   string
		sum, avg   string
		sumAllowed bool
	}{
		{arrow.PrimitiveTypes.Int8, []any{3, nil, -7, 5}, "-7", "5", "1", "0.3333333333333333", true},
		{arrow.PrimitiveTypes.Uint8, []any{3, nil, 250, 5}, "3", "250", "258", "86", true},
		{arrow.PrimitiveTypes.Float32, []any{1.5, nil, -2.25, 0.0}, "-2.25", "1.5", "-0.75", "-0.25", true},
		{f64, []any{1.5, nil, -2.5, 0.0}, "-2.5", "1.5", "-1", "-0.3333333333333333", true},
		{dec, []any{150, nil, -225, 1}, "-2.25", "1.5", "-0.74", "-0.24666666666666667", true},
		{str, []any{"pear", nil, "apple", "zoo"}, "apple", "zoo", "", "", false},
		{arrow.BinaryTypes.Binary, []any{"b", nil, "a", "c"}, "YQ==", "Yw==", "", "", false},
		{arrow.FixedWidthTypes.Boolean, []any{true, nil, false, true}, "false", "true", "", "", false},
		{arrow.FixedWidthTypes.Date32, []any{3, nil, 1, 2}, "1970-01-02", "1970-01-04", "", "", false},
		{&arrow.DurationType{Unit: arrow.Second}, []any{3, nil, 1, 2}, "1s", "3s", "6s", "", true},
	}
	for _, c := range cases {
		s := schemaOf("v", c.typ)
		leaf := newLeaf(s, []plan.Batch{{Record: rec(s, col(mem, c.typ, c.vals[:2]...))}}, []plan.Batch{{Record: rec(s, col(mem, c.typ, c.vals[2:]...))}})
		v := colExpr("v", c.typ)
		aggs := []AggregateExpr{{Func: expr.AggMin, Arg: v, Name: "min"}, {Func: expr.AggMax, Arg: v, Name: "max"}}
		want := c.min + "," + c.max
		if c.sumAllowed {
			aggs = append(aggs, AggregateExpr{Func: expr.AggSum, Arg: v, Name: "sum"})
			want += "," + c.sum
		}
		if c.avg != "" {
			aggs = append(aggs, AggregateExpr{Func: expr.AggAvg, Arg: v, Name: "avg"})
			want += "," + c.avg
		}
		p, err := PlanAggregate(leaf, nil, nil, aggs, 2)
		if err != nil {
			t.Fatalf("%s: %v", c.typ, err)
		}
		if diff := cmp.Diff([]string{want}, collectRows(t, mem, p)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.typ, diff)
		}
		leaf.release()
	}
}

func TestAggregateSumOverflowIsLocatedError(t *testing.T) {
	mem := checked(t)
	s := schemaOf("v", i64)
	leaf := newLeaf(s, []plan.Batch{{Record: rec(s, col(mem, i64, 1<<62, 1<<62))}})
	defer leaf.release()
	p, err := NewHashAggregate(AggregateSingle, leaf, nil, nil, []AggregateExpr{{Func: expr.AggSum, Arg: colExpr("v", i64), Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Collect(context.Background(), p, &plan.TaskContext{Allocator: mem})
	var pe *plan.Error
	if !errors.As(err, &pe) || pe.Operator != "AggregateExec" || !errors.Is(err, errIntRange) {
		t.Fatalf("err = %v, want a located sum overflow", err)
	}
}

func TestAggregateRejectsBadInput(t *testing.T) {
	s := schemaOf("k", str, "v", i64)
	leaf := newLeaf(s)
	bad := []struct {
		mode AggregateMode
		aggs []AggregateExpr
	}{
		{AggregateSingle, []AggregateExpr{{Func: expr.AggSum, Arg: colExpr("k", str), Name: "x"}}},
		{AggregateSingle, []AggregateExpr{{Func: expr.AggSum, Name: "x"}}},
		{AggregateSingle, []AggregateExpr{{Func: expr.AggMin, Arg: colExpr("nope", i64), Name: "x"}}},
		{AggregatePartial, []AggregateExpr{{Func: expr.AggCount, Arg: colExpr("v", i64), Distinct: true, Name: "x"}}},
		{AggregateFinal, []AggregateExpr{{Func: expr.AggAvg, Arg: colExpr("v", i64), Name: "x"}}},
	}
	for i, b := range bad {
		if _, err := NewHashAggregate(b.mode, leaf, nil, nil, b.aggs); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}
