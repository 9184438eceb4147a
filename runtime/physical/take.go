package physical

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rowRef names one row of one of several buffered batches.
type rowRef struct{ batch, row int32 }

// reinterpret views a byte buffer as a slice of T without copying.
func reinterpret[T any](b []byte) []T {
	var z T
	n := len(b) / int(unsafe.Sizeof(z))
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}

// fixedValues returns the values of a fixed-width array as []T (T must have
// the type's byte width), already adjusted for the array's offset.
func fixedValues[T any](a arrow.Array) []T {
	d := a.Data()
	bufs := d.Buffers()
	if len(bufs) < 2 || bufs[1] == nil {
		return nil
	}
	v := reinterpret[T](bufs[1].Bytes())
	return v[d.Offset() : d.Offset()+d.Len()]
}

// validity returns the null bitmap and its bit offset, or nil when the
// array has no nulls.
func validity(a arrow.Array) ([]byte, int) {
	if a.NullN() == 0 {
		return nil, 0
	}
	return a.NullBitmapBytes(), a.Data().Offset()
}

func newBuffer(mem memory.Allocator, size int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(size)
	return b
}

// byteWidth returns the element width of a fixed-width layout, 0 for bit
// packed booleans and -1 for anything else.
func byteWidth(t arrow.DataType) int {
	if t.ID() == arrow.BOOL {
		return 0
	}
	if fw, ok := t.(arrow.FixedWidthDataType); ok && t.ID() != arrow.FIXED_SIZE_BINARY {
		switch fw.BitWidth() {
		case 8, 16, 32, 64, 128, 256:
			return fw.BitWidth() / 8
		}
	}
	return -1
}

// gatherSource is the typed view of one input array of a gather.
type gatherSource struct {
	arr   arrow.Array
	valid []byte
	off   int
}

// takeArray gathers arr's rows idx into a new dense array. It is the
// materialisation of a selection vector and the gather of a sort.
func takeArray(mem memory.Allocator, arr arrow.Array, idx []int32) (arrow.Array, error) {
	return takeRows(mem, arr, idx, arr.NullN() > 0)
}

// takeRows is takeArray for a caller that may know better than arr's
// null count: with nulls false the rows idx picks hold no NULL (a join's
// build column has a trailing NULL row that matched rows never pick), so
// the result gets no validity bitmap. Fixed-width and binary layouts are
// gathered straight from idx (the hot gathers of joins, projections and
// aggregates); the rest go through interleave.
func takeRows(mem memory.Allocator, arr arrow.Array, idx []int32, nulls bool) (arrow.Array, error) {
	t := arr.DataType()
	n := len(idx)
	var vals []*memory.Buffer
	switch w := byteWidth(t); {
	case w == 1:
		vals = []*memory.Buffer{takeFixed[uint8](mem, arr, idx)}
	case w == 2:
		vals = []*memory.Buffer{takeFixed[uint16](mem, arr, idx)}
	case w == 4:
		vals = []*memory.Buffer{takeFixed[uint32](mem, arr, idx)}
	case w == 8:
		vals = []*memory.Buffer{takeFixed[uint64](mem, arr, idx)}
	case w == 16:
		vals = []*memory.Buffer{takeFixed[[2]uint64](mem, arr, idx)}
	case t.ID() == arrow.STRING || t.ID() == arrow.BINARY:
		o, d := takeVar[int32](mem, arr, idx)
		vals = []*memory.Buffer{o, d}
	case t.ID() == arrow.LARGE_STRING || t.ID() == arrow.LARGE_BINARY:
		o, d := takeVar[int64](mem, arr, idx)
		vals = []*memory.Buffer{o, d}
	default:
		return takeInterleaved(mem, arr, idx)
	}
	var nullBuf *memory.Buffer
	nullN := 0
	if nulls {
		if valid, off := validity(arr); valid != nil {
			nullBuf, nullN = takeValidity(mem, valid, off, idx)
		}
	}
	bufs := append([]*memory.Buffer{nullBuf}, vals...)
	data := array.NewData(t, n, bufs, nil, nullN, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data), nil
}

// takeValidity gathers the validity bits of rows idx, a byte of output
// at a time, and counts the NULLs.
func takeValidity(mem memory.Allocator, valid []byte, off int, idx []int32) (*memory.Buffer, int) {
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(len(idx)))))
	out := buf.Bytes()
	set := 0
	for o := range out {
		chunk := idx[o*8 : min(len(idx), o*8+8)]
		var b byte
		for j, r := range chunk {
			p := off + int(r)
			b |= (valid[p>>3] >> (p & 7) & 1) << j
		}
		out[o] = b
		set += bits.OnesCount8(b)
	}
	return buf, len(idx) - set
}

func takeFixed[T any](mem memory.Allocator, arr arrow.Array, idx []int32) *memory.Buffer {
	var z T
	buf := newBuffer(mem, len(idx)*int(unsafe.Sizeof(z)))
	out := reinterpret[T](buf.Bytes())[:len(idx)]
	src := fixedValues[T](arr)
	for i, r := range idx {
		out[i] = src[r]
	}
	return buf
}

func takeVar[O int32 | int64](mem memory.Allocator, arr arrow.Array, idx []int32) (*memory.Buffer, *memory.Buffer) {
	src := varView[O](arr)
	offBuf := newBuffer(mem, (len(idx)+1)*int(unsafe.Sizeof(O(0))))
	offs := reinterpret[O](offBuf.Bytes())
	var total O
	offs[0] = 0
	for i, r := range idx {
		total += src.offs[r+1] - src.offs[r]
		offs[i+1] = total
	}
	dataBuf := newBuffer(mem, int(total))
	data := dataBuf.Bytes()
	for i, r := range idx {
		putValue(data, int(offs[i]), src.data, int(src.offs[r]), int(src.offs[r+1]))
	}
	return offBuf, dataBuf
}

// putValue copies src[s:e] to dst at d. Values of at most 8 bytes (codes,
// names, tiers) move as one word when both buffers have 8 bytes from
// there: a load and a store instead of a call to memmove (the bytes past
// the value are overwritten by the next one, or lie past the data).
func putValue(dst []byte, d int, src []byte, s, e int) {
	if e-s <= 8 && s+8 <= len(src) && d+8 <= len(dst) {
		binary.LittleEndian.PutUint64(dst[d:], binary.LittleEndian.Uint64(src[s:]))
		return
	}
	copy(dst[d:d+e-s], src[s:e])
}

// takeInterleaved serves the layouts takeRows has no direct gather for.
func takeInterleaved(mem memory.Allocator, arr arrow.Array, idx []int32) (arrow.Array, error) {
	refs := make([]rowRef, len(idx))
	for i, r := range idx {
		refs[i] = rowRef{0, r}
	}
	return interleave(mem, []arrow.Array{arr}, refs)
}

// scratch returns n elements of room: stack's when they fit, so that a
// caller's small scratch slice stays off the heap.
func scratch[T any](stack []T, n int) []T {
	if n <= len(stack) {
		return stack[:n]
	}
	return make([]T, n)
}

// interleave gathers rows from several arrays of one type, in refs order.
func interleave(mem memory.Allocator, arrs []arrow.Array, refs []rowRef) (arrow.Array, error) {
	if len(arrs) == 0 {
		return nil, fmt.Errorf("interleave: no input arrays")
	}
	t := arrs[0].DataType()
	n := len(refs)
	// Up to a few dozen sources (a merge's partitions) live on the stack.
	var stack [32]gatherSource
	srcs := scratch(stack[:], len(arrs))
	anyNull := false
	for i, a := range arrs {
		// The same type is usually the same value: no deep comparison.
		if at := a.DataType(); at != t && !arrow.TypeEqual(at, t) {
			return nil, fmt.Errorf("interleave: mixed types %s and %s", t, a.DataType())
		}
		v, off := validity(a)
		srcs[i] = gatherSource{arr: a, valid: v, off: off}
		anyNull = anyNull || v != nil
	}
	var nullBuf *memory.Buffer
	nulls := 0
	if anyNull {
		nullBuf = newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
		bits := nullBuf.Bytes()
		for i, r := range refs {
			s := &srcs[r.batch]
			ok := s.valid == nil || bitutil.BitIsSet(s.valid, s.off+int(r.row))
			bitutil.SetBitTo(bits, i, ok)
			if !ok {
				nulls++
			}
		}
	}
	release := func() {
		if nullBuf != nil {
			nullBuf.Release()
		}
	}
	var bufs []*memory.Buffer
	switch w := byteWidth(t); {
	case t.ID() == arrow.NULL:
		release()
		return array.MakeArrayOfNull(mem, t, n), nil
	case w == 0:
		bufs = []*memory.Buffer{nullBuf, gatherBits(mem, arrs, refs)}
	case w == 1:
		bufs = []*memory.Buffer{nullBuf, gatherFixed[uint8](mem, arrs, refs)}
	case w == 2:
		bufs = []*memory.Buffer{nullBuf, gatherFixed[uint16](mem, arrs, refs)}
	case w == 4:
		bufs = []*memory.Buffer{nullBuf, gatherFixed[uint32](mem, arrs, refs)}
	case w == 8:
		bufs = []*memory.Buffer{nullBuf, gatherFixed[uint64](mem, arrs, refs)}
	case w == 16:
		bufs = []*memory.Buffer{nullBuf, gatherFixed[[2]uint64](mem, arrs, refs)}
	case w == 32:
		bufs = []*memory.Buffer{nullBuf, gatherFixed[[4]uint64](mem, arrs, refs)}
	case t.ID() == arrow.STRING || t.ID() == arrow.BINARY:
		o, d := gatherVar[int32](mem, arrs, refs)
		bufs = []*memory.Buffer{nullBuf, o, d}
	case t.ID() == arrow.LARGE_STRING || t.ID() == arrow.LARGE_BINARY:
		o, d := gatherVar[int64](mem, arrs, refs)
		bufs = []*memory.Buffer{nullBuf, o, d}
	default:
		release()
		return interleaveFallback(mem, arrs, refs)
	}
	data := array.NewData(t, n, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data), nil
}

func gatherFixed[T any](mem memory.Allocator, arrs []arrow.Array, refs []rowRef) *memory.Buffer {
	var z T
	buf := newBuffer(mem, len(refs)*int(unsafe.Sizeof(z)))
	out := reinterpret[T](buf.Bytes())
	var stack [32][]T
	srcs := scratch(stack[:], len(arrs))
	for i, a := range arrs {
		srcs[i] = fixedValues[T](a)
	}
	for i, r := range refs {
		out[i] = srcs[r.batch][r.row]
	}
	return buf
}

func gatherBits(mem memory.Allocator, arrs []arrow.Array, refs []rowRef) *memory.Buffer {
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(len(refs)))))
	out := buf.Bytes()
	type src struct {
		bits []byte
		off  int
	}
	srcs := make([]src, len(arrs))
	for i, a := range arrs {
		bufs := a.Data().Buffers()
		if bufs[1] != nil {
			srcs[i] = src{bufs[1].Bytes(), a.Data().Offset()}
		}
	}
	for i, r := range refs {
		s := srcs[r.batch]
		bitutil.SetBitTo(out, i, s.bits != nil && bitutil.BitIsSet(s.bits, s.off+int(r.row)))
	}
	return buf
}

func gatherVar[O int32 | int64](mem memory.Allocator, arrs []arrow.Array, refs []rowRef) (*memory.Buffer, *memory.Buffer) {
	type src struct {
		offs []O
		data []byte
	}
	var stack [32]src
	srcs := scratch(stack[:], len(arrs))
	for i, a := range arrs {
		srcs[i] = varView[O](a)
	}
	offBuf := newBuffer(mem, (len(refs)+1)*int(unsafe.Sizeof(O(0))))
	offs := reinterpret[O](offBuf.Bytes())
	var total O
	offs[0] = 0
	for i, r := range refs {
		s := srcs[r.batch]
		total += s.offs[r.row+1] - s.offs[r.row]
		offs[i+1] = total
	}
	dataBuf := newBuffer(mem, int(total))
	data := dataBuf.Bytes()
	for i, r := range refs {
		s := srcs[r.batch]
		putValue(data, int(offs[i]), s.data, int(s.offs[r.row]), int(s.offs[r.row+1]))
	}
	return offBuf, dataBuf
}

// varView returns the offsets (adjusted for the array's offset, so
// offs[i]..offs[i+1] delimit row i) and the data of a binary-like array.
func varView[O int32 | int64](a arrow.Array) struct {
	offs []O
	data []byte
} {
	d := a.Data()
	bufs := d.Buffers()
	var v struct {
		offs []O
		data []byte
	}
	if bufs[1] != nil {
		v.offs = reinterpret[O](bufs[1].Bytes())[d.Offset() : d.Offset()+d.Len()+1]
	} else {
		v.offs = make([]O, d.Len()+1)
	}
	if len(bufs) > 2 && bufs[2] != nil {
		v.data = bufs[2].Bytes()
	}
	return v
}

// interleaveFallback serves layouts the typed gathers do not (nested and
// dictionary types): rare in tpgen, so arrow-go compute is good enough.
func interleaveFallback(mem memory.Allocator, arrs []arrow.Array, refs []rowRef) (arrow.Array, error) {
	var whole arrow.Array
	starts := make([]int32, len(arrs))
	if len(arrs) == 1 {
		whole = arrs[0]
		whole.Retain()
	} else {
		var err error
		if whole, err = array.Concatenate(arrs, mem); err != nil {
			return nil, err
		}
		var s int32
		for i, a := range arrs {
			starts[i] = s
			s += int32(a.Len())
		}
	}
	defer whole.Release()
	b := array.NewInt32Builder(mem)
	defer b.Release()
	for _, r := range refs {
		b.Append(starts[r.batch] + r.row)
	}
	idx := b.NewArray()
	defer idx.Release()
	ctx := compute.WithAllocator(context.Background(), mem)
	return compute.TakeArray(ctx, whole, idx)
}
