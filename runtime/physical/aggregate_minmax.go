package physical

import (
	"bytes"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

type ordered interface {
	signedInt | unsignedInt | floating
}

func newMinMaxAcc(t arrow.DataType, isMax bool) (accumulator, error) {
	switch t.ID() {
	case arrow.INT8:
		return &minMaxFixed[int8]{t: t, isMax: isMax}, nil
	case arrow.INT16:
		return &minMaxFixed[int16]{t: t, isMax: isMax}, nil
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return &minMaxFixed[int32]{t: t, isMax: isMax}, nil
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return &minMaxFixed[int64]{t: t, isMax: isMax}, nil
	case arrow.UINT8:
		return &minMaxFixed[uint8]{t: t, isMax: isMax}, nil
	case arrow.UINT16:
		return &minMaxFixed[uint16]{t: t, isMax: isMax}, nil
	case arrow.UINT32:
		return &minMaxFixed[uint32]{t: t, isMax: isMax}, nil
	case arrow.UINT64:
		return &minMaxFixed[uint64]{t: t, isMax: isMax}, nil
	case arrow.FLOAT32:
		return &minMaxFixed[float32]{t: t, isMax: isMax}, nil
	case arrow.FLOAT64:
		return &minMaxFixed[float64]{t: t, isMax: isMax}, nil
	case arrow.DECIMAL128:
		return &minMaxDecimal{t: t, isMax: isMax}, nil
	case arrow.BOOL:
		return &minMaxBool{isMax: isMax}, nil
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return &minMaxBytes{t: t, isMax: isMax}, nil
	}
	return nil, fmt.Errorf("min/max is not defined for type %s", t)
}

// less orders values like PostgreSQL: NaN after every other float (for
// integers x != x is constant false and compiles away).
func less[T ordered](a, b T) bool {
	return a < b || (b != b && a == a)
}

// minMaxFixed is min or max over a fixed-width ordered type.
type minMaxFixed[T ordered] struct {
	t     arrow.DataType
	isMax bool
	vals  []T
	seen  []bool
}

func (a *minMaxFixed[T]) resize(n int) { a.vals, a.seen = grow(a.vals, n), grow(a.seen, n) }

func (a *minMaxFixed[T]) update(groups []int32, arr arrow.Array, sel []int32) error {
	vals := fixedValues[T](arr)
	valid, off := validity(arr)
	acc, seen := a.vals, a.seen
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		v := vals[row]
		if !seen[g] || (a.isMax && less(acc[g], v)) || (!a.isMax && less(v, acc[g])) {
			acc[g] = v
			seen[g] = true
		}
	}
	return nil
}

func (a *minMaxFixed[T]) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, a.t); err != nil {
		return err
	}
	return a.update(groups, states[0], sel)
}

func (a *minMaxFixed[T]) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	arr, err := a.finish(mem, n)
	return []arrow.Array{arr}, err
}

func (a *minMaxFixed[T]) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return fixedArray(mem, a.t, a.vals[:n], a.seen[:n]), nil
}

// minMaxDecimal is min or max over decimal128.
type minMaxDecimal struct {
	t     arrow.DataType
	isMax bool
	vals  []decimal128.Num
	seen  []bool
}

func (a *minMaxDecimal) resize(n int) { a.vals, a.seen = grow(a.vals, n), grow(a.seen, n) }

func (a *minMaxDecimal) update(groups []int32, arr arrow.Array, sel []int32) error {
	vals := fixedValues[decimal128.Num](arr)
	valid, off := validity(arr)
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		v := vals[row]
		if !a.seen[g] || (a.isMax && v.Greater(a.vals[g])) || (!a.isMax && v.Less(a.vals[g])) {
			a.vals[g] = v
			a.seen[g] = true
		}
	}
	return nil
}

func (a *minMaxDecimal) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, a.t); err != nil {
		return err
	}
	return a.update(groups, states[0], sel)
}

func (a *minMaxDecimal) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	arr, err := a.finish(mem, n)
	return []arrow.Array{arr}, err
}

func (a *minMaxDecimal) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return fixedArray(mem, a.t, a.vals[:n], a.seen[:n]), nil
}

// minMaxBool is min (logical AND) or max (logical OR) over booleans.
type minMaxBool struct {
	isMax bool
	vals  []bool
	seen  []bool
}

func (a *minMaxBool) resize(n int) { a.vals, a.seen = grow(a.vals, n), grow(a.seen, n) }

func (a *minMaxBool) update(groups []int32, arr arrow.Array, sel []int32) error {
	d := arr.Data()
	bits := d.Buffers()[1].Bytes()
	valid, off := validity(arr)
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		v := bitutil.BitIsSet(bits, d.Offset()+row)
		switch {
		case !a.seen[g]:
			a.vals[g] = v
		case a.isMax:
			a.vals[g] = a.vals[g] || v
		default:
			a.vals[g] = a.vals[g] && v
		}
		a.seen[g] = true
	}
	return nil
}

func (a *minMaxBool) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, arrow.FixedWidthTypes.Boolean); err != nil {
		return err
	}
	return a.update(groups, states[0], sel)
}

func (a *minMaxBool) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	arr, err := a.finish(mem, n)
	return []arrow.Array{arr}, err
}

func (a *minMaxBool) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	b.AppendValues(a.vals[:n], a.seen[:n])
	return b.NewArray(), nil
}

// minMaxBytes is min or max over strings or binary, compared bytewise
// (PostgreSQL's C collation).
type minMaxBytes struct {
	t     arrow.DataType
	isMax bool
	vals  [][]byte
	seen  []bool
}

func (a *minMaxBytes) resize(n int) { a.vals, a.seen = grow(a.vals, n), grow(a.seen, n) }

func (a *minMaxBytes) update(groups []int32, arr arrow.Array, sel []int32) error {
	switch arr.DataType().ID() {
	case arrow.STRING, arrow.BINARY:
		minMaxVar[int32](a, groups, arr, sel)
	default:
		minMaxVar[int64](a, groups, arr, sel)
	}
	return nil
}

func minMaxVar[O int32 | int64](a *minMaxBytes, groups []int32, arr arrow.Array, sel []int32) {
	v := varView[O](arr)
	valid, off := validity(arr)
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		b := v.data[v.offs[row]:v.offs[row+1]]
		if !a.seen[g] {
			a.vals[g] = append([]byte{}, b...)
			a.seen[g] = true
			continue
		}
		c := bytes.Compare(b, a.vals[g])
		if (a.isMax && c > 0) || (!a.isMax && c < 0) {
			// Reuse the group's buffer: the replaced value is dead.
			a.vals[g] = append(a.vals[g][:0], b...)
		}
	}
}

func (a *minMaxBytes) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, a.t); err != nil {
		return err
	}
	return a.update(groups, states[0], sel)
}

func (a *minMaxBytes) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	arr, err := a.finish(mem, n)
	return []arrow.Array{arr}, err
}

func (a *minMaxBytes) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	b := array.NewBuilder(mem, a.t)
	defer b.Release()
	bb, ok := b.(interface {
		AppendNull()
		Append([]byte)
	})
	if ok {
		for i := range n {
			if a.seen[i] {
				bb.Append(a.vals[i])
			} else {
				bb.AppendNull()
			}
		}
		return b.NewArray(), nil
	}
	switch sb := b.(type) {
	case *array.StringBuilder:
		appendStrings(sb, a.vals[:n], a.seen[:n])
	case *array.LargeStringBuilder:
		appendStrings(sb, a.vals[:n], a.seen[:n])
	default:
		return nil, fmt.Errorf("min/max: no builder for %s", a.t)
	}
	return b.NewArray(), nil
}

func appendStrings(b interface {
	Append(string)
	AppendNull()
}, vals [][]byte, seen []bool) {
	for i, v := range vals {
		if seen[i] {
			b.Append(string(v))
		} else {
			b.AppendNull()
		}
	}
}
