package physical

import (
	"fmt"

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

var errSumOverflow = fmt.Errorf("sum out of range")

// sumType is the result type of sum over t: int64 for signed integers,
// uint64 for unsigned, float64 for floats, decimal(38, s) for decimals and
// t itself for durations.
func sumType(t arrow.DataType) (arrow.DataType, error) {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return arrow.PrimitiveTypes.Int64, nil
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return arrow.PrimitiveTypes.Uint64, nil
	case arrow.FLOAT32, arrow.FLOAT64:
		return arrow.PrimitiveTypes.Float64, nil
	case arrow.DECIMAL128:
		return &arrow.Decimal128Type{Precision: 38, Scale: t.(*arrow.Decimal128Type).Scale}, nil
	case arrow.DURATION:
		return t, nil
	}
	return nil, fmt.Errorf("sum is not defined for type %s", t)
}

func newSumAcc(t arrow.DataType) (accumulator, error) {
	out, err := sumType(t)
	if err != nil {
		return nil, err
	}
	switch t.ID() {
	case arrow.INT8:
		return &sumSigned[int8]{out: out}, nil
	case arrow.INT16:
		return &sumSigned[int16]{out: out}, nil
	case arrow.INT32:
		return &sumSigned[int32]{out: out}, nil
	case arrow.INT64, arrow.DURATION:
		return &sumSigned[int64]{out: out}, nil
	case arrow.UINT8:
		return &sumUnsigned[uint8]{}, nil
	case arrow.UINT16:
		return &sumUnsigned[uint16]{}, nil
	case arrow.UINT32:
		return &sumUnsigned[uint32]{}, nil
	case arrow.UINT64:
		return &sumUnsigned[uint64]{}, nil
	case arrow.FLOAT32:
		return &sumFloat[float32]{}, nil
	case arrow.FLOAT64:
		return &sumFloat[float64]{}, nil
	case arrow.DECIMAL128:
		return &sumDecimal{out: out}, nil
	}
	return nil, fmt.Errorf("sum is not defined for type %s", t)
}

// sumSigned sums signed integers into int64, failing on overflow as
// PostgreSQL's sum(bigint) would (it widens to numeric; we refuse instead
// of returning a wrapped value).
type sumSigned[T signedInt] struct {
	out  arrow.DataType
	sums []int64
	seen []bool
}

func (a *sumSigned[T]) resize(n int) { a.sums, a.seen = grow(a.sums, n), grow(a.seen, n) }

func (a *sumSigned[T]) update(groups []int32, arr arrow.Array, sel []int32) error {
	return addSigned(a.sums, a.seen, groups, fixedValues[T](arr), arr, sel)
}

func addSigned[T signedInt](sums []int64, seen []bool, groups []int32, vals []T, arr arrow.Array, sel []int32) error {
	valid, off := validity(arr)
	overflow := int64(0)
	if valid == nil && sel == nil {
		for i, g := range groups {
			v := int64(vals[i])
			s := sums[g]
			r := s + v
			// Overflow iff both operands' signs differ from the result's.
			overflow |= (s ^ r) & (v ^ r)
			sums[g] = r
			seen[g] = true
		}
	} else {
		for i, g := range groups {
			row := rowOf(sel, i)
			if !validRow(valid, off, row) {
				continue
			}
			v := int64(vals[row])
			s := sums[g]
			r := s + v
			overflow |= (s ^ r) & (v ^ r)
			sums[g] = r
			seen[g] = true
		}
	}
	if overflow < 0 {
		return errSumOverflow
	}
	return nil
}

func (a *sumSigned[T]) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, a.out); err != nil {
		return err
	}
	return addSigned(a.sums, a.seen, groups, fixedValues[int64](states[0]), states[0], sel)
}

func (a *sumSigned[T]) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	arr, err := a.finish(mem, n)
	return []arrow.Array{arr}, err
}

func (a *sumSigned[T]) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return fixedArray(mem, a.out, a.sums[:n], a.seen[:n]), nil
}

// sumUnsigned sums unsigned integers into uint64, failing on overflow.
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
		return errSumOverflow
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
