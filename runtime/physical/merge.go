package physical

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"math"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// SortPreservingMergeExec merges partitions that are each sorted by keys
// into one sorted partition (a k-way merge), and stops reading once fetch
// rows are out. Ties go to the lower partition, then to arrival order.
//
// It pulls its inputs on the consumer's goroutine rather than on one
// goroutine per partition: a merge needs the head of every partition at
// once, so it could never run with fewer goroutines than partitions, and
// sources that do I/O already produce on goroutines of their own.
type SortPreservingMergeExec struct {
	input plan.ExecutionPlan
	keys  []SortExpr
	bound *sortKeys
	fetch int
	// fixed: one fixed-width key, compared by images (see keyImages)
	// rather than row encodings, which cost more than the merge.
	fixed bool
}

// NewSortPreservingMerge returns a SortPreservingMergeExec; fetch < 0
// means no limit.
func NewSortPreservingMerge(input plan.ExecutionPlan, keys []SortExpr, fetch int) (*SortPreservingMergeExec, error) {
	bound, err := bindSortKeys("SortPreservingMergeExec", keys, input.Schema())
	if err != nil {
		return nil, err
	}
	if fetch < 0 {
		fetch = -1
	}
	return &SortPreservingMergeExec{input: input, keys: keys, bound: bound, fetch: fetch, fixed: fixedKeyed(keys)}, nil
}

// Name implements plan.ExecutionPlan.
func (m *SortPreservingMergeExec) Name() string { return "SortPreservingMergeExec" }

// Schema implements plan.ExecutionPlan.
func (m *SortPreservingMergeExec) Schema() *arrow.Schema { return m.input.Schema() }

// Properties implements plan.ExecutionPlan.
func (m *SortPreservingMergeExec) Properties() plan.Properties {
	return plan.Properties{
		Partitions:   1,
		Partitioning: plan.Partitioning{Kind: plan.SinglePartition},
		Ordering:     orderingOf(m.keys),
		Unbounded:    m.input.Properties().Unbounded && m.fetch < 0,
	}
}

// Children implements plan.ExecutionPlan.
func (m *SortPreservingMergeExec) Children() []plan.ExecutionPlan {
	return []plan.ExecutionPlan{m.input}
}

// WithNewChildren implements plan.ExecutionPlan.
func (m *SortPreservingMergeExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(m.Name(), 1, len(children))
	}
	return NewSortPreservingMerge(children[0], m.keys, m.fetch)
}

// String implements plan.ExecutionPlan.
func (m *SortPreservingMergeExec) String() string {
	out := "SortPreservingMergeExec: " + sortExprsString(m.keys)
	if m.fetch >= 0 {
		out += ", fetch=" + fetchString(m.fetch)
	}
	return out
}

// Execute implements plan.ExecutionPlan.
func (m *SortPreservingMergeExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(m, partition); err != nil {
		return nil, err
	}
	task = taskDefaults(task)
	if m.fetch == 0 {
		return eofStream{m.Schema()}, nil
	}
	n := m.input.Properties().Partitions
	s := &mergeStream{ctx: ctx, m: m, task: task, left: m.fetch, cursors: make([]*mergeCursor, n)}
	// One allocation for every cursor, and under a short limit one for
	// their key images and one for the batches held: a merge under
	// ORDER BY ... LIMIT n reads only a few rows of each partition, and
	// a dozen allocations a partition were most of what it cost.
	cursors := make([]mergeCursor, n)
	var images []uint64
	const slabRows = 1024
	if m.fixed && m.fetch > 0 && m.fetch <= slabRows {
		images = make([]uint64, n*m.fetch)
		s.held = make([]plan.Batch, 0, n)
		s.heap = make([]int, 0, n)
	}
	for p := range n {
		in, err := m.input.Execute(ctx, p, task)
		if err != nil {
			s.Close()
			return nil, locate(m.input.Name(), p, err)
		}
		c := &cursors[p]
		c.in, c.partition = in, p
		if images != nil {
			c.his = images[p*m.fetch : p*m.fetch : (p+1)*m.fetch]
		}
		s.cursors[p] = c
	}
	return s, nil
}

// mergeCursor is the current batch of one input partition.
type mergeCursor struct {
	in        plan.RecordStream
	partition int
	b         plan.Batch
	keys      encodedRows // the keys, when not fixed
	fixedKeys             // the keys, when fixed
	pos       int
	slot      int32 // index of b in mergeStream.held
	done      bool
}

func (c *mergeCursor) key() []byte { return c.keys.row(c.pos) }

type mergeStream struct {
	ctx     context.Context
	m       *SortPreservingMergeExec
	task    *plan.TaskContext
	left    int // rows still to emit; < 0 when unlimited
	cursors []*mergeCursor
	heap    []int // partitions with a current row, min-heap by key
	started bool
	held    []plan.Batch // batches rows of the pending output refer to
	state   sticky
}

func (s *mergeStream) Schema() *arrow.Schema { return s.m.Schema() }

// advance loads the next non-empty batch of c; it reports whether c has
// a current row.
func (s *mergeStream) advance(c *mergeCursor) (bool, error) {
	b, ok, err := s.fetch(c)
	if !ok || err != nil {
		return false, err
	}
	return s.load(c, b)
}

// fetch reads c's next non-empty batch; ok is false at its end. It
// touches only c, so the cursors of a merge can fetch concurrently.
func (s *mergeStream) fetch(c *mergeCursor) (b plan.Batch, ok bool, err error) {
	for !c.done {
		b, err := c.in.Next()
		if isEOF(err) {
			c.done = true
			c.in.Close()
			break
		}
		if err != nil {
			return plan.Batch{}, false, locate(s.m.input.Name(), c.partition, err)
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		return b, true, nil
	}
	return plan.Batch{}, false, nil
}

// load makes b c's current batch: its keys, and its place in held.
func (s *mergeStream) load(c *mergeCursor, b plan.Batch) (bool, error) {
	var err error
	if s.m.fixed {
		err = c.fixedKeys.load(s.task.Allocator, s.m, b)
	} else {
		err = s.m.bound.encode(s.task.Allocator, b, &c.keys)
	}
	if err != nil {
		b.Release()
		return false, locate(s.m.Name(), 0, err)
	}
	c.b, c.pos = b, 0
	c.slot = int32(len(s.held))
	s.held = append(s.held, b)
	return true, nil
}

func (s *mergeStream) less(a, b int) bool {
	ca, cb := s.cursors[a], s.cursors[b]
	var c int
	if s.m.fixed {
		c = compareFixedKeys(&ca.fixedKeys, ca.pos, &cb.fixedKeys, cb.pos, s.m.keys[0].NullsFirst)
	} else {
		c = bytes.Compare(ca.key(), cb.key())
	}
	if c != 0 {
		return c < 0
	}
	return a < b
}

// fixedKeys are the images of one batch's keys of a fixed-width sort key,
// and the column they came from, for its NULLs.
type fixedKeys struct {
	arr      arrow.Array // held while the batch is current; nil when none
	sel      []int32
	valid    []byte
	off      int
	his, los []uint64
}

// load evaluates m's key over b and maps it to images, releasing the
// previous batch's column.
func (k *fixedKeys) load(mem memory.Allocator, m *SortPreservingMergeExec, b plan.Batch) error {
	k.release()
	arr, sel, err := m.bound.evals[0].eval(mem, b)
	if err != nil {
		return err
	}
	var flip uint64
	if m.keys[0].Descending {
		flip = math.MaxUint64
	}
	k.arr, k.sel = arr, sel
	k.valid, k.off = validity(arr)
	k.his, k.los = keyImages(arr, sel, b.NumRows(), flip, k.his, k.los)
	if arr.DataType().ID() != arrow.DECIMAL128 {
		k.los = k.los[:0]
	}
	return nil
}

func (k *fixedKeys) null(i int) bool {
	return k.valid != nil && !bitutil.BitIsSet(k.valid, k.off+rowOf(k.sel, i))
}

func (k *fixedKeys) release() {
	if k.arr != nil {
		k.arr.Release()
		k.arr = nil
	}
}

// compareFixedKeys orders row i of a against row j of b: NULLs first or
// last, then by image.
func compareFixedKeys(a *fixedKeys, i int, b *fixedKeys, j int, nullsFirst bool) int {
	na, nb := a.null(i), b.null(j)
	switch {
	case na && nb:
		return 0
	case na != nb:
		if na == nullsFirst {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.his[i], b.his[j]); c != 0 || len(a.los) == 0 {
		return c
	}
	return cmp.Compare(a.los[i], b.los[j])
}

func (s *mergeStream) down(i int) {
	h := s.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && s.less(h[r], h[l]) {
			m = r
		}
		if !s.less(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (s *mergeStream) start() error {
	s.started = true
	firsts := s.fetchFirsts() // nil: each input is started here, in turn
	for p, c := range s.cursors {
		var f firstBatch
		if firsts != nil {
			f = firsts[p]
		} else {
			f.b, f.ok, f.err = s.fetch(c)
		}
		if f.err == nil && f.ok {
			_, f.err = s.load(c, f.b) // which releases the batch on error
		}
		if f.err != nil {
			if firsts != nil {
				for _, g := range firsts[p+1:] {
					g.b.Release()
				}
			}
			return f.err
		}
		if f.ok {
			s.heap = append(s.heap, p)
		}
	}
	for i := len(s.heap)/2 - 1; i >= 0; i-- {
		s.down(i)
	}
	return nil
}

// firstBatch is what fetchFirsts got for one cursor.
type firstBatch struct {
	b   plan.Batch
	ok  bool
	err error
}

// fetchFirsts reads the first batch of every input partition on up to
// Parallelism goroutines, when the inputs do real work before their first
// batch (a sort, an aggregate: the input is not a bare scan) and there are
// cores to do it on: the merge's inputs are otherwise started one after
// another, and a merge over sorts would use one core. It returns nil when
// the inputs are started in turn by the caller. After an error no further
// partition is started (the ones started finish their first batch), and
// those not started are closed with the stream.
func (s *mergeStream) fetchFirsts() []firstBatch {
	workers := min(s.task.Parallelism, len(s.cursors))
	if workers < 2 || len(s.m.input.Children()) == 0 {
		return nil
	}
	firsts := make([]firstBatch, len(s.cursors))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				p := int(next.Add(1) - 1)
				if p >= len(s.cursors) || failed.Load() {
					return
				}
				f := &firsts[p]
				f.b, f.ok, f.err = s.fetch(s.cursors[p])
				if f.err != nil {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	// Partitions are claimed in order, so every partition before the
	// first failing one has finished: start meets that error first.
	return firsts
}

func (s *mergeStream) Next() (plan.Batch, error) {
	if s.state.err != nil {
		return plan.Batch{}, s.state.err
	}
	b, err := s.next()
	if err != nil {
		s.state.set(err)
		s.Close()
		return plan.Batch{}, err
	}
	return b, nil
}

func (s *mergeStream) next() (plan.Batch, error) {
	if err := s.ctx.Err(); err != nil {
		return plan.Batch{}, err
	}
	if !s.started {
		if err := s.start(); err != nil {
			return plan.Batch{}, err
		}
	}
	want := s.task.BatchSize
	if s.left >= 0 {
		want = min(want, s.left)
	}
	var refs []rowRef
	for len(refs) < want && len(s.heap) > 0 {
		p := s.heap[0]
		c := s.cursors[p]
		refs = append(refs, rowRef{c.slot, int32(rowOf(c.b.Sel, c.pos))})
		c.pos++
		if c.pos == c.b.NumRows() {
			ok, err := s.advance(c)
			if err != nil {
				return plan.Batch{}, err
			}
			if !ok {
				s.heap[0] = s.heap[len(s.heap)-1]
				s.heap = s.heap[:len(s.heap)-1]
			}
		}
		if len(s.heap) > 0 {
			s.down(0)
		}
		if len(refs)%1024 == 0 {
			if err := s.ctx.Err(); err != nil {
				return plan.Batch{}, err
			}
		}
	}
	if len(refs) == 0 {
		return plan.Batch{}, io.EOF
	}
	rec, err := gatherRows(s.task.Allocator, s.Schema(), recordsOf(s.held), refs)
	if err != nil {
		return plan.Batch{}, locate(s.m.Name(), 0, err)
	}
	if s.left > 0 {
		s.left -= len(refs)
	}
	if s.left == 0 {
		s.Close()
		s.state.set(io.EOF)
	} else {
		s.compactHeld()
	}
	return plan.Batch{Record: rec}, nil
}

// compactHeld releases batches no cursor points at any more and
// renumbers the rest.
func (s *mergeStream) compactHeld() {
	inUse := make([]bool, len(s.held))
	for _, c := range s.cursors {
		if c.b.Record != nil && c.pos < c.b.NumRows() {
			inUse[c.slot] = true
		}
	}
	kept := s.held[:0]
	for i, b := range s.held {
		if !inUse[i] {
			b.Release()
			continue
		}
		for _, c := range s.cursors {
			if c.b.Record != nil && c.slot == int32(i) && c.pos < c.b.NumRows() {
				c.slot = int32(len(kept))
			}
		}
		kept = append(kept, b)
	}
	clear(s.held[len(kept):])
	s.held = kept
}

func (s *mergeStream) Close() {
	for _, c := range s.cursors {
		if c != nil {
			c.in.Close()
			c.b = plan.Batch{}
			c.fixedKeys.release()
		}
	}
	releaseBatches(s.held)
	s.held = nil
	s.heap = nil
	s.state.set(io.EOF)
}
