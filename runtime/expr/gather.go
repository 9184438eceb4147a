package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// gather returns the rows sel of arr as a new dense array (arr itself,
// retained, when sel is nil). Operators above a filter read columns through
// it, so it is written per physical layout rather than through a builder.
func gather(mem memory.Allocator, arr arrow.Array, sel []int32) (arrow.Array, error) {
	if sel == nil {
		arr.Retain()
		return arr, nil
	}
	n := len(sel)
	if n > 0 && int(sel[n-1]) >= arr.Len() {
		return nil, fmt.Errorf("selection index %d out of range for %d rows", sel[n-1], arr.Len())
	}
	var valid []byte
	if v := validity(arr); v != nil {
		valid = make([]byte, bitutil.BytesForBits(int64(n)))
		for j, i := range sel {
			if v[uint(i)>>3]&(1<<(uint(i)&7)) != 0 {
				valid[j>>3] |= 1 << (j & 7)
			}
		}
	}
	dt := arr.DataType()
	switch a := arr.(type) {
	case *array.Boolean:
		bits := boolBits(a)
		buf, out := newBitmap(mem, n)
		for j, i := range sel {
			if bits[uint(i)>>3]&(1<<(uint(i)&7)) != 0 {
				out[j>>3] |= 1 << (j & 7)
			}
		}
		return fixedArray(mem, dt, n, buf, valid), nil
	case *array.String, *array.Binary:
		return gatherBinary[int32](mem, arr, sel, valid), nil
	case *array.LargeString, *array.LargeBinary:
		return gatherBinary[int64](mem, arr, sel, valid), nil
	}
	fw, ok := dt.(arrow.FixedWidthDataType)
	if !ok {
		return nil, fmt.Errorf("unsupported type %s", dt)
	}
	switch fw.BitWidth() {
	case 8:
		return gatherFixed[uint8](mem, arr, sel, valid), nil
	case 16:
		return gatherFixed[uint16](mem, arr, sel, valid), nil
	case 32:
		return gatherFixed[uint32](mem, arr, sel, valid), nil
	case 64:
		return gatherFixed[uint64](mem, arr, sel, valid), nil
	case 128:
		return gatherFixed[decimal128.Num](mem, arr, sel, valid), nil
	}
	return nil, fmt.Errorf("unsupported type %s", dt)
}

func gatherFixed[T fixedWidth](mem memory.Allocator, arr arrow.Array, sel []int32, valid []byte) arrow.Array {
	src := values[T](arr)
	buf, out := newFixed[T](mem, len(sel))
	for j, i := range sel {
		out[j] = src[i]
	}
	return fixedArray(mem, arr.DataType(), len(sel), buf, valid)
}

func gatherBinary[O offsetT](mem memory.Allocator, arr arrow.Array, sel []int32, valid []byte) arrow.Array {
	offs, data := binaryParts[O](arr)
	n := len(sel)
	total := 0
	for _, i := range sel {
		total += int(offs[i+1] - offs[i])
	}
	ob, outOffs := newFixed[O](mem, n+1)
	db := newBuf(mem, total)
	outData := db.Bytes()
	pos := 0
	outOffs[0] = 0
	for j, i := range sel {
		pos += copy(outData[pos:], data[offs[i]:offs[i+1]])
		outOffs[j+1] = O(pos)
	}
	vb, nulls := validityBuf(mem, valid, n)
	return makeArray(arr.DataType(), n, []*memory.Buffer{vb, ob, db}, nulls)
}
