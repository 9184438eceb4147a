package physical

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/plan"
)

// executions wraps a plan and records which partitions were executed.
type executions struct {
	*leafExec
	mu       sync.Mutex
	executed []int
}

func (e *executions) Execute(ctx context.Context, p int, task *plan.TaskContext) (plan.RecordStream, error) {
	e.mu.Lock()
	e.executed = append(e.executed, p)
	e.mu.Unlock()
	return e.leafExec.Execute(ctx, p, task)
}

func (e *executions) partitions() []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]int(nil), e.executed...)
}

// rangedLeaf is a: ascending ranges, one slice of batches per partition,
// declared range-partitioned on a and ordered by a (descending when desc).
func rangedLeaf(t *testing.T, mem memory.Allocator, desc bool, parts ...[][]any) *executions {
	t.Helper()
	s := arrow.NewSchema([]arrow.Field{{Name: "a", Type: i64}}, nil)
	ps := make([][]plan.Batch, len(parts))
	for p, batches := range parts {
		for _, vs := range batches {
			ps[p] = append(ps[p], plan.Batch{Record: rec(s, col(mem, i64, vs...))})
		}
	}
	l := newLeaf(s, ps...)
	l.props.Partitioning = plan.Partitioning{Kind: plan.RangePartitioning, Columns: []string{"a"}}
	l.props.Ordering = []plan.SortKey{{Column: "a", Descending: desc, NullsFirst: desc}}
	t.Cleanup(l.release)
	return &executions{leafExec: l}
}

func concatRows(t *testing.T, mem memory.Allocator, p plan.ExecutionPlan, parallelism int) ([]string, error) {
	t.Helper()
	recs, err := Collect(context.Background(), p, &plan.TaskContext{Allocator: mem, BatchSize: 3, Parallelism: parallelism})
	defer release(recs)
	return rows(recs), err
}

func TestOrderedConcatReadsPartitionsInOrder(t *testing.T) {
	mem := checked(t)
	a := colExpr("a", i64)
	asc := rangedLeaf(t, mem, false,
		[][]any{{1, 2}, {}, {3}},
		nil,
		[][]any{{5, 6, 7}},
		[][]any{{8}, {9, 10}},
	)
	desc := rangedLeaf(t, mem, true,
		[][]any{{2, 1}},
		[][]any{{4, 3}, {3}},
		[][]any{},
		[][]any{{9}, {7, 6}},
	)
	// A slow first partition: order must come from the partition order,
	// not from which goroutine delivers first.
	asc.delay = 2 * time.Millisecond
	for _, par := range []int{1, 2, 8} {
		c, err := NewOrderedConcat(asc, []SortExpr{{Expr: a}}, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := concatRows(t, mem, c, par)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"1", "2", "3", "5", "6", "7", "8", "9", "10"}, got); diff != "" {
			t.Errorf("ascending, parallelism %d (-want +got):\n%s", par, diff)
		}
		c, err = NewOrderedConcat(desc, []SortExpr{{Expr: a, Descending: true, NullsFirst: true}}, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, err = concatRows(t, mem, c, par)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"9", "7", "6", "4", "3", "3", "2", "1"}, got); diff != "" {
			t.Errorf("descending, parallelism %d (-want +got):\n%s", par, diff)
		}
	}
	c, _ := NewOrderedConcat(desc, []SortExpr{{Expr: a, Descending: true, NullsFirst: true}}, 4)
	if got, want := c.String(), "OrderedConcatExec: [a DESC], reverse=true, fetch=4"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := c.Properties(); got.Partitions != 1 || got.Partitioning.Kind != plan.SinglePartition ||
		len(got.Ordering) != 1 || !got.Ordering[0].Descending {
		t.Errorf("properties = %+v", got)
	}
	if _, err := NewOrderedConcat(newLeaf(asc.schema, nil, nil), []SortExpr{{Expr: a}}, -1); err == nil ||
		!strings.Contains(err.Error(), "not by range of a") {
		t.Errorf("unpartitioned input: err = %v", err)
	}
}

// TestOrderedConcatFetchStopsEarly: under a limit, partitions the result
// does not reach are never executed, let alone read (they would fail).
func TestOrderedConcatFetchStopsEarly(t *testing.T) {
	mem := checked(t)
	a := colExpr("a", i64)
	for _, tc := range []struct {
		desc     bool
		fetch    int
		want     []string
		executed []int
	}{
		{false, 2, []string{"1", "2"}, []int{0}},
		{false, 3, []string{"1", "2", "3"}, []int{0}},
		{false, 5, []string{"1", "2", "3", "4", "5"}, []int{0, 1}},
		{true, 2, []string{"40", "30"}, []int{3}},
		{true, 4, []string{"40", "30", "20", "10"}, []int{3, 2}},
	} {
		l := rangedLeaf(t, mem, tc.desc, [][]any{{1, 2}, {3}}, [][]any{{4, 5, 6}}, [][]any{{7}}, [][]any{{8}})
		l.failAt = map[int]int{2: 0}
		if tc.desc {
			l = rangedLeaf(t, mem, tc.desc, [][]any{{1}}, [][]any{{2}}, [][]any{{20, 10}}, [][]any{{40, 30}})
			l.failAt = map[int]int{0: 0, 1: 0}
		}
		c, err := NewOrderedConcat(l, []SortExpr{{Expr: a, Descending: tc.desc, NullsFirst: tc.desc}}, tc.fetch)
		if err != nil {
			t.Fatal(err)
		}
		got, err := concatRows(t, mem, c, 8)
		if err != nil {
			t.Fatalf("desc=%v fetch=%d: %v", tc.desc, tc.fetch, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("desc=%v fetch=%d rows (-want +got):\n%s", tc.desc, tc.fetch, diff)
		}
		if diff := cmp.Diff(tc.executed, l.partitions()); diff != "" {
			t.Errorf("desc=%v fetch=%d executed partitions (-want +got):\n%s", tc.desc, tc.fetch, diff)
		}
	}
}

func TestOrderedConcatSelections(t *testing.T) {
	mem := checked(t)
	a := colExpr("a", i64)
	l := rangedLeaf(t, mem, false, [][]any{{1, 2, 3, 4}}, [][]any{{5, 6}})
	// Select 2 and 4 in partition 0: the filter rejected the rest.
	l.parts[0][0].Sel = []int32{1, 3}
	for _, fetch := range []int{-1, 1, 3} {
		c, err := NewOrderedConcat(l, []SortExpr{{Expr: a}}, fetch)
		if err != nil {
			t.Fatal(err)
		}
		got, err := concatRows(t, mem, c, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"2", "4", "5", "6"}
		if fetch >= 0 {
			want = want[:fetch]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("fetch=%d (-want +got):\n%s", fetch, diff)
		}
	}
}

// TestOrderedConcatRejectsNulls: a NULL in the range column (a provider
// breaking its non-nullable promise) fails the query instead of coming out
// in the wrong place; NULLs a filter deselected do not count.
func TestOrderedConcatRejectsNulls(t *testing.T) {
	mem := checked(t)
	a := colExpr("a", i64)
	for _, par := range []int{1, 4} {
		l := rangedLeaf(t, mem, false, [][]any{{1, nil}}, [][]any{{5, 6}})
		c, _ := NewOrderedConcat(l, []SortExpr{{Expr: a}}, -1)
		if _, err := concatRows(t, mem, c, par); err == nil || !strings.Contains(err.Error(), "range column a holds a NULL") {
			t.Errorf("parallelism %d: err = %v, want a NULL error", par, err)
		}
		l.parts[0][0].Sel = []int32{0}
		got, err := concatRows(t, mem, c, par)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"1", "5", "6"}, got); diff != "" {
			t.Errorf("parallelism %d, NULL deselected (-want +got):\n%s", par, diff)
		}
	}
}

func TestOrderedConcatErrors(t *testing.T) {
	mem := checked(t)
	a := colExpr("a", i64)
	for _, par := range []int{1, 3} {
		// Partition 0 is slow and endless: a failure in a later
		// partition still ends the query at once when it runs ahead.
		l := rangedLeaf(t, mem, false, [][]any{{1}}, [][]any{{2}}, [][]any{{3}})
		l.failAt = map[int]int{2: 0}
		if par > 1 {
			l.infinite, l.delay = true, time.Millisecond
		}
		c, _ := NewOrderedConcat(l, []SortExpr{{Expr: a}}, -1)
		_, err := concatRows(t, mem, c, par)
		var pe *plan.Error
		if !errors.As(err, &pe) || pe.Partition != 2 || !errors.Is(err, errBoom) {
			t.Errorf("parallelism %d: err = %v, want partition 2's error", par, err)
		}
	}
}

func TestOrderedConcatCancellationAndClose(t *testing.T) {
	mem := checked(t)
	a := colExpr("a", i64)
	for _, par := range []int{1, 3} {
		l := rangedLeaf(t, mem, false, [][]any{{1, 2}}, [][]any{{3}}, [][]any{{4}})
		l.infinite, l.delay = true, time.Millisecond
		c, _ := NewOrderedConcat(l, []SortExpr{{Expr: a}}, -1)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		recs, err := Collect(ctx, c, &plan.TaskContext{Allocator: mem, Parallelism: par})
		cancel()
		release(recs)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("parallelism %d: err = %v, want the context's error", par, err)
		}

		// Closing after one batch stops the producers running ahead and
		// releases what they buffered (checked allocator, goleak).
		s, err := c.Execute(context.Background(), 0, &plan.TaskContext{Allocator: mem, Parallelism: par})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		b.Release()
		time.Sleep(5 * time.Millisecond)
		s.Close()
		s.Close()
		if _, err := s.Next(); err == nil {
			t.Errorf("parallelism %d: Next after Close returned no error", par)
		}
	}
}
