package memtable

import (
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Build makes a table from Go values: partitions[p] holds the rows of
// partition p, each row one value per schema field, nil for NULL. Values
// convert naturally:
//
//   - integer and unsigned columns: any Go integer (range-checked)
//   - float columns: any Go integer or float
//   - string/binary: string or []byte
//   - bool: bool
//   - date32 and timestamp: time.Time (date32 also takes int days since
//     the epoch; timestamp an int in the type's unit)
//   - duration: time.Duration, or an int in the type's unit
//   - decimal128: decimal128.Num (already scaled), a string such as
//     "12.34", or a Go integer or float
//
// Each partition becomes one record, or records of WithBatchRows rows. The
// other options are New's. Build's records are released once the table
// holds them, so Release on the table frees everything.
func Build(mem memory.Allocator, schema *arrow.Schema, partitions [][][]any, opts ...Option) (*Table, error) {
	o := defaults()
	for _, opt := range opts {
		opt(&o)
	}
	parts := make([][]arrow.RecordBatch, len(partitions))
	defer func() {
		for _, recs := range parts {
			for _, r := range recs {
				r.Release()
			}
		}
	}()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for p, rows := range partitions {
		for start := 0; start == 0 || start < len(rows); {
			end := len(rows)
			if o.batchRows > 0 {
				end = min(end, start+o.batchRows)
			}
			for i, row := range rows[start:end] {
				if len(row) != schema.NumFields() {
					return nil, fmt.Errorf("memtable: partition %d, row %d: %d values for %d columns", p, start+i, len(row), schema.NumFields())
				}
				for c, v := range row {
					if err := appendValue(b.Field(c), v); err != nil {
						return nil, fmt.Errorf("memtable: partition %d, row %d, column %s: %w", p, start+i, schema.Field(c).Name, err)
					}
				}
			}
			parts[p] = append(parts[p], b.NewRecordBatch())
			start = end
			if end == 0 {
				break
			}
		}
	}
	return New(schema, parts, opts...)
}

// MustBuild is Build for test fixtures: it panics on error.
func MustBuild(mem memory.Allocator, schema *arrow.Schema, partitions [][][]any, opts ...Option) *Table {
	t, err := Build(mem, schema, partitions, opts...)
	if err != nil {
		panic(err)
	}
	return t
}

func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return typeErr(v, "bool")
		}
		b.Append(x)
	case *array.Int8Builder:
		return appendInt(v, math.MinInt8, math.MaxInt8, func(i int64) { b.Append(int8(i)) })
	case *array.Int16Builder:
		return appendInt(v, math.MinInt16, math.MaxInt16, func(i int64) { b.Append(int16(i)) })
	case *array.Int32Builder:
		return appendInt(v, math.MinInt32, math.MaxInt32, func(i int64) { b.Append(int32(i)) })
	case *array.Int64Builder:
		return appendInt(v, math.MinInt64, math.MaxInt64, b.Append)
	case *array.Uint8Builder:
		return appendUint(v, math.MaxUint8, func(u uint64) { b.Append(uint8(u)) })
	case *array.Uint16Builder:
		return appendUint(v, math.MaxUint16, func(u uint64) { b.Append(uint16(u)) })
	case *array.Uint32Builder:
		return appendUint(v, math.MaxUint32, func(u uint64) { b.Append(uint32(u)) })
	case *array.Uint64Builder:
		return appendUint(v, math.MaxUint64, b.Append)
	case *array.Float32Builder:
		f, ok := toFloat(v)
		if !ok {
			return typeErr(v, "a number")
		}
		b.Append(float32(f))
	case *array.Float64Builder:
		f, ok := toFloat(v)
		if !ok {
			return typeErr(v, "a number")
		}
		b.Append(f)
	case *array.StringBuilder:
		return appendText(v, b.Append)
	case *array.LargeStringBuilder:
		return appendText(v, b.Append)
	case *array.BinaryBuilder:
		return appendText(v, func(s string) { b.Append([]byte(s)) })
	case *array.Date32Builder:
		if t, ok := v.(time.Time); ok {
			b.Append(arrow.Date32FromTime(t))
			return nil
		}
		return appendInt(v, math.MinInt32, math.MaxInt32, func(i int64) { b.Append(arrow.Date32(i)) })
	case *array.TimestampBuilder:
		unit := b.Type().(*arrow.TimestampType).Unit
		if t, ok := v.(time.Time); ok {
			ts, err := arrow.TimestampFromTime(t, unit)
			if err != nil {
				return err
			}
			b.Append(ts)
			return nil
		}
		return appendInt(v, math.MinInt64, math.MaxInt64, func(i int64) { b.Append(arrow.Timestamp(i)) })
	case *array.DurationBuilder:
		unit := b.Type().(*arrow.DurationType).Unit
		if d, ok := v.(time.Duration); ok {
			b.Append(arrow.Duration(int64(d) / int64(unit.Multiplier())))
			return nil
		}
		return appendInt(v, math.MinInt64, math.MaxInt64, func(i int64) { b.Append(arrow.Duration(i)) })
	case *array.Decimal128Builder:
		t := b.Type().(*arrow.Decimal128Type)
		n, err := toDecimal(v, t)
		if err != nil {
			return err
		}
		b.Append(n)
	default:
		return fmt.Errorf("memtable: Build does not support type %s", b.Type())
	}
	return nil
}

func typeErr(v any, want string) error {
	return fmt.Errorf("got %T (%v), want %s", v, v, want)
}

func appendInt(v any, lo, hi int64, add func(int64)) error {
	rv := reflect.ValueOf(v)
	var i int64
	switch {
	case rv.CanInt():
		i = rv.Int()
	case rv.CanUint() && rv.Uint() <= math.MaxInt64:
		i = int64(rv.Uint())
	default:
		return typeErr(v, "an integer")
	}
	if i < lo || i > hi {
		return fmt.Errorf("%d out of range [%d, %d]", i, lo, hi)
	}
	add(i)
	return nil
}

func appendUint(v any, hi uint64, add func(uint64)) error {
	rv := reflect.ValueOf(v)
	var u uint64
	switch {
	case rv.CanUint():
		u = rv.Uint()
	case rv.CanInt() && rv.Int() >= 0:
		u = uint64(rv.Int())
	default:
		return typeErr(v, "a non-negative integer")
	}
	if u > hi {
		return fmt.Errorf("%d out of range [0, %d]", u, hi)
	}
	add(u)
	return nil
}

func toFloat(v any) (float64, bool) {
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanFloat():
		return rv.Float(), true
	case rv.CanInt():
		return float64(rv.Int()), true
	case rv.CanUint():
		return float64(rv.Uint()), true
	}
	return 0, false
}

func appendText(v any, add func(string)) error {
	switch x := v.(type) {
	case string:
		add(x)
	case []byte:
		add(string(x))
	default:
		return typeErr(v, "string or []byte")
	}
	return nil
}

func toDecimal(v any, t *arrow.Decimal128Type) (decimal128.Num, error) {
	switch x := v.(type) {
	case decimal128.Num:
		return x, nil
	case string:
		return decimal128.FromString(x, t.Precision, t.Scale)
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return decimal128.FromString(fmt.Sprint(rv.Int()), t.Precision, t.Scale)
	case rv.CanUint():
		return decimal128.FromString(fmt.Sprint(rv.Uint()), t.Precision, t.Scale)
	case rv.CanFloat():
		return decimal128.FromFloat64(rv.Float(), t.Precision, t.Scale)
	}
	return decimal128.Num{}, typeErr(v, "decimal128.Num, string or number")
}
