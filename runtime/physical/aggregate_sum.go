package physical

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

type signedInt interface {
	~int8 | ~int16 | ~int32 | ~int64
}
type unsignedInt interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}
type floating interface{ ~float32 | ~float64 }

var (
	// errSumOverflow: a decimal sum left decimal(38, s).
	errSumOverflow = errors.New("sum out of range")
	// errIntRange: an integer sum does not fit its result type (BIGINT
	// or BIGINT UNSIGNED), as PostgreSQL reports a bigint overflow.
	errIntRange = errors.New("integer out of range")
	// errIntervalRange: a sum of durations does not fit int64.
	errIntervalRange = errors.New("interval out of range")
)

// wideSumType is the partial state type of an exact integer sum: the
// 128-bit sum as decimal(38, 0). (|sum| < rows * 2^64 stays below 10^38
// for fewer than 2^62 rows.)
var wideSumType = &arrow.Decimal128Type{Precision: 38, Scale: 0}

// sumType is the result type of sum over t: int64 for signed integers,
// uint64 for smaller unsigned ones, decimal(38, 0) for uint64 (no 64-bit
// type holds a sum of them; PostgreSQL sums its bigints into numeric the
// same way), float64 for floats, decimal(38, s) for decimals and
// t itself for durations.
func sumType(t arrow.DataType) (arrow.DataType, error) {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return arrow.PrimitiveTypes.Int64, nil
	case arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return arrow.PrimitiveTypes.Uint64, nil
	case arrow.UINT64:
		return wideSumType, nil
	case arrow.FLOAT32, arrow.FLOAT64:
		return arrow.PrimitiveTypes.Float64, nil
	case arrow.DECIMAL128:
		return &arrow.Decimal128Type{Precision: 38, Scale: t.(*arrow.Decimal128Type).Scale}, nil
	case arrow.DURATION:
		return t, nil
	}
	return nil, fmt.Errorf("sum is not defined for type %s", t)
}

// sumStateType is the partial state type of sum over t: the exact 128-bit
// sum for signed integers and durations (whose running total may leave
// int64 while the final sum fits), else the result type (an unsigned sum
// only grows, so a partial sum beyond uint64 is already an error).
func sumStateType(t arrow.DataType) (arrow.DataType, error) {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.DURATION:
		return wideSumType, nil
	}
	return sumType(t)
}

func newSumAcc(t arrow.DataType) (accumulator, error) {
	out, err := sumType(t)
	if err != nil {
		return nil, err
	}
	switch t.ID() {
	case arrow.INT8:
		return &sumSigned[int8]{out: out, rangeErr: errIntRange}, nil
	case arrow.INT16:
		return &sumSigned[int16]{out: out, rangeErr: errIntRange}, nil
	case arrow.INT32:
		return &sumSigned[int32]{out: out, rangeErr: errIntRange}, nil
	case arrow.INT64:
		return &sumSigned[int64]{out: out, rangeErr: errIntRange}, nil
	case arrow.DURATION:
		return &sumSigned[int64]{out: out, rangeErr: errIntervalRange}, nil
	case arrow.UINT8:
		return &sumUnsigned[uint8]{}, nil
	case arrow.UINT16:
		return &sumUnsigned[uint16]{}, nil
	case arrow.UINT32:
		return &sumUnsigned[uint32]{}, nil
	case arrow.UINT64:
		return &sumUint64{}, nil
	case arrow.FLOAT32:
		return &sumFloat[float32]{}, nil
	case arrow.FLOAT64:
		return &sumFloat[float64]{}, nil
	case arrow.DECIMAL128:
		return &sumDecimal{out: out}, nil
	}
	return nil, fmt.Errorf("sum is not defined for type %s", t)
}

// int128 is a two's complement 128-bit integer.
type int128 struct {
	hi int64
	lo uint64
}

func (x int128) add(y int128) int128 {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	return int128{x.hi + y.hi + int64(c), lo}
}

func int128Of(n decimal128.Num) int128 { return int128{n.HighBits(), n.LowBits()} }

func (x int128) num() decimal128.Num { return decimal128.New(x.hi, x.lo) }

// signedSums holds exact per-group sums of signed integers. The fast path
// adds in int64 (lo); when an addition overflows, carry (allocated then)
// records it, so the exact sum of group g is lo[g] + carry[g] * 2^64
// whatever the order of the additions, and it fits int64 iff carry[g] is
// 0. (Wrapping 128 bits takes more than 2^63 rows.)
type signedSums struct {
	lo    []int64
	carry []int64
}

func (s *signedSums) resize(n int) {
	s.lo = grow(s.lo, n)
	if s.carry != nil {
		s.carry = grow(s.carry, n)
	}
}

// overflowed records that adding v to group g wrapped lo[g] around: up
// by 2^64 for a positive v, down for a negative one.
//
//go:noinline
func (s *signedSums) overflowed(g int32, v int64) {
	s.carry = grow(s.carry, len(s.lo))
	s.carry[g] += v>>63 | 1
}

func (s *signedSums) get(g int) int128 {
	c := int64(0)
	if s.carry != nil {
		c = s.carry[g]
	}
	return int128{s.lo[g]>>63 + c, uint64(s.lo[g])}
}

func (s *signedSums) addWide(g int32, x int128) {
	r := s.get(int(g)).add(x)
	lo := int64(r.lo)
	s.lo[g] = lo
	if c := r.hi - lo>>63; c != 0 || s.carry != nil {
		s.carry = grow(s.carry, len(s.lo))
		s.carry[g] = c
	}
}

// fits reports whether the sum of group g fits int64.
func (s *signedSums) fits(g int) bool { return s.carry == nil || s.carry[g] == 0 }

// wideArray returns groups [0, n) as decimal(38, 0), NULL where seen is
// false (seen nil: no NULLs).
func (s *signedSums) wideArray(mem memory.Allocator, n int, seen []bool) arrow.Array {
	out := make([]decimal128.Num, n)
	for g := range n {
		out[g] = s.get(g).num()
	}
	return fixedArray(mem, wideSumType, out, seen)
}

// mergeWide adds decimal(38, 0) partial sums into groups, marking seen
// (if not nil) and adding the partial counts to counts (if not nil).
func (s *signedSums) mergeWide(groups []int32, sums arrow.Array, seen []bool, counts []int64, partialCounts []int64, sel []int32) {
	vals := fixedValues[decimal128.Num](sums)
	valid, off := validity(sums)
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		s.addWide(g, int128Of(vals[row]))
		if seen != nil {
			seen[g] = true
		}
		if counts != nil {
			counts[g] += partialCounts[row]
		}
	}
}

// sumSigned sums signed integers (or durations) exactly and returns
// int64, failing with rangeErr only if a final sum does not fit (as
// PostgreSQL fails a bigint result); the order of the rows and their
// partitioning do not matter.
type sumSigned[T signedInt] struct {
	out      arrow.DataType
	rangeErr error
	sums     signedSums
	seen     []bool
	// fits: the input's statistics keep every sum of its values inside
	// int64 (HashAggregateExec.sumsFit), so runs need no exact kernel.
	fits bool
}

func (a *sumSigned[T]) resize(n int) { a.sums.resize(n); a.seen = grow(a.seen, n) }

func (a *sumSigned[T]) update(groups []int32, arr arrow.Array, sel []int32) error {
	addSigned(&a.sums, a.seen, groups, fixedValues[T](arr), arr, sel)
	return nil
}

func addSigned[T signedInt](sums *signedSums, seen []bool, groups []int32, vals []T, arr arrow.Array, sel []int32) {
	valid, off := validity(arr)
	lo := sums.lo
	if valid == nil && sel == nil {
		// Rows come in runs of one group (all of them without GROUP BY,
		// long runs on clustered keys): sum each run in a register and
		// store it once.
		for i := 0; i < len(groups); {
			g := groups[i]
			end := i + 1
			for end < len(groups) && groups[end] == g {
				end++
			}
			if end-i >= longRun {
				sums.addWide(g, exactSum(vals[i:end]))
				seen[g] = true
				i = end
				continue
			}
			s := lo[g]
			for _, x := range vals[i:end] {
				v := int64(x)
				r := s + v
				// Overflow iff both operands' signs differ from the result's.
				if (s^r)&(v^r) < 0 {
					sums.overflowed(g, v)
				}
				s = r
			}
			lo[g] = s
			seen[g] = true
			i = end
		}
		return
	}
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		v := int64(vals[row])
		s := lo[g]
		r := s + v
		lo[g] = r
		seen[g] = true
		if (s^r)&(v^r) < 0 {
			sums.overflowed(g, v)
		}
	}
}

func (a *sumSigned[T]) updateOne(g int32, n int, arr arrow.Array, sel []int32) error {
	vals := fixedValues[T](arr)
	if a.fits && n > 0 && arr.NullN() == 0 {
		var s int64
		if sel == nil {
			s = wrappingSum(vals[:n])
		} else {
			s = wrappingSumSel(vals, sel[:n])
		}
		a.sums.addWide(g, int128Of64(s))
		a.seen[g] = true
		return nil
	}
	addSignedOne(&a.sums, a.seen, g, n, vals, arr, sel)
	return nil
}

// longRun is the length from which a run of one group is summed by
// exactSum rather than with a check per row.
const longRun = 16

// addSignedOne adds n rows of vals (rows sel[:n], or the first n) to
// group g.
func addSignedOne[T signedInt](sums *signedSums, seen []bool, g int32, n int, vals []T, arr arrow.Array, sel []int32) {
	if n == 0 {
		return
	}
	valid, off := validity(arr)
	if valid == nil {
		if sel == nil {
			sums.addWide(g, exactSum(vals[:n]))
		} else {
			sums.addWide(g, exactSumSel(vals, sel[:n]))
		}
		seen[g] = true
		return
	}
	s := sums.lo[g]
	for i := range n {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		v := int64(vals[row])
		r := s + v
		seen[g] = true
		if (s^r)&(v^r) < 0 {
			sums.overflowed(g, v)
		}
		s = r
	}
	sums.lo[g] = s
}

func (a *sumSigned[T]) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, wideSumType); err != nil {
		return err
	}
	a.sums.mergeWide(groups, states[0], a.seen, nil, nil, sel)
	return nil
}

func (a *sumSigned[T]) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	return []arrow.Array{a.sums.wideArray(mem, n, a.seen[:n])}, nil
}

func (a *sumSigned[T]) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	if a.sums.carry != nil {
		for g := range n {
			if !a.sums.fits(g) {
				return nil, a.rangeErr
			}
		}
	}
	return fixedArray(mem, a.out, a.sums.lo[:n], a.seen[:n]), nil
}

// sumUnsigned sums unsigned integers into uint64, failing on overflow: the
// running sum only grows, so that happens iff the final sum overflows.
type sumUnsigned[T unsignedInt] struct {
	sums []uint64
	seen []bool
}

func (a *sumUnsigned[T]) resize(n int) { a.sums, a.seen = grow(a.sums, n), grow(a.seen, n) }

func (a *sumUnsigned[T]) update(groups []int32, arr arrow.Array, sel []int32) error {
	return addUnsigned(a.sums, a.seen, groups, fixedValues[T](arr), arr, sel)
}

func addUnsigned[T unsignedInt](sums []uint64, seen []bool, groups []int32, vals []T, arr arrow.Array, sel []int32) error {
	valid, off := validity(arr)
	overflow := false
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		r := sums[g] + uint64(vals[row])
		overflow = overflow || r < sums[g]
		sums[g] = r
		seen[g] = true
	}
	if overflow {
		return errIntRange
	}
	return nil
}

func (a *sumUnsigned[T]) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, arrow.PrimitiveTypes.Uint64); err != nil {
		return err
	}
	return addUnsigned(a.sums, a.seen, groups, fixedValues[uint64](states[0]), states[0], sel)
}

func (a *sumUnsigned[T]) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	arr, err := a.finish(mem, n)
	return []arrow.Array{arr}, err
}

func (a *sumUnsigned[T]) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return fixedArray(mem, arrow.PrimitiveTypes.Uint64, a.sums[:n], a.seen[:n]), nil
}

// sumUint64 sums uint64 values exactly, as 128-bit sums (hi, lo), into
// decimal(38, 0). Leaving 10^38 takes more than 2^64 rows.
type sumUint64 struct {
	hi, lo []uint64
	seen   []bool
}

func (a *sumUint64) resize(n int) {
	a.hi, a.lo, a.seen = grow(a.hi, n), grow(a.lo, n), grow(a.seen, n)
}

func (a *sumUint64) update(groups []int32, arr arrow.Array, sel []int32) error {
	vals := fixedValues[uint64](arr)
	valid, off := validity(arr)
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		var c uint64
		a.lo[g], c = bits.Add64(a.lo[g], vals[row], 0)
		a.hi[g] += c
		a.seen[g] = true
	}
	return nil
}

func (a *sumUint64) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, wideSumType); err != nil {
		return err
	}
	vals := fixedValues[decimal128.Num](states[0])
	valid, off := validity(states[0])
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		var c uint64
		a.lo[g], c = bits.Add64(a.lo[g], vals[row].LowBits(), 0)
		a.hi[g] += uint64(vals[row].HighBits()) + c
		a.seen[g] = true
	}
	return nil
}

func (a *sumUint64) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	arr, err := a.finish(mem, n)
	return []arrow.Array{arr}, err
}

func (a *sumUint64) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	out := make([]decimal128.Num, n)
	for g := range n {
		out[g] = decimal128.New(int64(a.hi[g]), a.lo[g])
	}
	return fixedArray(mem, wideSumType, out, a.seen[:n]), nil
}

// sumFloat sums floats into float64.
type sumFloat[T floating] struct {
	sums []float64
	seen []bool
}

func (a *sumFloat[T]) resize(n int) { a.sums, a.seen = grow(a.sums, n), grow(a.seen, n) }

func (a *sumFloat[T]) update(groups []int32, arr arrow.Array, sel []int32) error {
	addFloat(a.sums, a.seen, groups, fixedValues[T](arr), arr, sel)
	return nil
}

func addFloat[T floating](sums []float64, seen []bool, groups []int32, vals []T, arr arrow.Array, sel []int32) {
	valid, off := validity(arr)
	for i, g := range groups {
		row := rowOf(sel, i)
		if validRow(valid, off, row) {
			sums[g] += float64(vals[row])
			seen[g] = true
		}
	}
}

func (a *sumFloat[T]) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, arrow.PrimitiveTypes.Float64); err != nil {
		return err
	}
	addFloat(a.sums, a.seen, groups, fixedValues[float64](states[0]), states[0], sel)
	return nil
}

func (a *sumFloat[T]) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	arr, err := a.finish(mem, n)
	return []arrow.Array{arr}, err
}

func (a *sumFloat[T]) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return fixedArray(mem, arrow.PrimitiveTypes.Float64, a.sums[:n], a.seen[:n]), nil
}

// sumDecimal sums decimal128 values exactly (same scale in and out).
type sumDecimal struct {
	out  arrow.DataType
	sums []decimal128.Num
	seen []bool
}

func (a *sumDecimal) resize(n int) { a.sums, a.seen = grow(a.sums, n), grow(a.seen, n) }

func (a *sumDecimal) update(groups []int32, arr arrow.Array, sel []int32) error {
	return addDecimal(a.sums, a.seen, groups, arr, sel)
}

func addDecimal(sums []decimal128.Num, seen []bool, groups []int32, arr arrow.Array, sel []int32) error {
	vals := fixedValues[decimal128.Num](arr)
	valid, off := validity(arr)
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		r, ok := decimalAdd(sums[g], vals[row])
		if !ok || !r.FitsInPrecision(38) {
			return errSumOverflow
		}
		sums[g] = r
		seen[g] = true
	}
	return nil
}

func (a *sumDecimal) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, a.out); err != nil {
		return err
	}
	return addDecimal(a.sums, a.seen, groups, states[0], sel)
}

func (a *sumDecimal) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	arr, err := a.finish(mem, n)
	return []arrow.Array{arr}, err
}

func (a *sumDecimal) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return fixedArray(mem, a.out, a.sums[:n], a.seen[:n]), nil
}
