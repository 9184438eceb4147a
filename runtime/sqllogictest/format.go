package sqllogictest

import (
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// CheckType reports whether a result column of type t may be declared with
// the type letter: I integers, R floats and decimals, T strings and
// binary, B booleans, D dates, timestamps and durations. Being strict
// catches a query whose result type changed (avg turning integer, say).
func CheckType(letter byte, t arrow.DataType) error {
	ok := false
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		ok = letter == 'I'
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
		ok = letter == 'R'
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW, arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		ok = letter == 'T'
	case arrow.BOOL:
		ok = letter == 'B'
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP, arrow.DURATION:
		ok = letter == 'D'
	}
	if !ok {
		return fmt.Errorf("result type %q does not fit column type %s", letter, t)
	}
	return nil
}

// FormatValue renders row i of arr as the corpus spells values: NULL for
// nulls, (empty) for empty strings and binaries, true/false, integers in
// decimal, floats rounded to 12 significant digits in shortest form (float32
// in their shortest float32 form), without exponent unless the magnitude is
// at least 1e21 or below 1e-6 (then 1e+300), NaN, Infinity and
// -Infinity, decimals with their exact scale, binaries as \x plus hex,
// dates as 2006-01-02, timestamps as 2006-01-02T15:04:05[.fraction] plus
// the zone offset (Z for UTC) when the type has a time zone, durations in
// Go's notation (1h30m0s).
func FormatValue(arr arrow.Array, i int) (string, error) {
	if arr.IsNull(i) {
		return "NULL", nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i)), nil
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10), nil
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10), nil
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10), nil
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10), nil
	case *array.Uint8:
		return strconv.FormatUint(uint64(a.Value(i)), 10), nil
	case *array.Uint16:
		return strconv.FormatUint(uint64(a.Value(i)), 10), nil
	case *array.Uint32:
		return strconv.FormatUint(uint64(a.Value(i)), 10), nil
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10), nil
	case *array.Float32:
		return formatFloat(float64(a.Value(i)), 32), nil
	case *array.Float64:
		return formatFloat(a.Value(i), 64), nil
	case *array.Decimal128:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale), nil
	case *array.String:
		return emptyMark(a.Value(i)), nil
	case *array.LargeString:
		return emptyMark(a.Value(i)), nil
	case *array.Binary:
		return formatBinary(a.Value(i)), nil
	case *array.LargeBinary:
		return formatBinary(a.Value(i)), nil
	case *array.Date32:
		return a.Value(i).ToTime().UTC().Format("2006-01-02"), nil
	case *array.Timestamp:
		return FormatTimestamp(int64(a.Value(i)), a.DataType().(*arrow.TimestampType))
	case *array.Duration:
		u := a.DataType().(*arrow.DurationType).Unit
		return time.Duration(int64(a.Value(i)) * int64(u.Multiplier())).String(), nil
	}
	return "", fmt.Errorf("cannot format values of type %s", arr.DataType())
}

func emptyMark(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}

func formatBinary(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	return `\x` + hex.EncodeToString(b)
}

// formatFloat rounds float64 results to 12 significant digits so that sums
// computed in a different order across partitions print alike.
func formatFloat(v float64, bits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	case v == 0:
		return "0" // also for -0, which SQL does not distinguish
	}
	if bits == 32 {
		return plainOrExponent(v, 32)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return plainOrExponent(r, 64)
}

// plainOrExponent prints without exponent in the range people read easily
// and switches to 1e+300 notation outside it, as JavaScript does.
func plainOrExponent(v float64, bits int) string {
	if a := math.Abs(v); a >= 1e21 || a < 1e-6 {
		return strconv.FormatFloat(v, 'e', -1, bits)
	}
	return strconv.FormatFloat(v, 'f', -1, bits)
}

// FormatTimestamp renders v (in t's unit) as 2006-01-02T15:04:05 with the
// fraction the value needs, plus the offset in t's time zone when t has one.
func FormatTimestamp(v int64, t *arrow.TimestampType) (string, error) {
	tm := arrow.Timestamp(v).ToTime(t.Unit).UTC()
	layout := "2006-01-02T15:04:05.999999999"
	if t.TimeZone != "" {
		loc, err := time.LoadLocation(t.TimeZone)
		if err != nil {
			return "", fmt.Errorf("time zone %q: %w", t.TimeZone, err)
		}
		tm = tm.In(loc)
		layout += "Z07:00"
	}
	return tm.Format(layout), nil
}

// FormatRows renders records as result lines, one per row, values joined
// by single spaces, after checking them against the declared type letters.
func FormatRows(schema *arrow.Schema, records []arrow.RecordBatch, types string) ([]string, error) {
	if schema.NumFields() != len(types) {
		return nil, fmt.Errorf("query declares %d result columns (%q), result has %d: %s", len(types), types, schema.NumFields(), schema)
	}
	for i, f := range schema.Fields() {
		if err := CheckType(types[i], f.Type); err != nil {
			return nil, fmt.Errorf("column %d (%s): %w", i+1, f.Name, err)
		}
	}
	var out []string
	vals := make([]string, len(types))
	for _, rec := range records {
		if int(rec.NumCols()) != len(types) {
			return nil, fmt.Errorf("record has %d columns, schema %d", rec.NumCols(), len(types))
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			for c := range vals {
				v, err := FormatValue(rec.Column(c), r)
				if err != nil {
					return nil, err
				}
				vals[c] = v
			}
			out = append(out, strings.Join(vals, " "))
		}
	}
	return out, nil
}

// SortRows sorts result lines in place, the "rowsort" comparison.
func SortRows(rows []string) { sort.Strings(rows) }
