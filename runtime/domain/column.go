package domain

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
)

var boolType = arrow.FixedWidthTypes.Boolean

// colRef is a column as a filter compares it: bare, or under casts that
// keep its values and their order.
type colRef struct {
	name string
	col  arrow.DataType // the column's own type
	cmp  arrow.DataType // the type it is compared as, after any casts
}

// columnRef recognises a column, possibly under order-preserving,
// injective casts, so that a comparison on the cast is a comparison on the
// column.
func columnRef(e expr.Expr) (colRef, bool) {
	switch e := e.(type) {
	case *expr.Column:
		if typeFamily(e.Type) == famUnknown {
			return colRef{}, false
		}
		return colRef{name: e.Name, col: e.Type, cmp: e.Type}, true
	case *expr.Cast:
		inner, ok := columnRef(e.E)
		if !ok || !widens(inner.cmp, e.To) {
			return colRef{}, false
		}
		inner.cmp = e.To
		return inner, true
	}
	return colRef{}, false
}

// widens reports whether every value of from converts to to unchanged, in
// the same Scalar representation, so the cast preserves order and is
// injective.
func widens(from, to arrow.DataType) bool {
	if arrow.TypeEqual(from, to) {
		return true
	}
	ff, tf := typeFamily(from), typeFamily(to)
	if ff != tf {
		return false
	}
	switch ff {
	case famInt, famUint:
		// Only plain integers: DATE32 or TIMESTAMP casts change the unit.
		fw, fok := intWidth(from)
		tw, tok := intWidth(to)
		return fok && tok && fw <= tw
	case famFloat:
		return to.ID() == arrow.FLOAT64
	case famString, famBytes:
		return true
	}
	return false
}

func intWidth(t arrow.DataType) (int, bool) {
	switch t.ID() {
	case arrow.INT8, arrow.UINT8:
		return 8, true
	case arrow.INT16, arrow.UINT16:
		return 16, true
	case arrow.INT32, arrow.UINT32:
		return 32, true
	case arrow.INT64, arrow.UINT64:
		return 64, true
	}
	return 0, false
}

// accepts reports whether literal v is of the family the column is
// compared as; a mismatch means an ill-typed tree, which we leave alone.
func (r colRef) accepts(v expr.Scalar) bool {
	return valueFamily(v.Value) == typeFamily(r.cmp) && valueFamily(v.Value) != famUnknown
}

// fit expresses a domain over the compared type as one over the column's
// own type: literals beyond a narrower column's range are clipped away, so
// converting the domain's values to the column's Go type cannot overflow.
func (r colRef) fit(d ScalarDomain) ScalarDomain {
	if arrow.TypeEqual(r.col, r.cmp) {
		return d
	}
	if lo, hi, ok := intRange(r.col); ok {
		d = d.Intersect(FromRanges(CompareScalars, true, Range[expr.Scalar]{Low: Inclusive(lo), High: Inclusive(hi)}))
	}
	return Map(d, func(s expr.Scalar) expr.Scalar { s.Type = r.col; return s }, CompareScalars)
}

// intRange returns the smallest and largest value of an integer type.
func intRange(t arrow.DataType) (lo, hi expr.Scalar, ok bool) {
	signed := func(min, max int64) (expr.Scalar, expr.Scalar, bool) {
		return expr.Int64(min), expr.Int64(max), true
	}
	unsigned := func(max uint64) (expr.Scalar, expr.Scalar, bool) {
		return expr.Uint64(0), expr.Uint64(max), true
	}
	switch t.ID() {
	case arrow.INT8:
		return signed(math.MinInt8, math.MaxInt8)
	case arrow.INT16:
		return signed(math.MinInt16, math.MaxInt16)
	case arrow.INT32:
		return signed(math.MinInt32, math.MaxInt32)
	case arrow.UINT8:
		return unsigned(math.MaxUint8)
	case arrow.UINT16:
		return unsigned(math.MaxUint16)
	case arrow.UINT32:
		return unsigned(math.MaxUint32)
	}
	return expr.Scalar{}, expr.Scalar{}, false
}
