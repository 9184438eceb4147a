package expr

import (
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// arrayCast converts a dense array; valid is its re-based validity.
type arrayCast func(mem memory.Allocator, a arrow.Array, valid []byte) (arrow.Array, error)

func (c *compiler) cast(e *Cast) (node, error) {
	in, err := c.compile(e.E)
	if err != nil {
		return nil, err
	}
	if e.To == nil {
		return nil, fmt.Errorf("CAST without a target type")
	}
	from := in.dataType()
	if arrow.TypeEqual(from, e.To) {
		return in, nil
	}
	if k, ok := in.(*constNode); ok {
		s, err := CastScalar(k.s, e.To)
		if err != nil {
			return nil, err
		}
		return &constNode{s: s}, nil
	}
	if !castSupported(from, e.To) {
		return nil, fmt.Errorf("cannot cast type %s to %s", SQLTypeName(from), SQLTypeName(e.To))
	}
	return &castNode{e: in, to: e.To, fn: pickCast(from, e.To)}, nil
}

// castSupported reports whether CastScalar can ever succeed from one type
// to another, so impossible casts fail at compile time.
func castSupported(from, to arrow.DataType) bool {
	if !comparableType(from) || !comparableType(to) {
		return false
	}
	probe := map[arrow.Type]Scalar{
		arrow.BOOL: {Value: true}, arrow.INT8: {Value: int64(0)}, arrow.INT16: {Value: int64(0)},
		arrow.INT32: {Value: int64(0)}, arrow.INT64: {Value: int64(0)}, arrow.UINT8: {Value: uint64(0)},
		arrow.UINT16: {Value: uint64(0)}, arrow.UINT32: {Value: uint64(0)}, arrow.UINT64: {Value: uint64(0)},
		arrow.FLOAT32: {Value: 0.0}, arrow.FLOAT64: {Value: 0.0}, arrow.DATE32: {Value: int64(0)},
		arrow.TIMESTAMP: {Value: int64(0)}, arrow.DURATION: {Value: int64(0)},
		arrow.DECIMAL128: {Value: decimal128.Num{}},
	}
	switch from.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		// Text parses into everything; failures are per value.
		return from.ID() == arrow.STRING || from.ID() == arrow.LARGE_STRING || isTextOrBinary(to)
	}
	s, ok := probe[from.ID()]
	if !ok {
		return false
	}
	s.Type = from
	_, err := CastScalar(s, to)
	return err == nil
}

func isTextOrBinary(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		return true
	}
	return false
}

// castNode is CAST(e AS to).
type castNode struct {
	e  node
	to arrow.DataType
	fn arrayCast
}

func (n *castNode) inputs() []node { return []node{n.e} }

func (n *castNode) dataType() arrow.DataType { return n.to }

func (n *castNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	a, err := n.e.eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	return n.fn(mem, a, validity(a))
}

// pickCast chooses a typed loop for numeric and temporal casts and the
// value-at-a-time path (CastScalar per row) for text and decimals, whose
// per-value parsing or formatting dwarfs the dispatch.
func pickCast(from, to arrow.DataType) arrayCast {
	if f := numericCast(from, to); f != nil {
		return f
	}
	if from.ID() == arrow.DATE32 && to.ID() == arrow.TIMESTAMP {
		tt := to.(*arrow.TimestampType)
		if tt.TimeZone == "" || location(tt.TimeZone) == time.UTC {
			perDay := int64(86400 * (1e9 / int64(tt.Unit.Multiplier())))
			return func(mem memory.Allocator, a arrow.Array, valid []byte) (arrow.Array, error) {
				src := values[int32](a)
				buf, out := newFixed[int64](mem, len(src))
				for i, d := range src {
					out[i] = int64(d) * perDay
				}
				return fixedArray(mem, to, len(src), buf, valid), nil
			}
		}
	}
	return func(mem memory.Allocator, a arrow.Array, valid []byte) (arrow.Array, error) {
		return castRows(mem, a, to)
	}
}

// castRows casts value by value through CastScalar.
func castRows(mem memory.Allocator, a arrow.Array, to arrow.DataType) (arrow.Array, error) {
	b := array.NewBuilder(mem, to)
	defer b.Release()
	b.Reserve(a.Len())
	for i := 0; i < a.Len(); i++ {
		s, err := CastScalar(ScalarAt(a, i), to)
		if err != nil {
			return nil, err
		}
		if err := appendScalar(b, s); err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}

// appendScalar appends a normalised scalar to a builder of its type.
func appendScalar(b array.Builder, s Scalar) error {
	if s.Null {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.Append(s.Value.(bool))
	case *array.Int8Builder:
		b.Append(int8(s.Value.(int64)))
	case *array.Int16Builder:
		b.Append(int16(s.Value.(int64)))
	case *array.Int32Builder:
		b.Append(int32(s.Value.(int64)))
	case *array.Int64Builder:
		b.Append(s.Value.(int64))
	case *array.Uint8Builder:
		b.Append(uint8(s.Value.(uint64)))
	case *array.Uint16Builder:
		b.Append(uint16(s.Value.(uint64)))
	case *array.Uint32Builder:
		b.Append(uint32(s.Value.(uint64)))
	case *array.Uint64Builder:
		b.Append(s.Value.(uint64))
	case *array.Float32Builder:
		b.Append(float32(s.Value.(float64)))
	case *array.Float64Builder:
		b.Append(s.Value.(float64))
	case *array.StringBuilder:
		b.BinaryBuilder.Append(scalarBytes(s))
	case *array.LargeStringBuilder:
		b.BinaryBuilder.Append(scalarBytes(s))
	case *array.BinaryBuilder:
		b.Append(scalarBytes(s))
	case *array.Date32Builder:
		b.Append(arrow.Date32(s.Value.(int64)))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(s.Value.(int64)))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(s.Value.(int64)))
	case *array.Decimal128Builder:
		b.Append(s.Value.(decimal128.Num))
	default:
		return fmt.Errorf("cannot build arrays of type %s", SQLTypeName(s.Type))
	}
	return nil
}

// numericCast returns a typed loop for int/uint/float conversions, nil for
// other pairs.
func numericCast(from, to arrow.DataType) arrayCast {
	switch from.ID() {
	case arrow.INT8:
		return numCastFrom[int8](to)
	case arrow.INT16:
		return numCastFrom[int16](to)
	case arrow.INT32:
		return numCastFrom[int32](to)
	case arrow.INT64:
		return numCastFrom[int64](to)
	case arrow.UINT8:
		return numCastFrom[uint8](to)
	case arrow.UINT16:
		return numCastFrom[uint16](to)
	case arrow.UINT32:
		return numCastFrom[uint32](to)
	case arrow.UINT64:
		return numCastFrom[uint64](to)
	case arrow.FLOAT32:
		return numCastFrom[float32](to)
	case arrow.FLOAT64:
		return numCastFrom[float64](to)
	}
	return nil
}

func numCastFrom[S ordered](to arrow.DataType) arrayCast {
	switch to.ID() {
	case arrow.INT8:
		return numCast[S, int8](to)
	case arrow.INT16:
		return numCast[S, int16](to)
	case arrow.INT32:
		return numCast[S, int32](to)
	case arrow.INT64:
		return numCast[S, int64](to)
	case arrow.UINT8:
		return numCast[S, uint8](to)
	case arrow.UINT16:
		return numCast[S, uint16](to)
	case arrow.UINT32:
		return numCast[S, uint32](to)
	case arrow.UINT64:
		return numCast[S, uint64](to)
	case arrow.FLOAT32:
		return numCast[S, float32](to)
	case arrow.FLOAT64:
		return numCast[S, float64](to)
	}
	return nil
}

func isFloatT[T ordered]() bool {
	var x T = 1
	x /= 2
	return x != 0
}

// numCast converts S to D: integers are range checked (a value that does
// not survive the round trip, or changes sign, is out of range), floats
// round half to even before becoming integers, as PostgreSQL's rint.
func numCast[S, D ordered](to arrow.DataType) arrayCast {
	fromFloat, toFloat := isFloatT[S](), isFloatT[D]()
	return func(mem memory.Allocator, a arrow.Array, valid []byte) (arrow.Array, error) {
		src := values[S](a)
		buf, out := newFixed[D](mem, len(src))
		bad := false
		switch {
		case toFloat:
			for i, x := range src {
				out[i] = D(x)
			}
			if fromFloat {
				// float64 -> float32 overflow becomes Inf.
				for i, x := range src {
					bad = bad || (!math.IsInf(float64(x), 0) && math.IsInf(float64(out[i]), 0))
				}
			}
		case fromFloat:
			for i, x := range src {
				r := math.RoundToEven(float64(x))
				d := D(r)
				out[i] = d
				bad = bad || (float64(d) != r && isValid(valid, i))
			}
		default:
			for i, x := range src {
				d := D(x)
				out[i] = d
				bad = bad || S(d) != x || (x < 0) != (d < 0)
			}
		}
		if bad && firstBad(len(src), valid, func(i int) bool {
			x, d := src[i], out[i]
			switch {
			case toFloat:
				return !math.IsInf(float64(x), 0) && math.IsInf(float64(d), 0)
			case fromFloat:
				r := math.RoundToEven(float64(x))
				return float64(d) != r || math.IsNaN(r) || r >= 1.8446744073709551616e19 || r <= -9.223372036854775809e18
			}
			return S(d) != x || (x < 0) != (d < 0)
		}) {
			buf.Release()
			if toFloat {
				return nil, fmt.Errorf("value out of range: overflow")
			}
			return nil, fmt.Errorf("%s out of range", SQLTypeName(to))
		}
		return fixedArray(mem, to, len(src), buf, valid), nil
	}
}
