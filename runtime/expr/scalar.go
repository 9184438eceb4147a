package expr

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Scalar is one typed value, possibly NULL.
//
// Value holds a normalised Go representation chosen so that kernels and the
// domain analysis handle each family of types in one way:
//
//	BOOL                         bool
//	INT8, INT16, INT32, INT64    int64
//	UINT8 ... UINT64             uint64
//	FLOAT32, FLOAT64             float64
//	STRING, LARGE_STRING         string
//	BINARY, LARGE_BINARY         []byte
//	DATE32                       int64 (days since the Unix epoch)
//	TIMESTAMP, DURATION          int64 (in the type's unit)
//	DECIMAL128                   decimal128.Num (scaled by the type's scale)
//
// Value is nil when Null is true.
type Scalar struct {
	Type  arrow.DataType
	Null  bool
	Value any
}

// Null returns the NULL of type t.
func Null(t arrow.DataType) Scalar { return Scalar{Type: t, Null: true} }

// Bool returns a BOOL scalar.
func Bool(v bool) Scalar { return Scalar{Type: arrow.FixedWidthTypes.Boolean, Value: v} }

// Int64 returns an INT64 scalar.
func Int64(v int64) Scalar { return Scalar{Type: arrow.PrimitiveTypes.Int64, Value: v} }

// Uint64 returns a UINT64 scalar.
func Uint64(v uint64) Scalar { return Scalar{Type: arrow.PrimitiveTypes.Uint64, Value: v} }

// Float64 returns a FLOAT64 scalar.
func Float64(v float64) Scalar { return Scalar{Type: arrow.PrimitiveTypes.Float64, Value: v} }

// String returns a STRING (utf8) scalar.
func String(v string) Scalar { return Scalar{Type: arrow.BinaryTypes.String, Value: v} }

// Bytes returns a BINARY scalar.
func Bytes(v []byte) Scalar { return Scalar{Type: arrow.BinaryTypes.Binary, Value: v} }

// Date32 returns a DATE32 scalar for the given days since the epoch.
func Date32(days int64) Scalar { return Scalar{Type: arrow.FixedWidthTypes.Date32, Value: days} }

// Timestamp returns a TIMESTAMP scalar of type t holding v in t's unit.
func Timestamp(t *arrow.TimestampType, v int64) Scalar { return Scalar{Type: t, Value: v} }

// Duration returns a DURATION scalar of type t holding v in t's unit.
func Duration(t *arrow.DurationType, v int64) Scalar { return Scalar{Type: t, Value: v} }

// Decimal returns a DECIMAL128 scalar of type t holding the scaled value v.
func Decimal(t *arrow.Decimal128Type, v decimal128.Num) Scalar { return Scalar{Type: t, Value: v} }

// Int64Value returns the value of an integer-represented scalar (signed
// ints, date32, timestamp, duration).
func (s Scalar) Int64Value() int64 { v, _ := s.Value.(int64); return v }

// Compare orders two non-NULL scalars of the same type: -1, 0 or +1. NULLs
// sort before every value here (SQL placement of NULLs is the caller's
// decision). Floats order NaN after every other value, as PostgreSQL does.
// Comparing scalars of different value families returns an error.
func Compare(a, b Scalar) (int, error) {
	switch {
	case a.Null && b.Null:
		return 0, nil
	case a.Null:
		return -1, nil
	case b.Null:
		return 1, nil
	}
	switch x := a.Value.(type) {
	case bool:
		if y, ok := b.Value.(bool); ok {
			return cmpBool(x, y), nil
		}
	case int64:
		if y, ok := b.Value.(int64); ok {
			return cmp.Compare(x, y), nil
		}
	case uint64:
		if y, ok := b.Value.(uint64); ok {
			return cmp.Compare(x, y), nil
		}
	case float64:
		if y, ok := b.Value.(float64); ok {
			return compareFloat(x, y), nil
		}
	case string:
		if y, ok := b.Value.(string); ok {
			return strings.Compare(x, y), nil
		}
	case []byte:
		if y, ok := b.Value.([]byte); ok {
			return bytes.Compare(x, y), nil
		}
	case decimal128.Num:
		if y, ok := b.Value.(decimal128.Num); ok {
			return x.Cmp(y), nil
		}
	}
	return 0, fmt.Errorf("cannot compare %s with %s", a.Type, b.Type)
}

// compareFloat orders floats as PostgreSQL does: NaN equals NaN and sorts
// after every other value (cmp.Compare puts NaN first).
func compareFloat(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	}
	return cmp.Compare(x, y)
}

func cmpBool(x, y bool) int {
	switch {
	case x == y:
		return 0
	case !x:
		return -1
	}
	return 1
}

// Equal reports whether a and b are the same value of the same type
// (two NULLs are Equal here; SQL equality is the kernels' business).
func Equal(a, b Scalar) bool {
	if !arrow.TypeEqual(a.Type, b.Type) || a.Null != b.Null {
		return false
	}
	c, err := Compare(a, b)
	return err == nil && c == 0
}

// String renders the scalar as a SQL literal, as EXPLAIN shows it.
func (s Scalar) String() string {
	if s.Null {
		return "NULL"
	}
	switch v := s.Value.(type) {
	case bool:
		if v {
			return "true"
		}
		return "false"
	case int64:
		switch t := s.Type.(type) {
		case *arrow.Date32Type:
			return "DATE '" + time.Unix(v*86400, 0).UTC().Format("2006-01-02") + "'"
		case *arrow.TimestampType:
			return "TIMESTAMP '" + FormatTimestamp(v, t) + "'"
		case *arrow.DurationType:
			return fmt.Sprintf("INTERVAL '%s'", time.Duration(v*int64(t.Unit.Multiplier())))
		}
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case []byte:
		return fmt.Sprintf("'\\x%x'", v)
	case decimal128.Num:
		if t, ok := s.Type.(*arrow.Decimal128Type); ok {
			return v.ToString(t.Scale)
		}
		return v.ToString(0)
	}
	return fmt.Sprint(s.Value)
}

// FormatTimestamp renders v (in t's unit) as ISO-8601, in t's time zone
// when it has one and without a zone otherwise.
func FormatTimestamp(v int64, t *arrow.TimestampType) string {
	tm := arrow.Timestamp(v).ToTime(t.Unit)
	layout := "2006-01-02 15:04:05.999999999"
	if t.TimeZone != "" {
		if loc, err := time.LoadLocation(t.TimeZone); err == nil {
			tm = tm.In(loc)
		}
		layout += "Z07:00"
	}
	return tm.Format(layout)
}
