package memtable_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/plan"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	i64    = arrow.PrimitiveTypes.Int64
	str    = arrow.BinaryTypes.String
	schema = arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: str},
		{Name: "a", Type: i64, Nullable: true},
		{Name: "b", Type: i64},
	}, nil)
	colK = &expr.Column{Name: "k", Type: str}
	colA = &expr.Column{Name: "a", Type: i64}
	colB = &expr.Column{Name: "b", Type: i64}
)

func cmpExpr(op expr.Op, c *expr.Column, v expr.Scalar) expr.Expr {
	return &expr.Binary{Op: op, L: c, R: &expr.Literal{Value: v}, Type: arrow.FixedWidthTypes.Boolean}
}

// fixture: 4 key-partitioned partitions ordered by b, two records each.
func fixture(t *testing.T, mem memory.Allocator, opts ...memtable.Option) *memtable.Table {
	t.Helper()
	parts := [][][]any{
		{{"x", 1, 1}, {"x", nil, 2}, {"y", 3, 3}},
		{{"z", 4, 10}, {"z", 5, 11}, {"w", 6, 12}},
		{},
		{{"v", 7, 20}, {"v", nil, 21}, {"u", 9, 22}},
	}
	opts = append([]memtable.Option{memtable.WithKeyPartitioning("k"), memtable.WithOrdering(plan.SortKey{Column: "b"}), memtable.WithBatchRows(2)}, opts...)
	tb, err := memtable.Build(mem, schema, parts, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// run scans and returns each partition's rows, rendered as SQL literals.
func run(t *testing.T, mem memory.Allocator, p plan.ExecutionPlan) [][]string {
	t.Helper()
	task := &plan.TaskContext{Allocator: mem, BatchSize: plan.DefaultBatchSize}
	out := make([][]string, p.Properties().Partitions)
	for i := range out {
		s, err := p.Execute(context.Background(), i, task)
		if err != nil {
			t.Fatal(err)
		}
		for {
			b, err := s.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				s.Close()
				t.Fatal(err)
			}
			if !b.Record.Schema().Equal(p.Schema()) {
				t.Fatalf("batch schema %s, plan schema %s", b.Record.Schema(), p.Schema())
			}
			rows := b.Sel
			if rows == nil {
				for r := range b.Record.NumRows() {
					rows = append(rows, int32(r))
				}
			}
			for _, r := range rows {
				var cells []string
				for c := range b.Record.NumCols() {
					cells = append(cells, expr.ScalarAt(b.Record.Column(int(c)), int(r)).String())
				}
				out[i] = append(out[i], strings.Join(cells, " "))
			}
			b.Release()
		}
		s.Close()
	}
	return out
}

func TestScanAll(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb := fixture(t, mem)
	defer tb.Release()
	p, err := tb.Scan(context.Background(), plan.ScanRequest{Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"'x' 1 1", "'x' NULL 2", "'y' 3 3"},
		{"'z' 4 10", "'z' 5 11", "'w' 6 12"},
		nil,
		{"'v' 7 20", "'v' NULL 21", "'u' 9 22"},
	}
	if diff := cmp.Diff(want, run(t, mem, p)); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
	if got, want := p.String(), "MemoryExec: partitions=4/4, ordering=[b ASC]"; got != want {
		t.Errorf("EXPLAIN %q, want %q", got, want)
	}
	props := p.Properties()
	if props.Partitions != 4 || props.Partitioning.String() != "Key([k])" || len(props.Ordering) != 1 {
		t.Errorf("properties %+v", props)
	}
}

func TestScanProjectionFilterLimitPruning(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb := fixture(t, mem, memtable.WithName("TestExec"))
	defer tb.Release()
	filters := []expr.Expr{cmpExpr(expr.OpGe, colB, expr.Int64(3)), cmpExpr(expr.OpLt, colB, expr.Int64(21))}
	ans, err := tb.SupportsFilters(filters)
	if err != nil || ans[0] != plan.Exact || ans[1] != plan.Exact {
		t.Fatalf("SupportsFilters = %v, %v", ans, err)
	}
	p, err := tb.Scan(context.Background(), plan.ScanRequest{Projection: []int{2, 1}, Filters: filters, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Partition 2 is empty, so pruned; the others hold b values in range.
	if got, want := p.String(), "TestExec: partitions=3/4, projection=[b, a], filter=[b >= 3, b < 21], ordering=[b ASC], limit=2"; got != want {
		t.Errorf("EXPLAIN %q, want %q", got, want)
	}
	want := [][]string{{"3 3"}, {"10 4", "11 5"}, {"20 7"}}
	if diff := cmp.Diff(want, run(t, mem, p)); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
	// Projection drops k: key partitioning can no longer be relied on.
	if props := p.Properties(); props.Partitioning.Kind != plan.UnknownPartitioning || len(props.Ordering) != 1 {
		t.Errorf("properties %+v", props)
	}
}

func TestPruningByKeyDomain(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb := fixture(t, mem, memtable.WithFilterPushdown(plan.Inexact))
	defer tb.Release()
	f := &expr.InList{E: colK, List: []expr.Expr{&expr.Literal{Value: expr.String("w")}, &expr.Literal{Value: expr.String("x")}}}
	if ans, _ := tb.SupportsFilters([]expr.Expr{f}); ans[0] != plan.Inexact {
		t.Fatalf("answer %v, want Inexact", ans[0])
	}
	p, err := tb.Scan(context.Background(), plan.ScanRequest{Projection: []int{0}, Filters: []expr.Expr{f}, Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.String(), "partitions=2/4") {
		t.Fatalf("EXPLAIN %q: want 2 of 4 partitions", p.String())
	}
	// Inexact: the kept partitions come back whole; the engine filters.
	want := [][]string{{"'x'", "'x'", "'y'"}, {"'z'", "'z'", "'w'"}}
	if diff := cmp.Diff(want, run(t, mem, p)); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
	if p.Properties().Partitioning.String() != "Key([k])" || len(p.Properties().Ordering) != 0 {
		t.Errorf("properties %+v", p.Properties())
	}
}

func TestPruningByNulls(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb := fixture(t, mem)
	defer tb.Release()
	p, err := tb.Scan(context.Background(), plan.ScanRequest{Filters: []expr.Expr{&expr.IsNull{E: colA}}, Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.String(), "partitions=2/4") {
		t.Fatalf("EXPLAIN %q", p.String())
	}
	want := [][]string{{"'x' NULL 2"}, {"'v' NULL 21"}}
	if diff := cmp.Diff(want, run(t, mem, p)); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
}

func TestUnsupportedMode(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb := fixture(t, mem, memtable.WithFilterPushdown(plan.Unsupported))
	defer tb.Release()
	ans, _ := tb.SupportsFilters([]expr.Expr{cmpExpr(expr.OpEq, colB, expr.Int64(1))})
	if ans[0] != plan.Unsupported {
		t.Fatalf("answer %v", ans[0])
	}
	// A filter that does not type-check is Unsupported in any mode.
	tb2 := fixture(t, mem)
	defer tb2.Release()
	bad := cmpExpr(expr.OpEq, &expr.Column{Name: "nope", Type: i64}, expr.Int64(1))
	if ans, _ := tb2.SupportsFilters([]expr.Expr{bad}); ans[0] != plan.Unsupported {
		t.Fatalf("answer for unknown column %v", ans[0])
	}
}

func TestStatistics(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb := fixture(t, mem)
	defer tb.Release()
	st := tb.Statistics()
	if st.Rows != 9 || !st.Exact {
		t.Fatalf("rows %d exact %v", st.Rows, st.Exact)
	}
	a := st.Columns["a"]
	if a.Min.String() != "1" || a.Max.String() != "9" || a.NullCount != 2 {
		t.Errorf("a stats %+v", a)
	}
	if k := st.Columns["k"]; k.Min.String() != "'u'" || k.Max.String() != "'z'" || k.NullCount != 0 {
		t.Errorf("k stats %+v", k)
	}
}

func TestValidation(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cases := []struct {
		name  string
		parts [][][]any
		opts  []memtable.Option
		want  string
	}{
		{"key in two partitions", [][][]any{{{"x", 1, 1}}, {{"y", 1, 2}, {"x", 2, 3}}},
			[]memtable.Option{memtable.WithKeyPartitioning("k")}, "partition 1, row 1: key 'x' also in partition 0"},
		{"ordering across batches", [][][]any{{{"x", 1, 1}, {"x", 1, 5}, {"x", 1, 4}}},
			[]memtable.Option{memtable.WithOrdering(plan.SortKey{Column: "b"}), memtable.WithBatchRows(2)}, "ordering [b ASC]: partition 0, row 2: 4 after 5"},
		{"descending nulls", [][][]any{{{"x", 2, 1}, {"x", nil, 2}, {"x", 3, 3}}},
			[]memtable.Option{memtable.WithOrdering(plan.SortKey{Column: "a", Descending: true, NullsFirst: true})}, "ordering [a DESC]: partition 0, row 1: NULL after 2"},
		{"range overlap", [][][]any{{{"x", 1, 1}, {"x", 5, 2}}, {{"x", 5, 3}}},
			[]memtable.Option{memtable.WithRangePartitioning("a")}, "partition 1, row 0: value 5 overlaps partition 0"},
		{"unknown column", nil, []memtable.Option{memtable.WithOrdering(plan.SortKey{Column: "zz"})}, `ordering column "zz" is not in the schema`},
		{"row width", [][][]any{{{"x", 1}}}, nil, "partition 0, row 0: 2 values for 3 columns"},
		{"value type", [][][]any{{{"x", "1", 1}}}, nil, "column a: got string (1), want an integer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := memtable.Build(mem, schema, tc.parts, tc.opts...)
			if err == nil {
				tb.Release()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
	// WithoutValidation trusts the declaration.
	tb, err := memtable.Build(mem, schema, [][][]any{{{"x", 1, 2}, {"x", 1, 1}}},
		memtable.WithOrdering(plan.SortKey{Column: "b"}), memtable.WithoutValidation())
	if err != nil {
		t.Fatal(err)
	}
	tb.Release()
}

func TestRangePartitioningValid(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb, err := memtable.Build(mem, schema, [][][]any{{{"x", 1, 1}, {"x", nil, 2}}, {}, {{"x", nil, 3}, {"x", 2, 3}}},
		memtable.WithRangePartitioning("a"))
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	p, err := tb.Scan(context.Background(), plan.ScanRequest{Filters: []expr.Expr{cmpExpr(expr.OpGt, colA, expr.Int64(1))}, Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.String(); !strings.Contains(got, "partitions=1/3") || p.Properties().Partitioning.String() != "Range([a])" {
		t.Fatalf("EXPLAIN %q, properties %+v", got, p.Properties())
	}
}

func TestBuildTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	s := arrow.NewSchema([]arrow.Field{
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8}, {Name: "u32", Type: arrow.PrimitiveTypes.Uint32},
		{Name: "f", Type: arrow.PrimitiveTypes.Float32}, {Name: "s", Type: arrow.BinaryTypes.LargeString},
		{Name: "bin", Type: arrow.BinaryTypes.Binary}, {Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32}, {Name: "ts", Type: ts},
		{Name: "dur", Type: &arrow.DurationType{Unit: arrow.Millisecond}},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}},
	}, nil)
	day := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	tb := memtable.MustBuild(mem, s, [][][]any{{
		{int8(-3), 7, 1.5, "hi", []byte{1}, true, day, day, 2 * time.Second, "12.34"},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
	}})
	defer tb.Release()
	p, err := tb.Scan(context.Background(), plan.ScanRequest{Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, mem, p)[0]
	want := []string{
		`-3 7 1.5 'hi' '\x01' true DATE '2026-01-02' TIMESTAMP '2026-01-02 10:00:00Z' INTERVAL '2s' 12.34`,
		"NULL NULL NULL NULL NULL NULL NULL NULL NULL NULL",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
	if _, err := memtable.Build(mem, s, [][][]any{{{300, 7, 1.5, "hi", []byte{1}, true, day, day, time.Second, "1"}}}); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("want out of range error, got %v", err)
	}
}

func TestStreamCancelAndClose(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb := fixture(t, mem)
	defer tb.Release()
	p, err := tb.Scan(context.Background(), plan.ScanRequest{Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	task := &plan.TaskContext{Allocator: mem}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := p.Execute(ctx, 0, task)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	cancel()
	if _, err := s.Next(); !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v", err)
	}
	var pe *plan.Error
	if _, err := s.Next(); !errors.As(err, &pe) || pe.Partition != 0 {
		t.Fatalf("error is not sticky and located: %v", err)
	}
	s.Close()
	s2, _ := p.Execute(context.Background(), 1, task)
	s2.Close()
	s2.Close()
	if _, err := s2.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after Close: %v", err)
	}
	if _, err := p.Execute(context.Background(), 9, task); err == nil {
		t.Fatal("partition out of range accepted")
	}
	if _, err := tb.Scan(context.Background(), plan.ScanRequest{Projection: []int{5}}); err == nil {
		t.Fatal("projection out of range accepted")
	}
}
