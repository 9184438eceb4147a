package physical

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// accumulator holds one aggregate's state for every group. Calls are per
// batch: update and merge loop over a whole batch with typed code, so
// there is no per-row dispatch.
type accumulator interface {
	// resize makes room for n groups (n only grows).
	resize(n int)
	// update folds input values into groups: row i of the batch (arr's row
	// sel[i], or i when sel is nil) belongs to groups[i]. arr is nil for
	// count(*).
	update(groups []int32, arr arrow.Array, sel []int32) error
	// merge folds partial states (the arrays state returned, in order)
	// into groups, indexed like update.
	merge(groups []int32, states []arrow.Array, sel []int32) error
	// state returns the partial state of groups [0, n).
	state(mem memory.Allocator, n int) ([]arrow.Array, error)
	// finish returns the final value of groups [0, n).
	finish(mem memory.Allocator, n int) (arrow.Array, error)
}

// stateField describes one column of an accumulator's partial state.
type stateField struct {
	suffix string // appended to the aggregate's name; "" for the first
	typ    arrow.DataType
}

// validRow reports whether row is non-null in a validity bitmap as
// returned by validity (nil means no nulls).
func validRow(valid []byte, off, row int) bool {
	return valid == nil || bitutil.BitIsSet(valid, off+row)
}

func grow[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	if n <= cap(s) {
		return s[:n]
	}
	out := make([]T, n, max(n, 2*cap(s)))
	copy(out, s)
	return out
}

// fixedArray builds an array of dt from Go values, NULL where seen is
// false (seen nil: no NULLs).
func fixedArray[T any](mem memory.Allocator, dt arrow.DataType, vals []T, seen []bool) arrow.Array {
	n := len(vals)
	var z T
	vb := newBuffer(mem, n*int(unsafe.Sizeof(z)))
	copy(reinterpret[T](vb.Bytes()), vals)
	nb, nulls := seenBitmap(mem, seen)
	data := array.NewData(dt, n, []*memory.Buffer{nb, vb}, nil, nulls, 0)
	vb.Release()
	if nb != nil {
		nb.Release()
	}
	defer data.Release()
	return array.MakeFromData(data)
}

func seenBitmap(mem memory.Allocator, seen []bool) (*memory.Buffer, int) {
	nulls := 0
	for _, s := range seen {
		if !s {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	nb := newBuffer(mem, int(bitutil.BytesForBits(int64(len(seen)))))
	bits := nb.Bytes()
	for i, s := range seen {
		bitutil.SetBitTo(bits, i, s)
	}
	return nb, nulls
}

// checkStates validates the partial state arrays handed to merge.
func checkStates(states []arrow.Array, want ...arrow.DataType) error {
	if len(states) != len(want) {
		return fmt.Errorf("partial aggregate state has %d columns, want %d", len(states), len(want))
	}
	for i, s := range states {
		if !arrow.TypeEqual(s.DataType(), want[i]) {
			return fmt.Errorf("partial aggregate state column has type %s, want %s", s.DataType(), want[i])
		}
	}
	return nil
}

// decimalAdd adds two decimal128 values, failing on 128-bit overflow.
func decimalAdd(a, b decimal128.Num) (decimal128.Num, bool) {
	r := a.Add(b)
	if a.Sign() == b.Sign() && a.Sign() != 0 && r.Sign() != a.Sign() {
		return r, false
	}
	return r, true
}

// countAcc implements count(*) (arr nil) and count(x).
type countAcc struct {
	counts []int64
}

func (a *countAcc) resize(n int) { a.counts = grow(a.counts, n) }

func (a *countAcc) update(groups []int32, arr arrow.Array, sel []int32) error {
	counts := a.counts
	var valid []byte
	var off int
	if arr != nil {
		valid, off = validity(arr)
	}
	if valid == nil {
		for _, g := range groups {
			counts[g]++
		}
		return nil
	}
	for i, g := range groups {
		if bitutil.BitIsSet(valid, off+rowOf(sel, i)) {
			counts[g]++
		}
	}
	return nil
}

func (a *countAcc) updateOne(g int32, n int, arr arrow.Array, sel []int32) error {
	a.counts[g] += countValid(n, arr, sel)
	return nil
}

func (a *countAcc) merge(groups []int32, states []arrow.Array, sel []int32) error {
	if err := checkStates(states, arrow.PrimitiveTypes.Int64); err != nil {
		return err
	}
	vals := fixedValues[int64](states[0])
	valid, off := validity(states[0])
	for i, g := range groups {
		if row := rowOf(sel, i); validRow(valid, off, row) {
			a.counts[g] += vals[row]
		}
	}
	return nil
}

func (a *countAcc) state(mem memory.Allocator, n int) ([]arrow.Array, error) {
	arr, err := a.finish(mem, n)
	return []arrow.Array{arr}, err
}

func (a *countAcc) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return fixedArray(mem, arrow.PrimitiveTypes.Int64, a.counts[:n], nil), nil
}

// countDistinctAcc counts distinct non-null values per group with one set
// keyed by (group, encoded value).
type countDistinctAcc struct {
	counts []int64
	seen   map[string]struct{}
	enc    encodedRows
	key    []byte
}

func (a *countDistinctAcc) resize(n int) { a.counts = grow(a.counts, n) }

func (a *countDistinctAcc) update(groups []int32, arr arrow.Array, sel []int32) error {
	if a.seen == nil {
		a.seen = map[string]struct{}{}
	}
	if err := encodeRows(&a.enc, []keyColumn{{arr: arr, sel: sel}}, len(groups)); err != nil {
		return err
	}
	valid, off := validity(arr)
	for i, g := range groups {
		if !validRow(valid, off, rowOf(sel, i)) {
			continue
		}
		a.key = append(a.key[:0], byte(g), byte(g>>8), byte(g>>16), byte(g>>24))
		a.key = append(a.key, a.enc.row(i)...)
		if _, ok := a.seen[string(a.key)]; !ok {
			a.seen[string(a.key)] = struct{}{}
			a.counts[g]++
		}
	}
	return nil
}

func (a *countDistinctAcc) merge([]int32, []arrow.Array, []int32) error {
	return fmt.Errorf("count(DISTINCT) cannot be merged from partial states")
}

func (a *countDistinctAcc) state(memory.Allocator, int) ([]arrow.Array, error) {
	return nil, fmt.Errorf("count(DISTINCT) has no partial state")
}

func (a *countDistinctAcc) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return fixedArray(mem, arrow.PrimitiveTypes.Int64, a.counts[:n], nil), nil
}
