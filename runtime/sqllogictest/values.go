package sqllogictest

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/tpgen/tpgen/runtime/expr"
)

// token is one whitespace-separated word of a data line; quoted tells a
// quoted 'NULL' (the text) from the bare NULL marker.
type token struct {
	text   string
	quoted bool
}

// splitTokens splits on whitespace outside single quotes and parentheses;
// inside quotes, a doubled quote stands for one quote.
func splitTokens(line string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(line) {
		c := line[i]
		if c == ' ' || c == '\t' {
			i++
			continue
		}
		if c == '\'' {
			var b strings.Builder
			i++
			closed := false
			for i < len(line) {
				if line[i] == '\'' {
					if i+1 < len(line) && line[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(line[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quote in %q", line)
			}
			toks = append(toks, token{text: b.String(), quoted: true})
			continue
		}
		start, depth := i, 0
		for i < len(line) && (depth > 0 || (line[i] != ' ' && line[i] != '\t')) {
			switch line[i] {
			case '(':
				depth++
			case ')':
				depth--
			}
			i++
		}
		toks = append(toks, token{text: line[start:i]})
	}
	return toks, nil
}

// ParseType reads a type in the spec's syntax: bool, int8..int64,
// uint8..uint64, float32, float64, string, binary, date32, timestamp(unit),
// timestamp(unit, tz), duration(unit), decimal(precision, scale).
func ParseType(s string) (arrow.DataType, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	switch s {
	case "bool":
		return arrow.FixedWidthTypes.Boolean, nil
	case "int8":
		return arrow.PrimitiveTypes.Int8, nil
	case "int16":
		return arrow.PrimitiveTypes.Int16, nil
	case "int32":
		return arrow.PrimitiveTypes.Int32, nil
	case "int64":
		return arrow.PrimitiveTypes.Int64, nil
	case "uint8":
		return arrow.PrimitiveTypes.Uint8, nil
	case "uint16":
		return arrow.PrimitiveTypes.Uint16, nil
	case "uint32":
		return arrow.PrimitiveTypes.Uint32, nil
	case "uint64":
		return arrow.PrimitiveTypes.Uint64, nil
	case "float32":
		return arrow.PrimitiveTypes.Float32, nil
	case "float64":
		return arrow.PrimitiveTypes.Float64, nil
	case "string":
		return arrow.BinaryTypes.String, nil
	case "binary":
		return arrow.BinaryTypes.Binary, nil
	case "date32":
		return arrow.FixedWidthTypes.Date32, nil
	}
	name, args, ok := strings.Cut(s, "(")
	if !ok || !strings.HasSuffix(args, ")") {
		return nil, fmt.Errorf("unknown type %q", s)
	}
	parts := strings.Split(strings.TrimSuffix(args, ")"), ",")
	switch name {
	case "timestamp", "duration":
		unit, err := parseUnit(parts[0])
		if err != nil {
			return nil, err
		}
		if name == "duration" {
			if len(parts) != 1 {
				return nil, fmt.Errorf("duration takes one unit, got %q", s)
			}
			return &arrow.DurationType{Unit: unit}, nil
		}
		switch len(parts) {
		case 1:
			return &arrow.TimestampType{Unit: unit}, nil
		case 2:
			if _, err := time.LoadLocation(parts[1]); err != nil {
				return nil, fmt.Errorf("time zone %q: %v", parts[1], err)
			}
			return &arrow.TimestampType{Unit: unit, TimeZone: parts[1]}, nil
		}
	case "decimal":
		if len(parts) != 2 {
			return nil, fmt.Errorf("decimal takes precision and scale, got %q", s)
		}
		p, err1 := strconv.Atoi(parts[0])
		sc, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil || p < 1 || p > 38 || sc < 0 || sc > p {
			return nil, fmt.Errorf("bad decimal precision/scale in %q", s)
		}
		return &arrow.Decimal128Type{Precision: int32(p), Scale: int32(sc)}, nil
	}
	return nil, fmt.Errorf("unknown type %q", s)
}

func parseUnit(s string) (arrow.TimeUnit, error) {
	switch s {
	case "s":
		return arrow.Second, nil
	case "ms":
		return arrow.Millisecond, nil
	case "us":
		return arrow.Microsecond, nil
	case "ns":
		return arrow.Nanosecond, nil
	}
	return 0, fmt.Errorf("unknown time unit %q (allowed: s, ms, us, ns)", s)
}

// typeName spells t in ParseType's syntax, for messages.
func typeName(t arrow.DataType) string {
	switch t := t.(type) {
	case *arrow.BooleanType:
		return "bool"
	case *arrow.StringType:
		return "string"
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return fmt.Sprintf("timestamp(%s,%s)", t.Unit, t.TimeZone)
		}
		return fmt.Sprintf("timestamp(%s)", t.Unit)
	case *arrow.DurationType:
		return fmt.Sprintf("duration(%s)", t.Unit)
	case *arrow.Decimal128Type:
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	}
	return t.String()
}

// parseValue reads one data token as a value of type t.
func parseValue(tok token, t arrow.DataType) (expr.Scalar, error) {
	s := tok.text
	if !tok.quoted && s == "NULL" {
		return expr.Null(t), nil
	}
	if !tok.quoted && s == "(empty)" {
		s = ""
	}
	bad := func(err error) (expr.Scalar, error) {
		return expr.Scalar{}, fmt.Errorf("bad %s value %q: %v", typeName(t), tok.text, err)
	}
	switch t := t.(type) {
	case *arrow.BooleanType:
		v, err := strconv.ParseBool(s)
		if err != nil {
			return bad(err)
		}
		return expr.Scalar{Type: t, Value: v}, nil
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type:
		v, err := strconv.ParseInt(s, 10, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return bad(err)
		}
		return expr.Scalar{Type: t, Value: v}, nil
	case *arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type:
		v, err := strconv.ParseUint(s, 10, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return bad(err)
		}
		return expr.Scalar{Type: t, Value: v}, nil
	case *arrow.Float32Type, *arrow.Float64Type:
		v, err := strconv.ParseFloat(s, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return bad(err)
		}
		return expr.Scalar{Type: t, Value: v}, nil
	case *arrow.StringType:
		return expr.Scalar{Type: t, Value: s}, nil
	case *arrow.BinaryType:
		if h, ok := strings.CutPrefix(s, `\x`); ok {
			b, err := hex.DecodeString(h)
			if err != nil {
				return bad(err)
			}
			return expr.Scalar{Type: t, Value: b}, nil
		}
		return expr.Scalar{Type: t, Value: []byte(s)}, nil
	case *arrow.Date32Type:
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return bad(err)
		}
		return expr.Scalar{Type: t, Value: d.Unix() / 86400}, nil
	case *arrow.TimestampType:
		v, err := parseTimestamp(s, t)
		if err != nil {
			return bad(err)
		}
		return expr.Scalar{Type: t, Value: v}, nil
	case *arrow.DurationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return bad(err)
		}
		m := int64(t.Unit.Multiplier())
		if int64(d)%m != 0 {
			return bad(fmt.Errorf("not a whole number of %s", t.Unit))
		}
		return expr.Scalar{Type: t, Value: int64(d) / m}, nil
	case *arrow.Decimal128Type:
		v, err := parseDecimal(s, t)
		if err != nil {
			return bad(err)
		}
		return expr.Scalar{Type: t, Value: v}, nil
	}
	return expr.Scalar{}, fmt.Errorf("type %s is not supported in table data", t)
}

// timestampLayouts are tried in order; a value without an offset is wall
// time in the column's zone (UTC for zone-less columns).
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

func parseTimestamp(s string, t *arrow.TimestampType) (int64, error) {
	loc := time.UTC
	if t.TimeZone != "" {
		var err error
		if loc, err = time.LoadLocation(t.TimeZone); err != nil {
			return 0, err
		}
	}
	var err error
	for _, layout := range timestampLayouts {
		var tm time.Time
		if tm, err = time.ParseInLocation(layout, s, loc); err == nil {
			return fromTime(tm, t.Unit)
		}
	}
	return 0, err
}

// fromTime converts to t's unit, refusing instants the unit cannot hold
// exactly, so a test never silently truncates its own data.
func fromTime(tm time.Time, unit arrow.TimeUnit) (int64, error) {
	secs, nanos := tm.Unix(), int64(tm.Nanosecond())
	m := int64(unit.Multiplier())
	if nanos%m != 0 {
		return 0, fmt.Errorf("more precise than %s", unit)
	}
	per := int64(time.Second) / m
	if secs > math.MaxInt64/per || secs < math.MinInt64/per {
		return 0, fmt.Errorf("out of range for %s", unit)
	}
	return secs*per + nanos/m, nil
}

// parseDecimal reads a plain decimal number with at most t.Scale
// fractional digits.
func parseDecimal(s string, t *arrow.Decimal128Type) (decimal128.Num, error) {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimLeft(s, "+-")
	whole, frac, _ := strings.Cut(digits, ".")
	if len(frac) > int(t.Scale) {
		return decimal128.Num{}, fmt.Errorf("more than %d fractional digits", t.Scale)
	}
	frac += strings.Repeat("0", int(t.Scale)-len(frac))
	all := strings.TrimLeft(whole+frac, "0")
	if all == "" {
		all = "0"
	}
	if len(all) > int(t.Precision) {
		return decimal128.Num{}, fmt.Errorf("more than %d digits", t.Precision)
	}
	var b big.Int
	if _, ok := b.SetString(all, 10); !ok || whole+frac == "" {
		return decimal128.Num{}, fmt.Errorf("not a number")
	}
	if neg {
		b.Neg(&b)
	}
	return decimal128.FromBigInt(&b), nil
}
