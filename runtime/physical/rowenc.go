package physical

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Sort, top-N, merge, the group keys of an aggregate and hash
// repartitioning all need to compare or hash tuples of values of any type.
// Instead of a comparator per type called per row (interface dispatch in
// the hottest loop), the key columns are encoded once, column at a time
// with typed loops, into one byte string per row whose bytewise order is
// the SQL order of the tuple (the idea of arrow-rs's row format). Then
// every comparison is a bytes.Compare and every equality a map lookup.
//
// Encoding of one value: a marker byte (0x01 for a value; 0x00 for NULL
// when nulls sort first, 0x02 when last), then an order-preserving image
// of the value, bit-inverted for descending keys:
//   - signed integers (and date/time/timestamp/duration): 8 bytes big
//     endian with the sign bit flipped;
//   - unsigned integers: 8 bytes big endian;
//   - floats: the IEEE bits made monotonic, -0 folded into +0 and every NaN
//     into one NaN sorting after +Inf (PostgreSQL's order);
//   - booleans: one byte;
//   - decimal128: the 128-bit two's complement value, high word first with
//     its sign flipped;
//   - strings and binary: the bytes with 0x00 escaped as 0x00 0xFF, ended
//     by 0x00 0x00, so a prefix sorts before its extensions.
//
// NULL values are written as the marker followed by zeros of the fixed
// width (or nothing, for variable-width types).

// keyColumn is one column of keys to encode: n rows of arr, either the
// rows listed in sel or (sel nil) rows 0..n-1.
type keyColumn struct {
	arr        arrow.Array
	sel        []int32
	desc       bool
	nullsFirst bool
}

// encodedRows holds n encoded rows: row i is data[offs[i]:offs[i+1]].
type encodedRows struct {
	data []byte
	offs []int
}

func (r *encodedRows) row(i int) []byte { return r.data[r.offs[i]:r.offs[i+1]] }

func (r *encodedRows) len() int { return len(r.offs) - 1 }

// fixedKeyWidth returns the encoded width of t's values, 0 for variable
// width types and -1 for unsupported ones.
func fixedKeyWidth(t arrow.DataType) int {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION,
		arrow.FLOAT32, arrow.FLOAT64:
		return 8
	case arrow.BOOL:
		return 1
	case arrow.DECIMAL128:
		return 16
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return 0
	}
	return -1
}

// checkKeyType reports an error for types rows cannot be encoded from.
func checkKeyType(t arrow.DataType) error {
	if fixedKeyWidth(t) < 0 {
		return fmt.Errorf("cannot sort, group or hash values of type %s", t)
	}
	return nil
}

// encodeRows encodes n rows of cols into r, reusing r's buffers.
func encodeRows(r *encodedRows, cols []keyColumn, n int) error {
	if cap(r.offs) < n+1 {
		r.offs = make([]int, n+1)
	}
	r.offs = r.offs[:n+1]
	clear(r.offs)
	// Pass 1: each row's length, into offs[i+1], then prefix sums.
	fixed := 0
	for _, c := range cols {
		w := fixedKeyWidth(c.arr.DataType())
		switch {
		case w < 0:
			return checkKeyType(c.arr.DataType())
		case w > 0:
			fixed += 1 + w
		default:
			addVarLengths(r.offs[1:], c)
		}
	}
	for i := 1; i <= n; i++ {
		r.offs[i] += r.offs[i-1] + fixed
	}
	if cap(r.data) < r.offs[n] {
		r.data = make([]byte, r.offs[n])
	}
	r.data = r.data[:r.offs[n]]
	// Pass 2: write each column at every row's cursor.
	pos := make([]int, n)
	copy(pos, r.offs[:n])
	for _, c := range cols {
		encodeColumn(r.data, pos, c)
	}
	return nil
}

// rowOf maps the i-th encoded row to its row in the column's array.
func rowOf(sel []int32, i int) int {
	if sel != nil {
		return int(sel[i])
	}
	return i
}

func addVarLengths(lens []int, c keyColumn) {
	switch c.arr.DataType().ID() {
	case arrow.STRING, arrow.BINARY:
		addVarLengthsOf[int32](lens, c)
	default:
		addVarLengthsOf[int64](lens, c)
	}
}

func addVarLengthsOf[O int32 | int64](lens []int, c keyColumn) {
	v := varView[O](c.arr)
	valid, off := validity(c.arr)
	for i := range lens {
		row := rowOf(c.sel, i)
		if valid != nil && !bitutil.BitIsSet(valid, off+row) {
			lens[i]++
			continue
		}
		b := v.data[v.offs[row]:v.offs[row+1]]
		lens[i] += 3 + len(b) + countZeros(b)
	}
}

func countZeros(b []byte) int {
	n := 0
	for _, x := range b {
		if x == 0 {
			n++
		}
	}
	return n
}

func encodeColumn(dst []byte, pos []int, c keyColumn) {
	a := c.arr
	switch a.DataType().ID() {
	case arrow.INT8:
		encodeFixed(dst, pos, c, fixedValues[int8](a), signedKey)
	case arrow.INT16:
		encodeFixed(dst, pos, c, fixedValues[int16](a), signedKey)
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		encodeFixed(dst, pos, c, fixedValues[int32](a), signedKey)
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		encodeFixed(dst, pos, c, fixedValues[int64](a), signedKey)
	case arrow.UINT8:
		encodeFixed(dst, pos, c, fixedValues[uint8](a), unsignedKey)
	case arrow.UINT16:
		encodeFixed(dst, pos, c, fixedValues[uint16](a), unsignedKey)
	case arrow.UINT32:
		encodeFixed(dst, pos, c, fixedValues[uint32](a), unsignedKey)
	case arrow.UINT64:
		encodeFixed(dst, pos, c, fixedValues[uint64](a), unsignedKey)
	case arrow.FLOAT32:
		encodeFixed(dst, pos, c, fixedValues[float32](a), floatKey)
	case arrow.FLOAT64:
		encodeFixed(dst, pos, c, fixedValues[float64](a), floatKey)
	case arrow.DECIMAL128:
		encodeFixed(dst, pos, c, fixedValues[decimal128.Num](a), decimalKey)
	case arrow.BOOL:
		encodeBool(dst, pos, c)
	case arrow.STRING, arrow.BINARY:
		encodeVar[int32](dst, pos, c)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		encodeVar[int64](dst, pos, c)
	}
}

func signedKey[T int8 | int16 | int32 | int64](dst []byte, v T) int {
	binary.BigEndian.PutUint64(dst, uint64(int64(v))^(1<<63))
	return 8
}

func unsignedKey[T uint8 | uint16 | uint32 | uint64](dst []byte, v T) int {
	binary.BigEndian.PutUint64(dst, uint64(v))
	return 8
}

func floatKey[T float32 | float64](dst []byte, v T) int {
	binary.BigEndian.PutUint64(dst, floatOrderBits(float64(v)))
	return 8
}

// floatOrderBits maps f to bits whose unsigned order is PostgreSQL's order of
// floats: -0 folded into +0 and every NaN into one NaN after +Inf.
func floatOrderBits(f float64) uint64 {
	switch {
	case f != f:
		return math.MaxUint64
	case f == 0:
		return 1 << 63
	}
	bits := math.Float64bits(f)
	if bits>>63 == 1 {
		return ^bits
	}
	return bits ^ 1<<63
}

func decimalKey(dst []byte, v decimal128.Num) int {
	binary.BigEndian.PutUint64(dst, uint64(v.HighBits())^(1<<63))
	binary.BigEndian.PutUint64(dst[8:], v.LowBits())
	return 16
}

// marker returns the leading byte of a value (valid) or of a NULL.
func marker(c keyColumn, valid bool) byte {
	switch {
	case valid:
		return 1
	case c.nullsFirst:
		return 0
	}
	return 2
}

func invert(b []byte) {
	for i := range b {
		b[i] = ^b[i]
	}
}

func encodeFixed[T any](dst []byte, pos []int, c keyColumn, vals []T, enc func([]byte, T) int) {
	valid, off := validity(c.arr)
	w := fixedKeyWidth(c.arr.DataType())
	for i := range pos {
		row := rowOf(c.sel, i)
		p := pos[i]
		if valid != nil && !bitutil.BitIsSet(valid, off+row) {
			dst[p] = marker(c, false)
			clear(dst[p+1 : p+1+w])
		} else {
			dst[p] = 1
			enc(dst[p+1:], vals[row])
			if c.desc {
				invert(dst[p+1 : p+1+w])
			}
		}
		pos[i] = p + 1 + w
	}
}

func encodeBool(dst []byte, pos []int, c keyColumn) {
	valid, off := validity(c.arr)
	d := c.arr.Data()
	bits := d.Buffers()[1].Bytes()
	for i := range pos {
		row := rowOf(c.sel, i)
		p := pos[i]
		if valid != nil && !bitutil.BitIsSet(valid, off+row) {
			dst[p], dst[p+1] = marker(c, false), 0
		} else {
			dst[p], dst[p+1] = 1, 0
			if bitutil.BitIsSet(bits, d.Offset()+row) {
				dst[p+1] = 1
			}
			if c.desc {
				dst[p+1] = ^dst[p+1]
			}
		}
		pos[i] = p + 2
	}
}

func encodeVar[O int32 | int64](dst []byte, pos []int, c keyColumn) {
	v := varView[O](c.arr)
	valid, off := validity(c.arr)
	for i := range pos {
		row := rowOf(c.sel, i)
		p := pos[i]
		if valid != nil && !bitutil.BitIsSet(valid, off+row) {
			dst[p] = marker(c, false)
			pos[i] = p + 1
			continue
		}
		dst[p] = 1
		start := p + 1
		p = start
		for _, x := range v.data[v.offs[row]:v.offs[row+1]] {
			dst[p] = x
			p++
			if x == 0 {
				dst[p] = 0xFF
				p++
			}
		}
		dst[p], dst[p+1] = 0, 0
		p += 2
		if c.desc {
			invert(dst[start:p])
		}
		pos[i] = p
	}
}
