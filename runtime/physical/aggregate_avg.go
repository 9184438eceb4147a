package physical

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// avg returns float64 for every input type. Integer sums are kept exactly
// (128 bits, see signedSums) and divided by the count once, correctly
// rounded. For decimals the sum is kept exactly (decimal(38, s)) and only
// the final division is done in float64, so the result has float64's ~15
// significant digits; a decimal result type is produced by casting that
// float64.
func newAvgAcc(t arrow.DataType) (accumulator, error) {
	switch t.ID() {
	case arrow.INT8:
		return &avgSigned[int8]{}, nil
	case arrow.INT16:
		return &avgSigned[int16]{}, nil
	case arrow.INT32:
		return &avgSigned[int32]{}, nil
	case arrow.INT64:
		return &avgSigned[int64]{}, nil
	case arrow.UINT8:
		return &avgUnsigned[uint8]{}, nil
	case arrow.UINT16:
		return &avgUnsigned[uint16]{}, nil
	case arrow.UINT32:
		return &avgUnsigned[uint32]{}, nil
	case arrow.UINT64:
		return &avgUnsigned[uint64]{}, nil
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

// avgStateType is the type of the sum column of avg's partial state over
// t (the other is the count, int64).
func avgStateType(t arrow.DataType) arrow.DataType {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return wideSumType
	case arrow.DECIMAL128:
		return &arrow.Decimal128Type{Precision: 38, Scale: t.(*arrow.Decimal128Type).Scale}
	}
	return arrow.PrimitiveTypes.Float64
}

// avgSigned averages signed integers: state (exact sum decimal(38, 0),
// count int64).
type avgSigned[T signedInt] struct {
	sums   signedSums
	counts []int64
}

func (a *avgSigned[T]) resize(n int) { a.sums.resize(n); a.counts = grow(a.counts, n) }

func (a *avgSigned[T]) update(groups []int32, arr arrow.Array, sel []int32) error {
	vals := fixedValues[T](arr)
	valid, off := validity(arr)
	lo, counts := a.sums.lo, a.counts
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		v := int64(vals[row])
		s := lo[g]
		r := s + v
		lo[g] = r
		counts[g]++
		if (s^r)&(v^r) < 0 {
			a.sums.overflowed(g, v)
		}
	}
	return nil
}

func (a *avgSigned[T]) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, wideSumType, arrow.PrimitiveTypes.Int64); err != nil {
		return err
	}
	a.sums.mergeWide(groups, states[0], nil, a.counts, fixedValues[int64](states[1]), sel)
	return nil
}

func (a *avgSigned[T]) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	return []arrow.Array{
		a.sums.wideArray(mem, n, nil),
		fixedArray(mem, arrow.PrimitiveTypes.Int64, a.counts[:n], nil),
	}, nil
}

func (a *avgSigned[T]) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return avgResult(mem, n, a.counts, func(g int) float64 { return quotient(a.sums.get(g), a.counts[g]) }), nil
}

// avgUnsigned averages unsigned integers: state (exact sum decimal(38, 0),
// count int64). The sum is lo[g] + carry[g] * 2^64, carry allocated at the
// first wrap-around.
type avgUnsigned[T unsignedInt] struct {
	lo     []uint64
	carry  []int64
	counts []int64
}

func (a *avgUnsigned[T]) resize(n int) {
	a.lo, a.counts = grow(a.lo, n), grow(a.counts, n)
	if a.carry != nil {
		a.carry = grow(a.carry, n)
	}
}

//go:noinline
func (a *avgUnsigned[T]) overflowed(g int32) {
	a.carry = grow(a.carry, len(a.lo))
	a.carry[g]++
}

func (a *avgUnsigned[T]) get(g int) int128 {
	c := int64(0)
	if a.carry != nil {
		c = a.carry[g]
	}
	return int128{c, a.lo[g]}
}

func (a *avgUnsigned[T]) update(groups []int32, arr arrow.Array, sel []int32) error {
	vals := fixedValues[T](arr)
	valid, off := validity(arr)
	lo, counts := a.lo, a.counts
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		r := lo[g] + uint64(vals[row])
		if r < lo[g] {
			a.overflowed(g)
		}
		lo[g] = r
		counts[g]++
	}
	return nil
}

func (a *avgUnsigned[T]) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, wideSumType, arrow.PrimitiveTypes.Int64); err != nil {
		return err
	}
	sums, counts := fixedValues[decimal128.Num](states[0]), fixedValues[int64](states[1])
	valid, off := validity(states[0])
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		r := a.get(int(g)).add(int128Of(sums[row]))
		a.lo[g] = r.lo
		if r.hi != 0 || a.carry != nil {
			a.carry = grow(a.carry, len(a.lo))
			a.carry[g] = r.hi
		}
		a.counts[g] += counts[row]
	}
	return nil
}

func (a *avgUnsigned[T]) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	sums := make([]decimal128.Num, n)
	for g := range n {
		sums[g] = a.get(g).num()
	}
	return []arrow.Array{
		fixedArray(mem, wideSumType, sums, nil),
		fixedArray(mem, arrow.PrimitiveTypes.Int64, a.counts[:n], nil),
	}, nil
}

func (a *avgUnsigned[T]) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return avgResult(mem, n, a.counts, func(g int) float64 { return quotient(a.get(g), a.counts[g]) }), nil
}

// quotient returns x / n (n > 0) correctly rounded to float64 (nearest,
// ties to even), without allocating.
func quotient(x int128, n int64) float64 {
	neg := x.hi < 0
	hi, lo := uint64(x.hi), x.lo
	if neg {
		var b uint64
		lo, b = bits.Sub64(0, lo, 0)
		hi, _ = bits.Sub64(0, hi, b)
	}
	d := uint64(n)
	var f float64
	if hi == 0 && lo <= 1<<53 && d <= 1<<53 {
		// Both exact in float64: one IEEE division rounds correctly.
		f = float64(lo) / float64(d)
	} else {
		// Scale x by 2^k so the integer quotient has at least 55
		// significant bits, then round it with the remainder as a sticky
		// bit: float64(q | sticky) rounds q + r/d correctly. The shifted
		// x has at most 55 + 64 bits.
		xlen := bits.Len64(lo)
		if hi != 0 {
			xlen = 64 + bits.Len64(hi)
		}
		k := max(0, 55+bits.Len64(d)-xlen)
		hi, lo = shl128(hi, lo, k)
		qhi, r := bits.Div64(0, hi, d)
		qlo, r := bits.Div64(r, lo, d)
		f = math.Ldexp(roundSticky(qhi, qlo, r != 0), -k)
	}
	if neg {
		return -f
	}
	return f
}

func shl128(hi, lo uint64, k int) (uint64, uint64) {
	if k >= 64 {
		return lo << (k - 64), 0
	}
	return hi<<k | lo>>(64-k), lo << k
}

// roundSticky converts the 128-bit hi:lo, at least 2^54, plus a fraction
// that is non-zero iff sticky, to float64.
func roundSticky(hi, lo uint64, sticky bool) float64 {
	var s uint64
	if sticky {
		s = 1
	}
	if hi == 0 {
		return float64(lo | s)
	}
	// Keep the top 64 bits; what falls off only matters as sticky.
	sh := bits.Len64(hi)
	top := hi<<(64-sh) | lo>>sh
	if lo<<(64-sh) != 0 {
		s = 1
	}
	return math.Ldexp(float64(top|s), sh)
}

// avgFloat averages floats in float64: state (sum float64, count int64).
type avgFloat[T floating] struct {
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
	return avgResult(mem, n, a.counts, func(g int) float64 { return a.sums[g] / float64(a.counts[g]) }), nil
}

// avgResult returns avg(g) for groups [0, n), NULL where counts[g] is 0.
func avgResult(mem memory.Allocator, n int, counts []int64, avg func(int) float64) arrow.Array {
	out := make([]float64, n)
	seen := make([]bool, n)
	for g := range n {
		if counts[g] > 0 {
			out[g], seen[g] = avg(g), true
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
	return avgResult(mem, n, a.counts, func(g int) float64 { return a.sums[g].ToFloat64(a.scale) / float64(a.counts[g]) }), nil
}
