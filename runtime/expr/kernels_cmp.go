package expr

import (
	"bytes"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Comparison kernels come in two shapes: "bits" kernels write one result
// bit per row of dense inputs (Eval), and "sel" kernels append the indices
// of matching rows of a full column, optionally restricted to a selection
// (Predicate). Both ignore validity; callers AND in validity (bits) or drop
// null rows afterwards (sel), which keeps the null check out of the loops.
//
// Ordered comparisons are written NaN-safe for a non-NaN right-hand side:
// x > c is spelled !(x <= c), so that a NaN x compares greater than every
// number, as in PostgreSQL. For integers the compiler emits the same code.
//
// Each operator has its own copy of the loop on purpose: Go does not inline
// a comparison passed as a function value or type parameter method into a
// generic loop, and the call per row costs several times the comparison.

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cmpResult maps a three-way comparison result to op's truth value.
func cmpResult(op Op, c int) bool {
	switch op {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	case OpGt:
		return c > 0
	case OpGe:
		return c >= 0
	}
	return false
}

// bitsCmpScalar sets bit i of out when v[i] op c (c not NaN). Each op has
// its own loop packing eight results per byte with constant shifts: about
// twice as fast as a loop over the bit position.
func bitsCmpScalar[T ordered](op Op, v []T, c T, out []byte) {
	switch op {
	case OpEq:
		bitsEqS(v, c, out)
	case OpNe:
		bitsNeS(v, c, out)
	case OpLt:
		bitsLtS(v, c, out)
	case OpLe:
		bitsLeS(v, c, out)
	case OpGt:
		bitsGtS(v, c, out)
	case OpGe:
		bitsGeS(v, c, out)
	}
}

func bitsEqS[T ordered](v []T, c T, out []byte) {
	full := len(v) / 8
	for blk := 0; blk < full; blk++ {
		x := (*[8]T)(v[blk*8:])
		out[blk] = b2u(x[0] == c) |
			b2u(x[1] == c)<<1 |
			b2u(x[2] == c)<<2 |
			b2u(x[3] == c)<<3 |
			b2u(x[4] == c)<<4 |
			b2u(x[5] == c)<<5 |
			b2u(x[6] == c)<<6 |
			b2u(x[7] == c)<<7
	}
	if full*8 < len(v) {
		var m byte
		for j, e := range v[full*8:] {
			m |= b2u(e == c) << j
		}
		out[full] = m
	}
}

func bitsNeS[T ordered](v []T, c T, out []byte) {
	full := len(v) / 8
	for blk := 0; blk < full; blk++ {
		x := (*[8]T)(v[blk*8:])
		out[blk] = b2u(!(x[0] == c)) |
			b2u(!(x[1] == c))<<1 |
			b2u(!(x[2] == c))<<2 |
			b2u(!(x[3] == c))<<3 |
			b2u(!(x[4] == c))<<4 |
			b2u(!(x[5] == c))<<5 |
			b2u(!(x[6] == c))<<6 |
			b2u(!(x[7] == c))<<7
	}
	if full*8 < len(v) {
		var m byte
		for j, e := range v[full*8:] {
			m |= b2u(!(e == c)) << j
		}
		out[full] = m
	}
}

func bitsLtS[T ordered](v []T, c T, out []byte) {
	full := len(v) / 8
	for blk := 0; blk < full; blk++ {
		x := (*[8]T)(v[blk*8:])
		out[blk] = b2u(x[0] < c) |
			b2u(x[1] < c)<<1 |
			b2u(x[2] < c)<<2 |
			b2u(x[3] < c)<<3 |
			b2u(x[4] < c)<<4 |
			b2u(x[5] < c)<<5 |
			b2u(x[6] < c)<<6 |
			b2u(x[7] < c)<<7
	}
	if full*8 < len(v) {
		var m byte
		for j, e := range v[full*8:] {
			m |= b2u(e < c) << j
		}
		out[full] = m
	}
}

func bitsLeS[T ordered](v []T, c T, out []byte) {
	full := len(v) / 8
	for blk := 0; blk < full; blk++ {
		x := (*[8]T)(v[blk*8:])
		out[blk] = b2u(x[0] <= c) |
			b2u(x[1] <= c)<<1 |
			b2u(x[2] <= c)<<2 |
			b2u(x[3] <= c)<<3 |
			b2u(x[4] <= c)<<4 |
			b2u(x[5] <= c)<<5 |
			b2u(x[6] <= c)<<6 |
			b2u(x[7] <= c)<<7
	}
	if full*8 < len(v) {
		var m byte
		for j, e := range v[full*8:] {
			m |= b2u(e <= c) << j
		}
		out[full] = m
	}
}

func bitsGtS[T ordered](v []T, c T, out []byte) {
	full := len(v) / 8
	for blk := 0; blk < full; blk++ {
		x := (*[8]T)(v[blk*8:])
		out[blk] = b2u(!(x[0] <= c)) |
			b2u(!(x[1] <= c))<<1 |
			b2u(!(x[2] <= c))<<2 |
			b2u(!(x[3] <= c))<<3 |
			b2u(!(x[4] <= c))<<4 |
			b2u(!(x[5] <= c))<<5 |
			b2u(!(x[6] <= c))<<6 |
			b2u(!(x[7] <= c))<<7
	}
	if full*8 < len(v) {
		var m byte
		for j, e := range v[full*8:] {
			m |= b2u(!(e <= c)) << j
		}
		out[full] = m
	}
}

func bitsGeS[T ordered](v []T, c T, out []byte) {
	full := len(v) / 8
	for blk := 0; blk < full; blk++ {
		x := (*[8]T)(v[blk*8:])
		out[blk] = b2u(!(x[0] < c)) |
			b2u(!(x[1] < c))<<1 |
			b2u(!(x[2] < c))<<2 |
			b2u(!(x[3] < c))<<3 |
			b2u(!(x[4] < c))<<4 |
			b2u(!(x[5] < c))<<5 |
			b2u(!(x[6] < c))<<6 |
			b2u(!(x[7] < c))<<7
	}
	if full*8 < len(v) {
		var m byte
		for j, e := range v[full*8:] {
			m |= b2u(!(e < c)) << j
		}
		out[full] = m
	}
}

// bitsCmpArrays sets bit i of out when a[i] op b[i] (integers and other
// types whose Go order is SQL's).
func bitsCmpArrays[T ordered](op Op, a, b []T, out []byte) {
	b = b[:len(a)]
	for blk := 0; blk*8 < len(a); blk++ {
		lo, hi := blk*8, min(blk*8+8, len(a))
		x, y := a[lo:hi], b[lo:hi]
		y = y[:len(x)]
		var m byte
		switch op {
		case OpEq:
			for j, e := range x {
				m |= b2u(e == y[j]) << j
			}
		case OpNe:
			for j, e := range x {
				m |= b2u(e != y[j]) << j
			}
		case OpLt:
			for j, e := range x {
				m |= b2u(e < y[j]) << j
			}
		case OpLe:
			for j, e := range x {
				m |= b2u(e <= y[j]) << j
			}
		case OpGt:
			for j, e := range x {
				m |= b2u(e > y[j]) << j
			}
		case OpGe:
			for j, e := range x {
				m |= b2u(e >= y[j]) << j
			}
		}
		out[blk] = m
	}
}

// cmpFloat orders floats as PostgreSQL does: NaN equals NaN and sorts
// after every other value.
func cmpFloat[T float](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	}
	return -1
}

// bitsCmpFloatArrays is bitsCmpArrays with PostgreSQL's NaN order.
func bitsCmpFloatArrays[T float](op Op, a, b []T, out []byte) {
	b = b[:len(a)]
	for i, x := range a {
		if cmpResult(op, cmpFloat(x, b[i])) {
			out[i>>3] |= 1 << (i & 7)
		}
	}
}

// selCmpScalar returns the rows (all of v when sel is nil, else those of
// sel) where v[i] op c, reusing out. It is the hot loop of `col op literal`
// filters: branch-free, one store per row.
func selCmpScalar[T ordered](op Op, v []T, c T, sel []int32, out []int32) []int32 {
	n := len(v)
	if sel != nil {
		n = len(sel)
	}
	out = growSel(out, n)
	switch op {
	case OpEq:
		return selEqS(v, c, sel, out)
	case OpNe:
		return selNeS(v, c, sel, out)
	case OpLt:
		return selLtS(v, c, sel, out)
	case OpLe:
		return selLeS(v, c, sel, out)
	case OpGt:
		return selGtS(v, c, sel, out)
	case OpGe:
		return selGeS(v, c, sel, out)
	}
	return out[:0]
}

// growSel returns out resized to n, reallocating only when too small.
func growSel(out []int32, n int) []int32 {
	if cap(out) < n {
		return make([]int32, n)
	}
	return out[:n]
}

func selEqS[T ordered](v []T, c T, sel, out []int32) []int32 {
	k := 0
	if sel == nil {
		out = out[:len(v)]
		for i, x := range v {
			out[k] = int32(i)
			k += b2i(x == c)
		}
		return out[:k]
	}
	out = out[:len(sel)]
	for _, i := range sel {
		out[k] = i
		k += b2i(v[i] == c)
	}
	return out[:k]
}

func selNeS[T ordered](v []T, c T, sel, out []int32) []int32 {
	k := 0
	if sel == nil {
		out = out[:len(v)]
		for i, x := range v {
			out[k] = int32(i)
			k += b2i(!(x == c))
		}
		return out[:k]
	}
	out = out[:len(sel)]
	for _, i := range sel {
		out[k] = i
		k += b2i(!(v[i] == c))
	}
	return out[:k]
}

func selLtS[T ordered](v []T, c T, sel, out []int32) []int32 {
	k := 0
	if sel == nil {
		out = out[:len(v)]
		for i, x := range v {
			out[k] = int32(i)
			k += b2i(x < c)
		}
		return out[:k]
	}
	out = out[:len(sel)]
	for _, i := range sel {
		out[k] = i
		k += b2i(v[i] < c)
	}
	return out[:k]
}

func selLeS[T ordered](v []T, c T, sel, out []int32) []int32 {
	k := 0
	if sel == nil {
		out = out[:len(v)]
		for i, x := range v {
			out[k] = int32(i)
			k += b2i(x <= c)
		}
		return out[:k]
	}
	out = out[:len(sel)]
	for _, i := range sel {
		out[k] = i
		k += b2i(v[i] <= c)
	}
	return out[:k]
}

func selGtS[T ordered](v []T, c T, sel, out []int32) []int32 {
	k := 0
	if sel == nil {
		out = out[:len(v)]
		for i, x := range v {
			out[k] = int32(i)
			k += b2i(!(x <= c))
		}
		return out[:k]
	}
	out = out[:len(sel)]
	for _, i := range sel {
		out[k] = i
		k += b2i(!(v[i] <= c))
	}
	return out[:k]
}

func selGeS[T ordered](v []T, c T, sel, out []int32) []int32 {
	k := 0
	if sel == nil {
		out = out[:len(v)]
		for i, x := range v {
			out[k] = int32(i)
			k += b2i(!(x < c))
		}
		return out[:k]
	}
	out = out[:len(sel)]
	for _, i := range sel {
		out[k] = i
		k += b2i(!(v[i] < c))
	}
	return out[:k]
}

// scalarCmp compares the rows of arrays of one type against a constant.
type scalarCmp interface {
	// bits writes op(a[i], c) for every row of the dense array a.
	bits(a arrow.Array, out []byte)
	// sel returns the rows of the full column a (restricted to sel when
	// non-nil) where op(a[i], c) holds, nulls included (callers drop them).
	sel(a arrow.Array, sel, out []int32) []int32
}

// newScalarCmp builds the kernel for `x op c` where x has type dt and c is
// a non-NULL scalar of the same type.
func newScalarCmp(op Op, dt arrow.DataType, c Scalar) (scalarCmp, error) {
	if !valueMatchesType(c) {
		return nil, fmt.Errorf("literal %s does not match type %s", c, dt)
	}
	switch dt.ID() {
	case arrow.INT8:
		return numScalarCmp[int8]{op, int8(c.Value.(int64))}, nil
	case arrow.INT16:
		return numScalarCmp[int16]{op, int16(c.Value.(int64))}, nil
	case arrow.INT32, arrow.DATE32:
		return numScalarCmp[int32]{op, int32(c.Value.(int64))}, nil
	case arrow.INT64, arrow.TIMESTAMP, arrow.DURATION:
		return numScalarCmp[int64]{op, c.Value.(int64)}, nil
	case arrow.UINT8:
		return numScalarCmp[uint8]{op, uint8(c.Value.(uint64))}, nil
	case arrow.UINT16:
		return numScalarCmp[uint16]{op, uint16(c.Value.(uint64))}, nil
	case arrow.UINT32:
		return numScalarCmp[uint32]{op, uint32(c.Value.(uint64))}, nil
	case arrow.UINT64:
		return numScalarCmp[uint64]{op, c.Value.(uint64)}, nil
	case arrow.FLOAT32:
		f := c.Value.(float64)
		if math.IsNaN(f) {
			return nanScalarCmp[float32]{op}, nil
		}
		return numScalarCmp[float32]{op, float32(f)}, nil
	case arrow.FLOAT64:
		f := c.Value.(float64)
		if math.IsNaN(f) {
			return nanScalarCmp[float64]{op}, nil
		}
		return numScalarCmp[float64]{op, f}, nil
	case arrow.STRING, arrow.BINARY:
		return binScalarCmp[int32]{op, scalarBytes(c)}, nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return binScalarCmp[int64]{op, scalarBytes(c)}, nil
	case arrow.BOOL:
		return boolScalarCmp{op, c.Value.(bool)}, nil
	case arrow.DECIMAL128:
		return decScalarCmp{op, c.Value.(decimal128.Num)}, nil
	}
	return nil, fmt.Errorf("cannot compare values of type %s", SQLTypeName(dt))
}

type numScalarCmp[T ordered] struct {
	op Op
	c  T
}

func (k numScalarCmp[T]) bits(a arrow.Array, out []byte) {
	bitsCmpScalar(k.op, values[T](a), k.c, out)
}

func (k numScalarCmp[T]) sel(a arrow.Array, sel, out []int32) []int32 {
	return selCmpScalar(k.op, values[T](a), k.c, sel, out)
}

// nanScalarCmp compares floats against NaN, which PostgreSQL orders after
// every number and equal to itself.
type nanScalarCmp[T float] struct{ op Op }

func (k nanScalarCmp[T]) match(x T) bool { return cmpResult(k.op, cmpFloat(x, T(math.NaN()))) }

func (k nanScalarCmp[T]) bits(a arrow.Array, out []byte) {
	for i, x := range values[T](a) {
		if k.match(x) {
			out[i>>3] |= 1 << (i & 7)
		}
	}
}

func (k nanScalarCmp[T]) sel(a arrow.Array, sel, out []int32) []int32 {
	v := values[T](a)
	out = out[:0]
	if sel == nil {
		for i, x := range v {
			if k.match(x) {
				out = append(out, int32(i))
			}
		}
		return out
	}
	for _, i := range sel {
		if k.match(v[i]) {
			out = append(out, i)
		}
	}
	return out
}

// binScalarCmp compares strings or binaries bytewise (C collation).
type binScalarCmp[O offsetT] struct {
	op Op
	c  []byte
}

func (k binScalarCmp[O]) match(v []byte) bool {
	switch k.op {
	case OpEq:
		return len(v) == len(k.c) && bstr(v) == bstr(k.c)
	case OpNe:
		return len(v) != len(k.c) || bstr(v) != bstr(k.c)
	}
	return cmpResult(k.op, bytes.Compare(v, k.c))
}

func (k binScalarCmp[O]) bits(a arrow.Array, out []byte) {
	offs, data := binaryParts[O](a)
	for i := 0; i < a.Len(); i++ {
		if k.match(data[offs[i]:offs[i+1]]) {
			out[i>>3] |= 1 << (i & 7)
		}
	}
}

func (k binScalarCmp[O]) sel(a arrow.Array, sel, out []int32) []int32 {
	offs, data := binaryParts[O](a)
	out = out[:0]
	if sel == nil {
		for i := 0; i < a.Len(); i++ {
			if k.match(data[offs[i]:offs[i+1]]) {
				out = append(out, int32(i))
			}
		}
		return out
	}
	for _, i := range sel {
		if k.match(data[offs[i]:offs[i+1]]) {
			out = append(out, i)
		}
	}
	return out
}

type boolScalarCmp struct {
	op Op
	c  bool
}

func (k boolScalarCmp) bits(a arrow.Array, out []byte) {
	bits := boolBits(a.(*array.Boolean))
	// Each comparison with a constant bool is a fixed function of the
	// value bit: always false, always true, identity or negation.
	f, t := cmpResult(k.op, cmpBool(false, k.c)), cmpResult(k.op, cmpBool(true, k.c))
	for i := range out {
		switch {
		case f && t:
			out[i] = 0xFF
		case t:
			out[i] = bits[i]
		case f:
			out[i] = ^bits[i]
		default:
			out[i] = 0
		}
	}
}

func (k boolScalarCmp) sel(a arrow.Array, sel, out []int32) []int32 {
	bits := boolBits(a.(*array.Boolean))
	f, t := cmpResult(k.op, cmpBool(false, k.c)), cmpResult(k.op, cmpBool(true, k.c))
	return selBits(a.Len(), sel, out, func(i int) bool {
		if bits[i>>3]&(1<<(i&7)) != 0 {
			return t
		}
		return f
	})
}

type decScalarCmp struct {
	op Op
	c  decimal128.Num
}

func (k decScalarCmp) bits(a arrow.Array, out []byte) {
	for i, x := range values[decimal128.Num](a) {
		if cmpResult(k.op, x.Cmp(k.c)) {
			out[i>>3] |= 1 << (i & 7)
		}
	}
}

func (k decScalarCmp) sel(a arrow.Array, sel, out []int32) []int32 {
	v := values[decimal128.Num](a)
	return selBits(len(v), sel, out, func(i int) bool { return cmpResult(k.op, v[i].Cmp(k.c)) })
}

// selBits is the generic (closure-calling) select loop for the less
// common types.
func selBits(n int, sel, out []int32, match func(i int) bool) []int32 {
	out = out[:0]
	if sel == nil {
		for i := 0; i < n; i++ {
			if match(i) {
				out = append(out, int32(i))
			}
		}
		return out
	}
	for _, i := range sel {
		if match(int(i)) {
			out = append(out, i)
		}
	}
	return out
}

// bitsCmp writes op(a[i], b[i]) for two dense arrays of the same type.
func bitsCmp(op Op, a, b arrow.Array, out []byte) error {
	switch a.DataType().ID() {
	case arrow.INT8:
		bitsCmpArrays(op, values[int8](a), values[int8](b), out)
	case arrow.INT16:
		bitsCmpArrays(op, values[int16](a), values[int16](b), out)
	case arrow.INT32, arrow.DATE32:
		bitsCmpArrays(op, values[int32](a), values[int32](b), out)
	case arrow.INT64, arrow.TIMESTAMP, arrow.DURATION:
		bitsCmpArrays(op, values[int64](a), values[int64](b), out)
	case arrow.UINT8:
		bitsCmpArrays(op, values[uint8](a), values[uint8](b), out)
	case arrow.UINT16:
		bitsCmpArrays(op, values[uint16](a), values[uint16](b), out)
	case arrow.UINT32:
		bitsCmpArrays(op, values[uint32](a), values[uint32](b), out)
	case arrow.UINT64:
		bitsCmpArrays(op, values[uint64](a), values[uint64](b), out)
	case arrow.FLOAT32:
		bitsCmpFloatArrays(op, values[float32](a), values[float32](b), out)
	case arrow.FLOAT64:
		bitsCmpFloatArrays(op, values[float64](a), values[float64](b), out)
	case arrow.STRING, arrow.BINARY:
		bitsCmpBinary[int32](op, a, b, out)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		bitsCmpBinary[int64](op, a, b, out)
	case arrow.BOOL:
		x, y := boolBits(a.(*array.Boolean)), boolBits(b.(*array.Boolean))
		for i := 0; i < a.Len(); i++ {
			xb, yb := x[i>>3]&(1<<(i&7)) != 0, y[i>>3]&(1<<(i&7)) != 0
			if cmpResult(op, cmpBool(xb, yb)) {
				out[i>>3] |= 1 << (i & 7)
			}
		}
	case arrow.DECIMAL128:
		x, y := values[decimal128.Num](a), values[decimal128.Num](b)
		for i := range x {
			if cmpResult(op, x[i].Cmp(y[i])) {
				out[i>>3] |= 1 << (i & 7)
			}
		}
	default:
		return fmt.Errorf("cannot compare values of type %s", SQLTypeName(a.DataType()))
	}
	return nil
}

func bitsCmpBinary[O offsetT](op Op, a, b arrow.Array, out []byte) {
	ao, ad := binaryParts[O](a)
	bo, bd := binaryParts[O](b)
	for i := 0; i < a.Len(); i++ {
		x, y := ad[ao[i]:ao[i+1]], bd[bo[i]:bo[i+1]]
		var r bool
		switch op {
		case OpEq:
			r = bstr(x) == bstr(y)
		case OpNe:
			r = bstr(x) != bstr(y)
		default:
			r = cmpResult(op, bytes.Compare(x, y))
		}
		if r {
			out[i>>3] |= 1 << (i & 7)
		}
	}
}

// comparableType reports whether values of dt can be compared.
func comparableType(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY,
		arrow.BOOL, arrow.DATE32, arrow.TIMESTAMP, arrow.DURATION, arrow.DECIMAL128:
		return true
	}
	return false
}
