package source

import (
	"bytes"
	"cmp"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/tpgen/tpgen/runtime/expr"
)

// Type tells generated code how the Go type T of a column relates to the
// engine's scalars: how to read a filter literal as a T and how Ts order.
// The order must be the one SQL uses for the column, because domains built
// with it decide which partitions are skipped.
type Type[T any] struct {
	// FromScalar converts a non-NULL scalar of the column's Arrow type to T;
	// ok is false when the scalar holds another kind of value.
	FromScalar func(expr.Scalar) (v T, ok bool)
	// Compare orders two values: negative, zero or positive.
	Compare func(a, b T) int
}

// The Types of the Go types generated rows use, one per spec type family.
var (
	Bool    = Type[bool]{FromScalar: scalarAs[bool], Compare: compareBool}
	Int8    = Type[int8]{FromScalar: intAs[int8], Compare: cmp.Compare[int8]}
	Int16   = Type[int16]{FromScalar: intAs[int16], Compare: cmp.Compare[int16]}
	Int32   = Type[int32]{FromScalar: intAs[int32], Compare: cmp.Compare[int32]}
	Int64   = Type[int64]{FromScalar: scalarAs[int64], Compare: cmp.Compare[int64]}
	Uint8   = Type[uint8]{FromScalar: uintAs[uint8], Compare: cmp.Compare[uint8]}
	Uint16  = Type[uint16]{FromScalar: uintAs[uint16], Compare: cmp.Compare[uint16]}
	Uint32  = Type[uint32]{FromScalar: uintAs[uint32], Compare: cmp.Compare[uint32]}
	Uint64  = Type[uint64]{FromScalar: scalarAs[uint64], Compare: cmp.Compare[uint64]}
	Float32 = Type[float32]{FromScalar: floatAs[float32], Compare: compareFloat[float32]}
	Float64 = Type[float64]{FromScalar: scalarAs[float64], Compare: compareFloat[float64]}
	String  = Type[string]{FromScalar: scalarAs[string], Compare: strings.Compare}
	Bytes   = Type[[]byte]{FromScalar: scalarAs[[]byte], Compare: bytes.Compare}
	// Time serves date32 (midnight UTC of the day) and timestamp columns
	// (the instant, in UTC).
	Time     = Type[time.Time]{FromScalar: timeOf, Compare: time.Time.Compare}
	Duration = Type[time.Duration]{FromScalar: durationOf, Compare: cmp.Compare[time.Duration]}
	// Decimal values are decimal128.Num scaled by the column's scale.
	Decimal = Type[decimal128.Num]{FromScalar: scalarAs[decimal128.Num], Compare: decimal128.Num.Cmp}
)

func scalarAs[T any](s expr.Scalar) (T, bool) {
	v, ok := s.Value.(T)
	return v, ok && !s.Null
}

// intAs narrows the int64 a scalar holds for every signed integer type; a
// value that does not fit is refused rather than wrapped, since wrapping
// would reorder values and make pruning unsound.
func intAs[T int8 | int16 | int32](s expr.Scalar) (T, bool) {
	v, ok := scalarAs[int64](s)
	if !ok || int64(T(v)) != v {
		return 0, false
	}
	return T(v), true
}

func uintAs[T uint8 | uint16 | uint32](s expr.Scalar) (T, bool) {
	v, ok := scalarAs[uint64](s)
	if !ok || uint64(T(v)) != v {
		return 0, false
	}
	return T(v), true
}

func floatAs[T float32](s expr.Scalar) (T, bool) {
	v, ok := scalarAs[float64](s)
	return T(v), ok
}

// compareFloat orders floats as PostgreSQL and the engine do: NaN equals
// NaN and sorts after every other value, +Inf included (cmp.Compare puts
// it first, which would make x > c domains leave out NaN rows the engine
// keeps).
func compareFloat[T float32 | float64](a, b T) int {
	aNaN, bNaN := math.IsNaN(float64(a)), math.IsNaN(float64(b))
	switch {
	case aNaN || bNaN:
		return compareBool(aNaN, bNaN)
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func timeOf(s expr.Scalar) (time.Time, bool) {
	v, ok := scalarAs[int64](s)
	if !ok {
		return time.Time{}, false
	}
	switch t := s.Type.(type) {
	case *arrow.Date32Type:
		return time.Unix(v*86400, 0).UTC(), true
	case *arrow.TimestampType:
		return arrow.Timestamp(v).ToTime(t.Unit), true
	}
	return time.Time{}, false
}

// durationOf saturates values beyond time.Duration's ±292 years, which
// keeps the conversion monotone (pruning stays sound) where it cannot be
// exact.
func durationOf(s expr.Scalar) (time.Duration, bool) {
	v, ok := scalarAs[int64](s)
	t, isDur := s.Type.(*arrow.DurationType)
	if !ok || !isDur {
		return 0, false
	}
	m := int64(t.Unit.Multiplier())
	switch {
	case v > math.MaxInt64/m:
		return math.MaxInt64, true
	case v < math.MinInt64/m:
		return math.MinInt64, true
	}
	return time.Duration(v * m), true
}
