package physical

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// BenchmarkHashAggregateString is BenchmarkHashAggregate with a string
// key ("key-0" .. "key-999"), next to a hand-written Go map loop.
func BenchmarkHashAggregateString(b *testing.B) {
	const rows, batch, groups = 1 << 20, 1 << 16, 1000
	mem := memory.NewGoAllocator()
	s := schemaOf("k", str, "v", i64)
	var batches []plan.Batch
	for lo := 0; lo < rows; lo += batch {
		kb, vb := array.NewStringBuilder(mem), array.NewInt64Builder(mem)
		for i := lo; i < lo+batch; i++ {
			kb.Append(fmt.Sprintf("key-%d", (i/2*7919)%groups))
			vb.Append(int64(i % 100))
		}
		batches = append(batches, plan.Batch{Record: rec(s, kb.NewArray(), vb.NewArray())})
		kb.Release()
		vb.Release()
	}
	defer releaseBatches(batches)
	aggs := []AggregateExpr{{Func: expr.AggSum, Arg: colExpr("v", i64), Name: "s"}, {Func: expr.AggCount, Name: "n"}}
	task := &plan.TaskContext{Allocator: mem, Parallelism: 1}
	b.Run("engine", func(b *testing.B) {
		leaf := &leafExec{schema: s, parts: [][]plan.Batch{batches}, props: plan.Properties{Partitions: 1}}
		p, err := NewHashAggregate(AggregateSingle, leaf, []expr.Expr{colExpr("k", str)}, []string{"k"}, aggs)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			recs, err := Collect(context.Background(), p, task)
			if err != nil {
				b.Fatal(err)
			}
			if n := rows64(recs); n != groups {
				b.Fatalf("%d groups", n)
			}
			release(recs)
		}
	})
	b.Run("handwritten", func(b *testing.B) {
		for b.Loop() {
			type acc struct{ sum, n int64 }
			m := map[string]*acc{}
			for _, bt := range batches {
				ks := bt.Record.Column(0).(*array.String)
				vs := bt.Record.Column(1).(*array.Int64).Int64Values()
				for i := range vs {
					k := ks.Value(i)
					a := m[k]
					if a == nil {
						a = &acc{}
						m[k] = a
					}
					a.sum += vs[i]
					a.n++
				}
			}
			if len(m) != groups {
				b.Fatalf("%d groups", len(m))
			}
		}
	})
}
