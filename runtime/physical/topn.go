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
// memory stays bounded by fetch rows plus the batches they live in.
type topN struct {
	fetch   int
	entries topHeap
	seq     int64
	batches []plan.Batch // indexed by rowRef.batch; zero once released
	counts  []int        // live entries per batch
	live    int          // batches not yet released
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
	bi := int32(len(t.batches))
	t.batches = append(t.batches, b)
	// The batch holds a reference to itself while its rows are offered,
	// so replacing one of its own rows cannot release it mid-loop.
	t.counts = append(t.counts, 1)
	t.live++
	for i := range b.NumRows() {
		key := enc.row(i)
		e := topEntry{seq: t.seq, ref: rowRef{bi, int32(rowOf(b.Sel, i))}}
		t.seq++
		if len(t.entries) < t.fetch {
			e.key = bytes.Clone(key)
			heap.Push(&t.entries, e)
			t.counts[bi]++
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
		t.counts[bi]++
		t.unref(old.ref.batch)
	}
	t.unref(bi)
}

func (t *topN) unref(bi int32) {
	if t.counts[bi] > 0 {
		t.counts[bi]--
	}
	if t.counts[bi] == 0 && t.batches[bi].Record != nil {
		t.batches[bi].Release()
		t.batches[bi] = plan.Batch{}
		t.live--
	}
}

// needsCompaction reports whether the kept rows pin so many batches that
// copying them into one is cheaper than holding the batches.
func (t *topN) needsCompaction(batchSize int) bool {
	return t.live > 8 && t.live > 2*(t.fetch/max(batchSize, 1)+1)
}

// compact copies the kept rows into one batch and releases the others.
func (t *topN) compact(mem memory.Allocator) error {
	refs, recs := t.liveRefs()
	rec, err := gatherRows(mem, t.batches[t.entries[0].ref.batch].Record.Schema(), recs, refs)
	if err != nil {
		return err
	}
	releaseBatches(t.batches)
	t.batches = []plan.Batch{{Record: rec}}
	t.counts = []int{len(t.entries)}
	t.live = 1
	for i := range t.entries {
		t.entries[i].ref = rowRef{0, int32(i)}
	}
	return nil
}

// liveRefs renumbers the entries' refs over the live batches only.
func (t *topN) liveRefs() ([]rowRef, []arrow.RecordBatch) {
	idx := make([]int32, len(t.batches))
	var recs []arrow.RecordBatch
	for i, b := range t.batches {
		if b.Record != nil {
			idx[i] = int32(len(recs))
			recs = append(recs, b.Record)
		}
	}
	refs := make([]rowRef, len(t.entries))
	for i, e := range t.entries {
		refs[i] = rowRef{idx[e.ref.batch], e.ref.row}
	}
	return refs, recs
}

// finish returns the kept batches and the kept rows in sorted order, and
// hands the batches' references to the caller.
func (t *topN) finish() ([]plan.Batch, []rowRef) {
	slices.SortFunc(t.entries, compareEntries)
	refs := make([]rowRef, len(t.entries))
	for i, e := range t.entries {
		refs[i] = e.ref
	}
	bs := t.batches
	t.batches, t.entries, t.counts, t.live = nil, nil, nil, 0
	return bs, refs
}

func (t *topN) release() {
	releaseBatches(t.batches)
	t.batches, t.entries, t.counts, t.live = nil, nil, nil, 0
}

// loadTopN feeds the whole input to the heap.
func (s *sortStream) loadTopN() error {
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		b, err := s.in.Next()
		if isEOF(err) {
			break
		}
		if err != nil {
			return err
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		var enc encodedRows
		if err := s.sort.bound.encode(s.task.Allocator, b, &enc); err != nil {
			b.Release()
			return locate(s.sort.Name(), s.partition, err)
		}
		s.top.add(b, &enc)
		if s.top.needsCompaction(s.task.BatchSize) {
			if err := s.top.compact(s.task.Allocator); err != nil {
				return locate(s.sort.Name(), s.partition, err)
			}
		}
	}
	bs, refs := s.top.finish()
	// Released slots stay in place so refs keep their batch numbers; give
	// the gather only records that exist by renumbering.
	s.batches, s.refs = compactBatches(bs, refs)
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
