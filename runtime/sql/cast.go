package sql

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
)

// castScalar converts a constant to type to with SQL CAST semantics, so
// the binder can fold casts of literals (DATE '2026-01-01', ts >= '...')
// into typed literals that domain analysis and pushdown understand. It is
// expr.CastScalar, the same conversion the CAST kernel applies at run
// time, so a folded literal equals what evaluating the cast would give.
//
// Text converts to a duration as PostgreSQL interval text ('1 hour',
// '90 minutes'), which must be a whole number of the duration's unit: the
// binder types interval literals itself (see parseInterval), so this path
// serves parameters and values already typed by their context, where
// rounding would change a comparison's meaning.
func castScalar(s expr.Scalar, to arrow.DataType) (expr.Scalar, error) {
	if dt, ok := to.(*arrow.DurationType); ok && !s.Null && s.Type != nil && isString(s.Type) {
		text, _ := s.Value.(string)
		ns, err := parseInterval(text, defaultIntervalSpec)
		if err != nil {
			return expr.Scalar{}, err
		}
		v, err := durationValue(ns, dt, true)
		if err != nil {
			return expr.Scalar{}, err
		}
		return expr.Duration(dt, v), nil
	}
	return expr.CastScalar(s, to)
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

const secondsPerDay = 86400

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// timestampScalar converts an instant to t's unit, truncating finer
// digits toward the past.
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
