package physical

import (
	"bytes"
	"container/heap"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// topN keeps the fetch smallest rows seen so far (by encoded key, ties
// broken by arrival so the result is what a stable sort would give) in a
// max-heap: each new row costs one comparison with the worst kept row, and
// memory stays bounded by fetch rows plus the batches they live in. It
// serves any key list; a single fixed-width key takes fixedTopN instead.
type topN struct {
	fetch   int
	entries topHeap
	seq     int64
	held    heldBatches
}

type topEntry struct {
	key []byte
	seq int64
	ref rowRef
}

type topHeap []topEntry

func (h topHeap) Len() int { return len(h) }
func (h topHeap) Less(i, j int) bool {
	// A max-heap: the worst row (largest key, latest arrival) on top.
	return compareEntries(h[j], h[i]) < 0
}
func (h topHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *topHeap) Push(x any)   { *h = append(*h, x.(topEntry)) }
func (h *topHeap) Pop() any     { old := *h; e := old[len(old)-1]; *h = old[:len(old)-1]; return e }
func compareEntries(a, b topEntry) int {
	if c := bytes.Compare(a.key, b.key); c != 0 {
		return c
	}
	switch {
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}

func newTopN(fetch int) *topN { return &topN{fetch: fetch} }

// add offers every selected row of b, whose keys are enc. It takes over
// b's reference.
func (t *topN) add(b plan.Batch, enc *encodedRows) {
	bi := t.held.add(b)
	for i := range b.NumRows() {
		key := enc.row(i)
		e := topEntry{seq: t.seq, ref: rowRef{bi, int32(rowOf(b.Sel, i))}}
		t.seq++
		if len(t.entries) < t.fetch {
			e.key = bytes.Clone(key)
			heap.Push(&t.entries, e)
			t.held.ref(bi)
			continue
		}
		// Equal keys lose to the kept row, which arrived earlier.
		if bytes.Compare(key, t.entries[0].key) >= 0 {
			continue
		}
		old := t.entries[0]
		e.key = append(old.key[:0], key...)
		t.entries[0] = e
		heap.Fix(&t.entries, 0)
		t.held.ref(bi)
		t.held.unref(old.ref.batch)
	}
	t.held.unref(bi)
}

// compactIfNeeded copies the kept rows into one batch when they pin too
// many batches.
func (t *topN) compactIfNeeded(mem memory.Allocator, batchSize int) error {
	if !t.held.needsCompaction(t.fetch, batchSize) {
		return nil
	}
	refs := make([]rowRef, len(t.entries))
	for i, e := range t.entries {
		refs[i] = e.ref
	}
	if err := t.held.compact(mem, refs); err != nil {
		return err
	}
	for i := range t.entries {
		t.entries[i].ref = rowRef{0, int32(i)}
	}
	return nil
}

// finish returns the kept batches and the kept rows in sorted order, and
// hands the batches' references to the caller.
func (t *topN) finish() ([]plan.Batch, []rowRef) {
	slices.SortFunc(t.entries, compareEntries)
	refs := make([]rowRef, len(t.entries))
	for i, e := range t.entries {
		refs[i] = e.ref
	}
	t.entries = nil
	return t.held.take(refs)
}

func (t *topN) release() {
	t.held.release()
	t.entries = nil
}

// heldBatches are the input batches the rows kept by a top-N live in,
// each with a count of the kept rows it holds: a batch is released as soon
// as its last row is evicted, so memory stays bounded by the kept rows'
// batches rather than the input.
type heldBatches struct {
	batches []plan.Batch // indexed by rowRef.batch; zero once released
	counts  []int        // kept rows per batch
	live    int          // batches not yet released
}

// add takes over b's reference and returns its index. The batch counts
// one reference to itself while its rows are offered, so replacing one of
// its own rows cannot release it mid-loop: the caller unrefs it after.
func (h *heldBatches) add(b plan.Batch) int32 {
	bi := int32(len(h.batches))
	h.batches = append(h.batches, b)
	h.counts = append(h.counts, 1)
	h.live++
	return bi
}

// ref counts one more kept row in batch bi.
func (h *heldBatches) ref(bi int32) { h.counts[bi]++ }

// refN counts n more kept rows in batch bi.
func (h *heldBatches) refN(bi int32, n int) { h.counts[bi] += n }

// unref counts one kept row less in batch bi, releasing it at zero.
func (h *heldBatches) unref(bi int32) {
	if h.counts[bi] > 0 {
		h.counts[bi]--
	}
	h.releaseIfEmpty(bi)
}

// releaseIfEmpty releases batch bi when it holds no kept row.
func (h *heldBatches) releaseIfEmpty(bi int32) {
	if h.counts[bi] == 0 && h.batches[bi].Record != nil {
		h.batches[bi].Release()
		h.batches[bi] = plan.Batch{}
		h.live--
	}
}

// needsCompaction reports whether fetch kept rows pin so many batches that
// copying them into one is cheaper than holding the batches.
func (h *heldBatches) needsCompaction(fetch, batchSize int) bool {
	return h.live > 8 && h.live > 2*(fetch/max(batchSize, 1)+1)
}

// compact copies the rows refs names into one batch and releases the
// others: afterwards row i of batch 0 is what refs[i] named.
func (h *heldBatches) compact(mem memory.Allocator, refs []rowRef) error {
	idx := make([]int32, len(h.batches))
	var recs []arrow.RecordBatch
	for i, b := range h.batches {
		if b.Record != nil {
			idx[i] = int32(len(recs))
			recs = append(recs, b.Record)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	live := make([]rowRef, len(refs))
	for i, r := range refs {
		live[i] = rowRef{idx[r.batch], r.row}
	}
	rec, err := gatherRows(mem, recs[0].Schema(), recs, live)
	if err != nil {
		return err
	}
	releaseBatches(h.batches)
	h.batches = []plan.Batch{{Record: rec}}
	h.counts = []int{len(refs)}
	h.live = 1
	return nil
}

// take hands the live batches and refs (renumbered over them) to the
// caller, who then owns the batches' references.
func (h *heldBatches) take(refs []rowRef) ([]plan.Batch, []rowRef) {
	bs, refs := compactBatches(h.batches, refs)
	h.batches, h.counts, h.live = nil, nil, 0
	return bs, refs
}

func (h *heldBatches) release() {
	releaseBatches(h.batches)
	h.batches, h.counts, h.live = nil, nil, 0
}

// loadTopN feeds the whole input to the heap.
func (s *sortStream) loadTopN() error {
	err := s.eachInput(func(b plan.Batch) error {
		var enc encodedRows
		if err := s.sort.bound.encode(s.task.Allocator, b, &enc); err != nil {
			b.Release()
			return err
		}
		s.top.add(b, &enc)
		return s.top.compactIfNeeded(s.task.Allocator, s.task.BatchSize)
	})
	if err != nil {
		return err
	}
	// Released slots stay in place so refs keep their batch numbers; give
	// the gather only records that exist by renumbering.
	s.batches, s.refs = s.top.finish()
	return nil
}

// compactBatches drops released (empty) slots and renumbers refs.
func compactBatches(bs []plan.Batch, refs []rowRef) ([]plan.Batch, []rowRef) {
	idx := make([]int32, len(bs))
	var out []plan.Batch
	for i, b := range bs {
		if b.Record != nil {
			idx[i] = int32(len(out))
			out = append(out, b)
		}
	}
	for i, r := range refs {
		refs[i].batch = idx[r.batch]
	}
	return out, refs
}
