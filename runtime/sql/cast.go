package sql

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/tpgen/tpgen/runtime/expr"
)

// castScalar converts a constant to type to with SQL CAST semantics, so
// the binder can fold casts of literals (DATE '2026-01-01', ts >= '...')
// into typed literals that domain analysis and pushdown understand.
//
// It errors on values that do not fit, like CAST would at run time.
func castScalar(s expr.Scalar, to arrow.DataType) (expr.Scalar, error) {
	if s.Null {
		return expr.Null(to), nil
	}
	if arrow.TypeEqual(s.Type, to) {
		return s, nil
	}
	fail := func(err error) (expr.Scalar, error) {
		if err == nil {
			err = errors.New("unsupported conversion")
		}
		return expr.Scalar{}, fmt.Errorf("cannot cast %s to %s: %w", s, typeName(to), err)
	}
	switch v := s.Value.(type) {
	case string:
		out, err := parseScalar(v, to)
		if err != nil {
			return expr.Scalar{}, err
		}
		return out, nil
	case bool:
		switch {
		case isString(to):
			return expr.Scalar{Type: to, Value: strconv.FormatBool(v)}, nil
		case isInteger(to):
			n := int64(0)
			if v {
				n = 1
			}
			return intScalar(n, to)
		}
	case int64:
		switch s.Type.(type) {
		case *arrow.Date32Type:
			return castDate(v, to, fail)
		case *arrow.TimestampType:
			return castTimestamp(v, s.Type.(*arrow.TimestampType), to, fail)
		case *arrow.DurationType:
			return fail(nil)
		}
		return castInt(v, to, fail)
	case uint64:
		if v <= math.MaxInt64 {
			return castInt(int64(v), to, fail)
		}
		switch {
		case isUnsigned(to) && intWidth(to) == 64:
			return expr.Scalar{Type: to, Value: v}, nil
		case isFloat(to):
			return floatScalar(float64(v), to), nil
		case isDecimal(to):
			return decimalScalar(decimal128.FromU64(v), 0, to, fail)
		case isString(to):
			return expr.Scalar{Type: to, Value: strconv.FormatUint(v, 10)}, nil
		}
		return fail(errors.New("out of range"))
	case float64:
		return castFloat(v, to, fail)
	case decimal128.Num:
		dt, ok := s.Type.(*arrow.Decimal128Type)
		if !ok {
			return fail(nil)
		}
		scale := dt.Scale
		switch {
		case isDecimal(to):
			return decimalScalar(v, scale, to, fail)
		case isFloat(to):
			return floatScalar(v.ToFloat64(scale), to), nil
		case isInteger(to):
			// PostgreSQL rounds numeric to integer half away from zero.
			r := v.ReduceScaleBy(scale, true).BigInt()
			switch {
			case r.IsInt64():
				return castInt(r.Int64(), to, fail)
			case r.IsUint64() && isUnsigned(to) && intWidth(to) == 64:
				return expr.Scalar{Type: to, Value: r.Uint64()}, nil
			}
			return fail(errors.New("out of range"))
		case isString(to):
			return expr.Scalar{Type: to, Value: v.ToString(scale)}, nil
		}
	case []byte:
		if isBinary(to) {
			return expr.Scalar{Type: to, Value: v}, nil
		}
	}
	return fail(nil)
}

func castInt(v int64, to arrow.DataType, fail func(error) (expr.Scalar, error)) (expr.Scalar, error) {
	switch {
	case isInteger(to):
		out, err := intScalar(v, to)
		if err != nil {
			return fail(err)
		}
		return out, nil
	case isFloat(to):
		return floatScalar(float64(v), to), nil
	case isDecimal(to):
		return decimalScalar(decimal128.FromI64(v), 0, to, fail)
	case isString(to):
		return expr.Scalar{Type: to, Value: strconv.FormatInt(v, 10)}, nil
	case isBool(to):
		return expr.Bool(v != 0), nil
	}
	return fail(nil)
}

// intScalar range-checks v against the integer type to.
func intScalar(v int64, to arrow.DataType) (expr.Scalar, error) {
	w := intWidth(to)
	if isUnsigned(to) {
		if v < 0 || (w < 64 && uint64(v) >= 1<<w) {
			return expr.Scalar{}, fmt.Errorf("%d is out of range for type %s", v, typeName(to))
		}
		return expr.Scalar{Type: to, Value: uint64(v)}, nil
	}
	if w < 64 && (v < -(1<<(w-1)) || v >= 1<<(w-1)) {
		return expr.Scalar{}, fmt.Errorf("%d is out of range for type %s", v, typeName(to))
	}
	return expr.Scalar{Type: to, Value: v}, nil
}

// floatScalar stores a float, rounded to float32 precision for REAL so the
// literal equals what a REAL column would hold.
func floatScalar(v float64, to arrow.DataType) expr.Scalar {
	if to.ID() == arrow.FLOAT32 {
		v = float64(float32(v))
	}
	return expr.Scalar{Type: to, Value: v}
}

func castFloat(v float64, to arrow.DataType, fail func(error) (expr.Scalar, error)) (expr.Scalar, error) {
	switch {
	case isFloat(to):
		return floatScalar(v, to), nil
	case isInteger(to):
		r := math.RoundToEven(v)
		if math.IsNaN(r) || r < -9.223372036854775808e18 || r >= 9.223372036854775808e18 {
			return fail(errors.New("out of range"))
		}
		return castInt(int64(r), to, fail)
	case isDecimal(to):
		d := to.(*arrow.Decimal128Type)
		n, err := decimal128.FromFloat64(v, d.Precision, d.Scale)
		if err != nil {
			return fail(err)
		}
		return expr.Decimal(d, n), nil
	case isString(to):
		return expr.Scalar{Type: to, Value: strconv.FormatFloat(v, 'g', -1, 64)}, nil
	}
	return fail(nil)
}

// decimalScalar rescales v (at scale from) to the decimal type to, rounding
// extra fractional digits and failing when the integer part does not fit.
func decimalScalar(v decimal128.Num, from int32, to arrow.DataType, fail func(error) (expr.Scalar, error)) (expr.Scalar, error) {
	d, ok := to.(*arrow.Decimal128Type)
	if !ok {
		return fail(nil)
	}
	var out decimal128.Num
	if d.Scale >= from {
		var err error
		if out, err = v.Rescale(from, d.Scale); err != nil {
			return fail(err)
		}
	} else {
		out = v.ReduceScaleBy(from-d.Scale, true)
	}
	if !out.FitsInPrecision(d.Precision) {
		return fail(fmt.Errorf("value overflows %s", typeName(to)))
	}
	return expr.Decimal(d, out), nil
}

const (
	secondsPerDay = 86400
)

func castDate(days int64, to arrow.DataType, fail func(error) (expr.Scalar, error)) (expr.Scalar, error) {
	switch t := to.(type) {
	case *arrow.TimestampType:
		return timestampScalar(time.Unix(days*secondsPerDay, 0).UTC(), t)
	case *arrow.StringType, *arrow.LargeStringType:
		return expr.Scalar{Type: to, Value: time.Unix(days*secondsPerDay, 0).UTC().Format("2006-01-02")}, nil
	}
	return fail(nil)
}

func castTimestamp(v int64, from *arrow.TimestampType, to arrow.DataType, fail func(error) (expr.Scalar, error)) (expr.Scalar, error) {
	tm := arrow.Timestamp(v).ToTime(from.Unit)
	switch t := to.(type) {
	case *arrow.TimestampType:
		return timestampScalar(tm, t)
	case *arrow.Date32Type:
		return expr.Date32(floorDiv(tm.Unix(), secondsPerDay)), nil
	case *arrow.StringType, *arrow.LargeStringType:
		return expr.Scalar{Type: to, Value: expr.FormatTimestamp(v, from)}, nil
	}
	return fail(nil)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// timestampScalar converts an instant to t's unit, truncating finer
// digits toward the past (as flooring keeps ordering with the source).
func timestampScalar(tm time.Time, t *arrow.TimestampType) (expr.Scalar, error) {
	var v int64
	switch t.Unit {
	case arrow.Second:
		v = tm.Unix()
	case arrow.Millisecond:
		v = tm.UnixMilli()
	case arrow.Microsecond:
		v = tm.UnixMicro()
	default:
		if y := tm.Year(); y < 1678 || y > 2261 {
			return expr.Scalar{}, fmt.Errorf("timestamp %s is out of range for nanosecond precision", tm.Format(time.RFC3339))
		}
		v = tm.UnixNano()
	}
	return expr.Timestamp(t, v), nil
}

// timeLayouts are the date/time spellings accepted in literals: ISO 8601
// with a space or T, optional seconds and fraction, optional zone offset.
var timeLayouts = []string{
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05Z07",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04Z07:00",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTime reads a date or timestamp literal. Without a zone the text is
// read as UTC (the session time zone is always UTC). For types without a
// time zone a given offset is ignored, as PostgreSQL does for TIMESTAMP.
func parseTime(s string, keepZone bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > 10 && (s[10] == 'T' || s[10] == 't') {
		s = s[:10] + " " + s[11:]
	}
	s = strings.Replace(s, " +", "+", 1)
	for _, layout := range timeLayouts {
		tm, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if !keepZone {
			y, mo, d := tm.Date()
			h, mi, sec := tm.Clock()
			return time.Date(y, mo, d, h, mi, sec, tm.Nanosecond(), time.UTC), nil
		}
		return tm.UTC(), nil
	}
	return time.Time{}, errors.New("bad format")
}

// parseScalar converts the text of a string literal to type to.
func parseScalar(s string, to arrow.DataType) (expr.Scalar, error) {
	bad := func() (expr.Scalar, error) {
		return expr.Scalar{}, fmt.Errorf("invalid input syntax for type %s: %s", typeName(to), quote(s))
	}
	t := strings.TrimSpace(s)
	switch tt := to.(type) {
	case *arrow.StringType, *arrow.LargeStringType:
		return expr.Scalar{Type: to, Value: s}, nil
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		// bytea's hex input format; anything else is the raw bytes.
		if strings.HasPrefix(s, `\x`) {
			b, err := hex.DecodeString(s[2:])
			if err != nil {
				return bad()
			}
			return expr.Scalar{Type: to, Value: b}, nil
		}
		return expr.Scalar{Type: to, Value: []byte(s)}, nil
	case *arrow.BooleanType:
		switch strings.ToLower(t) {
		case "t", "true", "y", "yes", "on", "1":
			return expr.Bool(true), nil
		case "f", "false", "n", "no", "off", "0":
			return expr.Bool(false), nil
		}
		return bad()
	case *arrow.Date32Type:
		tm, err := parseTime(t, false)
		if err != nil {
			return bad()
		}
		return expr.Date32(floorDiv(tm.Unix(), secondsPerDay)), nil
	case *arrow.TimestampType:
		tm, err := parseTime(t, tt.TimeZone != "")
		if err != nil {
			return bad()
		}
		return timestampScalar(tm, tt)
	case *arrow.Decimal128Type:
		n, err := decimal128.FromString(t, tt.Precision, tt.Scale)
		if err != nil {
			return bad()
		}
		return expr.Decimal(tt, n), nil
	}
	switch {
	case isSigned(to):
		v, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return bad()
		}
		return intScalar(v, to)
	case isUnsigned(to):
		v, err := strconv.ParseUint(t, 10, 64)
		if err != nil {
			return bad()
		}
		if intWidth(to) < 64 && v >= 1<<intWidth(to) {
			return expr.Scalar{}, fmt.Errorf("%d is out of range for type %s", v, typeName(to))
		}
		return expr.Scalar{Type: to, Value: v}, nil
	case isFloat(to):
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return bad()
		}
		return floatScalar(v, to), nil
	}
	return expr.Scalar{}, fmt.Errorf("cannot cast text to %s", typeName(to))
}
