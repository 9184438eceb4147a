package physical

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// keyTable indexes build rows by a key that is not one integer column
// (several columns, strings, floats, decimals, booleans) without encoding
// rows into bytes: the key columns are hashed column by column into one
// uint64 per row (as DataFusion's create_hashes), an open-addressing table
// maps a hash to the first build row of its key (the rest chained by
// joinTable.next), and a probe compares the key columns of a probe row and
// its candidate column by column, with a typed loop per column over the
// whole batch. Equal hashes of different keys (rare with 64 bits) are
// resolved by probing on.
//
// Equality is the SQL equality of the join: NULL keys never get here
// (their rows are skipped), floats compare -0 equal to +0 and NaN equal to
// NaN (as the byte-encoded keys other operators use do).
type keyTable struct {
	slots []keySlot
	mask  uint64
	// cols are the build side's key columns, one value per build row.
	cols    []arrow.Array
	kernels []keyKernel
}

// keySlot holds the high half of a key's hash (the low bits choose the
// slot) and its first build row plus one; 0 marks an empty slot. Eight
// bytes a slot keep the table of a build side of 100K keys in 2 MB.
type keySlot struct {
	tag uint32
	row int32
}

func tagOf(h uint64) uint32 { return uint32(h >> 32) }

// newKeyTable returns a table sized for keys keys at a load factor of at
// most 1/2: the build side is complete before the table is built, so it
// never grows.
func newKeyTable(cols []arrow.Array, keys int) *keyTable {
	size := tableSize(keys)
	t := &keyTable{slots: make([]keySlot, size), mask: uint64(size - 1), cols: cols}
	for _, c := range cols {
		t.kernels = append(t.kernels, kernelFor(c.DataType()))
	}
	return t
}

// tableSize is the least power of two of at least 2*keys slots (and 16).
func tableSize(keys int) int {
	if keys <= 8 {
		return 16
	}
	return 1 << bits.Len(uint(2*keys-1))
}

func (t *keyTable) release() {
	releaseArrays(t.cols)
	t.cols = nil
}

// bytes is the memory the table holds besides the key columns.
func (t *keyTable) bytes() int64 { return int64(len(t.slots)) * 8 }

// insert makes build row i (hash h, its key in the table's own columns)
// the first row of its key, and returns the row it displaces as first,
// -1 when the key is new.
func (t *keyTable) insert(h uint64, i int32) int32 {
	s, tag := h&t.mask, tagOf(h)
	for {
		sl := &t.slots[s]
		if sl.row == 0 {
			sl.tag, sl.row = tag, i+1
			return -1
		}
		if sl.tag == tag && t.sameRows(int(i), int(sl.row-1)) {
			old := sl.row - 1
			sl.row = i + 1
			return old
		}
		s = (s + 1) & t.mask
	}
}

// sameRows reports whether build rows a and b have equal keys.
func (t *keyTable) sameRows(a, b int) bool {
	for j, c := range t.cols {
		if !t.kernels[j].equalRow(keyColumn{arr: c}, a, c, b) {
			return false
		}
	}
	return true
}

// probeScratch is what one prober reuses across batches for lookups.
type probeScratch struct {
	at   []uint64 // per probe row: the slot its candidate came from
	pos  []int32  // probe rows with a candidate
	rows []int32  // their candidates
	ok   []bool   // whether the keys are equal
}

// lookup sets first[i] to the first build row whose key equals probe row
// i's, or -1: a pass over the hashes to find each row's candidate, one
// typed comparison pass per key column, and a row-wise search on from the
// candidate for the few rows whose candidate had an equal hash only.
func (t *keyTable) lookup(k *keyBatch, first []int32, sc *probeScratch) {
	n := k.n
	first = first[:n]
	null := k.null[:n]
	hashes := k.hash[:n]
	sc.at = sized(sc.at, n)
	sc.pos, sc.rows = sc.pos[:0], sc.rows[:0]
	for i, h := range hashes {
		first[i] = -1
		if null[i] {
			continue
		}
		s, tag := h&t.mask, tagOf(h)
		for {
			sl := &t.slots[s]
			if sl.row == 0 {
				break
			}
			if sl.tag == tag {
				first[i] = sl.row - 1
				sc.at[i] = s
				sc.pos = append(sc.pos, int32(i))
				sc.rows = append(sc.rows, sl.row-1)
				break
			}
			s = (s + 1) & t.mask
		}
	}
	sc.ok = sized(sc.ok, len(sc.pos))
	for j := range sc.ok {
		sc.ok[j] = true
	}
	for c, col := range k.cols {
		t.kernels[c].equal(col, t.cols[c], sc.pos, sc.rows, sc.ok)
	}
	for j, ok := range sc.ok {
		if !ok {
			i := int(sc.pos[j])
			first[i] = t.searchFrom(k, i, sc.at[i]+1)
		}
	}
}

// searchFrom looks for probe row i's key from slot s on: the slow path of
// a hash that matched a different key.
func (t *keyTable) searchFrom(k *keyBatch, i int, s uint64) int32 {
	tag := tagOf(k.hash[i])
	for s &= t.mask; ; s = (s + 1) & t.mask {
		sl := &t.slots[s]
		if sl.row == 0 {
			return -1
		}
		if sl.tag != tag {
			continue
		}
		same := true
		for c, col := range k.cols {
			if !t.kernels[c].equalRow(col, i, t.cols[c], int(sl.row-1)) {
				same = false
				break
			}
		}
		if same {
			return sl.row - 1
		}
	}
}

// sized returns s with length n, reallocated when too small (contents
// not kept).
func sized[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// hashKeys sets h to the hash of each of the n rows' keys in cols
// (NULL rows get some hash; their rows never match).
func hashKeys(h []uint64, cols []keyColumn) {
	for i := range h {
		h[i] = hashSeedWord
	}
	for _, c := range cols {
		kernelFor(c.arr.DataType()).hash(h, c)
	}
	for i, x := range h {
		h[i] = mix64(x)
	}
}

var (
	joinSeed     = maphash.MakeSeed()
	hashSeedWord = maphash.Comparable(joinSeed, 0)
)

// combine folds the hash x of one column's value into a row's hash.
func combine(h, x uint64) uint64 {
	return bits.RotateLeft64(h, 23) ^ x*0x9E3779B97F4A7C15
}

// mix64 is a final avalanche (murmur3's fmix64), so that the table can
// index by the low bits.
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// keyKernel is the typed code for one key column type.
type keyKernel interface {
	// hash combines each row's value of c into h (one per row).
	hash(h []uint64, c keyColumn)
	// equal clears ok[j] where the value of c at probe row pos[j]
	// differs from b's at build row rows[j] (neither is NULL).
	equal(c keyColumn, b arrow.Array, pos, rows []int32, ok []bool)
	// equalRow reports whether c's value at row i equals b's at row r.
	equalRow(c keyColumn, i int, b arrow.Array, r int) bool
}

func kernelFor(t arrow.DataType) keyKernel {
	switch t.ID() {
	case arrow.INT8:
		return fixedKernel[int8]{}
	case arrow.INT16:
		return fixedKernel[int16]{}
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return fixedKernel[int32]{}
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return fixedKernel[int64]{}
	case arrow.UINT8:
		return fixedKernel[uint8]{}
	case arrow.UINT16:
		return fixedKernel[uint16]{}
	case arrow.UINT32:
		return fixedKernel[uint32]{}
	case arrow.UINT64:
		return fixedKernel[uint64]{}
	case arrow.FLOAT32:
		return floatKernel[float32]{}
	case arrow.FLOAT64:
		return floatKernel[float64]{}
	case arrow.DECIMAL128:
		return decimalKernel{}
	case arrow.BOOL:
		return boolKernel{}
	case arrow.STRING, arrow.BINARY:
		return varKernel[int32]{}
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return varKernel[int64]{}
	}
	// checkKeyType rejected every other type when the join was made.
	panic("join key of unsupported type " + t.String())
}

type integer interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

// fixedKernel serves integers and the temporal types stored as integers:
// equal values are equal bits.
type fixedKernel[T integer] struct{}

func (fixedKernel[T]) hash(h []uint64, c keyColumn) {
	v := fixedValues[T](c.arr)
	if c.sel == nil {
		for i, x := range v[:len(h)] {
			h[i] = combine(h[i], uint64(x))
		}
		return
	}
	for i, r := range c.sel[:len(h)] {
		h[i] = combine(h[i], uint64(v[r]))
	}
}

func (fixedKernel[T]) equal(c keyColumn, b arrow.Array, pos, rows []int32, ok []bool) {
	equalPairs(fixedValues[T](c.arr), c.sel, fixedValues[T](b), pos, rows, ok)
}

func (fixedKernel[T]) equalRow(c keyColumn, i int, b arrow.Array, r int) bool {
	return fixedValues[T](c.arr)[rowOf(c.sel, i)] == fixedValues[T](b)[r]
}

// equalPairs is the typed comparison pass of comparable values.
func equalPairs[T comparable](p []T, sel []int32, b []T, pos, rows []int32, ok []bool) {
	rows = rows[:len(pos)]
	ok = ok[:len(pos)]
	if sel == nil {
		for j, i := range pos {
			if p[i] != b[rows[j]] {
				ok[j] = false
			}
		}
		return
	}
	for j, i := range pos {
		if p[sel[i]] != b[rows[j]] {
			ok[j] = false
		}
	}
}

// floatKernel compares floats as the join does: -0 equals +0 and every
// NaN equals every NaN, so both hash their canonical bits.
type floatKernel[T float32 | float64] struct{}

func floatBits[T float32 | float64](x T) uint64 {
	f := float64(x)
	switch {
	case f != f:
		return math.MaxUint64
	case f == 0:
		return 0
	}
	return math.Float64bits(f)
}

func floatEqual[T float32 | float64](a, b T) bool { return a == b || (a != a && b != b) }

func (floatKernel[T]) hash(h []uint64, c keyColumn) {
	v := fixedValues[T](c.arr)
	for i := range h {
		h[i] = combine(h[i], floatBits(v[rowOf(c.sel, i)]))
	}
}

func (floatKernel[T]) equal(c keyColumn, b arrow.Array, pos, rows []int32, ok []bool) {
	p, bv := fixedValues[T](c.arr), fixedValues[T](b)
	for j, i := range pos {
		if !floatEqual(p[rowOf(c.sel, int(i))], bv[rows[j]]) {
			ok[j] = false
		}
	}
}

func (floatKernel[T]) equalRow(c keyColumn, i int, b arrow.Array, r int) bool {
	return floatEqual(fixedValues[T](c.arr)[rowOf(c.sel, i)], fixedValues[T](b)[r])
}

// decimalKernel: decimals of one type (one scale) are equal when their
// 128 bits are.
type decimalKernel struct{}

func (decimalKernel) hash(h []uint64, c keyColumn) {
	v := fixedValues[decimal128.Num](c.arr)
	for i := range h {
		x := v[rowOf(c.sel, i)]
		h[i] = combine(combine(h[i], x.LowBits()), uint64(x.HighBits()))
	}
}

func (decimalKernel) equal(c keyColumn, b arrow.Array, pos, rows []int32, ok []bool) {
	equalPairs(fixedValues[decimal128.Num](c.arr), c.sel, fixedValues[decimal128.Num](b), pos, rows, ok)
}

func (decimalKernel) equalRow(c keyColumn, i int, b arrow.Array, r int) bool {
	return fixedValues[decimal128.Num](c.arr)[rowOf(c.sel, i)] == fixedValues[decimal128.Num](b)[r]
}

type boolKernel struct{}

func boolAt(a arrow.Array, r int) bool {
	return bitutil.BitIsSet(a.Data().Buffers()[1].Bytes(), a.Data().Offset()+r)
}

func (boolKernel) hash(h []uint64, c keyColumn) {
	for i := range h {
		x := uint64(1)
		if boolAt(c.arr, rowOf(c.sel, i)) {
			x = 2
		}
		h[i] = combine(h[i], x)
	}
}

func (k boolKernel) equal(c keyColumn, b arrow.Array, pos, rows []int32, ok []bool) {
	for j, i := range pos {
		if !k.equalRow(c, int(i), b, int(rows[j])) {
			ok[j] = false
		}
	}
}

func (boolKernel) equalRow(c keyColumn, i int, b arrow.Array, r int) bool {
	return boolAt(c.arr, rowOf(c.sel, i)) == boolAt(b, r)
}

// varKernel serves strings and binary: equal values are equal bytes.
type varKernel[O int32 | int64] struct{}

func (varKernel[O]) hash(h []uint64, c keyColumn) {
	v := varView[O](c.arr)
	for i := range h {
		r := rowOf(c.sel, i)
		h[i] = combine(h[i], hashBytes(v.data, int(v.offs[r]), int(v.offs[r+1])))
	}
}

// hashBytes hashes data[start:end]: short values (most join keys: codes,
// names) from one 8-byte load, longer ones with the runtime's hash.
func hashBytes(data []byte, start, end int) uint64 {
	if w, ok := shortWord(data, start, end); ok {
		return w*0x9E3779B97F4A7C15 ^ uint64(end-start)
	}
	return maphash.Bytes(joinSeed, data[start:end])
}

// shortWord returns data[start:end] of at most 8 bytes as one word
// (zero-padded), loaded at once from the buffer when it extends 8 bytes
// past start (copying the bytes into a word instead would stall the load
// on the stores).
func shortWord(data []byte, start, end int) (uint64, bool) {
	n := end - start
	switch {
	case n > 8:
		return 0, false
	case start+8 <= len(data):
		w := binary.LittleEndian.Uint64(data[start:])
		if n < 8 {
			w &= 1<<(8*uint(n)) - 1
		}
		return w, true
	}
	var b [8]byte
	copy(b[:], data[start:end])
	return binary.LittleEndian.Uint64(b[:]), true
}

// equalBytes compares two values of binary arrays.
func equalBytes(a []byte, as, ae int, b []byte, bs, be int) bool {
	return ae-as == be-bs && string(a[as:ae]) == string(b[bs:be])
}

func (varKernel[O]) equal(c keyColumn, b arrow.Array, pos, rows []int32, ok []bool) {
	p, bv := varView[O](c.arr), varView[O](b)
	for j, i := range pos {
		r, br := rowOf(c.sel, int(i)), rows[j]
		if !equalBytes(p.data, int(p.offs[r]), int(p.offs[r+1]), bv.data, int(bv.offs[br]), int(bv.offs[br+1])) {
			ok[j] = false
		}
	}
}

func (varKernel[O]) equalRow(c keyColumn, i int, b arrow.Array, r int) bool {
	p, bv := varView[O](c.arr), varView[O](b)
	pr := rowOf(c.sel, i)
	return equalBytes(p.data, int(p.offs[pr]), int(p.offs[pr+1]), bv.data, int(bv.offs[r]), int(bv.offs[r+1]))
}
