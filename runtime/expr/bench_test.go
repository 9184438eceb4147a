package expr

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The benchmarks measure `x > 500` over one 64K-row int64 batch (values
// uniform in [0, 1000), so half the rows pass), the case DESIGN.md
// ("Vectorized") sizes the engine by.

const benchRows = 64 * 1024

func benchBatch(b *testing.B) arrow.RecordBatch {
	b.Helper()
	mem := memory.DefaultAllocator
	bld := array.NewInt64Builder(mem)
	defer bld.Release()
	r := rand.New(rand.NewPCG(1, 2))
	for range benchRows {
		bld.Append(r.Int64N(1000))
	}
	col := bld.NewArray()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	return array.NewRecordBatch(schema, []arrow.Array{col}, benchRows)
}

func xGt500() Expr {
	return &Binary{Op: OpGt, L: &Column{Name: "x", Type: arrow.PrimitiveTypes.Int64},
		R: &Literal{Value: Int64(500)}, Type: arrow.FixedWidthTypes.Boolean}
}

func BenchmarkSelectGt(b *testing.B) {
	rec := benchBatch(b)
	defer rec.Release()
	p, err := CompilePredicate(xGt500(), rec.Schema())
	if err != nil {
		b.Fatal(err)
	}
	out := make([]int32, benchRows)
	b.ReportAllocs()
	for b.Loop() {
		if out, err = p.Select(memory.DefaultAllocator, rec, nil, out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalGt(b *testing.B) { benchEval(b, xGt500()) }

func BenchmarkArrowComputeGreater(b *testing.B) { benchCallFunction(b, "greater", 500) }

// BenchmarkHandLoopSelect is the floor: the loop a person would write for
// this one query, with the same output (a selection vector).
func BenchmarkHandLoopSelect(b *testing.B) {
	rec := benchBatch(b)
	defer rec.Release()
	vals := rec.Column(0).(*array.Int64).Int64Values()
	out := make([]int32, benchRows)
	b.ReportAllocs()
	for b.Loop() {
		out = handSelectBranchy(vals, out[:cap(out)])
	}
}

// The hand loops live in their own functions: b.Loop keeps calls in its
// body from being inlined, which would otherwise put a call to b2i in the
// loop.
func handSelectBranchy(vals []int64, out []int32) []int32 {
	k := 0
	for i, v := range vals {
		if v > 500 {
			out[k] = int32(i)
			k++
		}
	}
	return out[:k]
}

func handSelectBranchless(vals []int64, out []int32) []int32 {
	out = out[:len(vals)]
	k := 0
	for i, v := range vals {
		out[k] = int32(i)
		k += b2i(v > 500)
	}
	return out[:k]
}

func BenchmarkSelectGtWithSel(b *testing.B) {
	rec := benchBatch(b)
	defer rec.Release()
	p, err := CompilePredicate(xGt500(), rec.Schema())
	if err != nil {
		b.Fatal(err)
	}
	sel := make([]int32, 0, benchRows/2)
	for i := 0; i < benchRows; i += 2 {
		sel = append(sel, int32(i))
	}
	out := make([]int32, benchRows)
	b.ReportAllocs()
	for b.Loop() {
		if out, err = p.Select(memory.DefaultAllocator, rec, sel, out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandLoopSelectBranchless is the same hand loop written without
// a data-dependent branch, the way selCmpScalar is.
func BenchmarkHandLoopSelectBranchless(b *testing.B) {
	rec := benchBatch(b)
	defer rec.Release()
	vals := rec.Column(0).(*array.Int64).Int64Values()
	out := make([]int32, benchRows)
	b.ReportAllocs()
	for b.Loop() {
		out = handSelectBranchless(vals, out[:cap(out)])
	}
}

// BenchmarkSelectAnd measures `x > 500 AND x < 750`: the second conjunct
// runs only on the rows the first kept.
func BenchmarkSelectAnd(b *testing.B) {
	rec := benchBatch(b)
	defer rec.Release()
	e := bin(OpAnd, xGt500(), bin(OpLt, col("x", tI64), lt(tI64, int64(750))))
	p, err := CompilePredicate(e, rec.Schema())
	if err != nil {
		b.Fatal(err)
	}
	out := make([]int32, benchRows)
	b.ReportAllocs()
	for b.Loop() {
		if out, err = p.Select(memory.DefaultAllocator, rec, nil, out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalAddConst(b *testing.B) {
	benchEval(b, bin(OpAdd, col("x", tI64), lt(tI64, int64(1))))
}

func BenchmarkArrowComputeAdd(b *testing.B) { benchCallFunction(b, "add", 1) }

func BenchmarkEvalCastToFloat64(b *testing.B) { benchEval(b, &Cast{E: col("x", tI64), To: tF64}) }

func BenchmarkArrowComputeCastToFloat64(b *testing.B) {
	benchCompute(b, func(ctx context.Context, x arrow.Array) (compute.Datum, error) {
		out, err := compute.CastArray(ctx, x, compute.SafeCastOptions(tF64))
		return compute.NewDatumWithoutOwning(out), err
	})
}

func BenchmarkEvalCastToInt32(b *testing.B) { benchEval(b, &Cast{E: col("x", tI64), To: tI32}) }

func BenchmarkArrowComputeCastToInt32(b *testing.B) {
	benchCompute(b, func(ctx context.Context, x arrow.Array) (compute.Datum, error) {
		out, err := compute.CastArray(ctx, x, compute.SafeCastOptions(tI32))
		return compute.NewDatumWithoutOwning(out), err
	})
}

// benchEval measures Compiled.Eval of e over the benchmark batch.
func benchEval(b *testing.B, e Expr) {
	rec := benchBatch(b)
	defer rec.Release()
	c, err := Compile(e, rec.Schema())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		arr, err := c.Eval(memory.DefaultAllocator, rec, nil)
		if err != nil {
			b.Fatal(err)
		}
		arr.Release()
	}
}

// benchCompute measures an arrow-go compute call over the benchmark batch's
// column, as the baseline for benchEval.
func benchCompute(b *testing.B, call func(ctx context.Context, x arrow.Array) (compute.Datum, error)) {
	rec := benchBatch(b)
	defer rec.Release()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		out, err := call(ctx, rec.Column(0))
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

// benchCallFunction measures the arrow-go compute function fn applied to
// the benchmark column and an int64 literal.
func benchCallFunction(b *testing.B, fn string, literal int64) {
	lit := compute.NewDatum(literal)
	benchCompute(b, func(ctx context.Context, x arrow.Array) (compute.Datum, error) {
		col := compute.NewDatumWithoutOwning(x)
		return compute.CallFunction(ctx, fn, nil, col, lit)
	})
}
