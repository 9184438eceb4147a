package expr

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Date and time functions. Time zones: tpgen has no session time zone, so
// fields and truncation of a TIMESTAMP WITH TIME ZONE are computed in UTC
// (PostgreSQL's answers under SET TIME ZONE 'UTC'). Arithmetic on the
// int64 values is done in the column's unit; calendar fields go through
// a civil-from-days conversion, one division per row.
var timeFunctions = map[string]funcCompiler{
	"date_trunc": compileDateTrunc,
	"extract":    compileExtract(false),
	"date_part":  compileExtract(true),
	// timestamp ± interval; the binder casts both to the result's unit.
	"timestamp_plus":  compileTimestampArith(false),
	"timestamp_minus": compileTimestampArith(true),
}

func compileTimestampArith(minus bool) funcCompiler {
	return func(args []node, f *Func) (node, error) {
		rt, ok := f.Type.(*arrow.TimestampType)
		if !ok {
			return nil, fmt.Errorf("%s yields a timestamp, not %s", f.Name, SQLTypeName(f.Type))
		}
		if err := checkArgs(f, args, 2, 2, func(i int, t arrow.DataType) bool {
			if i == 0 {
				return arrow.TypeEqual(t, rt)
			}
			d, ok := t.(*arrow.DurationType)
			return ok && d.Unit == rt.Unit
		}); err != nil {
			return nil, err
		}
		if k := strict(args, f); k != nil {
			return k, nil
		}
		return &funcNode{name: f.Name, args: args, t: rt, k: func(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
			ts, du := values[int64](arrs[0]), values[int64](arrs[1])
			valid := allValid(arrs)
			buf, out := newFixed[int64](mem, len(ts))
			for i, t := range ts {
				d := du[i]
				if minus {
					d = -d
				}
				s := t + d
				out[i] = s
				if ((s > t) != (d > 0) || (minus && du[i] == math.MinInt64)) && isValid(valid, i) {
					buf.Release()
					return nil, errTimestampRange
				}
			}
			return fixedArray(mem, rt, len(ts), buf, valid), nil
		}}, nil
	}
}

var errTimestampRange = errors.New("timestamp out of range")

var truncFields = map[string]bool{
	"microseconds": true, "milliseconds": true, "second": true, "minute": true, "hour": true, "day": true,
	"week": true, "month": true, "quarter": true, "year": true, "decade": true, "century": true, "millennium": true,
}

// fieldAliases maps the plural and abbreviated spellings PostgreSQL
// accepts to one name.
var fieldAliases = map[string]string{
	"microsecond": "microseconds", "us": "microseconds", "usec": "microseconds", "usecs": "microseconds",
	"millisecond": "milliseconds", "ms": "milliseconds", "msec": "milliseconds", "msecs": "milliseconds",
	"seconds": "second", "sec": "second", "secs": "second", "s": "second",
	"minutes": "minute", "min": "minute", "mins": "minute", "m": "minute",
	"hours": "hour", "hr": "hour", "hrs": "hour", "h": "hour",
	"days": "day", "d": "day", "weeks": "week", "w": "week", "months": "month", "mon": "month", "mons": "month",
	"quarters": "quarter", "qtr": "quarter", "years": "year", "y": "year", "yr": "year", "yrs": "year",
	"decades": "decade", "dec": "decade", "centuries": "century", "cent": "century",
	"millenniums": "millennium", "millennia": "millennium", "mil": "millennium", "mils": "millennium",
}

// TimeField normalises a date_trunc/extract field name ('Hours' -> hour).
func TimeField(name string) string {
	f := strings.ToLower(strings.TrimSpace(name))
	if a, ok := fieldAliases[f]; ok {
		return a
	}
	return f
}

// extractScale is the number of fractional digits EXTRACT's NUMERIC has
// for a field; ok is false for fields it does not know or that the input
// type has not (a date has no hour).
func extractScale(field string, in arrow.DataType) (int32, bool) {
	date := in.ID() == arrow.DATE32
	switch field {
	case "year", "month", "day", "quarter", "week", "dow", "isodow", "doy", "isoyear", "decade", "century", "millennium":
		return 0, true
	case "hour", "minute", "microseconds":
		return 0, !date
	case "milliseconds":
		return 3, !date
	case "second":
		return 6, !date
	case "epoch":
		if date {
			return 0, true
		}
		return 6, true
	}
	return 0, false
}

// ExtractType is the result type of EXTRACT(field FROM x) for x of type
// in: a NUMERIC with the field's fractional digits, as in PostgreSQL 14+.
// The error names the field and type when the pair is not supported.
func ExtractType(field string, in arrow.DataType) (arrow.DataType, error) {
	f := TimeField(field)
	scale, ok := extractScale(f, in)
	if !ok {
		if _, known := extractScale(f, arrow.FixedWidthTypes.Timestamp_us); known {
			return nil, fmt.Errorf("unit %q not supported for type %s", f, strings.ToLower(SQLTypeName(in)))
		}
		return nil, fmt.Errorf("unit %q not recognized for type %s", field, strings.ToLower(SQLTypeName(in)))
	}
	return &arrow.Decimal128Type{Precision: 20, Scale: scale}, nil
}

// CheckTruncField reports whether date_trunc knows field.
func CheckTruncField(field string) error {
	if !truncFields[TimeField(field)] {
		return fmt.Errorf("unit %q not recognized for date_trunc", field)
	}
	return nil
}

func constText(n node, what string) (string, error) {
	k, ok := n.(*constNode)
	if !ok {
		return "", fmt.Errorf("%s must be a constant", what)
	}
	s, ok := k.s.Value.(string)
	if !ok {
		return "", fmt.Errorf("%s must be text", what)
	}
	return s, nil
}

// unitsPerSecond is how many of t's units make a second (dates: 0).
func unitsPerSecond(t arrow.DataType) int64 {
	if ts, ok := t.(*arrow.TimestampType); ok {
		return int64(time.Second / ts.Unit.Multiplier())
	}
	return 0
}

func compileDateTrunc(args []node, f *Func) (node, error) {
	if err := checkArgs(f, args, 2, 2, func(i int, t arrow.DataType) bool {
		if i == 0 {
			return isText(t)
		}
		return t.ID() == arrow.TIMESTAMP
	}); err != nil {
		return nil, err
	}
	if k := strict(args, f); k != nil {
		return k, nil
	}
	name, err := constText(args[0], "the date_trunc unit")
	if err != nil {
		return nil, err
	}
	if err := CheckTruncField(name); err != nil {
		return nil, err
	}
	field := TimeField(name)
	t := args[1].dataType()
	ups := unitsPerSecond(t)
	return &funcNode{name: f.Name, args: args[1:], t: t, k: mapFixed(t, func(v int64) (int64, error) {
		return truncTime(field, v, ups), nil
	})}, nil
}

// truncTime truncates v (in units of 1/ups seconds since the epoch, UTC)
// to the start of its field.
func truncTime(field string, v, ups int64) int64 {
	day := 86400 * ups
	step := int64(0)
	switch field {
	case "microseconds":
		step = max(ups/1_000_000, 1)
	case "milliseconds":
		step = max(ups/1000, 1)
	case "second":
		step = ups
	case "minute":
		step = 60 * ups
	case "hour":
		step = 3600 * ups
	case "day":
		step = day
	case "week":
		// Weeks start on Monday; 1970-01-05 was one.
		monday := 4 * day
		return floorDiv64(v-monday, 7*day)*7*day + monday
	}
	if step > 0 {
		return floorDiv64(v, step) * step
	}
	y, m, _ := civil(floorDiv64(v, day))
	switch field {
	case "month":
	case "quarter":
		m = (m-1)/3*3 + 1
	case "year":
		m = 1
	case "decade":
		y, m = floorDiv64(y, 10)*10, 1
	case "century":
		y, m = floorDiv64(y-1, 100)*100+1, 1
	case "millennium":
		y, m = floorDiv64(y-1, 1000)*1000+1, 1
	}
	return daysFromCivil(y, m, 1) * day
}

func floorDiv64(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's algorithm).
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := floorDiv64(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFromCivil is the inverse of civil.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv64(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// compileExtract builds EXTRACT(field FROM x), a NUMERIC, or, for
// date_part, the same value as DOUBLE PRECISION.
func compileExtract(asFloat bool) funcCompiler {
	return func(args []node, f *Func) (node, error) {
		if err := checkArgs(f, args, 2, 2, func(i int, t arrow.DataType) bool {
			if i == 0 {
				return isText(t)
			}
			return t.ID() == arrow.TIMESTAMP || t.ID() == arrow.DATE32
		}); err != nil {
			return nil, err
		}
		if k := strict(args, f); k != nil {
			return k, nil
		}
		name, err := constText(args[0], "the "+f.Name+" field")
		if err != nil {
			return nil, err
		}
		in := args[1].dataType()
		dt, err := ExtractType(name, in)
		if err != nil {
			return nil, err
		}
		field := TimeField(name)
		scale := dt.(*arrow.Decimal128Type).Scale
		var micros func(int64) int64
		switch in.ID() {
		case arrow.DATE32:
			micros = func(d int64) int64 { return d * 86400_000_000 }
		default:
			ups := unitsPerSecond(in)
			switch {
			case ups >= 1_000_000:
				div := ups / 1_000_000
				micros = func(v int64) int64 { return floorDiv64(v, div) }
			default:
				mul := 1_000_000 / ups
				micros = func(v int64) int64 { return v * mul }
			}
		}
		date := in.ID() == arrow.DATE32
		get := func(v int64) int64 {
			x := extractMicros(field, micros(v))
			if date && field == "epoch" {
				x /= 1_000_000
			}
			return x
		}
		if asFloat {
			div := 1.0
			for i := int32(0); i < scale; i++ {
				div *= 10
			}
			out := arrow.PrimitiveTypes.Float64
			if !arrow.TypeEqual(f.Type, out) {
				return nil, fmt.Errorf("date_part yields DOUBLE PRECISION, not %s", SQLTypeName(f.Type))
			}
			return &funcNode{name: f.Name, args: args[1:], t: out, k: extractKernel(in, out, func(v int64) any { return float64(get(v)) / div })}, nil
		}
		if !arrow.TypeEqual(f.Type, dt) {
			return nil, fmt.Errorf("EXTRACT(%s FROM %s) yields %s, not %s", field, SQLTypeName(in), SQLTypeName(dt), SQLTypeName(f.Type))
		}
		return &funcNode{name: f.Name, args: args[1:], t: dt, k: extractKernel(in, dt, func(v int64) any { return decimal128.FromI64(get(v)) })}, nil
	}
}

func extractKernel(in, out arrow.DataType, get func(int64) any) kernelFunc {
	if in.ID() == arrow.DATE32 {
		if out.ID() == arrow.FLOAT64 {
			return mapFixed(out, func(d int32) (float64, error) { return get(int64(d)).(float64), nil })
		}
		return mapFixed(out, func(d int32) (decimal128.Num, error) { return get(int64(d)).(decimal128.Num), nil })
	}
	if out.ID() == arrow.FLOAT64 {
		return mapFixed(out, func(v int64) (float64, error) { return get(v).(float64), nil })
	}
	return mapFixed(out, func(v int64) (decimal128.Num, error) { return get(v).(decimal128.Num), nil })
}

// extractMicros returns field of the instant us (microseconds since the
// epoch, UTC), scaled by the field's extractScale.
func extractMicros(field string, us int64) int64 {
	const perDay = 86400_000_000
	days := floorDiv64(us, perDay)
	tod := us - days*perDay
	switch field {
	case "epoch":
		return us
	case "hour":
		return tod / 3600_000_000
	case "minute":
		return tod / 60_000_000 % 60
	case "second", "milliseconds", "microseconds":
		return tod % 60_000_000
	case "dow":
		return floorMod(days+4, 7)
	case "isodow":
		if d := floorMod(days+4, 7); d != 0 {
			return d
		}
		return 7
	}
	y, m, d := civil(days)
	switch field {
	case "year":
		if y <= 0 {
			return y - 1 // there is no year 0: 1 BC precedes 1 AD
		}
		return y
	case "month":
		return m
	case "day":
		return d
	case "quarter":
		return (m-1)/3 + 1
	case "doy":
		return days - daysFromCivil(y, 1, 1) + 1
	case "decade":
		return floorDiv64(y, 10)
	case "century":
		if y > 0 {
			return (y + 99) / 100
		}
		return -((99 - y) / 100)
	case "millennium":
		if y > 0 {
			return (y + 999) / 1000
		}
		return -((999 - y) / 1000)
	case "week", "isoyear":
		iy, w := time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC).ISOWeek()
		if field == "week" {
			return int64(w)
		}
		return int64(iy)
	}
	return 0
}

func floorMod(a, b int64) int64 { return a - floorDiv64(a, b)*b }
