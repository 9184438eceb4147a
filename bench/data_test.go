package bench

import (
	"math/rand/v2"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/memtable"
)

// The benchmark table: k has 1000 distinct values, v and x are uniform;
// the predicate x > threshold keeps half of the rows.
const (
	benchRows       = 10_000_000
	benchPartitions = 8
	batchRows       = 64 * 1024
	distinctKeys    = 1000
	xRange          = 1000
	threshold       = 500
)

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64},
	{Name: "v", Type: arrow.PrimitiveTypes.Int64},
	{Name: "x", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// dataset is a table's batches plus the MemTable over them.
type dataset struct {
	parts [][]arrow.RecordBatch
	table *memtable.Table
}

var (
	bigOnce sync.Once
	big     *dataset
)

// bigDataset builds the 10M-row table once per process; benchmarks share
// it and never release it.
func bigDataset() *dataset {
	bigOnce.Do(func() { big = newDataset(benchRows, benchPartitions, memory.DefaultAllocator) })
	return big
}

// newDataset fills partitions from a fixed seed, so every run measures
// the same data. Batches are built from whole slices, which keeps building
// 10M rows well under a second.
func newDataset(rows, partitions int, mem memory.Allocator) *dataset {
	r := rand.New(rand.NewPCG(1, 2))
	d := &dataset{parts: make([][]arrow.RecordBatch, partitions)}
	per := rows / partitions
	ks, vs, xs := make([]int64, batchRows), make([]int64, batchRows), make([]int64, batchRows)
	for p := range partitions {
		n := per
		if p == partitions-1 {
			n = rows - per*(partitions-1)
		}
		for n > 0 {
			m := min(n, batchRows)
			for i := range m {
				ks[i] = int64(r.IntN(distinctKeys))
				vs[i] = int64(r.IntN(1_000_000))
				xs[i] = int64(r.IntN(xRange))
			}
			d.parts[p] = append(d.parts[p], record(mem, ks[:m], vs[:m], xs[:m]))
			n -= m
		}
	}
	t, err := memtable.New(schema, d.parts, memtable.WithoutValidation())
	if err != nil {
		panic(err) // the schema is fixed; this cannot fail but for a bug
	}
	d.table = t
	return d
}

func record(mem memory.Allocator, cols ...[]int64) arrow.RecordBatch {
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		b := array.NewInt64Builder(mem)
		b.AppendValues(c, nil)
		arrs[i] = b.NewArray()
		b.Release()
	}
	rec := array.NewRecordBatch(schema, arrs, int64(len(cols[0])))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

// release frees the dataset's memory (tests on small datasets use it with
// a checked allocator).
func (d *dataset) release() {
	d.table.Release()
	for _, p := range d.parts {
		for _, r := range p {
			r.Release()
		}
	}
}
