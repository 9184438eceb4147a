package source

import (
	"cmp"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/domain"
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

func TestScanPlanStatistics(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String},
		{Name: "x", Type: arrow.PrimitiveTypes.Int64},
		{Name: "y", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	key := plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"region"}}
	column := func(name string) *expr.Column {
		return &expr.Column{Name: name, Type: sch.Field(sch.FieldIndices(name)[0]).Type}
	}
	cmp := func(op expr.Op, c string, v expr.Scalar) expr.Expr {
		return &expr.Binary{Op: op, L: column(c), R: &expr.Literal{Value: v}, Type: arrow.FixedWidthTypes.Boolean}
	}
	// Two partitions: a (3 rows, x in [1, 5]) and b (2 rows, x in [10, 20]).
	parts := []PartitionStats{
		{Rows: 3, Columns: []ColumnStats{{Column: "x", Min: int64(1), Max: int64(5), Valid: true}}},
		{Rows: 2, Columns: []ColumnStats{{Column: "x", Min: int64(10), Max: int64(20), Valid: true}}},
	}
	var projection []int // nil: every column; empty: none (count(*))
	stats := func(exact bool, limit int, filters ...expr.Expr) plan.Statistics {
		p, err := NewScanPlan("X", sch, Layout{Partitioning: key, ExactStatistics: exact},
			plan.ScanRequest{Projection: projection, Filters: filters, Limit: limit}, NewOptions("x"))
		if err != nil {
			t.Fatal(err)
		}
		p.SetPartitions(2, 2)
		p.SetBounds(func(i int) ([]any, bool) { return []any{[]string{"a", "b"}[i]}, true })
		return p.Statistics(func(i int) PartitionStats { return parts[i] })
	}
	st := stats(true, plan.NoLimit)
	if st.Rows != 5 || !st.Exact {
		t.Fatalf("unfiltered: %+v", st)
	}
	if x := st.Columns["x"]; x.Min.Int64Value() != 1 || x.Max.Int64Value() != 20 || x.NullCount != 0 {
		t.Errorf("x: %+v", x)
	}
	if r := st.Columns["region"]; r.Min.Value != "a" || r.Max.Value != "b" {
		t.Errorf("region from the keys: %+v", r)
	}
	if y := st.Columns["y"]; !y.Min.Null || y.NullCount != -1 {
		t.Errorf("y is unknown: %+v", y)
	}
	for _, c := range []struct {
		name   string
		exact  bool
		limit  int
		filter expr.Expr
		want   bool
	}{
		{"estimates only", false, plan.NoLimit, nil, false},
		{"a limit cuts partitions", true, 3, nil, false},
		{"the key filter holds for whole partitions", true, plan.NoLimit, cmp(expr.OpNe, "region", expr.String("c")), true},
		{"x >= 1 holds everywhere", true, plan.NoLimit, cmp(expr.OpGe, "x", expr.Int64(1)), true},
		{"x > 3 cuts partition a", true, plan.NoLimit, cmp(expr.OpGt, "x", expr.Int64(3)), false},
		{"y has no statistics", true, plan.NoLimit, cmp(expr.OpGt, "y", expr.Int64(0)), false},
	} {
		var fs []expr.Expr
		if c.filter != nil {
			fs = append(fs, c.filter)
		}
		// Exactness must not depend on whether the filtered column is
		// output: count(*) outputs none.
		for _, projection = range [][]int{nil, {}} {
			if got := stats(c.exact, c.limit, fs...).Exact; got != c.want {
				t.Errorf("%s, projection %v: Exact = %v, want %v", c.name, projection, got, c.want)
			}
		}
	}
	projection = nil
	parts[1].Rows = 0 // unknown when the spec does not declare exact statistics
	if st := stats(false, plan.NoLimit); st.Rows != -1 {
		t.Errorf("an unknown partition: %+v", st)
	}
	if st := stats(true, plan.NoLimit); st.Rows != 3 || !st.Exact {
		t.Errorf("an empty partition with exact statistics: %+v", st)
	}
}

func TestColumnBounds(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String},
		{Name: "x", Type: arrow.PrimitiveTypes.Int64},
		{Name: "y", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	key := plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"region"}}
	x := func(lo, hi int64) *MinMax[int64] { return &MinMax[int64]{Min: lo, Max: hi, Valid: true} }
	parts := []PartitionStats{
		{Rows: 3, Columns: []ColumnStats{StatsOf("x", x(-4, 5)), StatsOf("y", &MinMax[int64]{})}},
		{Rows: 0}, // empty: bounds nothing
		{Rows: 2, Columns: []ColumnStats{StatsOf("x", x(10, 20)), StatsOf("y", x(1, 1))}},
	}
	bounds := func(exact bool, column string, filters ...expr.Expr) (plan.ColumnBounds, bool) {
		p, err := NewScanPlan("X", sch, Layout{Partitioning: key, ExactStatistics: exact},
			plan.ScanRequest{Filters: filters, Limit: 1}, NewOptions("x"))
		if err != nil {
			t.Fatal(err)
		}
		p.SetPartitions(3, 3)
		p.SetBounds(func(i int) ([]any, bool) { return []any{[]string{"a", "b", "c"}[i]}, true })
		return p.ColumnBounds(column, func(i int) PartitionStats { return parts[i] })
	}
	// A filter and a limit drop rows, which the bounds still bound.
	gt := &expr.Binary{Op: expr.OpGt, L: &expr.Column{Name: "x", Type: arrow.PrimitiveTypes.Int64}, R: &expr.Literal{Value: expr.Int64(7)}, Type: arrow.FixedWidthTypes.Boolean}
	b, ok := bounds(true, "x", gt)
	if !ok || b.Rows != 5 || b.Min.Int64Value() != -4 || b.Max.Int64Value() != 20 {
		t.Errorf("x: %+v, %v; want 5 rows in [-4, 20]", b, ok)
	}
	if b, ok := bounds(true, "region"); !ok || b.Min.Value != "a" || b.Max.Value != "c" {
		t.Errorf("the key column: %+v, %v; want [a, c]", b, ok)
	}
	if _, ok := bounds(true, "y"); ok {
		t.Error("y, unknown in a partition with rows, was bounded")
	}
	if _, ok := bounds(false, "x"); ok {
		t.Error("estimated statistics bounded x")
	}
	if _, ok := bounds(true, "nope"); ok {
		t.Error("a missing column was bounded")
	}
}

// TestInt64ColumnBounds checks the int64 path of ColumnBounds (a sum's
// question) against the generic one it stands for.
func TestInt64ColumnBounds(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	key := plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"region"}}
	for _, c := range []struct {
		name  string
		parts []PartitionStats
		ok    bool
		lo    int64
		hi    int64
	}{
		{"typed", []PartitionStats{
			{Rows: 4, Columns: []ColumnStats{StatsOf("n", &MinMax[int64]{Min: -3, Max: 9, Valid: true})}},
			{Rows: 0},
			{Rows: 2, Columns: []ColumnStats{StatsOf("n", &MinMax[int64]{Min: 5, Max: 40, Valid: true})}},
		}, true, -3, 40},
		{"hand-built", []PartitionStats{
			{Rows: 4, Columns: []ColumnStats{{Column: "n", Min: int64(7), Max: int64(8), Valid: true}}},
		}, true, 7, 8},
		{"unknown in a partition", []PartitionStats{
			{Rows: 4, Columns: []ColumnStats{StatsOf("n", &MinMax[int64]{Min: 1, Max: 2, Valid: true})}},
			{Rows: 1, Columns: []ColumnStats{StatsOf("n", &MinMax[int64]{})}},
		}, false, 0, 0},
		{"missing in a partition", []PartitionStats{{Rows: 1}}, false, 0, 0},
	} {
		p, err := NewScanPlan("X", sch, Layout{Partitioning: key, ExactStatistics: true}, plan.ScanRequest{Limit: -1}, NewOptions("x"))
		if err != nil {
			t.Fatal(err)
		}
		p.SetPartitions(len(c.parts), len(c.parts))
		b, ok := p.ColumnBounds("n", func(i int) PartitionStats { return c.parts[i] })
		if ok != c.ok || (ok && (b.Min.Int64Value() != c.lo || b.Max.Int64Value() != c.hi)) {
			t.Errorf("%s: %+v, %v; want [%d, %d], %v", c.name, b, ok, c.lo, c.hi, c.ok)
		}
		var rows int64
		for _, ps := range c.parts {
			rows += ps.Rows
		}
		if ok && b.Rows != rows {
			t.Errorf("%s: %d rows, want %d", c.name, b.Rows, rows)
		}
	}
}

// TestEstimatedRows checks the row estimate of a scan: its partitions'
// rows, narrowed by the share of each partition's range (statistics or
// key) its filters keep, capped by a limit, -1 when rows are unknown.
func TestEstimatedRows(t *testing.T) {
	ts := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64},
		{Name: "ts", Type: ts},
	}, nil)
	key := plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"region"}}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	parts := []PartitionStats{
		{Rows: 1000, Columns: []ColumnStats{StatsOf("n", &MinMax[int64]{Min: 0, Max: 999, Valid: true}),
			StatsOf("ts", &MinMax[time.Time]{Min: t0, Max: t0.Add(999 * time.Microsecond), Valid: true})}},
		{Rows: 1000, Columns: []ColumnStats{StatsOf("n", &MinMax[int64]{Min: 1000, Max: 1999, Valid: true})}},
	}
	col := func(name string) *expr.Column {
		return &expr.Column{Name: name, Type: sch.Field(sch.FieldIndices(name)[0]).Type}
	}
	cmp := func(op expr.Op, c string, v expr.Scalar) expr.Expr {
		return &expr.Binary{Op: op, L: col(c), R: &expr.Literal{Value: v}, Type: arrow.FixedWidthTypes.Boolean}
	}
	estimate := func(limit int, parts []PartitionStats, filters ...expr.Expr) int64 {
		p, err := NewScanPlan("X", sch, Layout{Partitioning: key, ExactStatistics: true},
			plan.ScanRequest{Filters: filters, Limit: limit}, NewOptions("x"))
		if err != nil {
			t.Fatal(err)
		}
		p.SetPartitions(len(parts), len(parts))
		p.SetBounds(func(i int) ([]any, bool) { return []any{[]string{"a", "b"}[i]}, true })
		return p.EstimatedRows(func(i int) PartitionStats { return parts[i] })
	}
	for _, c := range []struct {
		name    string
		limit   int
		filters []expr.Expr
		want    int64
	}{
		{"no filter", -1, nil, 2000},
		{"a tenth of n", -1, []expr.Expr{cmp(expr.OpGe, "n", expr.Int64(500)), cmp(expr.OpLt, "n", expr.Int64(700))}, 201}, // bounds count as included: an estimate
		{"one value of n", -1, []expr.Expr{cmp(expr.OpEq, "n", expr.Int64(42))}, 1},
		{"a ts range, known in one partition", -1, []expr.Expr{cmp(expr.OpLt, "ts", expr.Timestamp(ts, t0.Add(100*time.Microsecond).UnixMicro()))}, 1101},
		{"the key", -1, []expr.Expr{cmp(expr.OpEq, "region", expr.String("a"))}, 2000}, // not numeric: kept as is
		{"a limit", 10, nil, 20},
	} {
		if got := estimate(c.limit, parts, c.filters...); got != c.want {
			t.Errorf("%s: %d rows, want %d", c.name, got, c.want)
		}
	}
	if got := estimate(-1, []PartitionStats{{Rows: -1}}); got != -1 {
		t.Errorf("unknown rows: %d, want -1", got)
	}
}

// TestNullCounts checks that partitions' NULL counts add up to the scan's
// statistic of a nullable column (what count(col) is answered from), that
// one partition without a count makes it unknown, and that a partition
// known to hold no NULLs is pruned by IS NULL.
func TestNullCounts(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "y", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	stats := func(parts ...PartitionStats) plan.Statistics {
		p, err := NewScanPlan("X", sch, Layout{ExactStatistics: true}, plan.ScanRequest{Limit: -1}, NewOptions("x"))
		if err != nil {
			t.Fatal(err)
		}
		p.SetPartitions(len(parts), len(parts))
		return p.Statistics(func(i int) PartitionStats { return parts[i] })
	}
	y := func(nulls int64, known bool) []ColumnStats {
		return []ColumnStats{StatsOf("y", &MinMax[int64]{Min: 1, Max: 9, Valid: true, Nulls: nulls, NullsKnown: known})}
	}
	st := stats(PartitionStats{Rows: 5, Columns: y(2, true)}, PartitionStats{Rows: 0},
		PartitionStats{Rows: 3, Columns: []ColumnStats{{Column: "y", Nulls: 1, NullsKnown: true}}})
	if got := st.Columns["y"].NullCount; got != 3 || !st.Exact {
		t.Errorf("NULLs of y: %d (exact %v), want 3", got, st.Exact)
	}
	if got := stats(PartitionStats{Rows: 5, Columns: y(2, true)}, PartitionStats{Rows: 3, Columns: y(0, false)}).Columns["y"].NullCount; got != -1 {
		t.Errorf("NULLs of y with one count unknown: %d, want -1", got)
	}

	isNull := domain.OnlyNull(cmpInt64)
	for _, c := range []struct {
		m    MinMax[int64]
		want bool
	}{
		{MinMax[int64]{Min: 1, Max: 9, Valid: true, NullsKnown: true}, false},
		{MinMax[int64]{Min: 1, Max: 9, Valid: true, Nulls: 4, NullsKnown: true}, true},
		{MinMax[int64]{Min: 1, Max: 9, Valid: true}, true},
		{MinMax[int64]{}, true},
	} {
		if got := c.m.Overlaps(isNull); got != c.want {
			t.Errorf("%+v overlaps IS NULL: %v, want %v", c.m, got, c.want)
		}
	}
	if !(MinMax[int64]{Min: 1, Max: 9, Valid: true, NullsKnown: true}).Overlaps(domain.All(cmpInt64)) {
		t.Error("a partition without NULLs does not match an unconstrained column")
	}
}

func cmpInt64(a, b int64) int { return cmp.Compare(a, b) }
