package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zone names are checked the same way on every machine, even one without /usr/share/zoneinfo

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the family of a column type. The zero Kind is invalid, so a Type
// that was never parsed is easy to recognise.
type Kind int

// The kinds of column types a spec can declare, one per Arrow type tpgen
// supports. Their order is the order used in messages and documentation.
const (
	KindInvalid Kind = iota // the zero Kind: no type was parsed
	KindBool
	KindInt8
	KindInt16
	KindInt32
	KindInt64
	KindUint8
	KindUint16
	KindUint32
	KindUint64
	KindFloat32
	KindFloat64
	KindString
	KindBinary
	KindDate32
	KindTimestamp // parameters: Unit and TZ
	KindDuration  // parameter: Unit
	KindDecimal   // parameters: Precision and Scale
)

// kindNames holds the spelling of every kind in a spec. It is the single list
// the parser, the error messages and the JSON Schema test agree on.
var kindNames = [...]string{
	KindInvalid:   "invalid",
	KindBool:      "bool",
	KindInt8:      "int8",
	KindInt16:     "int16",
	KindInt32:     "int32",
	KindInt64:     "int64",
	KindUint8:     "uint8",
	KindUint16:    "uint16",
	KindUint32:    "uint32",
	KindUint64:    "uint64",
	KindFloat32:   "float32",
	KindFloat64:   "float64",
	KindString:    "string",
	KindBinary:    "binary",
	KindDate32:    "date32",
	KindTimestamp: "timestamp",
	KindDuration:  "duration",
	KindDecimal:   "decimal",
}

// String returns the kind's name as written in a spec ("int64", "timestamp").
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// Kinds returns every valid kind in declaration order, for generators and
// documentation that must cover them all.
func Kinds() []Kind {
	ks := make([]Kind, 0, len(kindNames)-1)
	for k := KindBool; int(k) < len(kindNames); k++ {
		ks = append(ks, k)
	}
	return ks
}

// IsInteger reports whether the kind is a signed or unsigned integer.
func (k Kind) IsInteger() bool { return k >= KindInt8 && k <= KindUint64 }

// IsSigned reports whether the kind is a signed integer.
func (k Kind) IsSigned() bool { return k >= KindInt8 && k <= KindInt64 }

// IsFloat reports whether the kind is a floating point kind.
func (k Kind) IsFloat() bool { return k == KindFloat32 || k == KindFloat64 }

// IsTemporal reports whether values of the kind are points or spans of time
// (date32, timestamp, duration); generated code uses time.Time or
// time.Duration for them.
func (k Kind) IsTemporal() bool {
	return k == KindDate32 || k == KindTimestamp || k == KindDuration
}

// IsOrdered reports whether lt, le, gt and ge make sense on the kind, which is
// also what range partitioning needs. Only bool is excluded: false < true is
// well defined but never a useful way to read or split a table.
func (k Kind) IsOrdered() bool { return k != KindInvalid && k != KindBool }

// Type is a parsed column type. Unit and TZ are meaningful only for
// timestamps (Unit also for durations); Precision and Scale only for
// decimals. Two Types are equal (==) exactly when they denote the same type.
type Type struct {
	// Kind is the type's family; the parameters below depend on it.
	Kind Kind
	// Unit is the resolution of a timestamp or duration.
	Unit arrow.TimeUnit
	// TZ is the timestamp's time zone as written ("UTC", "+02:00",
	// "Europe/Berlin"); empty means a zone-less (wall clock) timestamp.
	TZ string
	// Precision (1..38) and Scale (0..Precision) of a decimal.
	Precision, Scale int32
}

// String returns the canonical spelling of the type: lowercase, with one space
// after each comma, e.g. "timestamp(us, UTC)" or "decimal(18, 2)". Parsing the
// result gives back the same Type.
func (t Type) String() string {
	switch t.Kind {
	case KindTimestamp:
		if t.TZ == "" {
			return "timestamp(" + t.Unit.String() + ")"
		}
		return "timestamp(" + t.Unit.String() + ", " + t.TZ + ")"
	case KindDuration:
		return "duration(" + t.Unit.String() + ")"
	case KindDecimal:
		return fmt.Sprintf("decimal(%d, %d)", t.Precision, t.Scale)
	}
	return t.Kind.String()
}

// Arrow returns the Arrow data type that holds the column in record batches.
// Decimals always use Decimal128, which covers precision up to 38. It returns
// nil for an invalid Type.
func (t Type) Arrow() arrow.DataType {
	switch t.Kind {
	case KindBool:
		return arrow.FixedWidthTypes.Boolean
	case KindInt8:
		return arrow.PrimitiveTypes.Int8
	case KindInt16:
		return arrow.PrimitiveTypes.Int16
	case KindInt32:
		return arrow.PrimitiveTypes.Int32
	case KindInt64:
		return arrow.PrimitiveTypes.Int64
	case KindUint8:
		return arrow.PrimitiveTypes.Uint8
	case KindUint16:
		return arrow.PrimitiveTypes.Uint16
	case KindUint32:
		return arrow.PrimitiveTypes.Uint32
	case KindUint64:
		return arrow.PrimitiveTypes.Uint64
	case KindFloat32:
		return arrow.PrimitiveTypes.Float32
	case KindFloat64:
		return arrow.PrimitiveTypes.Float64
	case KindString:
		return arrow.BinaryTypes.String
	case KindBinary:
		return arrow.BinaryTypes.Binary
	case KindDate32:
		return arrow.FixedWidthTypes.Date32
	case KindTimestamp:
		return &arrow.TimestampType{Unit: t.Unit, TimeZone: t.TZ}
	case KindDuration:
		return &arrow.DurationType{Unit: t.Unit}
	case KindDecimal:
		return &arrow.Decimal128Type{Precision: t.Precision, Scale: t.Scale}
	}
	return nil
}

// typeForms lists every type as a user may write it, for "allowed: ..." hints.
const typeForms = "bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, " +
	"string, binary, date32, timestamp(unit[, tz]), duration(unit), decimal(p, s)"

// typeAliases maps names users bring from SQL, Go or other tools to the
// spec's spelling, so the error for "text" can say "did you mean string".
var typeAliases = map[string]string{
	"text": "string", "varchar": "string", "str": "string", "char": "string", "utf8": "string",
	"int": "int64", "integer": "int64", "bigint": "int64", "long": "int64",
	"smallint": "int16", "tinyint": "int8", "uint": "uint64", "byte": "uint8",
	"double": "float64", "float": "float64", "real": "float32", "number": "float64",
	"boolean": "bool", "bytes": "binary", "bytea": "binary", "blob": "binary", "[]byte": "binary",
	"date": "date32", "datetime": "timestamp(us)", "timestamptz": "timestamp(us, UTC)", "time.time": "timestamp(us, UTC)",
	"interval": "duration(us)", "time.duration": "duration(ns)", "numeric": "decimal(p, s)",
}

// ParseType parses a type as written in a spec. It tolerates spaces around
// names, parentheses and commas ("decimal( 18 ,2 )"), but names are
// lowercase. The error message says what is wrong and what is allowed; it
// carries no position, since the caller knows where the string came from.
func ParseType(s string) (Type, error) {
	src := trimSpace(s)
	name, args, hasArgs, ok := splitCall(src)
	if !ok {
		return Type{}, fmt.Errorf("malformed type %q; expected a name such as int64 or a parameterised type such as timestamp(us, UTC)", s)
	}
	kind := KindInvalid
	for k := KindBool; int(k) < len(kindNames); k++ {
		if kindNames[k] == name {
			kind = k
			break
		}
	}
	if kind == KindInvalid {
		return Type{}, unknownTypeError(s, name)
	}
	t := Type{Kind: kind}
	switch kind {
	case KindTimestamp:
		if !hasArgs || len(args) < 1 || len(args) > 2 {
			return Type{}, fmt.Errorf("malformed type %q; expected timestamp(unit) or timestamp(unit, tz) with unit s, ms, us or ns", s)
		}
		u, err := parseUnit(args[0], s)
		if err != nil {
			return Type{}, err
		}
		t.Unit = u
		if len(args) == 2 {
			tz, err := parseTZ(args[1], s)
			if err != nil {
				return Type{}, err
			}
			t.TZ = tz
		}
	case KindDuration:
		if !hasArgs || len(args) != 1 {
			return Type{}, fmt.Errorf("malformed type %q; expected duration(unit) with unit s, ms, us or ns", s)
		}
		u, err := parseUnit(args[0], s)
		if err != nil {
			return Type{}, err
		}
		t.Unit = u
	case KindDecimal:
		if !hasArgs || len(args) != 2 {
			return Type{}, fmt.Errorf("malformed type %q; expected decimal(p, s) with precision p from 1 to 38 and scale s from 0 to p", s)
		}
		malformed := fmt.Errorf("malformed type %q; precision and scale must be whole numbers, as in decimal(18, 2)", s)
		p, perr := strconv.Atoi(args[0])
		sc, serr := strconv.Atoi(args[1])
		if perr != nil || serr != nil {
			return Type{}, malformed
		}
		if p < 1 || p > 38 {
			return Type{}, fmt.Errorf("decimal precision %d out of range in %q; allowed: 1 to 38", p, s)
		}
		if sc < 0 || sc > p {
			return Type{}, fmt.Errorf("decimal scale %d out of range in %q; allowed: 0 to the precision %d", sc, s, p)
		}
		if !isDigits(args[0]) || !isDigits(args[1]) { // "+2" parses but is not how anyone writes a scale
			return Type{}, malformed
		}
		t.Precision, t.Scale = int32(p), int32(sc)
	default:
		if hasArgs {
			return Type{}, fmt.Errorf("type %s takes no parameters, found %q", name, s)
		}
	}
	return t, nil
}

// splitCall splits "name(a, b)" into its name and trimmed arguments. A bare
// name has hasArgs false. ok is false for text that is neither form.
func splitCall(s string) (name string, args []string, hasArgs, ok bool) {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		if s == "" || strings.ContainsAny(s, "),"+asciiSpace) {
			return "", nil, false, false
		}
		return s, nil, false, true
	}
	name = trimSpace(s[:open])
	if name == "" || !strings.HasSuffix(s, ")") || strings.ContainsAny(name, "),"+asciiSpace) {
		return "", nil, false, false
	}
	inner := s[open+1 : len(s)-1]
	if strings.ContainsAny(inner, "()") {
		return "", nil, false, false
	}
	for _, a := range strings.Split(inner, ",") {
		args = append(args, trimSpace(a))
	}
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	return name, args, true, true
}

// unknownTypeError builds the "unknown type" message with the most helpful
// hint available: a known alias, a near spelling, or the full list.
func unknownTypeError(s, name string) error {
	lower := strings.ToLower(name)
	if alias, ok := typeAliases[lower]; ok {
		return fmt.Errorf("unknown type %q; did you mean %q?", s, alias)
	}
	if sugg := suggest(lower, kindNames[1:]); sugg != "" {
		return fmt.Errorf("unknown type %q; did you mean %q?", s, sugg)
	}
	return fmt.Errorf("unknown type %q; allowed: %s", s, typeForms)
}

// parseUnit parses a time unit argument of a timestamp or duration type.
func parseUnit(arg, typ string) (arrow.TimeUnit, error) {
	switch arg {
	case "s":
		return arrow.Second, nil
	case "ms":
		return arrow.Millisecond, nil
	case "us":
		return arrow.Microsecond, nil
	case "ns":
		return arrow.Nanosecond, nil
	}
	return 0, fmt.Errorf("unknown time unit %q in %q; allowed: s, ms, us, ns", arg, typ)
}

// parseTZ checks a timestamp time zone: UTC, a fixed offset (+HH:MM, the form
// Arrow accepts) or an IANA zone name. Checking here means a typo such as
// "Europe/Berln" fails at generation, not when the first row is read.
func parseTZ(arg, typ string) (string, error) {
	bad := fmt.Errorf("unknown time zone %q in %q; use UTC, an offset such as +02:00, or an IANA name such as Europe/Berlin", arg, typ)
	if arg == "" {
		return "", bad
	}
	if arg[0] == '+' || arg[0] == '-' {
		if len(arg) == 6 && arg[3] == ':' {
			h, herr := strconv.Atoi(arg[1:3])
			m, merr := strconv.Atoi(arg[4:6])
			if herr == nil && merr == nil && isDigits(arg[1:3]) && isDigits(arg[4:6]) && h <= 23 && m <= 59 {
				return arg, nil
			}
		}
		return "", bad
	}
	// LoadLocation also accepts "Local" and file-system-looking names;
	// neither is a portable zone for data.
	if arg == "Local" || strings.HasPrefix(arg, "/") || strings.Contains(arg, "..") || strings.ContainsAny(arg, " \\") {
		return "", bad
	}
	if _, err := time.LoadLocation(arg); err != nil {
		return "", bad
	}
	return arg, nil
}

// asciiSpace is the white space tolerated inside type strings and sort keys:
// the same set as \s in the JSON Schema's (RE2) patterns, so the schema and
// the parser agree on what is valid.
const asciiSpace = " \t\n\f\r"

func trimSpace(s string) string { return strings.Trim(s, asciiSpace) }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
