package physical

import "math/bits"

// int64Table maps int64 keys to dense group ids with open addressing and
// linear probing: the hot loop of a hash aggregate grouping by one integer
// column is one multiply, one shift and (almost always) one probe in a flat
// array, where a Go map pays for its generality (hashing through a
// function, control-word matching, indirections). Keys and ids share one
// slot so a probe touches one cache line.
type int64Table struct {
	slots []int64Slot
	shift uint   // 64 - log2(len(slots))
	mask  uint64 // len(slots) - 1
	n     int    // keys stored
}

// int64Slot holds a key and its id plus one; id 0 marks an empty slot.
type int64Slot struct {
	key int64
	id  int32
}

const int64TableMinSize = 256

func newInt64Table() *int64Table {
	t := &int64Table{}
	t.init(int64TableMinSize)
	return t
}

func (t *int64Table) init(size int) {
	t.slots = make([]int64Slot, size)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	t.mask = uint64(size - 1)
}

// slot returns the home slot of k: Fibonacci hashing of k with its high
// half folded in, so keys differing only in high bits still spread.
func (t *int64Table) slot(k int64) uint64 {
	x := uint64(k)
	x ^= x >> 32
	return (x * 0x9E3779B97F4A7C15) >> t.shift
}

// findOrInsert returns k's id, and whether k was inserted with id next.
func (t *int64Table) findOrInsert(k int64, next int32) (int32, bool) {
	h := t.slot(k)
	for {
		s := &t.slots[h]
		if s.id == 0 {
			s.key, s.id = k, next+1
			t.n++
			if 2*t.n > len(t.slots) { // keep the load factor at most 1/2
				t.grow()
			}
			return next, true
		}
		if s.key == k {
			return s.id - 1, false
		}
		h = (h + 1) & t.mask
	}
}

func (t *int64Table) grow() {
	old := t.slots
	t.init(2 * len(old))
	for _, s := range old {
		if s.id == 0 {
			continue
		}
		h := t.slot(s.key)
		for t.slots[h].id != 0 {
			h = (h + 1) & t.mask
		}
		t.slots[h] = s
	}
}
