package physical

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// BenchmarkHashAggregate: SELECT k, sum(v), count(*) GROUP BY k over 1M
// rows (int64 k with 1000 groups) in 64K-row batches, single-threaded,
// next to a hand-written Go map loop over the same Arrow arrays. The
// "sel" variants keep every other row through a selection vector.
func BenchmarkHashAggregate(b *testing.B) {
	const rows, batch, groups = 1 << 20, 1 << 16, 1000
	mem := memory.NewGoAllocator()
	s := schemaOf("k", i64, "v", i64)
	var batches []plan.Batch
	var sel []int32
	for i := 0; i < batch; i += 2 {
		sel = append(sel, int32(i))
	}
	for lo := 0; lo < rows; lo += batch {
		kb, vb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
		for i := lo; i < lo+batch; i++ {
			kb.Append(int64((i / 2 * 7919) % groups))
			vb.Append(int64(i % 100))
		}
		batches = append(batches, plan.Batch{Record: rec(s, kb.NewArray(), vb.NewArray())})
		kb.Release()
		vb.Release()
	}
	defer releaseBatches(batches)
	withSel := make([]plan.Batch, len(batches))
	for i, bt := range batches {
		withSel[i] = plan.Batch{Record: bt.Record, Sel: sel}
	}
	aggs := []AggregateExpr{{Func: expr.AggSum, Arg: colExpr("v", i64), Name: "s"}, {Func: expr.AggCount, Name: "n"}}
	task := &plan.TaskContext{Allocator: mem, Parallelism: 1}
	for _, c := range []struct {
		name string
		in   []plan.Batch
	}{{"engine", batches}, {"engine-sel", withSel}} {
		b.Run(c.name, func(b *testing.B) {
			leaf := &leafExec{schema: s, parts: [][]plan.Batch{c.in}, props: plan.Properties{Partitions: 1}}
			p, err := NewHashAggregate(AggregateSingle, leaf, []expr.Expr{colExpr("k", i64)}, []string{"k"}, aggs)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(rows * 16)
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
	}
	for _, c := range []struct {
		name string
		sel  []int32
	}{{"handwritten", nil}, {"handwritten-sel", sel}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(rows * 16)
			for b.Loop() {
				type acc struct{ sum, n int64 }
				m := map[int64]*acc{}
				for _, bt := range batches {
					ks := bt.Record.Column(0).(*array.Int64).Int64Values()
					vs := bt.Record.Column(1).(*array.Int64).Int64Values()
					visit := func(i int) {
						a := m[ks[i]]
						if a == nil {
							a = &acc{}
							m[ks[i]] = a
						}
						a.sum += vs[i]
						a.n++
					}
					if c.sel == nil {
						for i := range ks {
							visit(i)
						}
					} else {
						for _, i := range c.sel {
							visit(int(i))
						}
					}
				}
				if len(m) != groups {
					b.Fatalf("%d groups", len(m))
				}
			}
		})
	}
}

func rows64(recs []arrow.RecordBatch) int {
	n := 0
	for _, r := range recs {
		n += int(r.NumRows())
	}
	return n
}
