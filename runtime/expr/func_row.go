package expr

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The row function, written (a, b, ...) in SQL, is a row value for
// count(DISTINCT (a, b)): it encodes each row's fields into one binary
// value, equal exactly when the fields are pairwise equal as DISTINCT
// compares them (NULL equal to NULL, -0 equal to 0, NaN equal to NaN). A
// row value is never NULL, even when its fields are, as in PostgreSQL.
func compileRow(args []node, f *Func) (node, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("a row value needs at least 2 fields, not %d", len(args))
	}
	if f.Type.ID() != arrow.BINARY {
		return nil, fmt.Errorf("a row value is encoded as BYTEA, not %s", SQLTypeName(f.Type))
	}
	for _, a := range args {
		if a.dataType().ID() != arrow.NULL && !comparableType(a.dataType()) {
			return nil, fmt.Errorf("a row value cannot hold values of type %s", SQLTypeName(a.dataType()))
		}
	}
	return &funcNode{name: "row", args: args, t: arrow.BinaryTypes.Binary, k: rowKernel}, nil
}

func rowKernel(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
	n := arrs[0].Len()
	if n == 0 {
		return array.MakeArrayOfNull(mem, arrow.BinaryTypes.Binary, 0), nil
	}
	enc := make([]func(dst []byte, i int) []byte, len(arrs))
	valids := make([][]byte, len(arrs))
	for k, a := range arrs {
		valids[k] = validity(a)
		enc[k] = fieldEncoder(a)
	}
	offs := make([]int32, 1, n+1)
	var data []byte
	for i := 0; i < n; i++ {
		for k := range arrs {
			if arrs[k].DataType().ID() == arrow.NULL || !isValid(valids[k], i) {
				data = append(data, 0)
				continue
			}
			data = append(data, 1)
			data = enc[k](data, i)
		}
		if len(data) > math.MaxInt32 {
			return nil, errStringTooLong
		}
		offs = append(offs, int32(len(data)))
	}
	ob, o := newFixed[int32](mem, n+1)
	copy(o, offs)
	db := newBuf(mem, len(data))
	copy(db.Bytes(), data)
	return makeArray(arrow.BinaryTypes.Binary, n, []*memory.Buffer{nil, ob, db}, 0), nil
}

// fieldEncoder appends value i of a to dst, self-delimiting (fixed width
// or length-prefixed), so concatenated fields decode unambiguously.
func fieldEncoder(a arrow.Array) func(dst []byte, i int) []byte {
	switch a.DataType().ID() {
	case arrow.NULL:
		return func(dst []byte, _ int) []byte { return dst }
	case arrow.BOOL:
		b := a.(*array.Boolean)
		return func(dst []byte, i int) []byte {
			if b.Value(i) {
				return append(dst, 1)
			}
			return append(dst, 0)
		}
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		v := viewStrings(a)
		return func(dst []byte, i int) []byte {
			s := v.at(i)
			dst = binary.AppendUvarint(dst, uint64(len(s)))
			return append(dst, s...)
		}
	case arrow.FLOAT32:
		v := values[float32](a)
		return func(dst []byte, i int) []byte {
			return binary.LittleEndian.AppendUint64(dst, canonicalFloat(float64(v[i])))
		}
	case arrow.FLOAT64:
		v := values[float64](a)
		return func(dst []byte, i int) []byte { return binary.LittleEndian.AppendUint64(dst, canonicalFloat(v[i])) }
	}
	// Fixed-width integers, dates, timestamps, durations, decimals: the
	// value's bytes (one type per field, so widths agree row to row).
	fw := a.DataType().(arrow.FixedWidthDataType).BitWidth() / 8
	raw := a.Data().Buffers()[1].Bytes()[a.Data().Offset()*fw:]
	return func(dst []byte, i int) []byte { return append(dst, raw[i*fw:(i+1)*fw]...) }
}

// canonicalFloat maps equal floats (as DISTINCT sees them) to equal bits.
func canonicalFloat(f float64) uint64 {
	switch {
	case f != f:
		return 0x7FF8000000000001
	case f == 0:
		return 0
	}
	return math.Float64bits(f)
}
