package sql

import (
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
)

// Intervals. tpgen has no INTERVAL type of its own: PostgreSQL's intervals
// of fixed length (microseconds to weeks; a day is 24 hours, as in
// PostgreSQL's interval comparisons) are Arrow durations. Months and years
// have no fixed length, so they are rejected rather than approximated.
//
// An interval literal is DURATION(us), PostgreSQL's interval resolution
// (DURATION(ns) when written with nanoseconds, which PostgreSQL lacks);
// compared with a duration column it is cast to the column's unit when
// that loses nothing, like any other literal.

// Interval field masks of PostgreSQL's INTERVAL typmod (datetime.h:
// INTERVAL_MASK(b) = 1 << b), e.g. INTERVAL '1' HOUR.
const (
	maskMonth  = 1 << 1
	maskYear   = 1 << 2
	maskDay    = 1 << 3
	maskHour   = 1 << 10
	maskMinute = 1 << 11
	maskSecond = 1 << 12

	intervalFullRange = 0x7FFF
	// intervalFullPrecision is the typmod PostgreSQL stores for "no
	// precision given".
	intervalFullPrecision = 0xFFFF
)

// intervalSpec is what INTERVAL's type modifiers say about a literal:
// the unit a bare number is in and below which fields are dropped
// (INTERVAL '1' HOUR, INTERVAL '1 day 2 hours 3 minutes' DAY TO HOUR),
// and the fractional-second precision (INTERVAL(3)), -1 when not given.
type intervalSpec struct {
	last      time.Duration // the smallest field named, 0 for none
	minToSec  bool          // MINUTE TO SECOND: "a:b" is minutes:seconds
	precision int
}

var defaultIntervalSpec = intervalSpec{precision: -1}

// intervalUnits are PostgreSQL's interval unit names (and their plurals,
// added below) with their fixed lengths; months and years map to 0 and
// are rejected by name.
var intervalUnits = map[string]time.Duration{
	"microsecond": time.Microsecond, "usec": time.Microsecond, "us": time.Microsecond, "µs": time.Microsecond,
	"microseconds": time.Microsecond, "usecs": time.Microsecond, "useconds": time.Microsecond,
	"millisecond": time.Millisecond, "msec": time.Millisecond, "ms": time.Millisecond,
	"milliseconds": time.Millisecond, "msecs": time.Millisecond, "mseconds": time.Millisecond,
	"second": time.Second, "sec": time.Second, "s": time.Second, "secs": time.Second, "seconds": time.Second,
	"minute": time.Minute, "min": time.Minute, "m": time.Minute, "mins": time.Minute, "minutes": time.Minute,
	"hour": time.Hour, "hr": time.Hour, "h": time.Hour, "hrs": time.Hour, "hours": time.Hour,
	"day": 24 * time.Hour, "d": 24 * time.Hour, "days": 24 * time.Hour,
	"week": 7 * 24 * time.Hour, "w": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
	// Not PostgreSQL: nanoseconds, so Go's notation ("1.5ns") and the
	// engine's own INTERVAL '...' output read back exactly.
	"nanosecond": time.Nanosecond, "nanoseconds": time.Nanosecond, "ns": time.Nanosecond,
}

var variableUnits = map[string]string{
	"month": "months", "months": "months", "mon": "months", "mons": "months",
	"year": "years", "years": "years", "y": "years", "yr": "years", "yrs": "years",
	"decade": "years", "decades": "years", "dec": "years", "decs": "years",
	"century": "years", "centuries": "years", "c": "years", "cent": "years",
	"millennium": "years", "millennia": "years", "millenniums": "years", "mil": "years", "mils": "years",
}

// intervalError is the message for text that is not an interval.
func intervalError(text string) error {
	return fmt.Errorf("invalid input syntax for type interval: %q", text)
}

func variableUnitError(what string) error {
	return fmt.Errorf("interval %s are not supported: months and years have no fixed length (write days or hours)", what)
}

// parseInterval reads PostgreSQL interval text: "1 hour", "90 minutes",
// "2 days 3 hours", "1.5 seconds", "-1 day +2 hours", "1 day 02:03:04.5",
// "02:03", "@ 1 hour ago", "1h30m", a bare number (seconds), and ISO 8601
// ("PT1H30M", "P1DT2H", "P1W"). The result is exact, in nanoseconds.
func parseInterval(text string, spec intervalSpec) (*big.Rat, error) {
	s := strings.ToLower(strings.TrimSpace(text))
	if s == "" {
		return nil, intervalError(text)
	}
	if strings.HasPrefix(s, "p") {
		return parseISOInterval(text, s[1:])
	}
	s = strings.TrimSpace(strings.TrimPrefix(s, "@"))
	ago := false
	if rest, ok := strings.CutSuffix(s, "ago"); ok && (rest == "" || !isLetter(rest[len(rest)-1])) {
		s, ago = strings.TrimSpace(rest), true
	}
	toks := intervalTokens(s)
	if len(toks) == 0 {
		return nil, intervalError(text)
	}
	total := new(big.Rat)
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		var sign int64 = 1
		if tok[0] == '+' || tok[0] == '-' {
			if tok[0] == '-' {
				sign = -1
			}
			tok = tok[1:]
			if tok == "" && i+1 < len(toks) && isDigitStart(toks[i+1]) {
				i++
				tok = toks[i]
			}
		}
		if tok == "" || !isDigitStart(tok) {
			return nil, intervalError(text)
		}
		var v *big.Rat
		if strings.Contains(tok, ":") {
			var err error
			if v, err = parseClock(tok, spec.minToSec); err != nil {
				return nil, intervalError(text)
			}
		} else {
			num, ok := new(big.Rat).SetString(tok)
			if !ok || strings.ContainsAny(tok, "/eE") {
				return nil, intervalError(text)
			}
			unit := time.Second
			if spec.last != 0 {
				unit = spec.last
			}
			switch {
			case i+1 < len(toks) && isLetter(toks[i+1][0]):
			case i+1 < len(toks) && strings.Contains(toks[i+1], ":") && !strings.Contains(tok, "."):
				// "1 02:00:00" is a day and two hours.
				unit = 24 * time.Hour
			case i+1 < len(toks):
				// A number without a unit is seconds only at the end:
				// "2026-01-01" is not an interval.
				return nil, intervalError(text)
			}
			if i+1 < len(toks) && isLetter(toks[i+1][0]) {
				i++
				name := toks[i]
				if what, bad := variableUnits[name]; bad {
					return nil, variableUnitError(what)
				}
				u, known := intervalUnits[name]
				if !known {
					return nil, intervalError(text)
				}
				unit = u
			}
			v = num.Mul(num, new(big.Rat).SetInt64(int64(unit)))
		}
		if sign < 0 {
			v.Neg(v)
		}
		total.Add(total, v)
	}
	if ago {
		total.Neg(total)
	}
	return applySpec(total, spec), nil
}

// parseISOInterval reads ISO 8601's format with designators, after its P.
func parseISOInterval(text, s string) (*big.Rat, error) {
	total := new(big.Rat)
	inTime := false
	seen := false
	for s != "" {
		if s[0] == 't' {
			if inTime {
				return nil, intervalError(text)
			}
			inTime, s = true, s[1:]
			continue
		}
		end := 0
		for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || (end == 0 && (s[end] == '-' || s[end] == '+'))) {
			end++
		}
		if end == 0 || end == len(s) {
			return nil, intervalError(text)
		}
		num, ok := new(big.Rat).SetString(s[:end])
		if !ok {
			return nil, intervalError(text)
		}
		var unit time.Duration
		switch d := s[end]; {
		case d == 'y':
			return nil, variableUnitError("years")
		case d == 'm' && !inTime:
			return nil, variableUnitError("months")
		case d == 'w' && !inTime:
			unit = 7 * 24 * time.Hour
		case d == 'd' && !inTime:
			unit = 24 * time.Hour
		case d == 'h' && inTime:
			unit = time.Hour
		case d == 'm' && inTime:
			unit = time.Minute
		case d == 's' && inTime:
			unit = time.Second
		default:
			return nil, intervalError(text)
		}
		total.Add(total, num.Mul(num, new(big.Rat).SetInt64(int64(unit))))
		s, seen = s[end+1:], true
	}
	if !seen {
		return nil, intervalError(text)
	}
	return applySpec(total, defaultIntervalSpec), nil
}

// parseClock reads h:m[:s[.f]] (or m:s[.f] for MINUTE TO SECOND).
func parseClock(tok string, minToSec bool) (*big.Rat, error) {
	parts := strings.Split(tok, ":")
	if len(parts) > 3 {
		return nil, fmt.Errorf("bad clock")
	}
	units := []time.Duration{time.Hour, time.Minute, time.Second}
	if minToSec && len(parts) == 2 {
		units = units[1:]
	}
	total := new(big.Rat)
	for i, p := range parts {
		if p == "" || strings.ContainsAny(p, "+-/eE") || (i < len(parts)-1 && strings.Contains(p, ".")) {
			return nil, fmt.Errorf("bad clock")
		}
		v, ok := new(big.Rat).SetString(p)
		if !ok {
			return nil, fmt.Errorf("bad clock")
		}
		total.Add(total, v.Mul(v, new(big.Rat).SetInt64(int64(units[i]))))
	}
	return total, nil
}

// applySpec drops the fields below the smallest one named (PostgreSQL
// truncates them) and rounds to the fractional-second precision.
func applySpec(total *big.Rat, spec intervalSpec) *big.Rat {
	if spec.last > time.Second {
		q := truncRat(new(big.Rat).Quo(total, new(big.Rat).SetInt64(int64(spec.last))))
		total = new(big.Rat).SetInt(q.Mul(q, big.NewInt(int64(spec.last))))
	}
	if spec.precision >= 0 && spec.precision < 9 {
		step := int64(1)
		for range 9 - spec.precision {
			step *= 10
		}
		total = roundTo(total, step)
	}
	return total
}

func truncRat(r *big.Rat) *big.Int {
	return new(big.Int).Quo(r.Num(), r.Denom())
}

// roundTo rounds r to a multiple of step, halves to even (PostgreSQL
// rounds fractional microseconds with rint).
func roundTo(r *big.Rat, step int64) *big.Rat {
	q := new(big.Rat).Quo(r, new(big.Rat).SetInt64(step))
	n := roundHalfEven(q)
	return new(big.Rat).SetInt(n.Mul(n, big.NewInt(step)))
}

func roundHalfEven(q *big.Rat) *big.Int {
	n, rem := new(big.Int).QuoRem(q.Num(), q.Denom(), new(big.Int))
	twice := new(big.Int).Abs(rem)
	twice.Lsh(twice, 1)
	switch c := twice.Cmp(q.Denom()); {
	case c > 0, c == 0 && n.Bit(0) == 1:
		if q.Sign() < 0 {
			n.Sub(n, big.NewInt(1))
		} else {
			n.Add(n, big.NewInt(1))
		}
	}
	return n
}

// intervalTokens splits interval text into numbers (with their sign and
// clock forms) and unit words: "1h30m" is 1 h 30 m, "-1 day +02:00" is
// -1 day +02:00.
func intervalTokens(s string) []string {
	var toks []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == ',':
			i++
		case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == ':') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			j := i
			for j < len(s) {
				r := rune(s[j])
				if r >= 0x80 {
					// µ and other multi-byte letters.
					j++
					continue
				}
				if !unicode.IsLetter(r) {
					break
				}
				j++
			}
			if j == i {
				return []string{"?"}
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 0x80 }

func isDigitStart(tok string) bool {
	return tok != "" && (tok[0] >= '0' && tok[0] <= '9' || tok[0] == '.')
}

// intervalLiteralType is the duration type an interval literal gets:
// microseconds, nanoseconds when it needs them, or the unit its
// precision names.
func intervalLiteralType(ns *big.Rat, spec intervalSpec) *arrow.DurationType {
	if spec.precision >= 0 {
		return &arrow.DurationType{Unit: precisionUnit(int64(spec.precision))}
	}
	if !ns.IsInt() || new(big.Int).Rem(ns.Num(), big.NewInt(1000)).Sign() != 0 {
		return arrow.FixedWidthTypes.Duration_ns.(*arrow.DurationType)
	}
	return arrow.FixedWidthTypes.Duration_us.(*arrow.DurationType)
}

// precisionUnit is the Arrow unit of a fractional-second precision
// (TIMESTAMP(p), INTERVAL(p)).
func precisionUnit(p int64) arrow.TimeUnit {
	switch {
	case p == 0:
		return arrow.Second
	case p <= 3:
		return arrow.Millisecond
	}
	return arrow.Microsecond
}

// durationValue converts an exact nanosecond count to the unit of t,
// failing when it is not a whole number of units (exact is true) or does
// not fit in 64 bits.
func durationValue(ns *big.Rat, t *arrow.DurationType, exact bool) (int64, error) {
	per := big.NewRat(int64(t.Unit.Multiplier()), 1)
	q := new(big.Rat).Quo(ns, per)
	var n *big.Int
	if q.IsInt() {
		n = q.Num()
	} else if exact {
		return 0, fmt.Errorf("interval %s is not a whole number of %s", formatNanos(ns), unitName(t.Unit))
	} else {
		n = roundHalfEven(q)
	}
	if !n.IsInt64() {
		return 0, fmt.Errorf("interval out of range")
	}
	return n.Int64(), nil
}

func formatNanos(ns *big.Rat) string {
	if ns.IsInt() && ns.Num().IsInt64() {
		return time.Duration(ns.Num().Int64()).String()
	}
	return ns.FloatString(3) + "ns"
}

func unitName(u arrow.TimeUnit) string {
	switch u {
	case arrow.Second:
		return "seconds"
	case arrow.Millisecond:
		return "milliseconds"
	case arrow.Microsecond:
		return "microseconds"
	}
	return "nanoseconds"
}

// intervalSpecOf reads INTERVAL's type modifiers: a field mask (HOUR,
// DAY TO SECOND, ...) and a fractional-second precision.
func intervalSpecOf(mods []int64) (intervalSpec, error) {
	spec := defaultIntervalSpec
	if len(mods) == 0 {
		return spec, nil
	}
	mask := mods[0]
	if mask&(maskYear|maskMonth) != 0 && mask != intervalFullRange {
		return spec, variableUnitError("fields YEAR and MONTH")
	}
	if mask != intervalFullRange {
		switch {
		case mask&maskSecond != 0:
			spec.last = time.Second
			spec.minToSec = mask&maskHour == 0 && mask&maskMinute != 0
		case mask&maskMinute != 0:
			spec.last = time.Minute
		case mask&maskHour != 0:
			spec.last = time.Hour
		case mask&maskDay != 0:
			spec.last = 24 * time.Hour
		default:
			return spec, fmt.Errorf("invalid INTERVAL type modifier")
		}
	}
	if len(mods) > 1 && mods[1] != intervalFullPrecision {
		p := mods[1]
		if p < 0 || p > 6 {
			return spec, fmt.Errorf("INTERVAL(%d) precision must be between 0 and 6", p)
		}
		spec.precision = int(p)
	}
	return spec, nil
}
