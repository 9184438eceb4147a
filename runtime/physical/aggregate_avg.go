package physical

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// avg returns float64 for every input type. For decimals the sum is kept
// exactly (decimal(38, s)) and only the final division is done in float64,
// so the result has float64's ~15 significant digits; a decimal result
// type is produced by casting that float64.
func newAvgAcc(t arrow.DataType) (accumulator, error) {
	switch t.ID() {
	case arrow.INT8:
		return &avgFloat[int8]{}, nil
	case arrow.INT16:
		return &avgFloat[int16]{}, nil
	case arrow.INT32:
		return &avgFloat[int32]{}, nil
	case arrow.INT64:
		return &avgFloat[int64]{}, nil
	case arrow.UINT8:
		return &avgFloat[uint8]{}, nil
	case arrow.UINT16:
		return &avgFloat[uint16]{}, nil
	case arrow.UINT32:
		return &avgFloat[uint32]{}, nil
	case arrow.UINT64:
		return &avgFloat[uint64]{}, nil
	case arrow.FLOAT32:
		return &avgFloat[float32]{}, nil
	case arrow.FLOAT64:
		return &avgFloat[float64]{}, nil
	case arrow.DECIMAL128:
		scale := t.(*arrow.Decimal128Type).Scale
		return &avgDecimal{sumT: &arrow.Decimal128Type{Precision: 38, Scale: scale}, scale: scale}, nil
	}
	return nil, fmt.Errorf("avg is not defined for type %s", t)
}

// avgFloat averages numbers in float64: state (sum float64, count int64).
type avgFloat[T ordered] struct {
	sums   []float64
	counts []int64
}

func (a *avgFloat[T]) resize(n int) { a.sums, a.counts = grow(a.sums, n), grow(a.counts, n) }

func (a *avgFloat[T]) update(groups []int32, arr arrow.Array, sel []int32) error {
	vals := fixedValues[T](arr)
	valid, off := validity(arr)
	for i, g := range groups {
		row := rowOf(sel, i)
		if validRow(valid, off, row) {
			a.sums[g] += float64(vals[row])
			a.counts[g]++
		}
	}
	return nil
}

func (a *avgFloat[T]) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int64); err != nil {
		return err
	}
	sums, counts := fixedValues[float64](states[0]), fixedValues[int64](states[1])
	valid, off := validity(states[0])
	for i, g := range groups {
		row := rowOf(sel, i)
		if validRow(valid, off, row) {
			a.sums[g] += sums[row]
			a.counts[g] += counts[row]
		}
	}
	return nil
}

func (a *avgFloat[T]) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	return []arrow.Array{
		fixedArray(mem, arrow.PrimitiveTypes.Float64, a.sums[:n], nil),
		fixedArray(mem, arrow.PrimitiveTypes.Int64, a.counts[:n], nil),
	}, nil
}

func (a *avgFloat[T]) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return avgResult(mem, n, a.counts, func(g int) float64 { return a.sums[g] }), nil
}

func avgResult(mem memory.Allocator, n int, counts []int64, sum func(int) float64) arrow.Array {
	out := make([]float64, n)
	seen := make([]bool, n)
	for g := range n {
		if counts[g] > 0 {
			out[g], seen[g] = sum(g)/float64(counts[g]), true
		}
	}
	return fixedArray(mem, arrow.PrimitiveTypes.Float64, out, seen)
}

// avgDecimal keeps an exact decimal sum: state (sum decimal(38, s),
// count int64).
type avgDecimal struct {
	sumT   arrow.DataType
	scale  int32
	sums   []decimal128.Num
	counts []int64
}

func (a *avgDecimal) resize(n int) { a.sums, a.counts = grow(a.sums, n), grow(a.counts, n) }

func (a *avgDecimal) update(groups []int32, arr arrow.Array, sel []int32) error {
	vals := fixedValues[decimal128.Num](arr)
	valid, off := validity(arr)
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		r, ok := decimalAdd(a.sums[g], vals[row])
		if !ok {
			return errSumOverflow
		}
		a.sums[g] = r
		a.counts[g]++
	}
	return nil
}

func (a *avgDecimal) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, a.sumT, arrow.PrimitiveTypes.Int64); err != nil {
		return err
	}
	sums, counts := fixedValues[decimal128.Num](states[0]), fixedValues[int64](states[1])
	valid, off := validity(states[0])
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		r, ok := decimalAdd(a.sums[g], sums[row])
		if !ok {
			return errSumOverflow
		}
		a.sums[g] = r
		a.counts[g] += counts[row]
	}
	return nil
}

func (a *avgDecimal) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	return []arrow.Array{
		fixedArray(mem, a.sumT, a.sums[:n], nil),
		fixedArray(mem, arrow.PrimitiveTypes.Int64, a.counts[:n], nil),
	}, nil
}

func (a *avgDecimal) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return avgResult(mem, n, a.counts, func(g int) float64 { return a.sums[g].ToFloat64(a.scale) }), nil
}
