package source

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// BoundsFunc returns what kept partition i declares about its rows, as Go
// values of the partitioning columns: one value per key column (a Null for
// a nullable one) for key partitioning, Low and High for range
// partitioning. ok is false when the partition declares nothing (a nil
// Key). Generated code passes one to SetBounds; it runs only when verify
// mode asks.
type BoundsFunc func(partition int) (values []any, ok bool)

// SetBounds records how to find the declared bounds of each kept partition,
// which PartitionBounds reports. It costs nothing until asked.
func (p *ScanPlan) SetBounds(f BoundsFunc) { p.bounds = f }

// PartitionBounds implements plan.PartitionBounds from the values SetBounds
// provides, converted as the Writer converts row values, so that a row
// written with the declared value compares equal to it. ok is false when
// no bounds were set, the partition declares none, or a value does not
// convert.
func (p *ScanPlan) PartitionBounds(partition int) ([]plan.ColumnBound, bool) {
	if p.bounds == nil || partition < 0 || partition >= p.kept {
		return nil, false
	}
	vals, ok := p.bounds(partition)
	if !ok {
		return nil, false
	}
	part := p.layout.Partitioning
	typeOf := func(col string) (arrow.DataType, bool) {
		idx := p.table.FieldIndices(col)
		if len(idx) != 1 {
			return nil, false
		}
		return p.table.Field(idx[0]).Type, true
	}
	switch part.Kind {
	case plan.KeyPartitioning:
		if len(vals) != len(part.Columns) {
			return nil, false
		}
		out := make([]plan.ColumnBound, len(vals))
		for i, col := range part.Columns {
			t, ok := typeOf(col)
			if !ok {
				return nil, false
			}
			s, _, ok := scalarOf(vals[i], t)
			if !ok {
				return nil, false
			}
			out[i] = plan.ColumnBound{Column: col, Key: true, Min: s, Max: s}
		}
		return out, true
	case plan.RangePartitioning:
		if len(vals) != 2 || len(part.Columns) != 1 {
			return nil, false
		}
		t, ok := typeOf(part.Columns[0])
		if !ok {
			return nil, false
		}
		low, _, okLow := scalarOf(vals[0], t)
		high, exact, okHigh := scalarOf(vals[1], t)
		if !okLow || !okHigh {
			return nil, false
		}
		// A row just below a High that the column's unit cannot represent
		// is stored as High truncated: the bound then includes it.
		return []plan.ColumnBound{{Column: part.Columns[0], Min: low, Max: high, MaxExclusive: exact}}, true
	}
	return nil, false
}

// nullable is implemented by Null, whose type parameter a type switch
// cannot name.
type nullable interface{ orNil() any }

func (n Null[T]) orNil() any {
	if !n.Valid {
		return nil
	}
	return n.V
}

// scalarOf converts a Go value of a generated row to the scalar its
// column's Arrow type holds, as the Writer converts it (times and
// durations are truncated to the column's unit); exact is false when that
// lost precision. nil and an invalid Null are NULL.
func scalarOf(v any, t arrow.DataType) (s expr.Scalar, exact, ok bool) {
	if n, isNull := v.(nullable); isNull {
		v = n.orNil()
	}
	s = expr.Scalar{Type: t}
	exact = true
	switch x := v.(type) {
	case nil:
		return expr.Null(t), true, true
	case bool:
		s.Value = x
	case int8:
		s.Value = int64(x)
	case int16:
		s.Value = int64(x)
	case int32:
		s.Value = int64(x)
	case int64:
		s.Value = x
	case uint8:
		s.Value = uint64(x)
	case uint16:
		s.Value = uint64(x)
	case uint32:
		s.Value = uint64(x)
	case uint64:
		s.Value = x
	case float32:
		s.Value = float64(x)
	case float64:
		s.Value = x
	case string:
		s.Value = x
	case []byte:
		s.Value = x
	case decimal128.Num:
		s.Value = x
	case time.Time:
		switch tt := t.(type) {
		case *arrow.Date32Type:
			d := arrow.Date32FromTime(x)
			s.Value, exact = int64(d), d.ToTime().Equal(x)
		case *arrow.TimestampType:
			var n int64
			switch tt.Unit {
			case arrow.Second:
				n = x.Unix()
			case arrow.Millisecond:
				n = x.UnixMilli()
			case arrow.Microsecond:
				n = x.UnixMicro()
			default:
				n = x.UnixNano()
			}
			s.Value, exact = n, arrow.Timestamp(n).ToTime(tt.Unit).Equal(x)
		default:
			return s, false, false
		}
	case time.Duration:
		dt, isDur := t.(*arrow.DurationType)
		if !isDur {
			return s, false, false
		}
		m := dt.Unit.Multiplier()
		s.Value, exact = int64(x/m), x%m == 0
	default:
		return s, false, false
	}
	return s, exact, true
}
