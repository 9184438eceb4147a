package sql

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
)

// Type families the coercion rules reason about.
func isSigned(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return true
	}
	return false
}

func isUnsigned(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func isInteger(t arrow.DataType) bool { return isSigned(t) || isUnsigned(t) }

func isFloat(t arrow.DataType) bool {
	return t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64
}

func isDecimal(t arrow.DataType) bool { return t.ID() == arrow.DECIMAL128 }

func isNumeric(t arrow.DataType) bool { return isInteger(t) || isFloat(t) || isDecimal(t) }

func isString(t arrow.DataType) bool {
	return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING
}

func isBinary(t arrow.DataType) bool {
	return t.ID() == arrow.BINARY || t.ID() == arrow.LARGE_BINARY
}

func isBool(t arrow.DataType) bool { return t.ID() == arrow.BOOL }

func isTemporal(t arrow.DataType) bool {
	return t.ID() == arrow.DATE32 || t.ID() == arrow.TIMESTAMP
}

func isDuration(t arrow.DataType) bool { return t != nil && t.ID() == arrow.DURATION }

// typeName spells a type as the front end's messages do: PostgreSQL's
// lower-case names where one exists (varchar, bigint, date, ...).
func typeName(t arrow.DataType) string {
	if t == nil || t.ID() == arrow.NULL {
		return "unknown"
	}
	if t.ID() == arrow.DURATION {
		return "interval"
	}
	if ts, ok := t.(*arrow.TimestampType); ok {
		if ts.TimeZone != "" {
			return "timestamptz"
		}
		return "timestamp"
	}
	return strings.ToLower(expr.SQLTypeName(t))
}

// intWidth is the bit width of an integer type.
func intWidth(t arrow.DataType) int {
	if fw, ok := t.(arrow.FixedWidthDataType); ok {
		return fw.BitWidth()
	}
	return 64
}

// intDigits is how many decimal digits the integer type needs, to size the
// decimal an integer is widened into.
func intDigits(t arrow.DataType) int32 {
	switch t.ID() {
	case arrow.INT8, arrow.UINT8:
		return 3
	case arrow.INT16, arrow.UINT16:
		return 5
	case arrow.INT32, arrow.UINT32:
		return 10
	case arrow.INT64:
		return 19
	}
	return 20
}

var signedByWidth = map[int]arrow.DataType{
	8: arrow.PrimitiveTypes.Int8, 16: arrow.PrimitiveTypes.Int16,
	32: arrow.PrimitiveTypes.Int32, 64: arrow.PrimitiveTypes.Int64,
}

var unsignedByWidth = map[int]arrow.DataType{
	8: arrow.PrimitiveTypes.Uint8, 16: arrow.PrimitiveTypes.Uint16,
	32: arrow.PrimitiveTypes.Uint32, 64: arrow.PrimitiveTypes.Uint64,
}

// commonType is the type both operands of a comparison or arithmetic
// operator are converted to, or false when the types do not mix (the
// kernels require equal operand types, so the binder inserts the casts).
func commonType(a, b arrow.DataType) (arrow.DataType, bool) {
	if arrow.TypeEqual(a, b) {
		return a, true
	}
	switch {
	case isSigned(a) && isSigned(b):
		return signedByWidth[max(intWidth(a), intWidth(b))], true
	case isUnsigned(a) && isUnsigned(b):
		return unsignedByWidth[max(intWidth(a), intWidth(b))], true
	case isSigned(a) && isUnsigned(b):
		return mixedSign(a, b), true
	case isUnsigned(a) && isSigned(b):
		return mixedSign(b, a), true
	case isInteger(a) && isFloat(b), isFloat(a) && isInteger(b), isFloat(a) && isFloat(b):
		return arrow.PrimitiveTypes.Float64, true
	case isDecimal(a) && isDecimal(b):
		da, db := a.(*arrow.Decimal128Type), b.(*arrow.Decimal128Type)
		return widerDecimal(da.Precision-da.Scale, db.Precision-db.Scale, max(da.Scale, db.Scale)), true
	case isDecimal(a) && isInteger(b):
		da := a.(*arrow.Decimal128Type)
		return widerDecimal(da.Precision-da.Scale, intDigits(b), da.Scale), true
	case isInteger(a) && isDecimal(b):
		return commonType(b, a)
	case isDecimal(a) && isFloat(b), isFloat(a) && isDecimal(b):
		return arrow.PrimitiveTypes.Float64, true
	case isString(a) && isString(b):
		return arrow.BinaryTypes.String, true
	case isBinary(a) && isBinary(b):
		return arrow.BinaryTypes.Binary, true
	case isTemporal(a) && isTemporal(b):
		return commonTemporal(a, b), true
	case isDuration(a) && isDuration(b):
		return &arrow.DurationType{Unit: max(a.(*arrow.DurationType).Unit, b.(*arrow.DurationType).Unit)}, true
	}
	return nil, false
}

// mixedSign widens a signed and an unsigned integer: the next wider signed
// type holds both; uint64 has none, so it meets signed values in float64.
func mixedSign(s, u arrow.DataType) arrow.DataType {
	need := max(intWidth(s), 2*intWidth(u))
	if t, ok := signedByWidth[need]; ok {
		return t
	}
	return arrow.PrimitiveTypes.Float64
}

func widerDecimal(intDigits1, intDigits2, scale int32) arrow.DataType {
	p := min(max(intDigits1, intDigits2)+scale, 38)
	return &arrow.Decimal128Type{Precision: p, Scale: scale}
}

// commonTemporal: a date meets a timestamp as that timestamp type, and two
// timestamps meet in the finer unit (keeping a time zone if either has one).
func commonTemporal(a, b arrow.DataType) arrow.DataType {
	ta, aok := a.(*arrow.TimestampType)
	tb, bok := b.(*arrow.TimestampType)
	switch {
	case !aok && !bok:
		return a
	case !aok:
		return tb
	case !bok:
		return ta
	}
	unit := max(ta.Unit, tb.Unit)
	tz := ta.TimeZone
	if tz == "" {
		tz = tb.TimeZone
	}
	return &arrow.TimestampType{Unit: unit, TimeZone: tz}
}

// sumType is the result type of sum(t): 64-bit integers for integers,
// float64 for floats, decimal(38, s) for decimal(p, s).
func sumType(t arrow.DataType) (arrow.DataType, bool) {
	switch {
	case isSigned(t):
		return arrow.PrimitiveTypes.Int64, true
	case isUnsigned(t):
		return arrow.PrimitiveTypes.Uint64, true
	case isFloat(t):
		return arrow.PrimitiveTypes.Float64, true
	case isDecimal(t):
		return &arrow.Decimal128Type{Precision: 38, Scale: t.(*arrow.Decimal128Type).Scale}, true
	}
	return nil, false
}

// orderable reports whether values of t can be compared with < (for
// min/max and ORDER BY).
func orderable(t arrow.DataType) bool {
	return isNumeric(t) || isString(t) || isBinary(t) || isTemporal(t) || isBool(t) || isDuration(t)
}

// mixesTextAndNonText reports whether one of two typed values is text and
// the other is not: PostgreSQL converts neither to the other implicitly.
func mixesTextAndNonText(a, b arrow.DataType) bool {
	if a.ID() == arrow.NULL || b.ID() == arrow.NULL {
		return false
	}
	return isString(a) != isString(b)
}
