package physical

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

func TestSumFits(t *testing.T) {
	for _, c := range []struct {
		rows, lo, hi int64
		want         bool
	}{
		{1_000_000, 0, 999_999, true},
		{1, math.MinInt64 + 1, math.MaxInt64, true},
		{1, math.MinInt64, 0, false}, // |MinInt64| is 2^63
		{2, -(1 << 62), 1 << 62, false},
		{2, -(1 << 62) + 1, (1 << 62) - 1, true},
		{math.MaxInt64, -1, 1, true},
		{math.MaxInt64, 0, 2, false},
		{0, math.MinInt64, math.MaxInt64, true},
	} {
		if got := sumFits(c.rows, c.lo, c.hi); got != c.want {
			t.Errorf("sumFits(%d, %d, %d) = %v, want %v", c.rows, c.lo, c.hi, got, c.want)
		}
	}
}

// boundedLeaf is a leaf whose statistics bound column v to [lo, hi] over
// rows rows.
type boundedLeaf struct {
	*leafExec
	st plan.Statistics
}

func (b *boundedLeaf) Statistics() plan.Statistics { return b.st }

func bounded(leaf *leafExec, rows, lo, hi int64, exact, bounded bool) *boundedLeaf {
	return &boundedLeaf{leaf, plan.Statistics{Rows: rows, Exact: exact, Bounded: bounded, Columns: map[string]plan.ColumnStatistics{
		"v": {Min: expr.Int64(lo), Max: expr.Int64(hi), NullCount: -1},
	}}}
}

// TestSumOfBoundedInput checks which sums the input's statistics let run
// on the wrapping kernel, and that its answers are the exact ones, with
// and without a selection and with NULLs (which take the exact path).
func TestSumOfBoundedInput(t *testing.T) {
	mem := checked(t)
	s := schemaOf("v", i64)
	vals := []any{int64(5), int64(-7), nil, int64(1 << 40), int64(-(1 << 41)), int64(3), int64(9), int64(-1)}
	batches := func() []plan.Batch {
		var out []plan.Batch
		for i := 0; i < len(vals); i += 3 {
			out = append(out, plan.Batch{Record: rec(s, exactCol(mem, i64, vals[i:min(i+3, len(vals))]))})
		}
		// A selection of rows 0 and 2 of (100, 200, 300).
		b := array.NewInt64Builder(mem)
		b.AppendValues([]int64{100, 200, 300}, nil)
		col := b.NewArray()
		b.Release()
		out = append(out, plan.Batch{Record: rec(s, col), Sel: []int32{0, 2}})
		return out
	}
	sum := []AggregateExpr{{Func: expr.AggSum, Arg: colExpr("v", i64), Name: "s"}, {Func: expr.AggCount, Name: "n"}}
	// 5 - 7 + 2^40 - 2^41 + 3 + 9 - 1, then 100 + 300 selected; count(*)
	// counts the NULL's row too.
	want := []string{"-1099511627367,10"}
	var leaves []*leafExec
	leaf := func() *leafExec {
		l := newLeaf(s, batches())
		leaves = append(leaves, l)
		return l
	}
	defer func() {
		for _, l := range leaves {
			l.release()
		}
	}()
	for _, c := range []struct {
		name  string
		input plan.ExecutionPlan
		mode  AggregateMode
		fits  bool
	}{
		{"bounded", bounded(leaf(), 9, -(1 << 41), 1<<40, false, true), AggregateSingle, true},
		{"exact", bounded(leaf(), 9, -(1 << 41), 1<<40, true, false), AggregatePartial, true},
		{"too wide", bounded(leaf(), 1<<22, -(1 << 41), 1<<41, false, true), AggregateSingle, false},
		{"estimates only", bounded(leaf(), 9, -(1 << 41), 1<<40, false, false), AggregateSingle, false},
		{"no statistics", leaf(), AggregateSingle, false},
	} {
		a, err := NewHashAggregate(c.mode, c.input, nil, nil, sum)
		if err != nil {
			t.Fatal(err)
		}
		fit := a.sumsFit()
		if got := fit != nil && fit[0]; got != c.fits {
			t.Errorf("%s: the sum runs on the wrapping kernel: %v, want %v", c.name, got, c.fits)
		}
		if fit != nil && fit[1] {
			t.Errorf("%s: count(*) marked as a bounded sum", c.name)
		}
		var p plan.ExecutionPlan = a
		if c.mode == AggregatePartial {
			if p, err = NewHashAggregate(AggregateFinal, a, nil, nil, sum); err != nil {
				t.Fatal(err)
			}
		}
		got, err := runExact(mem, p)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}

func TestWrappingSum(t *testing.T) {
	vals := make([]int64, 1003)
	var want int64
	for i := range vals {
		vals[i] = int64(i*7919%2003) - 1000
		want += vals[i]
	}
	for n := range 20 {
		var w int64
		for _, v := range vals[:n] {
			w += v
		}
		if got := wrappingSum(vals[:n]); got != w {
			t.Errorf("wrappingSum of %d values = %d, want %d", n, got, w)
		}
	}
	if got := wrappingSum(vals); got != want {
		t.Errorf("wrappingSum = %d, want %d", got, want)
	}
	sel := []int32{0, 5, 1002}
	if got, w := wrappingSumSel(vals, sel), vals[0]+vals[5]+vals[1002]; got != w {
		t.Errorf("wrappingSumSel = %d, want %d", got, w)
	}
}
