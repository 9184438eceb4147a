package physical

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// TestLimitOverRepartitionReleasesBeforeReturning stops a repartitioned
// aggregate early (a LIMIT above it is satisfied by its first batch) and
// checks that every batch the repartition queued is released by the time
// Collect returns, not later by a goroutine still winding down.
func TestLimitOverRepartitionReleasesBeforeReturning(t *testing.T) {
	for i := range 20 {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		leaf := numbers(t, mem, 400, 4)
		a := colExpr("a", i64)
		agg, err := PlanAggregate(leaf, []expr.Expr{a}, []string{"a"}, []AggregateExpr{{Func: expr.AggCount, Name: "n"}}, 4)
		if err != nil {
			t.Fatal(err)
		}
		lim, err := NewLimit(NewCoalescePartitions(agg), 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := Collect(context.Background(), lim, &plan.TaskContext{Allocator: mem, BatchSize: 2, Parallelism: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(rows(recs)); got != 1 {
			t.Fatalf("%d rows, want 1", got)
		}
		release(recs)
		leaf.release()
		leaf.parts = nil
		if n := mem.CurrentAlloc(); n != 0 {
			time.Sleep(100 * time.Millisecond)
			t.Fatalf("run %d: %d bytes still allocated when Collect returned (%d later)", i, n, mem.CurrentAlloc())
		}
	}
}

// TestRepartitionErrorWhileOthersBlocked fails one input partition while
// the consumer reads only one output and the producers are blocked on
// full queues: the error must surface, nothing may deadlock or leak.
func TestRepartitionErrorWhileOthersBlocked(t *testing.T) {
	mem := checked(t)
	leaf := numbers(t, mem, 400, 4)
	leaf.failAt = map[int]int{3: 20}
	a := colExpr("a", i64)
	agg, err := PlanAggregate(leaf, []expr.Expr{a}, []string{"a"}, []AggregateExpr{{Func: expr.AggCount, Name: "n"}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, par := range []int{1, 2, 8} {
		_, err = Collect(context.Background(), agg, &plan.TaskContext{Allocator: mem, BatchSize: 2, Parallelism: par})
		if !errors.Is(err, errBoom) {
			t.Fatalf("parallelism %d: err = %v, want boom", par, err)
		}
	}
}

// TestAggregateIntKeysManyGroups groups by one int64 key with enough
// distinct values to grow the open-addressing table several times, with
// extreme values, keys equal in their low or high 32 bits, NULLs and a
// selection, and compares every group's count and sum with a Go map.
func TestAggregateIntKeysManyGroups(t *testing.T) {
	mem := checked(t)
	s := schemaOf("k", i64, "v", i64)
	type acc struct{ n, sum int64 }
	want := map[string]*acc{}
	var batches []plan.Batch
	key := func(i int) any {
		switch i % 7 {
		case 0:
			return nil
		case 1:
			return math.MinInt64 + i
		case 2:
			return math.MaxInt64 - i
		case 3:
			return i << 32 // equal low halves
		}
		return i * 2654435761
	}
	const n, per = 40000, 1000
	for lo := 0; lo < n; lo += per {
		var ks, vs []any
		var sel []int32
		for i := lo; i < lo+per; i++ {
			ks = append(ks, key(i/3)) // every key three times
			vs = append(vs, i%10)
			if i%4 != 0 {
				sel = append(sel, int32(i-lo))
				k := "NULL"
				if kk := key(i / 3); kk != nil {
					k = fmt.Sprint(kk)
				}
				if want[k] == nil {
					want[k] = &acc{}
				}
				want[k].n++
				want[k].sum += int64(i % 10)
			}
		}
		batches = append(batches, plan.Batch{Record: rec(s, col(mem, i64, ks...), col(mem, i64, vs...)), Sel: sel})
	}
	leaf := newLeaf(s, batches)
	defer leaf.release()
	p, err := NewHashAggregate(AggregateSingle, leaf, []expr.Expr{colExpr("k", i64)}, []string{"k"},
		[]AggregateExpr{{Func: expr.AggCount, Name: "n"}, {Func: expr.AggSum, Arg: colExpr("v", i64), Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	got := collectRows(t, mem, p)
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d", len(got), len(want))
	}
	for _, row := range got {
		f := strings.Split(row, ",")
		w := want[f[0]]
		if w == nil || f[1] != fmt.Sprint(w.n) || f[2] != fmt.Sprint(w.sum) {
			t.Fatalf("group %s = %s, want %+v", f[0], row, w)
		}
	}
}

// TestEdgeBatches feeds every operator batches with zero rows, empty
// selections and zero-column records, and partitions with no batches.
func TestEdgeBatches(t *testing.T) {
	mem := checked(t)
	s := schemaOf("a", i64)
	mk := func(vals ...any) arrow.RecordBatch { return rec(s, col(mem, i64, vals...)) }
	leaf := newLeaf(s,
		[]plan.Batch{{Record: mk()}, {Record: mk(3, 1), Sel: []int32{}}, {Record: mk(5, nil, 2), Sel: []int32{0, 2}}},
		nil,
		[]plan.Batch{{Record: mk(4, 4)}, {Record: mk()}},
	)
	defer leaf.release()
	a := colExpr("a", i64)
	keys := []SortExpr{{Expr: a}}
	build := map[string]func() (plan.ExecutionPlan, error){
		"sort":  func() (plan.ExecutionPlan, error) { return NewSort(leaf, keys, -1, false) },
		"topn":  func() (plan.ExecutionPlan, error) { return NewSort(leaf, keys, 2, false) },
		"topn0": func() (plan.ExecutionPlan, error) { return NewSort(leaf, keys, 0, false) },
		"merge": func() (plan.ExecutionPlan, error) { return NewSortPreservingMerge(leaf, keys, -1) },
		"agg": func() (plan.ExecutionPlan, error) {
			return PlanAggregate(leaf, []expr.Expr{a}, []string{"a"}, []AggregateExpr{{Func: expr.AggCount, Name: "n"}}, 2)
		},
		"filter": func() (plan.ExecutionPlan, error) { return NewFilter(leaf, gt("a", 2)) },
		"proj": func() (plan.ExecutionPlan, error) {
			return NewProjection(leaf, nil, nil) // zero columns: only row counts
		},
		"limit-offset-beyond": func() (plan.ExecutionPlan, error) { return NewLimit(NewCoalescePartitions(leaf), 10, 5) },
		"local-limit0": func() (plan.ExecutionPlan, error) {
			return NewLimit(NewCoalescePartitions(NewLocalLimit(leaf, 0)), 0, -1)
		},
	}
	want := map[string]int{"sort": 4, "topn": 2, "topn0": 0, "merge": 4, "agg": 3, "filter": 3, "proj": 4, "limit-offset-beyond": 0, "local-limit0": 0}
	for name, b := range build {
		p, err := b()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		recs, err := Collect(context.Background(), p, &plan.TaskContext{Allocator: mem, BatchSize: 1, Parallelism: 2})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := rows64(recs); got != want[name] {
			t.Errorf("%s: %d rows, want %d", name, got, want[name])
		}
		release(recs)
	}
}
