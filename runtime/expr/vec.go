package expr

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// fixedWidth is every Go type an Arrow fixed-width value buffer is read as.
type fixedWidth interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 |
		~float32 | ~float64 | decimal128.Num
}

// ordered are the fixed-width types Go's comparison operators order the way
// SQL does (floats need extra care for NaN, see kernels_cmp.go).
type ordered interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

type signed interface {
	~int8 | ~int16 | ~int32 | ~int64
}

type unsigned interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}

type float interface{ ~float32 | ~float64 }

type offsetT interface{ int32 | int64 }

// castBytes reinterprets a byte buffer as a slice of T without copying;
// Arrow buffers are at least 8-byte aligned, so this is how arrow-go itself
// reads them.
func castBytes[T any](b []byte) []T {
	if len(b) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/int(unsafe.Sizeof(z)))
}

// values returns the value slice of a fixed-width array, offset applied.
func values[T fixedWidth](arr arrow.Array) []T {
	d := arr.Data()
	bufs := d.Buffers()
	if len(bufs) < 2 || bufs[1] == nil {
		return nil
	}
	all := castBytes[T](bufs[1].Bytes())
	off := d.Offset()
	if off+d.Len() > len(all) {
		return nil
	}
	return all[off : off+d.Len()]
}

// binaryParts returns the offsets and data of a string or binary array
// (either offset width), offsets already shifted by the array's offset.
func binaryParts[O offsetT](arr arrow.Array) ([]O, []byte) {
	d := arr.Data()
	bufs := d.Buffers()
	var offs []O
	if bufs[1] != nil {
		offs = castBytes[O](bufs[1].Bytes())
	}
	if len(offs) < d.Offset()+d.Len()+1 {
		return make([]O, d.Len()+1), nil
	}
	var data []byte
	if len(bufs) > 2 && bufs[2] != nil {
		data = bufs[2].Bytes()
	}
	return offs[d.Offset() : d.Offset()+d.Len()+1], data
}

// bstr views b as a string without copying; the result must not outlive b.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// validity returns arr's validity bitmap re-based to bit 0, or nil when arr
// has no nulls. It copies only when the array's offset is not a multiple
// of 8 (sliced arrays).
func validity(arr arrow.Array) []byte {
	if arr.NullN() == 0 {
		return nil
	}
	n := arr.Len()
	bm := arr.NullBitmapBytes()
	off := arr.Data().Offset()
	if bm == nil {
		// A NullType-like array without a bitmap: everything is null.
		return make([]byte, bitutil.BytesForBits(int64(n)))
	}
	if off%8 == 0 {
		return bm[off/8 : off/8+int(bitutil.BytesForBits(int64(n)))]
	}
	out := make([]byte, bitutil.BytesForBits(int64(n)))
	bitutil.CopyBitmap(bm, off, n, out, 0)
	return out
}

// boolBits returns the value bitmap of a boolean array re-based to bit 0.
func boolBits(arr *array.Boolean) []byte {
	n := arr.Len()
	buf := arr.Data().Buffers()[1]
	if buf == nil {
		return make([]byte, bitutil.BytesForBits(int64(n)))
	}
	bm := buf.Bytes()
	off := arr.Data().Offset()
	if off%8 == 0 {
		return bm[off/8 : off/8+int(bitutil.BytesForBits(int64(n)))]
	}
	out := make([]byte, bitutil.BytesForBits(int64(n)))
	bitutil.CopyBitmap(bm, off, n, out, 0)
	return out
}

// newBuf allocates a buffer of n bytes from mem.
func newBuf(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(n)
	return b
}

// newFixed allocates the value buffer of an n-element fixed-width array.
func newFixed[T fixedWidth](mem memory.Allocator, n int) (*memory.Buffer, []T) {
	var z T
	b := newBuf(mem, n*int(unsafe.Sizeof(z)))
	return b, castBytes[T](b.Bytes())[:n]
}

// newBitmap allocates a zeroed bitmap of n bits.
func newBitmap(mem memory.Allocator, n int) (*memory.Buffer, []byte) {
	b := newBuf(mem, int(bitutil.BytesForBits(int64(n))))
	bs := b.Bytes()
	clear(bs)
	return b, bs
}

// validityBuf copies a re-based validity bitmap (nil: no nulls) into an
// Arrow buffer and counts the nulls.
func validityBuf(mem memory.Allocator, valid []byte, n int) (*memory.Buffer, int) {
	if valid == nil {
		return nil, 0
	}
	nulls := n - bitutil.CountSetBits(valid, 0, n)
	if nulls == 0 {
		return nil, 0
	}
	b, bs := newBitmap(mem, n)
	copy(bs, valid)
	return b, nulls
}

// makeArray assembles an array from buffers it takes ownership of.
func makeArray(dt arrow.DataType, n int, bufs []*memory.Buffer, nulls int) arrow.Array {
	d := array.NewData(dt, n, bufs, nil, nulls, 0)
	arr := array.MakeFromData(d)
	d.Release()
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	return arr
}

// fixedArray builds a fixed-width array from a value buffer and a re-based
// validity bitmap (nil: no nulls).
func fixedArray(mem memory.Allocator, dt arrow.DataType, n int, vals *memory.Buffer, valid []byte) arrow.Array {
	vb, nulls := validityBuf(mem, valid, n)
	return makeArray(dt, n, []*memory.Buffer{vb, vals}, nulls)
}

// andValidity combines two re-based validity bitmaps (nil: all valid).
func andValidity(a, b []byte, n int) []byte {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	out := make([]byte, bitutil.BytesForBits(int64(n)))
	for i := range out {
		out[i] = a[i] & b[i]
	}
	return out
}

// rowCount is the number of rows an evaluation over sel yields.
func rowCount(rec arrow.RecordBatch, sel []int32) int {
	if sel != nil {
		return len(sel)
	}
	return int(rec.NumRows())
}

// isValid reports whether bit i of a re-based validity bitmap is set.
func isValid(valid []byte, i int) bool {
	return valid == nil || valid[uint(i)>>3]&(1<<(uint(i)&7)) != 0
}
