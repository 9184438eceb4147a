package physical

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// numbers is a: 0..n-1 over parts partitions of batches of 4 rows, b = a*10
// with NULL where a % 5 == 4.
func numbers(t *testing.T, mem allocator, n, parts int) *leafExec {
	s := schemaOf("a", i64, "b", i64)
	ps := make([][]plan.Batch, parts)
	for lo := 0; lo < n; lo += 4 {
		var as, bs []any
		for a := lo; a < min(lo+4, n); a++ {
			as = append(as, a)
			if a%5 == 4 {
				bs = append(bs, nil)
			} else {
				bs = append(bs, a*10)
			}
		}
		p := (lo / 4) % parts
		ps[p] = append(ps[p], plan.Batch{Record: rec(s, col(mem, i64, as...), col(mem, i64, bs...))})
	}
	l := newLeaf(s, ps...)
	t.Cleanup(l.release)
	return l
}

func gt(name string, v int64) expr.Expr {
	return &expr.Binary{Op: expr.OpGt, L: colExpr(name, i64), R: &expr.Literal{Value: expr.Int64(v)}, Type: arrow.FixedWidthTypes.Boolean}
}

func TestFilterNarrowsSelectionAndProjectionMaterializes(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 10, 1)
	f, err := NewFilter(leaf, gt("a", 2))
	if err != nil {
		t.Fatal(err)
	}
	f2, err := NewFilter(f, &expr.Binary{Op: expr.OpLt, L: colExpr("b", i64), R: &expr.Literal{Value: expr.Int64(80)}, Type: arrow.FixedWidthTypes.Boolean})
	if err != nil {
		t.Fatal(err)
	}
	// The filter copies nothing: its batches are the input records.
	s, err := f2.Execute(context.Background(), 0, &plan.TaskContext{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	if b.Sel == nil || !slices.Equal(b.Sel, []int32{3}) || b.Record.NumRows() != 4 {
		t.Errorf("first batch: sel=%v rows=%d, want sel [3] over the 4-row input", b.Sel, b.Record.NumRows())
	}
	b.Release()
	s.Close()

	plus := &expr.Binary{Op: expr.OpAdd, L: colExpr("a", i64), R: &expr.Literal{Value: expr.Int64(1)}, Type: i64}
	p, err := NewProjection(f2, []expr.Expr{colExpr("b", i64), plus}, []string{"b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	// b NULL at a=4 is dropped (NULL < 80 is not TRUE), a=8 has b=80.
	want := []string{"30,4", "50,6", "60,7", "70,8"}
	if diff := cmp.Diff(want, collectRows(t, mem, p)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got, want := Explain(p), "ProjectionExec: expr=[b, a + 1 AS c]\n  FilterExec: b < 80\n    FilterExec: a > 2\n      LeafExec: partitions=1\n"; got != want {
		t.Errorf("Explain:\n%s\nwant:\n%s", got, want)
	}
}

func TestProjectionMapsProperties(t *testing.T) {
	leaf := newLeaf(schemaOf("a", i64, "b", i64), nil, nil)
	leaf.props.Partitioning = plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"a"}}
	leaf.props.Ordering = []plan.SortKey{{Column: "a"}, {Column: "b", Descending: true}}
	p, err := NewProjection(leaf, []expr.Expr{colExpr("a", i64)}, []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	got := p.Properties()
	if got.Partitioning.String() != "Key([x])" || len(got.Ordering) != 1 || got.Ordering[0].Column != "x" {
		t.Errorf("properties = %+v", got)
	}
	p, _ = NewProjection(leaf, []expr.Expr{colExpr("b", i64)}, []string{"b"})
	if got := p.Properties(); got.Partitioning.Kind != plan.UnknownPartitioning || len(got.Ordering) != 0 {
		t.Errorf("dropping a: properties = %+v", got)
	}
}

func TestLimitOffsetAcrossBatchesAndSelections(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 10, 1)
	f, _ := NewFilter(leaf, gt("a", 0)) // a selection on the first batch
	for _, c := range []struct {
		offset, fetch int
		want          []string
	}{
		{0, 3, []string{"1", "2", "3"}},
		{2, 3, []string{"3", "4", "5"}},
		{7, -1, []string{"8", "9"}},
		{9, 5, nil},
		{0, 0, nil},
	} {
		l, err := NewLimit(f, c.offset, c.fetch)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := NewProjection(l, []expr.Expr{colExpr("a", i64)}, []string{"a"})
		if got := collectRows(t, mem, p); !slices.Equal(got, c.want) {
			t.Errorf("offset=%d fetch=%d: %v, want %v", c.offset, c.fetch, got, c.want)
		}
	}
	if _, err := NewLimit(numbers(t, mem, 4, 2), 0, 1); err == nil {
		t.Error("global limit over 2 partitions: no error")
	}
}

func TestLimitStopsInfiniteSource(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 8, 3)
	leaf.infinite = true
	local := NewLocalLimit(leaf, 5)
	lim, err := NewLimit(NewCoalescePartitions(local), 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	if got := collectRows(t, mem, lim); len(got) != 7 {
		t.Errorf("got %d rows, want 7", len(got))
	}
	if got, want := Explain(lim), "GlobalLimitExec: offset=1, fetch=7\n  CoalescePartitionsExec\n    LocalLimitExec: fetch=5\n      LeafExec: partitions=3\n"; got != want {
		t.Errorf("Explain:\n%s\nwant:\n%s", got, want)
	}
}

func TestCoalesceReadsEveryPartition(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 30, 4)
	leaf.parts = append(leaf.parts, nil) // an empty partition
	leaf.props.Partitions = 5
	for _, par := range []int{1, 2, 8} {
		recs, err := Collect(context.Background(), NewCoalescePartitions(leaf), &plan.TaskContext{Allocator: mem, Parallelism: par})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(rows(recs)); got != 30 {
			t.Errorf("parallelism %d: %d rows, want 30", par, got)
		}
		release(recs)
	}
}

func TestMergeSortedPartitions(t *testing.T) {
	mem := checked(t)
	s := schemaOf("a", i64)
	mk := func(vs ...any) plan.Batch { return plan.Batch{Record: rec(s, col(mem, i64, vs...))} }
	leaf := newLeaf(s,
		[]plan.Batch{mk(1, 4), mk(), mk(7, 9)},
		nil,
		[]plan.Batch{mk(2, 3, 5), {Record: rec(s, col(mem, i64, 6, 100, 8)), Sel: []int32{0, 2}}},
		[]plan.Batch{mk(nil)},
	)
	defer leaf.release()
	a := colExpr("a", i64)
	for _, fetch := range []int{-1, 4} {
		m, err := NewSortPreservingMerge(leaf, []SortExpr{{Expr: a}}, fetch)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "NULL"}
		if fetch >= 0 {
			want = want[:fetch]
		}
		if diff := cmp.Diff(want, collectRows(t, mem, m)); diff != "" {
			t.Errorf("fetch=%d (-want +got):\n%s", fetch, diff)
		}
	}
	m, _ := NewSortPreservingMerge(leaf, []SortExpr{{Expr: a, Descending: true, NullsFirst: true}}, 10)
	if got, want := m.String(), "SortPreservingMergeExec: [a DESC], fetch=10"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := m.Properties(); got.Partitions != 1 || len(got.Ordering) != 1 || !got.Ordering[0].Descending {
		t.Errorf("properties = %+v", got)
	}
}

func TestRepartitionRoutesEqualKeysTogether(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 40, 3)
	f, _ := NewFilter(leaf, gt("a", 3))
	mod := &expr.Binary{Op: expr.OpMod, L: colExpr("a", i64), R: &expr.Literal{Value: expr.Int64(5)}, Type: i64}
	r, err := NewRepartition(f, []expr.Expr{mod}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.String(), "RepartitionExec: partitioning=Hash([a % 5], 4), input_partitions=3"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// Read all outputs concurrently (as Collect does) and check each key
	// lands in one partition.
	seen := map[int64]int{}
	total := 0
	task := &plan.TaskContext{Allocator: mem, Parallelism: 1}
	streams := make([]plan.RecordStream, 4)
	for p := range 4 {
		streams[p], err = r.Execute(context.Background(), p, task)
		if err != nil {
			t.Fatal(err)
		}
	}
	// Sequential draining must not deadlock either.
	for p, s := range streams {
		for {
			b, err := s.Next()
			if err != nil {
				break
			}
			vals := b.Record.Column(0)
			for i := range b.NumRows() {
				key := vals.(interface{ Value(int) int64 }).Value(rowOf(b.Sel, i)) % 5
				if q, ok := seen[key]; ok && q != p {
					t.Errorf("key %d in partitions %d and %d", key, q, p)
				}
				seen[key] = p
				total++
			}
			b.Release()
		}
		s.Close()
	}
	if total != 36 {
		t.Errorf("%d rows, want 36", total)
	}
	recs, err := Collect(context.Background(), r, task)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rows(recs)); got != 36 {
		t.Errorf("second run: %d rows, want 36", got)
	}
	release(recs)
}

func TestCancellationStopsEveryOperator(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 8, 3)
	leaf.infinite = true
	leaf.delay = time.Millisecond
	a := colExpr("a", i64)
	builders := map[string]func() (plan.ExecutionPlan, error){
		"coalesce": func() (plan.ExecutionPlan, error) { return NewCoalescePartitions(leaf), nil },
		"sort":     func() (plan.ExecutionPlan, error) { return NewSort(leaf, []SortExpr{{Expr: a}}, -1, false) },
		"topn":     func() (plan.ExecutionPlan, error) { return NewSort(leaf, []SortExpr{{Expr: a}}, 3, false) },
		"merge":    func() (plan.ExecutionPlan, error) { return NewSortPreservingMerge(leaf, []SortExpr{{Expr: a}}, -1) },
		"aggregate": func() (plan.ExecutionPlan, error) {
			return PlanAggregate(leaf, []expr.Expr{a}, []string{"a"}, []AggregateExpr{{Func: expr.AggCount, Name: "n"}}, 2)
		},
		"filter": func() (plan.ExecutionPlan, error) { return NewFilter(leaf, gt("a", 1)) },
	}
	for name, build := range builders {
		p, err := build()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		recs, err := Collect(ctx, p, &plan.TaskContext{Allocator: mem, Parallelism: 2})
		cancel()
		release(recs)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err = %v, want the context's error", name, err)
		}
	}
}

func TestErrorNamesFailingPartition(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 40, 4)
	leaf.failAt = map[int]int{2: 1}
	a := colExpr("a", i64)
	plans := []func() (plan.ExecutionPlan, error){
		func() (plan.ExecutionPlan, error) { return NewCoalescePartitions(leaf), nil },
		func() (plan.ExecutionPlan, error) { return NewSort(leaf, []SortExpr{{Expr: a}}, 2, false) },
		func() (plan.ExecutionPlan, error) { return NewSortPreservingMerge(leaf, []SortExpr{{Expr: a}}, -1) },
		func() (plan.ExecutionPlan, error) {
			return PlanAggregate(leaf, []expr.Expr{a}, []string{"a"}, []AggregateExpr{{Func: expr.AggCount, Name: "n"}}, 3)
		},
	}
	for _, build := range plans {
		p, err := build()
		if err != nil {
			t.Fatal(err)
		}
		_, err = Collect(context.Background(), p, &plan.TaskContext{Allocator: mem, Parallelism: 2})
		var pe *plan.Error
		if !errors.As(err, &pe) || pe.Table != "t" || pe.Partition != 2 || !errors.Is(err, errBoom) {
			t.Errorf("%s: err = %v, want the scan's located error", p.Name(), err)
		}
	}
	// A bare error from a child gets the child's location.
	bare := &bareErrExec{leafExec: leaf}
	_, err := Collect(context.Background(), NewCoalescePartitions(bare), &plan.TaskContext{Allocator: mem})
	if err == nil || !strings.Contains(err.Error(), "LeafExec (partition 2)") {
		t.Errorf("err = %v, want it located at LeafExec partition 2", err)
	}
}

// bareErrExec turns the leaf's located errors into bare ones.
type bareErrExec struct{ *leafExec }

func (b *bareErrExec) Execute(ctx context.Context, p int, task *plan.TaskContext) (plan.RecordStream, error) {
	s, err := b.leafExec.Execute(ctx, p, task)
	return &bareStream{s}, err
}

type bareStream struct{ plan.RecordStream }

func (s *bareStream) Next() (plan.Batch, error) {
	b, err := s.RecordStream.Next()
	var pe *plan.Error
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return b, err
}

func TestEmptyExec(t *testing.T) {
	mem := checked(t)
	if got := collectRows(t, mem, NewEmpty(nil, true)); len(got) != 1 {
		t.Errorf("produce_one_row: %v", got)
	}
	if got := collectRows(t, mem, NewEmpty(schemaOf("a", i64), false)); len(got) != 0 {
		t.Errorf("empty: %v", got)
	}
}

func TestAnalyzeReportsMetricsPerOperator(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 12, 2)
	f, _ := NewFilter(leaf, gt("a", 5))
	p, _ := NewProjection(f, []expr.Expr{colExpr("a", i64)}, []string{"a"})
	out, err := Analyze(context.Background(), NewCoalescePartitions(p), &plan.TaskContext{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	wantPrefix := []string{
		"CoalescePartitionsExec, metrics=[output_rows=6, batches=",
		"  ProjectionExec: expr=[a], metrics=[output_rows=6, batches=",
		"    FilterExec: a > 5, metrics=[output_rows=6, batches=2,",
		"      LeafExec: partitions=2, metrics=[output_rows=12, batches=3,",
	}
	if len(lines) != len(wantPrefix) {
		t.Fatalf("Analyze:\n%s", out)
	}
	for i, w := range wantPrefix {
		if !strings.HasPrefix(lines[i], w) || !strings.Contains(lines[i], "elapsed=") || !strings.HasSuffix(lines[i], "]") {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
		}
	}
}
