package expr

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// CastScalar converts s to type to with SQL CAST semantics (PostgreSQL's):
// out-of-range numbers and unparsable strings are errors, floats and
// decimals round to integers (floats half to even, decimals half away from
// zero), every type converts to and from text, dates and timestamps convert
// into each other. NULL casts to NULL of any type.
func CastScalar(s Scalar, to arrow.DataType) (Scalar, error) {
	if to == nil || s.Type == nil {
		return Scalar{}, fmt.Errorf("cast needs a source and a target type")
	}
	if s.Null {
		return Null(to), nil
	}
	if !valueMatchesType(s) {
		return Scalar{}, fmt.Errorf("value %v does not represent %s", s.Value, SQLTypeName(s.Type))
	}
	if arrow.TypeEqual(s.Type, to) {
		return s, nil
	}
	v, err := castValue(s, to)
	if err != nil {
		return Scalar{}, err
	}
	return Scalar{Type: to, Value: v}, nil
}

func cannotCast(s Scalar, to arrow.DataType) error {
	return fmt.Errorf("cannot cast type %s to %s", SQLTypeName(s.Type), SQLTypeName(to))
}

func invalidInput(to arrow.DataType, text string) error {
	return fmt.Errorf("invalid input syntax for type %s: %q", SQLTypeName(to), text)
}

func castValue(s Scalar, to arrow.DataType) (any, error) {
	from := s.Type
	if str, ok := s.Value.(string); ok && !isBinaryType(from) {
		return parseText(str, to)
	}
	switch to.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		return formatText(s)
	case arrow.BINARY, arrow.LARGE_BINARY:
		switch v := s.Value.(type) {
		case []byte:
			return append([]byte{}, v...), nil
		case string:
			return []byte(v), nil
		}
		return nil, cannotCast(s, to)
	case arrow.BOOL:
		switch v := s.Value.(type) {
		case int64:
			if isIntType(from) {
				return v != 0, nil
			}
		case uint64:
			return v != 0, nil
		}
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		if v, ok, err := toInt64(s); ok {
			if err != nil {
				return nil, err
			}
			if !fitsSigned(v, to) {
				return nil, fmt.Errorf("%s out of range", strings.ToLower(SQLTypeName(to)))
			}
			return v, nil
		}
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		if v, ok, err := toUint64(s); ok {
			if err != nil {
				return nil, err
			}
			if !fitsUnsigned(v, to) {
				return nil, fmt.Errorf("%s out of range", strings.ToLower(SQLTypeName(to)))
			}
			return v, nil
		}
	case arrow.FLOAT32, arrow.FLOAT64:
		var f float64
		switch v := s.Value.(type) {
		case int64:
			if !isIntType(from) {
				return nil, cannotCast(s, to)
			}
			f = float64(v)
		case uint64:
			f = float64(v)
		case float64:
			f = v
		case decimal128.Num:
			f = v.ToFloat64(from.(*arrow.Decimal128Type).Scale)
		default:
			return nil, cannotCast(s, to)
		}
		if to.ID() == arrow.FLOAT32 {
			if !math.IsInf(f, 0) && math.IsInf(float64(float32(f)), 0) {
				return nil, fmt.Errorf("value out of range: overflow")
			}
			f = float64(float32(f))
		}
		return f, nil
	case arrow.DECIMAL128:
		return toDecimal(s, to.(*arrow.Decimal128Type))
	case arrow.DATE32:
		if ts, ok := from.(*arrow.TimestampType); ok {
			t := arrow.Timestamp(s.Value.(int64)).ToTime(ts.Unit).In(location(ts.TimeZone))
			y, m, d := t.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400, nil
		}
	case arrow.TIMESTAMP:
		tt := to.(*arrow.TimestampType)
		switch ft := from.(type) {
		case *arrow.Date32Type:
			t := time.Unix(s.Value.(int64)*86400, 0).UTC()
			y, m, d := t.Date()
			return timeToUnit(time.Date(y, m, d, 0, 0, 0, 0, location(tt.TimeZone)), tt.Unit)
		case *arrow.TimestampType:
			return convertUnit(s.Value.(int64), ft.Unit, tt.Unit)
		}
	case arrow.DURATION:
		if ft, ok := from.(*arrow.DurationType); ok {
			return convertUnit(s.Value.(int64), ft.Unit, to.(*arrow.DurationType).Unit)
		}
	}
	return nil, cannotCast(s, to)
}

func isIntType(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return true
	}
	return false
}

func isBinaryType(dt arrow.DataType) bool {
	return dt.ID() == arrow.BINARY || dt.ID() == arrow.LARGE_BINARY
}

func location(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	if loc, err := time.LoadLocation(tz); err == nil {
		return loc
	}
	return time.UTC
}

func timeToUnit(t time.Time, u arrow.TimeUnit) (int64, error) {
	ts, err := arrow.TimestampFromTime(t, u)
	if err != nil {
		return 0, fmt.Errorf("timestamp out of range")
	}
	return int64(ts), nil
}

// convertUnit rescales a time value between units, flooring when the
// target is coarser (so instants before 1970 stay in the right second).
func convertUnit(v int64, from, to arrow.TimeUnit) (int64, error) {
	mf, mt := int64(from.Multiplier()), int64(to.Multiplier())
	switch {
	case mf == mt:
		return v, nil
	case mf > mt:
		k := mf / mt
		r := v * k
		if r/k != v {
			return 0, fmt.Errorf("timestamp out of range")
		}
		return r, nil
	}
	k := mt / mf
	q := v / k
	if v%k != 0 && v < 0 {
		q--
	}
	return q, nil
}

// toInt64 converts numeric and boolean values to an integer, rounding as
// PostgreSQL does. ok is false when the source type does not convert.
func toInt64(s Scalar) (int64, bool, error) {
	switch v := s.Value.(type) {
	case bool:
		if v {
			return 1, true, nil
		}
		return 0, true, nil
	case int64:
		return v, isIntType(s.Type), nil
	case uint64:
		if v > math.MaxInt64 {
			return 0, true, errIntRange
		}
		return int64(v), true, nil
	case float64:
		r := math.RoundToEven(v)
		if math.IsNaN(r) || r < -9.223372036854775808e18 || r >= 9.223372036854775808e18 {
			return 0, true, errIntRange
		}
		return int64(r), true, nil
	case decimal128.Num:
		r := rescaleBig(v.BigInt(), s.Type.(*arrow.Decimal128Type).Scale, 0)
		if !r.IsInt64() {
			return 0, true, errIntRange
		}
		return r.Int64(), true, nil
	}
	return 0, false, nil
}

func toUint64(s Scalar) (uint64, bool, error) {
	switch v := s.Value.(type) {
	case uint64:
		return v, true, nil
	case float64:
		r := math.RoundToEven(v)
		if math.IsNaN(r) || r < 0 || r >= 1.8446744073709551616e19 {
			return 0, true, errIntRange
		}
		return uint64(r), true, nil
	case decimal128.Num:
		r := rescaleBig(v.BigInt(), s.Type.(*arrow.Decimal128Type).Scale, 0)
		if !r.IsUint64() {
			return 0, true, errIntRange
		}
		return r.Uint64(), true, nil
	}
	i, ok, err := toInt64(s)
	if ok && err == nil && i < 0 {
		return 0, true, errIntRange
	}
	return uint64(i), ok, err
}

func fitsSigned(v int64, dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8:
		return v >= math.MinInt8 && v <= math.MaxInt8
	case arrow.INT16:
		return v >= math.MinInt16 && v <= math.MaxInt16
	case arrow.INT32:
		return v >= math.MinInt32 && v <= math.MaxInt32
	}
	return true
}

func fitsUnsigned(v uint64, dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.UINT8:
		return v <= math.MaxUint8
	case arrow.UINT16:
		return v <= math.MaxUint16
	case arrow.UINT32:
		return v <= math.MaxUint32
	}
	return true
}

func toDecimal(s Scalar, to *arrow.Decimal128Type) (decimal128.Num, error) {
	switch v := s.Value.(type) {
	case int64:
		if !isIntType(s.Type) {
			break
		}
		return fromBig(rescaleBig(decimal128.FromI64(v).BigInt(), 0, to.Scale), to.Precision)
	case uint64:
		return fromBig(rescaleBig(decimal128.FromU64(v).BigInt(), 0, to.Scale), to.Precision)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return decimal128.Num{}, fmt.Errorf("cannot convert %v to %s", v, SQLTypeName(to))
		}
		// Through the shortest decimal text, as PostgreSQL converts float8
		// to numeric, so 0.125 rounds to 0.13 rather than by binary value.
		n, err := decimal128.FromString(strconv.FormatFloat(v, 'g', -1, 64), to.Precision, to.Scale)
		if err != nil {
			return decimal128.Num{}, errNumericOverflow
		}
		return n, nil
	case decimal128.Num:
		return fromBig(rescaleBig(v.BigInt(), s.Type.(*arrow.Decimal128Type).Scale, to.Scale), to.Precision)
	}
	return decimal128.Num{}, cannotCast(s, to)
}

// parseText implements CAST(text AS to).
func parseText(str string, to arrow.DataType) (any, error) {
	t := strings.TrimSpace(str)
	switch to.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		return str, nil
	case arrow.BINARY, arrow.LARGE_BINARY:
		if strings.HasPrefix(str, `\x`) {
			b, err := hex.DecodeString(str[2:])
			if err != nil {
				return nil, invalidInput(to, str)
			}
			return b, nil
		}
		return []byte(str), nil
	case arrow.BOOL:
		switch strings.ToLower(t) {
		case "t", "tr", "tru", "true", "y", "ye", "yes", "on", "1":
			return true, nil
		case "f", "fa", "fal", "fals", "false", "n", "no", "of", "off", "0":
			return false, nil
		}
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		v, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, fmt.Errorf("value %q is out of range for type %s", str, SQLTypeName(to))
			}
			break
		}
		if !fitsSigned(v, to) {
			return nil, fmt.Errorf("value %q is out of range for type %s", str, SQLTypeName(to))
		}
		return v, nil
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		v, err := strconv.ParseUint(strings.TrimPrefix(t, "+"), 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, fmt.Errorf("value %q is out of range for type %s", str, SQLTypeName(to))
			}
			break
		}
		if !fitsUnsigned(v, to) {
			return nil, fmt.Errorf("value %q is out of range for type %s", str, SQLTypeName(to))
		}
		return v, nil
	case arrow.FLOAT32, arrow.FLOAT64:
		bits := 64
		if to.ID() == arrow.FLOAT32 {
			bits = 32
		}
		v, err := strconv.ParseFloat(t, bits)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, fmt.Errorf("value %q is out of range for type %s", str, SQLTypeName(to))
			}
			break
		}
		return v, nil
	case arrow.DECIMAL128:
		dt := to.(*arrow.Decimal128Type)
		if t == "" || strings.ContainsAny(t, "xXpP_") {
			break
		}
		n, err := decimal128.FromString(t, dt.Precision, dt.Scale)
		if err != nil {
			if strings.Contains(err.Error(), "precision") || strings.Contains(err.Error(), "bitlen") {
				return nil, errNumericOverflow
			}
			break
		}
		return n, nil
	case arrow.DATE32:
		if len(t) >= 10 {
			if d, err := time.Parse("2006-01-02", t[:10]); err == nil && (len(t) == 10 || t[10] == ' ' || t[10] == 'T') {
				if len(t) > 10 {
					// A timestamp string: validate the rest, keep the date.
					if _, _, err := arrow.TimestampFromStringInLocation(t, arrow.Nanosecond, time.UTC); err != nil {
						break
					}
				}
				return d.Unix() / 86400, nil
			}
		}
	case arrow.TIMESTAMP:
		tt := to.(*arrow.TimestampType)
		ts, _, err := arrow.TimestampFromStringInLocation(t, tt.Unit, location(tt.TimeZone))
		if err != nil {
			break
		}
		return int64(ts), nil
	case arrow.DURATION:
		dt := to.(*arrow.DurationType)
		if v, err := strconv.ParseInt(t, 10, 64); err == nil {
			return v, nil
		}
		d, err := time.ParseDuration(t)
		if err != nil {
			break
		}
		return int64(d) / int64(dt.Unit.Multiplier()), nil
	default:
		return nil, fmt.Errorf("cannot cast type VARCHAR to %s", SQLTypeName(to))
	}
	return nil, invalidInput(to, str)
}

// formatText implements CAST(x AS text).
func formatText(s Scalar) (string, error) {
	switch v := s.Value.(type) {
	case bool:
		if v {
			return "true", nil
		}
		return "false", nil
	case string:
		return v, nil
	case []byte:
		return `\x` + hex.EncodeToString(v), nil
	case float64:
		switch {
		case math.IsNaN(v):
			return "NaN", nil
		case math.IsInf(v, 1):
			return "Infinity", nil
		case math.IsInf(v, -1):
			return "-Infinity", nil
		}
		bits := 64
		if s.Type.ID() == arrow.FLOAT32 {
			bits = 32
		}
		return strconv.FormatFloat(v, 'g', -1, bits), nil
	case int64:
		switch t := s.Type.(type) {
		case *arrow.Date32Type:
			return time.Unix(v*86400, 0).UTC().Format("2006-01-02"), nil
		case *arrow.TimestampType:
			return FormatTimestamp(v, t), nil
		case *arrow.DurationType:
			return time.Duration(v * int64(t.Unit.Multiplier())).String(), nil
		}
		return strconv.FormatInt(v, 10), nil
	}
	return s.String(), nil
}
