package domain

import (
	"cmp"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/tpgen/tpgen/runtime/expr"
)

// CompareScalars is a total order on Scalars, for use as the cmp of a
// Domain[expr.Scalar]. Within a value family it agrees with expr.Compare,
// except that it orders float NaN after every other number as PostgreSQL
// (and expr.Compare's documentation) do; NULL sorts first; scalars of
// different families, which a well-typed filter never mixes, are ordered
// by family so that the order stays total and nothing panics.
func CompareScalars(a, b expr.Scalar) int {
	switch {
	case a.Null || b.Null:
		return boolOrder(!a.Null, !b.Null)
	}
	if x, ok := a.Value.(float64); ok {
		if y, ok := b.Value.(float64); ok {
			return compareFloat(x, y)
		}
	}
	if c, err := expr.Compare(a, b); err == nil {
		return c
	}
	if fa, fb := valueFamily(a.Value), valueFamily(b.Value); fa != fb {
		return cmp.Compare(fa, fb)
	}
	// Same family that expr.Compare does not know: fall back to the text.
	return strings.Compare(a.String(), b.String())
}

// compareFloat orders NaN after +Inf and treats all NaNs as equal.
func compareFloat(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn || yn:
		return boolOrder(xn, yn)
	}
	return cmp.Compare(x, y)
}

// family numbers the normalised Go representations of expr.Scalar.
type family int

const (
	famUnknown family = iota
	famBool
	famInt
	famUint
	famFloat
	famString
	famBytes
	famDecimal
)

func valueFamily(v any) family {
	switch v.(type) {
	case bool:
		return famBool
	case int64:
		return famInt
	case uint64:
		return famUint
	case float64:
		return famFloat
	case string:
		return famString
	case []byte:
		return famBytes
	case decimal128.Num:
		return famDecimal
	}
	return famUnknown
}

// typeFamily is the family of the values expr.Scalar uses for type t.
func typeFamily(t arrow.DataType) family {
	if t == nil {
		return famUnknown
	}
	switch t.ID() {
	case arrow.BOOL:
		return famBool
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.DATE32, arrow.TIMESTAMP, arrow.DURATION:
		return famInt
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return famUint
	case arrow.FLOAT32, arrow.FLOAT64:
		return famFloat
	case arrow.STRING, arrow.LARGE_STRING:
		return famString
	case arrow.BINARY, arrow.LARGE_BINARY:
		return famBytes
	case arrow.DECIMAL128:
		return famDecimal
	}
	return famUnknown
}
