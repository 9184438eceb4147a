package verify_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/verify"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	i64    = arrow.PrimitiveTypes.Int64
	schema = arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.BinaryTypes.String},
		{Name: "ts", Type: i64},
	}, nil)
	colTS = &expr.Column{Name: "ts", Type: i64}
)

func gt(c *expr.Column, v int64) expr.Expr {
	return &expr.Binary{Op: expr.OpGt, L: c, R: &expr.Literal{Value: expr.Int64(v)}, Type: arrow.FixedWidthTypes.Boolean}
}

// liar is a provider that breaks the promises a memtable keeps: it claims
// Exact for filters it drops, ignores limits, or ignores the projection.
type liar struct {
	*memtable.Table
	dropFilters, dropLimit, dropProjection bool
}

func (l *liar) SupportsFilters(fs []expr.Expr) ([]plan.FilterPushdown, error) {
	out := make([]plan.FilterPushdown, len(fs))
	for i := range out {
		out[i] = plan.Exact
	}
	return out, nil
}

func (l *liar) Scan(ctx context.Context, req plan.ScanRequest) (plan.ExecutionPlan, error) {
	if l.dropFilters {
		req.Filters = nil
	}
	if l.dropLimit {
		req.Limit = plan.NoLimit
	}
	if l.dropProjection {
		req.Projection = nil
	}
	return l.Table.Scan(ctx, req)
}

// drain runs every partition concurrently, as the engine does, and
// returns the rows per partition and the first error.
func drain(t *testing.T, mem memory.Allocator, p plan.ExecutionPlan) ([]int, error) {
	t.Helper()
	n := p.Properties().Partitions
	rows := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := p.Execute(context.Background(), i, &plan.TaskContext{Allocator: mem})
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			for {
				b, err := s.Next()
				if errors.Is(err, io.EOF) {
					return
				}
				if err != nil {
					errs[i] = err
					return
				}
				if !b.Record.Schema().Equal(p.Schema()) {
					errs[i] = errors.New("schema differs from the plan's")
				}
				rows[i] += b.NumRows()
				b.Release()
			}
		})
	}
	wg.Wait()
	return rows, errors.Join(errs...)
}

func build(t *testing.T, mem memory.Allocator, parts [][][]any, opts ...memtable.Option) *memtable.Table {
	t.Helper()
	tb, err := memtable.Build(mem, schema, parts, append(opts, memtable.WithoutValidation(), memtable.WithBatchRows(2))...)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

var goodParts = [][][]any{
	{{"a", 1}, {"a", 2}, {"b", 3}},
	{{"c", 4}, {"c", 5}},
	{{"d", 6}},
}

func TestHonestProviderPasses(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb := build(t, mem, goodParts, memtable.WithKeyPartitioning("k"), memtable.WithOrdering(plan.SortKey{Column: "ts"}))
	defer tb.Release()
	v := verify.Verify(tb, "events")
	// The filter reads ts, which is not projected: verify widens the scan
	// to check it (and the ordering on ts) and narrows the output again;
	// EXPLAIN shows the scan the query asked for.
	p, err := v.Scan(context.Background(), plan.ScanRequest{Projection: []int{0}, Filters: []expr.Expr{gt(colTS, 1)}, Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if p.Schema().NumFields() != 1 || p.Schema().Field(0).Name != "k" {
		t.Fatalf("plan schema %s", p.Schema())
	}
	if got, want := p.String(), "MemoryExec: partitions=3/3, projection=[k], filter=[ts > 1], limit=4"; got != want {
		t.Errorf("EXPLAIN %q, want %q", got, want)
	}
	if props := p.Properties(); len(props.Ordering) != 0 || props.Partitioning.String() != "Key([k])" {
		t.Errorf("properties %+v: ordering on unprojected ts must be dropped", props)
	}
	rows, err := drain(t, mem, p)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0]+rows[1]+rows[2] != 5 {
		t.Fatalf("rows %v", rows)
	}
	if st := v.(plan.StatisticsProvider).Statistics(); st.Rows != 6 {
		t.Errorf("statistics rows %d", st.Rows)
	}
}

func TestViolations(t *testing.T) {
	cases := []struct {
		name    string
		parts   [][][]any
		opts    []memtable.Option
		liar    liar
		req     plan.ScanRequest
		want    string
		wantRow int64
	}{
		{"ordering", [][][]any{{{"a", 1}, {"a", 3}, {"a", 2}}}, []memtable.Option{memtable.WithOrdering(plan.SortKey{Column: "ts"})}, liar{},
			plan.ScanRequest{Limit: plan.NoLimit}, "MemoryExec (table events, partition 0): verify: row 2: ordering [ts ASC] violated: 2 after 3", 2},
		{"ordering desc nulls last", [][][]any{{{"a", 3}, {nil, 2}, {"b", 1}}}, []memtable.Option{memtable.WithOrdering(plan.SortKey{Column: "k", Descending: true})}, liar{},
			plan.ScanRequest{Limit: plan.NoLimit}, "partition 0): verify: row 2: ordering [k DESC NULLS LAST] violated: 'b' after NULL", 2},
		{"key", [][][]any{{{"a", 1}}, {{"b", 2}, {"a", 3}}}, []memtable.Option{memtable.WithKeyPartitioning("k")}, liar{},
			plan.ScanRequest{Limit: plan.NoLimit}, "partitioning Key([k]) violated: key 'a' also in partition", -1},
		{"range", [][][]any{{{"a", 1}, {"a", 5}}, {{"b", 4}}}, []memtable.Option{memtable.WithRangePartitioning("ts")}, liar{},
			plan.ScanRequest{Limit: plan.NoLimit}, "partitioning Range([ts]) violated: value", -1},
		{"exact filter", goodParts, nil, liar{dropFilters: true},
			plan.ScanRequest{Projection: []int{0}, Filters: []expr.Expr{gt(colTS, 3)}, Limit: plan.NoLimit}, "exact filter ts > 3 violated: row has ts = ", -1},
		{"limit", goodParts, nil, liar{dropLimit: true},
			plan.ScanRequest{Limit: 2}, "row 2: limit 2 violated: the partition produced 3 rows", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			tc.liar.Table = build(t, mem, tc.parts, tc.opts...)
			defer tc.liar.Release()
			p, err := verify.Verify(&tc.liar, "events").Scan(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			_, err = drain(t, mem, p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			var pe *plan.Error
			var v *verify.Violation
			if !errors.As(err, &pe) || pe.Table != "events" || !errors.As(err, &v) || v.Partition != pe.Partition {
				t.Fatalf("error %v is not a located *plan.Error wrapping a *verify.Violation", err)
			}
			if tc.wantRow >= 0 && v.Row != tc.wantRow {
				t.Errorf("row %d, want %d", v.Row, tc.wantRow)
			}
		})
	}
}

func TestProjectionViolation(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	l := &liar{Table: build(t, mem, goodParts), dropProjection: true}
	defer l.Release()
	_, err := verify.Verify(l, "events").Scan(context.Background(), plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit})
	var v *verify.Violation
	if !errors.As(err, &v) || !strings.Contains(err.Error(), "projection [ts BIGINT] violated: plan schema is [k VARCHAR, ts BIGINT]") {
		t.Fatalf("error %v", err)
	}
}

// TestViolationIsSticky: after a violation the stream keeps failing, and
// closing it mid-way releases everything.
func TestViolationIsSticky(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb := build(t, mem, [][][]any{{{"a", 2}, {"a", 1}, {"a", 3}, {"a", 4}}}, memtable.WithOrdering(plan.SortKey{Column: "ts"}))
	defer tb.Release()
	p, err := verify.Verify(tb, "events").Scan(context.Background(), plan.ScanRequest{Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Execute(context.Background(), 0, &plan.TaskContext{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err1 := s.Next()
	_, err2 := s.Next()
	if err1 == nil || err1 != err2 {
		t.Fatalf("errors %v then %v", err1, err2)
	}
}

// A scan reading no column (SELECT count(*)) still has its provider's
// promises checked: verify reads the key column, and the output stays
// empty of columns.
func TestPromisesAreCheckedWithoutTheirColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb := build(t, mem, [][][]any{{{"a", 1}}, {{"b", 2}, {"a", 3}}}, memtable.WithKeyPartitioning("k"))
	defer tb.Release()
	p, err := verify.Verify(tb, "events").Scan(context.Background(), plan.ScanRequest{Projection: []int{}, Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	if p.Schema().NumFields() != 0 {
		t.Fatalf("plan schema %s, want no columns", p.Schema())
	}
	if _, err := drain(t, mem, p); err == nil || !strings.Contains(err.Error(), "key 'a' also in partition") {
		t.Fatalf("error %v, want the key violation", err)
	}
}
