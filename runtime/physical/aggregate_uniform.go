package physical

import (
	"slices"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/tpgen/tpgen/runtime/plan"
)

// A batch whose rows all fall into one group (every batch without GROUP
// BY; every batch of a partition that holds one key value, as the
// partitions of a table key-partitioned on the GROUP BY key often do) is
// aggregated without a group index: the grouper reports the group, and
// accumulators that implement uniformUpdater fold the batch's values into
// it with a loop over the values alone (a sum is a slice sum, a count is
// the number of rows). Others get the group id repeated per row.

// uniformUpdater is implemented by accumulators with a whole-batch path.
type uniformUpdater interface {
	// updateOne folds the n rows of a batch (arr's rows sel[:n], or 0..n-1
	// when sel is nil; arr nil for count(*)) into group g.
	updateOne(g int32, n int, arr arrow.Array, sel []int32) error
}

// exactSum returns the exact sum of vals as 128 bits, with no per-value
// overflow check. Values narrower than int64 have |v| <= 2^31, so fewer
// than 2^32 of them sum exactly in int64. For int64 it keeps two int64
// sums: s, the sum wrapped modulo 2^64, and h, the sum of each value's
// high half (v >> 32), which cannot overflow for fewer than 2^32 values
// since |v >> 32| <= 2^31. The exact sum is T = h*2^32 + L, where L is the
// sum of the low halves (v & (2^32 - 1)), so 0 <= L < n*2^32 <= 2^64; as
// T = s (mod 2^64), L is s - h*2^32 taken modulo 2^64, which recovers T.
func exactSum[T signedInt](vals []T) int128 {
	var total int128
	var z T
	for len(vals) > 0 {
		part := vals[:min(len(vals), 1<<31)]
		vals = vals[len(part):]
		if unsafe.Sizeof(z) < 8 {
			total = total.add(int128Of64(sumNarrow(part)))
			continue
		}
		s, h := sumHighs(reinterpretSlice[int64](part))
		total = total.add(splitSum(s, h))
	}
	return total
}

// sumNarrow sums values narrower than int64, eight per iteration.
func sumNarrow[T signedInt](vals []T) int64 {
	var s0, s1 int64
	for len(vals) >= 8 {
		q := (*[8]T)(vals)
		s0 += int64(q[0]) + int64(q[1]) + int64(q[2]) + int64(q[3])
		s1 += int64(q[4]) + int64(q[5]) + int64(q[6]) + int64(q[7])
		vals = vals[8:]
	}
	for _, x := range vals {
		s0 += int64(x)
	}
	return s0 + s1
}

// littleEndian tells sumHighs where an int64's high half is in memory.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// sumHighs returns the sum of vals modulo 2^64 and the sum of their high
// halves (v >> 32), eight values per iteration into independent sums. On
// little-endian machines the high halves are read as int32 from memory
// (a sign-extending load per value instead of a copy and a shift).
func sumHighs(vals []int64) (s, h int64) {
	var s0, s1, h0, h1 int64
	if littleEndian {
		for len(vals) >= 8 {
			q := (*[8]int64)(vals)
			r := (*[16]int32)(unsafe.Pointer(q))
			s0 += q[0] + q[1] + q[2] + q[3]
			s1 += q[4] + q[5] + q[6] + q[7]
			h0 += int64(r[1]) + int64(r[3]) + int64(r[5]) + int64(r[7])
			h1 += int64(r[9]) + int64(r[11]) + int64(r[13]) + int64(r[15])
			vals = vals[8:]
		}
	} else {
		for len(vals) >= 8 {
			q := (*[8]int64)(vals)
			s0 += q[0] + q[1] + q[2] + q[3]
			s1 += q[4] + q[5] + q[6] + q[7]
			h0 += q[0]>>32 + q[1]>>32 + q[2]>>32 + q[3]>>32
			h1 += q[4]>>32 + q[5]>>32 + q[6]>>32 + q[7]>>32
			vals = vals[8:]
		}
	}
	for _, v := range vals {
		s0 += v
		h0 += v >> 32
	}
	return s0 + s1, h0 + h1
}

// wrappingSum returns the sum of vals modulo 2^64, into four independent
// sums (which run about twice as fast as one): the exact sum when the
// values cannot overflow (sumSigned.fits).
func wrappingSum[T signedInt](vals []T) int64 {
	var s0, s1, s2, s3 int64
	for len(vals) >= 8 {
		q := (*[8]T)(vals)
		s0 += int64(q[0]) + int64(q[4])
		s1 += int64(q[1]) + int64(q[5])
		s2 += int64(q[2]) + int64(q[6])
		s3 += int64(q[3]) + int64(q[7])
		vals = vals[8:]
	}
	for _, v := range vals {
		s0 += int64(v)
	}
	return s0 + s1 + s2 + s3
}

// wrappingSumSel is wrappingSum over the rows sel of vals.
func wrappingSumSel[T signedInt](vals []T, sel []int32) int64 {
	var s int64
	for _, r := range sel {
		s += int64(vals[r])
	}
	return s
}

// exactSumSel is exactSum over the rows sel of vals.
func exactSumSel[T signedInt](vals []T, sel []int32) int128 {
	var total int128
	for len(sel) > 0 {
		part := sel[:min(len(sel), 1<<31)]
		sel = sel[len(part):]
		var s, h int64
		for _, r := range part {
			v := int64(vals[r])
			s += v
			h += v >> 32
		}
		total = total.add(splitSum(s, h))
	}
	return total
}

// splitSum rebuilds the exact sum from the wrapped sum s and the high
// halves' sum h (see exactSum).
func splitSum(s, h int64) int128 {
	low := uint64(s - h<<32)
	hi := int128{h >> 32, uint64(h << 32)}
	return hi.add(int128{0, low})
}

// int128Of64 widens v.
func int128Of64(v int64) int128 { return int128{v >> 63, uint64(v)} }

// reinterpretSlice views s as a slice of U (of the same width as its
// elements).
func reinterpretSlice[U, T any](s []T) []U {
	return unsafe.Slice((*U)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// oneInt returns the value of every selected row of vals (rows sel[:n],
// or 0..n-1) when they are all equal and not NULL.
func oneInt[T signedInt | unsignedInt](vals []T, c keyColumn, n int) (T, bool) {
	var first T
	if n == 0 || c.arr.NullN() != 0 {
		return first, false
	}
	if c.sel == nil {
		first = vals[0]
		for _, v := range vals[1:n] {
			if v != first {
				return first, false
			}
		}
		return first, true
	}
	first = vals[c.sel[0]]
	for _, r := range c.sel[1:n] {
		if vals[r] != first {
			return first, false
		}
	}
	return first, true
}

// oneBytes returns the value of every selected row of a binary-like
// array when they are all equal and none is NULL. It checks every row of
// the array (a superset of any selection) without comparing rows one by
// one: all rows are equal iff the offsets step by the first row's length
// L and the data is periodic with period L. Offsets starting at 0 (an
// unsliced array) are compared with 0, L, 2L, ... (from stepsPool) in one
// memory comparison.
func oneBytes[O int32 | int64](arr arrow.Array, n int) ([]byte, bool) {
	if n == 0 || arr.NullN() != 0 {
		return nil, false
	}
	v := varView[O](arr)
	offs := v.offs
	base, l := offs[0], offs[1]-offs[0]
	if o32, ok := any(offs).([]int32); ok && base == 0 && len(offs) > 64 {
		steps := stepsPool.Get().(*[]int32)
		want := arithmetic(steps, int32(l), len(offs))
		same := string(bytesOf(o32)) == string(bytesOf(want))
		stepsPool.Put(steps)
		if !same {
			return nil, false
		}
	} else {
		next := base
		for _, o := range offs {
			if o != next {
				return nil, false
			}
			next += l
		}
	}
	d := v.data[base:offs[len(offs)-1]]
	if string(d[l:]) != string(d[:O(len(d))-l]) {
		return nil, false
	}
	return d[:l], true
}

// stepsPool holds *[]int32 for arithmetic: the aggregates of concurrent
// partitions share a few.
var stepsPool = sync.Pool{New: func() any { return new([]int32) }}

// arithmetic returns 0, l, 2l, ... (n values), reusing *steps.
func arithmetic(steps *[]int32, l int32, n int) []int32 {
	s := *steps
	if len(s) < n || (n > 1 && s[1] != l) {
		s = make([]int32, max(n, len(s)))
		for i := range s {
			s[i] = int32(i) * l
		}
		*steps = s
	}
	return s[:n]
}

// bytesOf returns the memory of s.
func bytesOf[T any](s []T) []byte {
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z)))
}

// countValid returns how many of the n selected rows of arr are not NULL
// (arr nil: count(*), every row).
func countValid(n int, arr arrow.Array, sel []int32) int64 {
	if arr == nil {
		return int64(n)
	}
	valid, off := validity(arr)
	if valid == nil {
		return int64(n)
	}
	if sel == nil {
		return int64(bitutil.CountSetBits(valid, off, n))
	}
	c := 0
	for _, r := range sel[:n] {
		if bitutil.BitIsSet(valid, off+int(r)) {
			c++
		}
	}
	return int64(c)
}

// declaredOneGroup reports whether every row of the input partition has
// the same group key by the input's own declaration: each group
// expression is an input column of which the partition declares its key
// (plan.PartitionBounds: every row of a key partition holds its key, as
// the partitions of a table key-partitioned on the GROUP BY columns do
// when each is one key). The aggregate of such a partition needs no
// grouping at all. Only per-partition modes qualify: Single reads every
// partition, Final reads partial states.
func (a *HashAggregateExec) declaredOneGroup(partition int) bool {
	if (a.mode != AggregatePartial && a.mode != AggregateSinglePartitioned) || len(a.groupBy) == 0 {
		return false
	}
	pb, ok := a.input.(plan.PartitionBounds)
	if !ok {
		return false
	}
	bounds, ok := pb.PartitionBounds(partition)
	if !ok {
		return false
	}
	in := a.input.Schema()
	for _, ev := range a.groupEvals {
		c := ev.column()
		if c < 0 {
			return false
		}
		name := in.Field(c).Name
		if !slices.ContainsFunc(bounds, func(b plan.ColumnBound) bool { return b.Key && b.Column == name }) {
			return false
		}
	}
	return true
}

// declaredGrouper is the grouper of a partition declared to hold one
// group key (declaredOneGroup): its first row opens group 0, every row is
// in it, and the key is read from that row.
type declaredGrouper struct{ n int32 }

func (g *declaredGrouper) assign(_ []keyColumn, n int, ids *idBuffer, newRows []int32) ([]int32, int32, error) {
	if n == 0 {
		return newRows, -1, nil
	}
	if g.n == 0 {
		g.n = 1
		newRows = append(newRows, 0)
	}
	return newRows, 0, nil
}

func (g *declaredGrouper) len() int { return int(g.n) }
