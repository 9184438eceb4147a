package physical

import (
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// fixedTopN is the top-N of a sort by one fixed-width key (an integer,
// date, time, timestamp, duration, float or decimal). Row-encoding every
// row's key, as topN does for any key list, costs more than the rest of
// the sort together; here each batch's key column is mapped, in one typed
// loop, to unsigned integers whose order is the sort's order (images, the
// 8- or 16-byte part of the row encoding), and each row costs one
// comparison of its image with the worst kept row.
//
// Rows that beat it are appended to a buffer of candidates; once the
// buffer holds fetch+slack rows, the best fetch are selected in place and
// the others dropped. A candidate so costs amortised O(1) even when the
// input keeps improving on the kept rows (ascending data sorted DESC),
// where a heap would sift on almost every row. Rows with a NULL key are
// kept apart, the first fetch of them in arrival order: they all sort
// before (NULLS FIRST) or after (NULLS LAST) every value. Only the
// winners' rows are gathered at the end; meanwhile the batches they live
// in are held, and copied together when they are too many (see
// heldBatches).
type fixedTopN struct {
	fetch        int
	limit        int    // len(cands) at which the best fetch are selected
	flip         uint64 // XORed into every image: all bits for DESC
	nullsFirst   bool
	nulls        []rowRef     // the first fetch rows whose key is NULL
	cands        []fixedEntry // rows with a value
	full         bool         // fetch values are kept: only values that beat the cut enter
	cutHi, cutLo uint64       // the image of the worst kept value, once full
	seq          int64
	held         heldBatches
	his, los     []uint64 // scratch: the images of the current batch
}

// fixedTopNSlack is the least number of candidates a selection drops: it
// bounds how often the buffer is selected on.
const fixedTopNSlack = 256

// fixedEntry is one candidate row with a value.
type fixedEntry struct {
	hi, lo uint64 // the key's image; lo is 0 but for decimals
	seq    int64  // arrival: of equal keys the earlier wins, as in a stable sort
	ref    rowRef
}

func (a *fixedEntry) less(b *fixedEntry) bool {
	if a.hi != b.hi {
		return a.hi < b.hi
	}
	if a.lo != b.lo {
		return a.lo < b.lo
	}
	return a.seq < b.seq
}

func compareFixed(a, b fixedEntry) int {
	switch {
	case a.less(&b):
		return -1
	case b.less(&a):
		return 1
	}
	return 0
}

// newFixedTopN returns the top-N of keys when they are one key of a
// fixed-width type, nil otherwise.
func newFixedTopN(keys []SortExpr, fetch int) *fixedTopN {
	if !fixedKeyed(keys) || fetch <= 0 {
		return nil
	}
	t := &fixedTopN{fetch: fetch, nullsFirst: keys[0].NullsFirst, limit: fetch + max(fetch, fixedTopNSlack)}
	if keys[0].Descending {
		t.flip = math.MaxUint64
	}
	return t
}

// add offers every selected row of b, whose keys are arr (with sel, as an
// evaluator returns them). It takes over b's reference.
func (t *fixedTopN) add(b plan.Batch, arr arrow.Array, sel []int32) {
	bi := t.held.add(b)
	his, los := t.images(arr, sel, b.NumRows())
	valid, off := validity(arr)
	if valid != nil {
		t.addNulls(valid, off, sel, b.Sel, bi, len(his))
	}
	if !t.nullsFirst || len(t.nulls) < t.fetch {
		t.addValues(his, los, valid, off, sel, b.Sel, bi)
	}
	t.held.unref(bi)
}

// addNulls keeps rows whose key is NULL while fewer than fetch are kept.
// sel picks the key rows, bsel the batch's.
func (t *fixedTopN) addNulls(valid []byte, off int, sel, bsel []int32, bi int32, n int) {
	for i := 0; i < n && len(t.nulls) < t.fetch; i++ {
		if !bitutil.BitIsSet(valid, off+rowOf(sel, i)) {
			t.nulls = append(t.nulls, rowRef{bi, int32(rowOf(bsel, i))})
			t.held.refN(bi, 1)
		}
	}
}

// addValues offers the rows with a value. The loop keeps its state in
// locals; the batch's references are counted before each selection, which
// may drop rows of this very batch.
func (t *fixedTopN) addValues(his, los []uint64, valid []byte, off int, sel, bsel []int32, bi int32) {
	cands, seq, pending := t.cands, t.seq, 0
	for i, hi := range his {
		if valid != nil && !bitutil.BitIsSet(valid, off+rowOf(sel, i)) {
			continue
		}
		var lo uint64
		if los != nil {
			lo = los[i]
		}
		// A later row equal to the worst kept one loses to it.
		if t.full && (hi > t.cutHi || hi == t.cutHi && lo >= t.cutLo) {
			continue
		}
		cands = append(cands, fixedEntry{hi: hi, lo: lo, seq: seq, ref: rowRef{bi, int32(rowOf(bsel, i))}})
		seq++
		pending++
		if len(cands) >= t.limit {
			t.cands = cands
			t.held.refN(bi, pending)
			pending = 0
			t.prune()
			cands = t.cands
		}
	}
	t.cands, t.seq = cands, seq
	t.held.refN(bi, pending)
}

// prune keeps the best fetch values and makes the worst of them the cut
// later rows must beat.
func (t *fixedTopN) prune() {
	if len(t.cands) <= t.fetch {
		return
	}
	selectFixed(t.cands, t.fetch)
	// Most dropped rows come from a few recent batches: count them out
	// first, then release the batches left empty.
	lo, hi := int32(math.MaxInt32), int32(-1)
	for _, e := range t.cands[t.fetch:] {
		b := e.ref.batch
		t.held.counts[b]--
		lo, hi = min(lo, b), max(hi, b)
	}
	for b := lo; b <= hi; b++ {
		t.held.releaseIfEmpty(b)
	}
	t.cands = t.cands[:t.fetch]
	last := t.cands[t.fetch-1]
	t.cutHi, t.cutLo, t.full = last.hi, last.lo, true
}

// compactIfNeeded copies the kept rows into one batch when they pin too
// many batches.
func (t *fixedTopN) compactIfNeeded(mem memory.Allocator, batchSize int) error {
	if !t.held.needsCompaction(t.fetch, batchSize) {
		return nil
	}
	t.prune()
	if !t.held.needsCompaction(t.fetch, batchSize) {
		return nil
	}
	refs := make([]rowRef, 0, len(t.cands)+len(t.nulls))
	for _, e := range t.cands {
		refs = append(refs, e.ref)
	}
	refs = append(refs, t.nulls...)
	if err := t.held.compact(mem, refs); err != nil {
		return err
	}
	for i := range t.cands {
		t.cands[i].ref = rowRef{0, int32(i)}
	}
	for i := range t.nulls {
		t.nulls[i] = rowRef{0, int32(len(t.cands) + i)}
	}
	return nil
}

// finish returns the kept batches and the first fetch rows in sorted
// order, and hands the batches' references to the caller.
func (t *fixedTopN) finish() ([]plan.Batch, []rowRef) {
	t.prune()
	slices.SortFunc(t.cands, compareFixed)
	values := make([]rowRef, len(t.cands))
	for i, e := range t.cands {
		values[i] = e.ref
	}
	refs := append(values, t.nulls...)
	if t.nullsFirst {
		refs = append(slices.Clip(t.nulls), values...)
	}
	t.cands, t.nulls = nil, nil
	return t.held.take(refs[:min(len(refs), t.fetch)])
}

func (t *fixedTopN) release() {
	t.held.release()
	t.cands, t.nulls = nil, nil
}

// images maps the n keys of arr (rows sel, or 0..n-1) to their images in
// t's scratch; los is nil unless the key is a decimal.
func (t *fixedTopN) images(arr arrow.Array, sel []int32, n int) (his, los []uint64) {
	t.his, t.los = keyImages(arr, sel, n, t.flip, t.his, t.los)
	if arr.DataType().ID() != arrow.DECIMAL128 {
		return t.his, nil
	}
	return t.his, t.los
}

// keyImages maps the n keys of arr (rows sel, or 0..n-1) to unsigned
// integers whose order is the keys' order, XORed with flip (all bits for
// DESC), reusing his and los; los holds the low words of decimals and is
// left as is for other types.
func keyImages(arr arrow.Array, sel []int32, n int, flip uint64, his, los []uint64) ([]uint64, []uint64) {
	his = slices.Grow(his[:0], n)[:n]
	signed := flip ^ 1<<63
	switch arr.DataType().ID() {
	case arrow.INT8:
		intImages(his, fixedValues[int8](arr), sel, signed)
	case arrow.INT16:
		intImages(his, fixedValues[int16](arr), sel, signed)
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		intImages(his, fixedValues[int32](arr), sel, signed)
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		intImages(his, fixedValues[int64](arr), sel, signed)
	case arrow.UINT8:
		intImages(his, fixedValues[uint8](arr), sel, flip)
	case arrow.UINT16:
		intImages(his, fixedValues[uint16](arr), sel, flip)
	case arrow.UINT32:
		intImages(his, fixedValues[uint32](arr), sel, flip)
	case arrow.UINT64:
		intImages(his, fixedValues[uint64](arr), sel, flip)
	case arrow.FLOAT32:
		floatImages(his, fixedValues[float32](arr), sel, flip)
	case arrow.FLOAT64:
		floatImages(his, fixedValues[float64](arr), sel, flip)
	case arrow.DECIMAL128:
		los = slices.Grow(los[:0], n)[:n]
		decimalImages(his, los, fixedValues[decimal128.Num](arr), sel, flip)
	}
	return his, los
}

// fixedKeyed reports whether keys are one key of a fixed-width type, which
// top-N and merges compare by images instead of row encodings.
func fixedKeyed(keys []SortExpr) bool {
	if len(keys) != 1 {
		return false
	}
	w := fixedKeyWidth(keys[0].Expr.DataType())
	return w == 8 || w == 16
}

// intImages writes each value's bits, flipped by flip: the sign bit makes
// signed order unsigned, all bits reverse it.
func intImages[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](dst []uint64, vals []T, sel []int32, flip uint64) {
	if sel == nil {
		vals = vals[:len(dst)]
		for i, v := range vals {
			dst[i] = uint64(int64(v)) ^ flip
		}
		return
	}
	for i, r := range sel[:len(dst)] {
		dst[i] = uint64(int64(vals[r])) ^ flip
	}
}

func floatImages[T float32 | float64](dst []uint64, vals []T, sel []int32, flip uint64) {
	if sel == nil {
		vals = vals[:len(dst)]
		for i, v := range vals {
			dst[i] = floatOrderBits(float64(v)) ^ flip
		}
		return
	}
	for i, r := range sel[:len(dst)] {
		dst[i] = floatOrderBits(float64(vals[r])) ^ flip
	}
}

func decimalImages(his, los []uint64, vals []decimal128.Num, sel []int32, flip uint64) {
	for i := range his {
		v := vals[rowOf(sel, i)]
		his[i] = uint64(v.HighBits()) ^ 1<<63 ^ flip
		los[i] = v.LowBits() ^ flip
	}
}

// selectFixed reorders a so that a[:k] are its k smallest entries and
// a[k-1] the largest of them (quickselect; entries are distinct, their
// seq differs).
func selectFixed(a []fixedEntry, k int) {
	lo, hi, target := 0, len(a)-1, k-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Median of three as the pivot keeps sorted input linear.
		if a[mid].less(&a[lo]) {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi].less(&a[lo]) {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi].less(&a[mid]) {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i].less(&p) {
				i++
			}
			for p.less(&a[j]) {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case target <= j:
			hi = j
		case target >= i:
			lo = i
		default:
			return // a[target] is the pivot, in place
		}
	}
}

// loadFixedTopN feeds the whole input to the fixed-width top-N.
func (s *sortStream) loadFixedTopN() error {
	ev := s.sort.bound.evals[0]
	err := s.eachInput(func(b plan.Batch) error {
		arr, sel, err := ev.eval(s.task.Allocator, b)
		if err != nil {
			b.Release()
			return err
		}
		s.fixed.add(b, arr, sel)
		arr.Release()
		return s.fixed.compactIfNeeded(s.task.Allocator, s.task.BatchSize)
	})
	if err != nil {
		return err
	}
	s.batches, s.refs = s.fixed.finish()
	return nil
}
