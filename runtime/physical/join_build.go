package physical

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// DefaultJoinMemoryBudget is how many bytes the build sides of one join
// may hold (all partitions together) unless the planner is told otherwise.
const DefaultJoinMemoryBudget int64 = 1 << 30

// joinBudget counts the bytes the build sides of one join execution hold,
// across partitions, and fails the build that would exceed the limit:
// a clear error instead of running the process out of memory.
type joinBudget struct {
	limit int64
	used  atomic.Int64
	join  string // the join's description, for the error
}

func (b *joinBudget) reserve(n int64) error {
	if b == nil || b.limit <= 0 {
		return nil
	}
	if used := b.used.Add(n); used > b.limit {
		b.used.Add(-n)
		// The operator's name comes with the error's location.
		return fmt.Errorf("the build side of %s needs more than the join memory budget of %s (set it with runtime.WithJoinMemoryBudget)",
			b.join, formatBytes(b.limit))
	}
	return nil
}

func (b *joinBudget) free(n int64) {
	if b != nil && b.limit > 0 {
		b.used.Add(-n)
	}
}

// formatBytes renders n as 64 MiB, 1.5 GiB, 512 B.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	s := fmt.Sprintf("%.1f", v)
	if v == float64(int64(v)) {
		s = fmt.Sprintf("%d", int64(v))
	}
	return s + " " + string("KMGTPE"[exp]) + "iB"
}

// recordBytes is the memory the buffers of rec hold.
func recordBytes(rec arrow.RecordBatch) int64 {
	var n int64
	var walk func(d arrow.ArrayData)
	walk = func(d arrow.ArrayData) {
		for _, b := range d.Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
		for _, c := range d.Children() {
			walk(c)
		}
	}
	for _, c := range rec.Columns() {
		walk(c.Data())
	}
	return n
}

// joinBuild is the collected build side of a join: every row in one dense
// record followed by one all-NULL row (index n), which outputs gather for
// "no matching row", and for a hash join the table from key to rows.
type joinBuild struct {
	rec    arrow.RecordBatch
	n      int
	nulls  []bool     // per column: a build row (not the NULL row) is NULL
	table  *joinTable // nil for a nested-loop join
	bytes  int64      // reserved from the budget
	budget *joinBudget
}

func (b *joinBuild) release() {
	if b == nil {
		return
	}
	if b.rec != nil {
		b.rec.Release()
		b.rec = nil
	}
	b.table.release()
	b.table = nil
	b.budget.free(b.bytes)
	b.bytes = 0
}

// collectBuild reads in to the end and returns its rows as a joinBuild
// (without table), reserving their memory from budget as they arrive.
func collectBuild(ctx context.Context, in plan.RecordStream, schema *arrow.Schema, mem memory.Allocator, budget *joinBudget) (*joinBuild, error) {
	var batches []plan.Batch
	var reserved int64
	fail := func(err error) (*joinBuild, error) {
		releaseBatches(batches)
		budget.free(reserved)
		return nil, err
	}
	rows := 0
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	err := plan.PushAll(in, func(b plan.Batch) error {
		if err := ctx.Err(); err != nil {
			b.Release()
			return err
		}
		if b.NumRows() == 0 {
			b.Release()
			return nil
		}
		n := recordBytes(b.Record)
		if err := budget.reserve(n); err != nil {
			b.Release()
			return err
		}
		reserved += n
		batches = append(batches, b)
		rows += b.NumRows()
		return nil
	})
	if err != nil {
		return fail(err)
	}
	// One dense record of every selected row, then the NULL row.
	fields := make([]arrow.Field, schema.NumFields())
	for i, f := range schema.Fields() {
		f.Nullable = true
		fields[i] = f
	}
	dense := arrow.NewSchema(fields, nil)
	refs := make([]rowRef, 0, rows+1)
	for bi, b := range batches {
		for i := range b.NumRows() {
			refs = append(refs, rowRef{int32(bi), int32(rowOf(b.Sel, i))})
		}
	}
	refs = append(refs, rowRef{int32(len(batches)), 0})
	cols := make([]arrow.Array, schema.NumFields())
	releaseCols := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	srcs := make([]arrow.Array, len(batches)+1)
	for i, f := range schema.Fields() {
		for bi, b := range batches {
			srcs[bi] = b.Record.Column(i)
		}
		null := array.MakeArrayOfNull(mem, f.Type, 1)
		srcs[len(batches)] = null
		c, err := interleave(mem, srcs, refs)
		null.Release()
		if err != nil {
			releaseCols()
			return fail(err)
		}
		cols[i] = c
	}
	rec := array.NewRecordBatch(dense, cols, int64(rows+1))
	releaseCols()
	releaseBatches(batches)
	batches = nil
	// The dense copy replaces the batches in the budget.
	size := recordBytes(rec)
	budget.free(reserved)
	reserved = 0
	if err := budget.reserve(size); err != nil {
		rec.Release()
		return nil, err
	}
	// Probe partitions may read the record concurrently: compute the
	// lazily cached null counts now.
	shareAcrossGoroutines(rec)
	nulls := make([]bool, len(cols))
	for i, c := range rec.Columns() {
		nulls[i] = c.NullN() > 1 // more than the trailing NULL row
	}
	return &joinBuild{rec: rec, n: rows, nulls: nulls, bytes: size, budget: budget}, nil
}

// joinTable maps join keys to the build rows holding them: key -> first
// row (a typed int64 table for one integer key, a keyTable of hashed key
// columns otherwise), row -> next row of the same key. Rows with a NULL
// key are not in it: they never match.
type joinTable struct {
	ints *int64Table // id of a key: its first row
	keys *keyTable
	next []int32
	// unique is true when no key has two rows: a probe row then matches
	// at most one row, and outputs can gather build columns aligned with
	// the probe batch.
	unique bool
	// nullKeys counts build rows with a NULL key (NOT IN needs to know).
	nullKeys int
}

func (t *joinTable) release() {
	if t != nil && t.keys != nil {
		t.keys.release()
	}
}

// intKeyable reports whether a single key of type t can use the int64
// table: integers and the temporal types stored as integers, whose
// equality is the equality of their bits.
func intKeyable(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return true
	}
	return false
}

// keyBatch holds one batch's evaluated join keys.
type keyBatch struct {
	cols    []keyColumn
	n       int
	ints    []int64  // single integer key: the values
	hash    []uint64 // other keys: each row's hash
	null    []bool   // rows with a NULL in some key
	own     []int64  // storage for ints when they are not the column itself
	scratch probeScratch
}

func (k *keyBatch) release() {
	for _, c := range k.cols {
		if c.arr != nil {
			c.arr.Release()
		}
	}
	k.cols = k.cols[:0]
	k.ints = nil
}

// evalKeys evaluates the key expressions over b (n selected rows).
func evalKeys(k *keyBatch, evals []evaluator, mem memory.Allocator, b plan.Batch, intKey bool) error {
	k.release()
	k.n = b.NumRows()
	for _, ev := range evals {
		arr, sel, err := ev.eval(mem, b)
		if err != nil {
			return err
		}
		k.cols = append(k.cols, keyColumn{arr: arr, sel: sel})
	}
	k.null = sized(k.null, k.n)
	clear(k.null)
	for _, c := range k.cols {
		valid, off := validity(c.arr)
		if valid == nil {
			continue
		}
		for i := range k.n {
			if !bitutil.BitIsSet(valid, off+rowOf(c.sel, i)) {
				k.null[i] = true
			}
		}
	}
	if intKey {
		c := k.cols[0]
		if c.sel == nil && c.arr.DataType().ID() == arrow.INT64 {
			k.ints = fixedValues[int64](c.arr)[:k.n] // no copy
			return nil
		}
		k.own = sized(k.own, k.n)
		k.ints = k.own
		int64KeysOf(c, k.ints)
		return nil
	}
	k.hash = sized(k.hash, k.n)
	hashKeys(k.hash, k.cols)
	return nil
}

// int64KeysOf reads an integer-like key column as int64s, one per row.
func int64KeysOf(c keyColumn, out []int64) {
	a := c.arr
	switch a.DataType().ID() {
	case arrow.INT8:
		widen(out, c.sel, fixedValues[int8](a))
	case arrow.INT16:
		widen(out, c.sel, fixedValues[int16](a))
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		widen(out, c.sel, fixedValues[int32](a))
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		widen(out, c.sel, fixedValues[int64](a))
	case arrow.UINT8:
		widen(out, c.sel, fixedValues[uint8](a))
	case arrow.UINT16:
		widen(out, c.sel, fixedValues[uint16](a))
	case arrow.UINT32:
		widen(out, c.sel, fixedValues[uint32](a))
	case arrow.UINT64:
		widen(out, c.sel, fixedValues[uint64](a))
	}
}

func widen[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](out []int64, sel []int32, v []T) {
	if sel == nil {
		for i := range out {
			out[i] = int64(v[i])
		}
		return
	}
	for i, r := range sel[:len(out)] {
		out[i] = int64(v[r])
	}
}

// buildTable indexes the rows of build by their keys.
func buildTable(build *joinBuild, evals []evaluator, mem memory.Allocator, intKey bool) error {
	var k keyBatch
	defer k.release()
	// The trailing NULL row is not a build row.
	sel := make([]int32, build.n)
	for i := range sel {
		sel[i] = int32(i)
	}
	if err := evalKeys(&k, evals, mem, plan.Batch{Record: build.rec, Sel: sel}, intKey); err != nil {
		return err
	}
	t := &joinTable{next: make([]int32, build.n), unique: true}
	keys := 0
	for _, null := range k.null[:build.n] {
		if !null {
			keys++
		}
	}
	t.nullKeys = build.n - keys
	var size int64
	if intKey {
		t.ints = &int64Table{}
		t.ints.init(tableSize(keys))
		size = int64(len(t.ints.slots)) * 16
	} else {
		// The table keeps the key columns, one value per build row.
		cols := make([]arrow.Array, len(k.cols))
		for i, c := range k.cols {
			c.arr.Retain()
			cols[i] = c.arr
			if evals[i].column() < 0 {
				size += arrayBytes(c.arr)
			}
		}
		t.keys = newKeyTable(cols, keys)
		size += t.keys.bytes()
	}
	for i := range build.n {
		t.next[i] = -1
		if k.null[i] {
			continue
		}
		var prev int32
		if intKey {
			prev = t.ints.pushHead(k.ints[i], int32(i))
		} else {
			prev = t.keys.insert(k.hash[i], int32(i))
		}
		if prev >= 0 {
			t.unique = false
			t.next[i] = prev
		}
	}
	size += int64(len(t.next)) * 4
	if err := build.budget.reserve(size); err != nil {
		t.release()
		return err
	}
	build.bytes += size
	build.table = t
	return nil
}

// arrayBytes is the memory the buffers of a hold.
func arrayBytes(a arrow.Array) int64 {
	var n int64
	for _, b := range a.Data().Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	return n
}

// pushHead makes row the first row of key k and returns the row it
// displaces, -1 when k is new. The table must have been sized for all
// its keys (tableSize): it does not grow.
func (t *int64Table) pushHead(k int64, row int32) int32 {
	h := t.slot(k)
	for {
		s := &t.slots[h]
		if s.id == 0 {
			s.key, s.id = k, row+1
			t.n++
			return -1
		}
		if s.key == k {
			prev := s.id - 1
			s.id = row + 1
			return prev
		}
		h = (h + 1) & t.mask
	}
}

// find returns the id of key k, or -1.
func (t *int64Table) find(k int64) int32 {
	h := t.slot(k)
	for {
		s := &t.slots[h]
		if s.id == 0 {
			return -1
		}
		if s.key == k {
			return s.id - 1
		}
		h = (h + 1) & t.mask
	}
}

// lookup sets first[i] to the first build row matching probe row i of k,
// or -1. The loop for one integer key is a probe of the flat table per
// row and nothing else.
func (t *joinTable) lookup(k *keyBatch, first []int32) {
	if t.keys != nil {
		t.keys.lookup(k, first, &k.scratch)
		return
	}
	first = first[:k.n]
	null := k.null[:k.n]
	ints := k.ints[:k.n]
	for i, key := range ints {
		first[i] = -1
		if !null[i] {
			first[i] = t.ints.find(key)
		}
	}
}
