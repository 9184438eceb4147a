package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// interleave assembles an array of type dt and len(which) values from
// parts: value j is row at[j] of parts[which[j]], or NULL when which[j] is
// negative. CASE, COALESCE and GREATEST/LEAST compute each part over the
// rows that need it and merge the parts with it. Like gather it is written
// per physical layout.
func interleave(mem memory.Allocator, dt arrow.DataType, parts []arrow.Array, which, at []int32) (arrow.Array, error) {
	n := len(which)
	if dt.ID() == arrow.NULL {
		return array.MakeArrayOfNull(mem, dt, n), nil
	}
	for _, p := range parts {
		if !arrow.TypeEqual(p.DataType(), dt) {
			return nil, fmt.Errorf("internal error: cannot merge %s values into %s", SQLTypeName(p.DataType()), SQLTypeName(dt))
		}
	}
	valids := make([][]byte, len(parts))
	for i, p := range parts {
		valids[i] = validity(p)
	}
	valid := make([]byte, bitutil.BytesForBits(int64(n)))
	for j, w := range which {
		if w >= 0 && isValid(valids[w], int(at[j])) {
			valid[j>>3] |= 1 << (j & 7)
		}
	}
	switch dt.ID() {
	case arrow.BOOL:
		bits := make([][]byte, len(parts))
		for i, p := range parts {
			bits[i] = boolBits(p.(*array.Boolean))
		}
		buf, out := newBitmap(mem, n)
		for j, w := range which {
			if w >= 0 {
				i := at[j]
				if bits[w][i>>3]&(1<<(i&7)) != 0 {
					out[j>>3] |= 1 << (j & 7)
				}
			}
		}
		return fixedArray(mem, dt, n, buf, valid), nil
	case arrow.STRING, arrow.BINARY:
		return interleaveBinary[int32](mem, dt, parts, which, at, valid), nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return interleaveBinary[int64](mem, dt, parts, which, at, valid), nil
	}
	fw, ok := dt.(arrow.FixedWidthDataType)
	if !ok {
		return nil, fmt.Errorf("unsupported type %s", SQLTypeName(dt))
	}
	switch fw.BitWidth() {
	case 8:
		return interleaveFixed[uint8](mem, dt, parts, which, at, valid), nil
	case 16:
		return interleaveFixed[uint16](mem, dt, parts, which, at, valid), nil
	case 32:
		return interleaveFixed[uint32](mem, dt, parts, which, at, valid), nil
	case 64:
		return interleaveFixed[uint64](mem, dt, parts, which, at, valid), nil
	case 128:
		return interleaveFixed[decimal128.Num](mem, dt, parts, which, at, valid), nil
	}
	return nil, fmt.Errorf("unsupported type %s", SQLTypeName(dt))
}

func interleaveFixed[T fixedWidth](mem memory.Allocator, dt arrow.DataType, parts []arrow.Array, which, at []int32, valid []byte) arrow.Array {
	src := make([][]T, len(parts))
	for i, p := range parts {
		src[i] = values[T](p)
	}
	buf, out := newFixed[T](mem, len(which))
	var zero T
	for j, w := range which {
		if w < 0 {
			out[j] = zero
			continue
		}
		out[j] = src[w][at[j]]
	}
	return fixedArray(mem, dt, len(which), buf, valid)
}

func interleaveBinary[O offsetT](mem memory.Allocator, dt arrow.DataType, parts []arrow.Array, which, at []int32, valid []byte) arrow.Array {
	offs := make([][]O, len(parts))
	datas := make([][]byte, len(parts))
	for i, p := range parts {
		offs[i], datas[i] = binaryParts[O](p)
	}
	n := len(which)
	total := 0
	for j, w := range which {
		if w >= 0 {
			o := offs[w]
			total += int(o[at[j]+1] - o[at[j]])
		}
	}
	ob, outOffs := newFixed[O](mem, n+1)
	db := newBuf(mem, total)
	data := db.Bytes()
	pos := 0
	outOffs[0] = 0
	for j, w := range which {
		if w >= 0 {
			o, i := offs[w], at[j]
			pos += copy(data[pos:], datas[w][o[i]:o[i+1]])
		}
		outOffs[j+1] = O(pos)
	}
	vb, nulls := validityBuf(mem, valid, n)
	return makeArray(dt, n, []*memory.Buffer{vb, ob, db}, nulls)
}

// withValidity returns a's values under a new re-based validity bitmap
// (nil: no nulls), sharing a's buffers.
func withValidity(mem memory.Allocator, a arrow.Array, valid []byte) (arrow.Array, error) {
	if a.Data().Offset() != 0 {
		// Re-base a sliced array first so the new bitmap lines up.
		idx := make([]int32, a.Len())
		for i := range idx {
			idx[i] = int32(i)
		}
		g, err := gather(mem, a, idx)
		if err != nil {
			return nil, err
		}
		defer g.Release()
		a = g
	}
	vb, nulls := validityBuf(mem, valid, a.Len())
	bufs := append([]*memory.Buffer{vb}, a.Data().Buffers()[1:]...)
	d := array.NewData(a.DataType(), a.Len(), bufs, a.Data().Children(), nulls, 0)
	if vb != nil {
		vb.Release()
	}
	out := array.MakeFromData(d)
	d.Release()
	return out, nil
}
