package source

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// ErrStop is returned by a Writer once the scan needs no more rows: the
// pushed limit is reached. A source should stop reading and may return it
// from Read as is; it is not an error.
var ErrStop = errors.New("source: the scan needs no more rows")

// Batcher is the row-type independent half of a generated Writer: the
// Writer appends each value to the builder of its column (Builder), then
// calls Row; the Batcher counts rows, cuts a record batch every BatchSize
// rows, stops at the scan's limit and hands batches to the stream.
//
// A Batcher is used by one goroutine, the one running the source's Read.
type Batcher struct {
	ctx      context.Context
	table    *arrow.Schema   // the full table schema
	built    []int           // table column of each builder
	out      *arrow.Schema   // schema of emitted batches
	outPos   []int           // builder index of each output column
	builders []array.Builder // one per built column
	size     int             // rows per batch
	rows     int             // rows in the builders
	room     int             // rows at which the builders are flushed
	left     int             // rows the limit still allows; negative: no limit
	lazy     bool            // room rows are yet to be reserved in the builders
	err      error           // sticky: ErrStop, a context error or errClosed
	refusals int             // writes attempted after err was set
	emit     batchSink

	lastSchema *arrow.Schema // the schema recordColumns mapped last
	lastCols   []int

	mem   memory.Allocator
	used  bool           // the builders reserved room: they hold memory
	spare *spareBatchers // where the Batcher goes at release when its builders are unused; may be nil
	// room for the columns of a batch AppendRecord hands over
	scratch []arrow.Array
	// writer is the typed Writer WriterOf made over the builders; it
	// moves with them from partition to partition.
	writer any
}

// newBatcher builds the columns built (table indices) and emits the
// columns output (table indices, each also in built) in that order, under
// the schema out.
func newBatcher(ctx context.Context, mem memory.Allocator, table, out *arrow.Schema, built, output []int,
	size, limit int, emit batchSink, spare *spareBatchers) *Batcher {
	if b := spare.take(mem); b != nil {
		// A Batcher of another partition of the same scan: its columns,
		// builders (which hold nothing), scratch and record mapping are
		// this partition's too; the rest starts afresh.
		*b = Batcher{ctx: ctx, table: table, built: built, out: out, outPos: b.outPos, builders: b.builders,
			size: size, left: limit, emit: emit, lastSchema: b.lastSchema, lastCols: b.lastCols,
			mem: mem, spare: spare, scratch: b.scratch, writer: b.writer}
		b.setRoom()
		return b
	}
	b := &Batcher{ctx: ctx, table: table, out: out, built: built, size: size, left: limit, emit: emit, spare: spare}
	b.outPos = make([]int, len(output))
	for i, c := range output {
		b.outPos[i] = slices.Index(built, c)
	}
	b.builders = make([]array.Builder, len(built))
	for i, c := range built {
		b.builders[i] = array.NewBuilder(mem, table.Field(c).Type)
	}
	b.mem = mem
	b.setRoom()
	return b
}

// batchSink takes the batches a Batcher completes (the stream's mode
// decides where they go).
type batchSink interface {
	put(plan.Batch) error
}

// sinkFunc is a batchSink of a function.
type sinkFunc func(plan.Batch) error

func (f sinkFunc) put(b plan.Batch) error { return f(b) }

// spareBatchers keeps the Batchers of a scan's partitions whose builders
// were never used, for the scan's next partition: a source that only
// hands over records (AppendRecord) still gets builders from its Writer,
// and making a Batcher and its builders per partition is most of what
// starting a partition costs. A builder that never reserved room holds no
// memory, so it can move from one partition to the next (of the same
// allocator).
type spareBatchers struct {
	mu   sync.Mutex
	mem  memory.Allocator
	sets []*Batcher
}

// maxSpares bounds the Batchers a spareBatchers keeps: more than the
// partitions a table reads at once would only hold memory.
const maxSpares = 64

// spareRegistry keeps the spare Batchers of one table's scans across
// queries, by what they build: a query's first partition would otherwise
// make a Batcher and a builder per column (most of them never used by a
// source that hands over records), which was a tenth of the allocations
// of a short query. It keeps at most maxSpareKinds projections; reaching
// that starts afresh.
type spareRegistry struct {
	mu      sync.Mutex
	byTable map[*arrow.Schema]map[string]*spareBatchers
	kinds   int
}

// maxSpareKinds bounds the projections a spareRegistry keeps Batchers for.
const maxSpareKinds = 256

// forScan returns the spares of the scans of table that build columns
// built and output output, in that order.
func (r *spareRegistry) forScan(table *arrow.Schema, built, output []int) *spareBatchers {
	var buf [128]byte
	key := binary.AppendUvarint(buf[:0], uint64(len(built))) // where built ends
	for _, c := range built {
		key = binary.AppendUvarint(key, uint64(c))
	}
	for _, c := range output {
		key = binary.AppendUvarint(key, uint64(c))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.byTable[table][string(key)]; s != nil {
		return s
	}
	if r.byTable == nil || r.kinds >= maxSpareKinds {
		r.byTable = map[*arrow.Schema]map[string]*spareBatchers{}
		r.kinds = 0
	}
	m := r.byTable[table]
	if m == nil {
		m = map[string]*spareBatchers{}
		r.byTable[table] = m
	}
	s := &spareBatchers{}
	m[string(key)] = s
	r.kinds++
	return s
}

// take returns a spare Batcher of mem, or nil.
func (p *spareBatchers) take(mem memory.Allocator) *Batcher {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.sets) == 0 || p.mem != mem {
		return nil
	}
	b := p.sets[len(p.sets)-1]
	p.sets[len(p.sets)-1] = nil
	p.sets = p.sets[:len(p.sets)-1]
	return b
}

// put keeps b, whose partition ended, when its builders (of mem) hold
// nothing, and reports whether it did.
func (p *spareBatchers) put(mem memory.Allocator, b *Batcher) bool {
	if p == nil {
		return false
	}
	for _, bl := range b.builders {
		if bl.Len() != 0 || bl.Cap() != 0 {
			return false
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.sets) >= maxSpares || (len(p.sets) > 0 && p.mem != mem) {
		return false
	}
	p.mem = mem
	b.ctx, b.emit = nil, nil // nothing of the ended partition is kept alive
	p.sets = append(p.sets, b)
	return true
}

// WriterOf returns the typed Writer of b, which newWriter makes the first
// time: a generated plan asks for it whenever a partition starts, and a
// Batcher whose builders went unused passes, with them and the Writer
// bound to them, to the scan's next partition, so that the Writer is made
// once per scan instead of once per partition. newWriter must only bind
// b's builders (Builder), which are all a reused Writer relies on.
func WriterOf[W any](b *Batcher, newWriter func(*Batcher) W) W {
	if w, ok := b.writer.(W); ok {
		return w
	}
	w := newWriter(b)
	b.writer = w
	return w
}

// Builder returns the builder of the named column, or nil when the scan
// does not need the column: the Writer then skips its values.
func (b *Batcher) Builder(column string) array.Builder {
	for i, c := range b.built {
		if b.table.Field(c).Name == column {
			return b.builders[i]
		}
	}
	return nil
}

// Err returns why the Batcher takes no more rows (ErrStop, the context's
// error, or the stream being closed), or nil while rows are wanted. A
// Writer checks it before appending a row; that is also when the builders
// get their room reserved (see setRoom), so a source that only hands over
// records (AppendRecord) never pays for builders it does not use.
func (b *Batcher) Err() error {
	if b.err != nil {
		b.refused()
	} else if b.lazy {
		b.reserve()
	}
	return b.err
}

// reserve reserves room rows in every builder.
func (b *Batcher) reserve() {
	b.lazy, b.used = false, true
	for _, bl := range b.builders {
		bl.Reserve(b.room)
	}
}

// maxRefusedWrites is how many writes a source may attempt after the
// Writer returned an error before its Read is aborted.
const maxRefusedWrites = 1024

// readAborted is the panic that aborts a Read that keeps writing after
// the Writer refused its rows (Stream.run recovers it).
type readAborted struct{ refusal error }

// refused counts a write attempted after the Batcher stopped taking rows.
// A Read that ignores the refusal and loops would never return, holding
// its query (and, under LIMIT, the rows already complete) hostage: after
// maxRefusedWrites attempts it is unwound with a panic that Stream.run
// turns into an error.
func (b *Batcher) refused() {
	b.refusals++
	if b.refusals > maxRefusedWrites {
		panic(readAborted{refusal: b.err})
	}
}

// Row records that one row was appended to every builder. It returns
// ErrStop when that row reached the limit, and an error when the batch it
// completed could not be handed over (cancellation, stream closed).
func (b *Batcher) Row() error {
	b.rows++
	if b.rows < b.room {
		return nil
	}
	return b.Flush()
}

// AppendColumns appends n rows given column by column. lens has the
// length of every table column's slice, in schema order; the slices of
// built columns must all have n elements (unbuilt ones are ignored, and
// may be nil). fill(i, j) must append elements [i, j) of every built
// column to its builder; it is called once per batch the rows span.
func (b *Batcher) AppendColumns(lens []int, fill func(i, j int)) error {
	if b.err != nil {
		b.refused()
		return b.err
	}
	if len(lens) != b.table.NumFields() {
		return fmt.Errorf("AppendColumns: %d column lengths for %d columns", len(lens), b.table.NumFields())
	}
	n := -1
	for _, c := range b.built {
		switch {
		case n < 0:
			n = lens[c]
		case lens[c] != n:
			return fmt.Errorf("AppendColumns: column %s has %d values, column %s has %d",
				b.table.Field(b.built[0]).Name, n, b.table.Field(c).Name, lens[c])
		}
	}
	if len(b.built) == 0 { // no column needed (count(*)): the longest slice gives the row count
		for _, l := range lens {
			n = max(n, l)
		}
	}
	for done := 0; done < n; {
		if b.lazy {
			b.reserve()
		}
		k := min(n-done, b.room-b.rows)
		fill(done, done+k)
		done += k
		b.rows += k
		if b.rows >= b.room {
			if err := b.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// AppendRecord hands over a record the source already holds, without
// copying: rows appended before are flushed first, then the record's
// columns the scan needs are emitted as one batch (cut at the limit). Its
// schema must be the table's, or the scan's output schema.
func (b *Batcher) AppendRecord(rec arrow.RecordBatch) error {
	return b.AppendRecordRows(rec, 0, rec.NumRows())
}

// AppendRecordRows is AppendRecord of rows [i, j) of rec: only the
// columns the scan needs are cut to those rows, where slicing the record
// first would cut every column.
func (b *Batcher) AppendRecordRows(rec arrow.RecordBatch, i, j int64) error {
	if b.err != nil {
		b.refused()
		return b.err
	}
	if i < 0 || j < i || j > rec.NumRows() {
		return fmt.Errorf("AppendRecordRows: rows [%d, %d) of a record of %d rows", i, j, rec.NumRows())
	}
	cols, err := b.recordColumns(rec)
	if err != nil {
		return err
	}
	if err := b.Flush(); err != nil {
		return err
	}
	n := j - i
	if b.left >= 0 && n > int64(b.left) {
		n = int64(b.left)
	}
	if n == 0 {
		return nil
	}
	// A record's columns are handed over as they are (the new record
	// retains them). A cut to a few rows keeps the columns too, with a
	// selection of those rows: slicing every column costs two allocations
	// a column, which is most of what reading a partition's first rows
	// costs (ORDER BY the declared ordering LIMIT n); a longer cut is
	// sliced, so that the batch stays dense for the operators above.
	whole := n == rec.NumRows()
	selected := !whole && n <= maxSelectedCut
	arrs := slices.Grow(b.scratch[:0], len(cols))
	for _, c := range cols {
		if whole || selected {
			arrs = append(arrs, rec.Column(c))
		} else {
			arrs = append(arrs, array.NewSlice(rec.Column(c), i, i+n))
		}
	}
	rows := n
	if selected {
		rows = rec.NumRows()
	}
	out := newColumnsRecord(b.out, arrs, rows)
	for k, a := range arrs {
		if !whole && !selected {
			a.Release()
		}
		arrs[k] = nil
	}
	b.scratch = arrs
	batch := plan.Batch{Record: out}
	if selected {
		batch.Sel = rowRange(int(i), int(n))
	}
	return b.send(batch, int(n))
}

// maxSelectedCut is the longest cut of a handed-over record emitted as a
// selection of its rows instead of a slice of its columns.
const maxSelectedCut = 256

// rowRange returns a new selection of rows first..first+n-1: operators
// may narrow a selection in place, so it is never shared.
func rowRange(first, n int) []int32 {
	sel := make([]int32, n)
	for k := range sel {
		sel[k] = int32(first + k)
	}
	return sel
}

// recordColumns maps each output column to a column of rec. Sources hand
// over records of one schema, so the mapping of the last schema is kept.
func (b *Batcher) recordColumns(rec arrow.RecordBatch) ([]int, error) {
	s := rec.Schema()
	if s == b.lastSchema {
		return b.lastCols, nil
	}
	cols := make([]int, b.out.NumFields())
	switch {
	case sameFields(s, b.table):
		for i, p := range b.outPos {
			cols[i] = b.built[p]
		}
	case sameFields(s, b.out):
		for i := range cols {
			cols[i] = i
		}
	default:
		return nil, fmt.Errorf("AppendRecord: record schema %s matches neither the table %s nor the scan's output %s", s, b.table, b.out)
	}
	b.lastSchema, b.lastCols = s, cols
	return cols, nil
}

func sameFields(a, b *arrow.Schema) bool {
	if a == b {
		return true
	}
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.NumFields() {
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name || !arrow.TypeEqual(fa.Type, fb.Type) {
			return false
		}
	}
	return true
}

// Flush hands the rows appended so far to the stream as one batch, even
// when it is not full. Sources that produce rows slowly (tailing a log)
// call it so rows do not wait for a full batch.
func (b *Batcher) Flush() error {
	if b.err != nil {
		b.refused()
		return b.err
	}
	if b.rows == 0 {
		return nil
	}
	for i, bl := range b.builders {
		if bl.Len() != b.rows {
			// Only a Writer bypassing Append (or a hand-made one) gets here;
			// building the record would panic.
			return b.fail(fmt.Errorf("column %s has %d values for %d rows", b.table.Field(b.built[i]).Name, bl.Len(), b.rows))
		}
	}
	arrs := make([]arrow.Array, len(b.builders))
	for i, bl := range b.builders {
		arrs[i] = bl.NewArray()
	}
	cols := make([]arrow.Array, len(b.outPos))
	for i, p := range b.outPos {
		cols[i] = arrs[p]
	}
	rec := array.NewRecordBatch(b.out, cols, int64(b.rows))
	for _, a := range arrs {
		a.Release()
	}
	n := b.rows
	b.rows = 0
	return b.send(plan.Batch{Record: rec}, n)
}

// send emits batch (n rows), taking ownership of it, and updates the
// limit.
func (b *Batcher) send(batch plan.Batch, n int) error {
	if err := b.ctx.Err(); err != nil {
		batch.Release()
		return b.fail(err)
	}
	if err := b.emit.put(batch); err != nil {
		return b.fail(err)
	}
	if b.left > 0 {
		b.left -= n
	}
	b.setRoom()
	return b.err
}

// setRoom sets the row count of the next flush and stops the Batcher when
// the limit allows no more rows. It has room rows reserved in every builder
// before the next row is appended (by Err, which every generated Append
// calls first, or by AppendColumns): generated Writers rely on that to
// append fixed-width values without capacity checks (UnsafeAppend), so
// every path that empties the builders must come back here before rows are
// appended again.
func (b *Batcher) setRoom() {
	b.room = b.size
	if b.left >= 0 && b.left < b.room {
		b.room = b.left
	}
	if b.left == 0 {
		b.err = ErrStop
		return
	}
	b.lazy = true
}

// fail makes err sticky. Zero room sends every later Row to Flush, which
// reports err. The builders may hold no reserved room any more (the batch
// that failed was built), so a Writer must check Err before appending.
func (b *Batcher) fail(err error) error {
	b.err, b.room = err, 0
	return err
}

// release frees the builders and whatever rows they still hold.
func (b *Batcher) release() {
	if !b.used && b.spare.put(b.mem, b) {
		return
	}
	for _, bl := range b.builders {
		bl.Release()
	}
	b.builders = nil
}
