package runtime

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"golang.org/x/text/width"

	"github.com/tpgen/tpgen/runtime/expr"
)

// goValue returns row i of a as the Go value Result.Rows documents.
func goValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return uint64(a.Value(i))
	case *array.Uint16:
		return uint64(a.Value(i))
	case *array.Uint32:
		return uint64(a.Value(i))
	case *array.Uint64:
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return append([]byte(nil), a.Value(i)...)
	case *array.LargeBinary:
		return append([]byte(nil), a.Value(i)...)
	case *array.Date32:
		return a.Value(i).ToTime()
	case *array.Timestamp:
		t := a.DataType().(*arrow.TimestampType)
		tm := a.Value(i).ToTime(t.Unit)
		if t.TimeZone != "" {
			if loc, err := time.LoadLocation(t.TimeZone); err == nil {
				tm = tm.In(loc)
			}
		}
		return tm
	case *array.Duration:
		t := a.DataType().(*arrow.DurationType)
		return time.Duration(int64(a.Value(i)) * int64(t.Unit.Multiplier()))
	case *array.Decimal128:
		t := a.DataType().(*arrow.Decimal128Type)
		return a.Value(i).ToString(t.Scale)
	}
	return a.GetOneForMarshal(i)
}

// textValue renders row i of a for the text table: NULL as NULL, temporal
// values in ISO 8601, decimals with their scale, binary in PostgreSQL's
// \x hex form.
func textValue(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch a := a.(type) {
	case *array.Float32:
		return formatFloat(float64(a.Value(i)), 32)
	case *array.Float64:
		return formatFloat(a.Value(i), 64)
	case *array.Binary:
		return `\x` + hex.EncodeToString(a.Value(i))
	case *array.LargeBinary:
		return `\x` + hex.EncodeToString(a.Value(i))
	case *array.Date32:
		return a.Value(i).FormattedString()
	case *array.Timestamp:
		return expr.FormatTimestamp(int64(a.Value(i)), a.DataType().(*arrow.TimestampType))
	case *array.String:
		return escapeText(a.Value(i))
	case *array.LargeString:
		return escapeText(a.Value(i))
	}
	switch v := goValue(a, i).(type) {
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case time.Duration:
		return v.String()
	case string:
		return v
	}
	return a.ValueStr(i)
}

// formatFloat prints plain decimals for everyday magnitudes (1000000, not
// 1e+06) and exponents only where plain digits would be unreadable.
func formatFloat(v float64, bits int) string {
	if a := math.Abs(v); a == 0 || (a >= 1e-4 && a < 1e15) {
		return strconv.FormatFloat(v, 'f', -1, bits)
	}
	return strconv.FormatFloat(v, 'g', -1, bits)
}

// escapeText keeps each value on one line so the table stays aligned.
func escapeText(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return quoteCell(s)
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return quoteCell(b.String())
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// quoteCell writes a text that would read as two cells of the table (one
// holding "|") or that starts with a double quote in double quotes, with
// inner quotes doubled, as SQL quotes identifiers: an alias "a | b" is
// one column, headed "a | b" with its quotes.
func quoteCell(s string) string {
	if !strings.Contains(s, "|") && !strings.HasPrefix(s, `"`) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// displayWidth is the number of terminal columns s takes: two for East
// Asian wide and fullwidth characters (CJK), none for combining marks and
// format characters, one for the rest, so tables holding them align.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case width.LookupRune(r).Kind() == width.EastAsianWide, width.LookupRune(r).Kind() == width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// rightAligned reports whether a column of type t is numeric, which the
// text table aligns right as psql does.
func rightAligned(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return false
}
