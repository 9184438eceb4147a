package physical

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// goroutineID is the number runtime.Stack prints for the calling
// goroutine.
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _, _ := bytes.Cut(bytes.TrimPrefix(buf, []byte("goroutine ")), []byte(" "))
	return string(id)
}

// TestOneCoreAggregateIsSingle checks that with one target partition a
// global or grouped aggregate over independent partitions is one Single
// aggregate over a coalesce (no partial states to merge), that the
// coalesce then pushes the partitions in order on the consumer's
// goroutine, and that the answers are those of the Partial/Final plan.
func TestOneCoreAggregateIsSingle(t *testing.T) {
	mem := checked(t)
	leaf := aggInput(t, mem)
	k, v := colExpr("k", str), colExpr("v", i64)
	aggs := []AggregateExpr{{Func: expr.AggSum, Arg: v, Name: "s"}, {Func: expr.AggCount, Name: "n"}}
	for _, c := range []struct {
		name    string
		groupBy []expr.Expr
		names   []string
	}{{"global", nil, nil}, {"grouped", []expr.Expr{k}, []string{"k"}}} {
		one, err := PlanAggregate(leaf, c.groupBy, c.names, aggs, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := Explain(one), "AggregateExec: mode=Single"; !strings.HasPrefix(got, want) || !strings.Contains(got, "CoalescePartitionsExec") {
			t.Errorf("%s at one target partition:\n%s\nwant %s over CoalescePartitionsExec", c.name, got, want)
		}
		two, err := PlanAggregate(leaf, c.groupBy, c.names, aggs, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := two.(*HashAggregateExec).Mode(); got != AggregateFinal {
			t.Errorf("%s at two target partitions: mode %s, want Final", c.name, got)
		}
		if diff := cmp.Diff(sortedRows(t, mem, two), sortedRows(t, mem, one)); diff != "" {
			t.Errorf("%s: one core (+) and two (-) disagree:\n%s", c.name, diff)
		}
	}

	// Shared producers below: the partitions cannot be read one by one.
	rep, err := NewRepartition(leaf, []expr.Expr{k}, 2)
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanAggregate(rep, nil, nil, aggs, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.(*HashAggregateExec).Mode(); got != AggregateFinal {
		t.Errorf("over a repartition at one target partition: mode %s, want Final\n%s", got, Explain(p))
	}
}

func TestCoalescePushesPartitionsInOrder(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 30, 4)
	defer leaf.release()
	task := &plan.TaskContext{Allocator: mem, Parallelism: 1}
	s, err := NewCoalescePartitions(leaf).Execute(context.Background(), 0, task)
	if err != nil {
		t.Fatal(err)
	}
	me := goroutineID()
	var firsts []int64
	err = plan.PushAll(s, func(b plan.Batch) error {
		defer b.Release()
		if id := goroutineID(); id != me {
			t.Errorf("batch pushed on goroutine %s, want the consumer's (%s)", id, me)
		}
		firsts = append(firsts, b.Record.Column(0).(interface{ Value(int) int64 }).Value(0))
		return nil
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	// numbers puts rows [4i, 4i+4) in partition i mod 4: partition 0
	// first (0, 16), then 1 (4, 20), and so on.
	if want := []int64{0, 16, 4, 20, 8, 24, 12, 28}; !cmp.Equal(firsts, want) {
		t.Errorf("batches start at %v, want %v", firsts, want)
	}

	// Errors: the consumer's own is returned as is; a partition's is
	// located at the input.
	s, _ = NewCoalescePartitions(leaf).Execute(context.Background(), 0, task)
	full := errors.New("full")
	if err := plan.PushAll(s, func(b plan.Batch) error { b.Release(); return full }); err != full {
		t.Errorf("consumer's error: %v", err)
	}
	s.Close()
	leaf.failAt = map[int]int{2: 1}
	s, _ = NewCoalescePartitions(leaf).Execute(context.Background(), 0, task)
	err = plan.PushAll(s, func(b plan.Batch) error { b.Release(); return nil })
	s.Close()
	var pe *plan.Error
	if !errors.As(err, &pe) || pe.Partition != 2 || !errors.Is(err, errBoom) {
		t.Errorf("partition 2 failing: %v", err)
	}
	leaf.failAt = nil

	ctx, cancel := context.WithCancel(context.Background())
	s, _ = NewCoalescePartitions(leaf).Execute(ctx, 0, task)
	n := 0
	err = plan.PushAll(s, func(b plan.Batch) error {
		b.Release()
		if n++; n == 1 {
			cancel()
		}
		return nil
	})
	s.Close()
	if !errors.Is(err, context.Canceled) || n > 2 {
		t.Errorf("cancelled after the first batch: %v after %d batches", err, n)
	}
}

// TestMergeStartsWorkingInputsInParallel merges sorted partitions whose
// sorts run when the merge starts, on two workers: the rows come out
// merged, a failing partition is reported as in a merge started in turn,
// and every batch is released (the race detector and goleak watch the
// workers).
func TestMergeStartsWorkingInputsInParallel(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 40, 4)
	defer leaf.release()
	a := colExpr("a", i64)
	keys := []SortExpr{{Expr: a, Descending: true}}
	sorts, err := NewSort(leaf, keys, -1, true)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewSortPreservingMerge(sorts, keys, -1)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := Collect(context.Background(), m, &plan.TaskContext{Allocator: mem, Parallelism: 2, BatchSize: 7})
	if err != nil {
		t.Fatal(err)
	}
	got := rows(recs)
	release(recs)
	if len(got) != 40 || got[0] != "39,NULL" || got[39] != "0,0" {
		t.Errorf("merged %d rows, first %v, last %v", len(got), got[:1], got[len(got)-1:])
	}
	for i := 1; i < len(got); i++ {
		var x, y int
		fmt.Sscanf(got[i-1], "%d", &x)
		fmt.Sscanf(got[i], "%d", &y)
		if x < y {
			t.Fatalf("rows %d and %d out of order: %s, %s", i-1, i, got[i-1], got[i])
		}
	}

	leaf.failAt = map[int]int{1: 0, 3: 0}
	defer func() { leaf.failAt = nil }()
	for _, par := range []int{1, 2} {
		_, err = Collect(context.Background(), m, &plan.TaskContext{Allocator: mem, Parallelism: par})
		var pe *plan.Error
		if !errors.As(err, &pe) || pe.Partition != 1 || !errors.Is(err, errBoom) {
			t.Errorf("parallelism %d: partitions 1 and 3 failing: %v, want partition 1's error", par, err)
		}
	}
}

// TestSharePartitionsReadsEachInputOnce reads a 7-partition input on two
// output partitions, concurrently and by push, and checks that every row
// comes out exactly once, that running the plan again reads everything
// again, and that errors name the input partition.
func TestSharePartitionsReadsEachInputOnce(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 70, 7)
	defer leaf.release()
	sh, err := NewSharePartitions(leaf, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := sh.String(); got != "SharePartitionsExec: partitions=2, input_partitions=7" {
		t.Errorf("EXPLAIN line %q", got)
	}
	task := &plan.TaskContext{Allocator: mem, Parallelism: 2}
	for run := range 2 { // the second run is a new execution
		recs, err := Collect(context.Background(), NewCoalescePartitions(sh), task)
		if err != nil {
			t.Fatal(err)
		}
		got := rows(recs)
		release(recs)
		seen := map[string]int{}
		for _, r := range got {
			seen[r]++
		}
		if len(got) != 70 || len(seen) != 70 {
			t.Errorf("run %d: %d rows, %d distinct, want 70 once each", run, len(got), len(seen))
		}
	}

	// Pushed: one output partition alone takes every input partition.
	s, err := sh.Execute(context.Background(), 0, task)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := plan.PushAll(s, func(b plan.Batch) error { n += b.NumRows(); b.Release(); return nil }); err != nil || n != 70 {
		t.Errorf("one output pushed: %d rows, %v; want 70", n, err)
	}
	s.Close()

	leaf.failAt = map[int]int{4: 1}
	defer func() { leaf.failAt = nil }()
	_, err = Collect(context.Background(), NewCoalescePartitions(sh), task)
	var pe *plan.Error
	if !errors.As(err, &pe) || pe.Partition != 4 || !errors.Is(err, errBoom) {
		t.Errorf("input partition 4 failing: %v", err)
	}
	if _, err := NewSharePartitions(leaf, 0); err == nil {
		t.Error("zero output partitions accepted")
	}
}

// TestPartialAggregatesShareTheInput checks that an aggregate over more
// partitions than target partitions keeps one partial state per target
// partition, and answers as without.
func TestPartialAggregatesShareTheInput(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 40, 5)
	defer leaf.release()
	a := colExpr("a", i64)
	aggs := []AggregateExpr{{Func: expr.AggSum, Arg: a, Name: "s"}, {Func: expr.AggCount, Name: "n"}}
	p, err := PlanAggregate(leaf, nil, nil, aggs, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := Explain(p); !strings.Contains(got, "SharePartitionsExec: partitions=2, input_partitions=5") {
		t.Errorf("plan:\n%s", got)
	}
	if diff := cmp.Diff([]string{"780,40"}, sortedRows(t, mem, p)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A bounded sum sees the bounds through the sharing.
	b := &boundedLeaf{leaf, plan.Statistics{Rows: 40, Exact: true, Columns: map[string]plan.ColumnStatistics{
		"a": {Min: expr.Int64(0), Max: expr.Int64(39), NullCount: 0},
	}}}
	p, err = PlanAggregate(b, nil, nil, aggs, 2)
	if err != nil {
		t.Fatal(err)
	}
	partial := p.(*HashAggregateExec).input.(*CoalescePartitionsExec).input.(*HashAggregateExec)
	if fit := partial.sumsFit(); fit == nil || !fit[0] {
		t.Errorf("the partial sum over shared partitions of a bounded input does not use the bounds:\n%s", Explain(p))
	}
}

// TestCoalescePushWithWorkers pushes a coalesce at parallelism 3: every
// row arrives once, always on the consumer's goroutine (the workers hand
// their batches to it), the consumer's error and a partition's error stop
// the workers (goleak and the allocator check that), and cancelling
// stops it.
func TestCoalescePushWithWorkers(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 400, 9)
	defer leaf.release()
	task := &plan.TaskContext{Allocator: mem, Parallelism: 3}
	me := goroutineID()
	push := func(ctx context.Context, fn func(plan.Batch) error) error {
		s, err := NewCoalescePartitions(leaf).Execute(ctx, 0, task)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		return plan.PushAll(s, fn)
	}
	seen := map[int64]int{}
	err := push(context.Background(), func(b plan.Batch) error {
		defer b.Release()
		if id := goroutineID(); id != me {
			t.Errorf("batch pushed on goroutine %s, want the consumer's (%s)", id, me)
		}
		for _, v := range b.Record.Column(0).(interface{ Int64Values() []int64 }).Int64Values() {
			seen[v]++
		}
		return nil
	})
	if err != nil || len(seen) != 400 {
		t.Fatalf("%d distinct rows, %v; want 400", len(seen), err)
	}
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("row %d pushed %d times", v, n)
		}
	}

	full := errors.New("full")
	n := 0
	if err := push(context.Background(), func(b plan.Batch) error {
		b.Release()
		if n++; n == 3 {
			return full
		}
		return nil
	}); err != full {
		t.Errorf("consumer's error: %v", err)
	}

	leaf.failAt = map[int]int{5: 2}
	err = push(context.Background(), func(b plan.Batch) error { b.Release(); return nil })
	leaf.failAt = nil
	var pe *plan.Error
	if !errors.As(err, &pe) || pe.Partition != 5 || !errors.Is(err, errBoom) {
		t.Errorf("partition 5 failing: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = push(ctx, func(b plan.Batch) error {
		b.Release()
		if n++; n == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// estimatedLeaf is a leaf that estimates its rows.
type estimatedLeaf struct {
	*leafExec
	rows int64
}

func (e *estimatedLeaf) EstimatedRows() int64 { return e.rows }

// TestSmallInputsStayOnOneGoroutine checks that an aggregate over an
// input estimated below rowsPerWorker rows is planned as one Single
// aggregate even with two target partitions, and read by the consumer's
// goroutine alone; a larger estimate, or none, keeps the parallel plan.
func TestSmallInputsStayOnOneGoroutine(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 40, 4)
	defer leaf.release()
	a := colExpr("a", i64)
	aggs := []AggregateExpr{{Func: expr.AggSum, Arg: a, Name: "s"}}
	for _, c := range []struct {
		name  string
		input plan.ExecutionPlan
		mode  AggregateMode
	}{
		{"small", &estimatedLeaf{leaf, 40}, AggregateSingle},
		{"large", &estimatedLeaf{leaf, 3 * rowsPerWorker}, AggregateFinal},
		{"unknown", leaf, AggregateFinal},
	} {
		p, err := PlanAggregate(c.input, nil, nil, aggs, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.(*HashAggregateExec).Mode(); got != c.mode {
			t.Errorf("%s: mode %s, want %s\n%s", c.name, got, c.mode, Explain(p))
		}
		if diff := cmp.Diff([]string{"780"}, sortedRows(t, mem, p)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	// The coalesce of a small input uses one worker: the consumer.
	f := newFanIn(context.Background(), &estimatedLeaf{leaf, 40}, &plan.TaskContext{Allocator: mem, Parallelism: 4})
	if w := f.workers(); w != 1 {
		t.Errorf("a 40-row input gets %d workers, want 1", w)
	}
	f = newFanIn(context.Background(), &estimatedLeaf{leaf, 3 * rowsPerWorker}, &plan.TaskContext{Allocator: mem, Parallelism: 4})
	if w := f.workers(); w != 3 {
		t.Errorf("an input of 3 row groups gets %d workers, want 3", w)
	}
}
