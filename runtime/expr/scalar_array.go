package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ScalarAt returns value i of arr as a Scalar in the normalised
// representation documented on Scalar. Binary values are copied, so the
// Scalar outlives the array. Types outside Scalar's table, and i out of
// range, yield a NULL of arr's type.
func ScalarAt(arr arrow.Array, i int) Scalar {
	dt := arr.DataType()
	if i < 0 || i >= arr.Len() || arr.IsNull(i) {
		return Null(dt)
	}
	var v any
	switch a := arr.(type) {
	case *array.Boolean:
		v = a.Value(i)
	case *array.Int8:
		v = int64(a.Value(i))
	case *array.Int16:
		v = int64(a.Value(i))
	case *array.Int32:
		v = int64(a.Value(i))
	case *array.Int64:
		v = a.Value(i)
	case *array.Uint8:
		v = uint64(a.Value(i))
	case *array.Uint16:
		v = uint64(a.Value(i))
	case *array.Uint32:
		v = uint64(a.Value(i))
	case *array.Uint64:
		v = a.Value(i)
	case *array.Float32:
		v = float64(a.Value(i))
	case *array.Float64:
		v = a.Value(i)
	case *array.String:
		v = string([]byte(a.Value(i)))
	case *array.LargeString:
		v = string([]byte(a.Value(i)))
	case *array.Binary:
		v = append([]byte{}, a.Value(i)...)
	case *array.LargeBinary:
		v = append([]byte{}, a.Value(i)...)
	case *array.Date32:
		v = int64(a.Value(i))
	case *array.Timestamp:
		v = int64(a.Value(i))
	case *array.Duration:
		v = int64(a.Value(i))
	case *array.Decimal128:
		v = a.Value(i)
	default:
		return Null(dt)
	}
	return Scalar{Type: dt, Value: v}
}

// MakeArray returns an array of n copies of s (n NULLs when s is NULL).
// A Scalar whose Value does not match its Type also yields NULLs: callers
// build Scalars through the constructors, so that only happens on bugs.
func MakeArray(mem memory.Allocator, s Scalar, n int) arrow.Array {
	if n < 0 {
		n = 0
	}
	if s.Null || !valueMatchesType(s) {
		return array.MakeArrayOfNull(mem, s.Type, n)
	}
	switch s.Type.ID() {
	case arrow.BOOL:
		buf, bits := newBitmap(mem, n)
		if s.Value.(bool) {
			for i := range bits {
				bits[i] = 0xFF
			}
		}
		return makeArray(s.Type, n, []*memory.Buffer{nil, buf}, 0)
	case arrow.INT8:
		return fill(mem, s.Type, n, int8(s.Value.(int64)))
	case arrow.INT16:
		return fill(mem, s.Type, n, int16(s.Value.(int64)))
	case arrow.INT32, arrow.DATE32:
		return fill(mem, s.Type, n, int32(s.Value.(int64)))
	case arrow.INT64, arrow.TIMESTAMP, arrow.DURATION:
		return fill(mem, s.Type, n, s.Value.(int64))
	case arrow.UINT8:
		return fill(mem, s.Type, n, uint8(s.Value.(uint64)))
	case arrow.UINT16:
		return fill(mem, s.Type, n, uint16(s.Value.(uint64)))
	case arrow.UINT32:
		return fill(mem, s.Type, n, uint32(s.Value.(uint64)))
	case arrow.UINT64:
		return fill(mem, s.Type, n, s.Value.(uint64))
	case arrow.FLOAT32:
		return fill(mem, s.Type, n, float32(s.Value.(float64)))
	case arrow.FLOAT64:
		return fill(mem, s.Type, n, s.Value.(float64))
	case arrow.DECIMAL128:
		return fill(mem, s.Type, n, s.Value.(decimal128.Num))
	case arrow.STRING, arrow.BINARY:
		return fillBinary[int32](mem, s.Type, n, scalarBytes(s))
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return fillBinary[int64](mem, s.Type, n, scalarBytes(s))
	}
	return array.MakeArrayOfNull(mem, s.Type, n)
}

// valueMatchesType reports whether s.Value has the Go type Scalar's table
// prescribes for s.Type.
func valueMatchesType(s Scalar) bool {
	if s.Type == nil {
		return false
	}
	var ok bool
	switch s.Type.ID() {
	case arrow.BOOL:
		_, ok = s.Value.(bool)
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.DATE32, arrow.TIMESTAMP, arrow.DURATION:
		_, ok = s.Value.(int64)
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		_, ok = s.Value.(uint64)
	case arrow.FLOAT32, arrow.FLOAT64:
		_, ok = s.Value.(float64)
	case arrow.DECIMAL128:
		_, ok = s.Value.(decimal128.Num)
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		switch s.Value.(type) {
		case string, []byte:
			ok = true
		}
	}
	return ok
}

// scalarBytes returns the bytes of a string or binary scalar.
func scalarBytes(s Scalar) []byte {
	switch v := s.Value.(type) {
	case string:
		return []byte(v)
	case []byte:
		return v
	}
	return nil
}

func fill[T fixedWidth](mem memory.Allocator, dt arrow.DataType, n int, v T) arrow.Array {
	buf, vals := newFixed[T](mem, n)
	for i := range vals {
		vals[i] = v
	}
	return makeArray(dt, n, []*memory.Buffer{nil, buf}, 0)
}

func fillBinary[O offsetT](mem memory.Allocator, dt arrow.DataType, n int, v []byte) arrow.Array {
	ob, offs := newFixed[O](mem, n+1)
	db := newBuf(mem, n*len(v))
	data := db.Bytes()
	for i := 0; i <= n; i++ {
		offs[i] = O(i * len(v))
	}
	for i := 0; i < n; i++ {
		copy(data[i*len(v):], v)
	}
	return makeArray(dt, n, []*memory.Buffer{nil, ob, db}, 0)
}
