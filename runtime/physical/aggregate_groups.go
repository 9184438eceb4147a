package physical

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// grouper maps GROUP BY key tuples to dense group ids (0, 1, 2, ... in
// order of first appearance). NULL is a group of its own.
type grouper interface {
	// assign writes the group id of each of the n rows described by cols
	// into ids[:n] and appends to newRows the positions (0..n-1) of rows
	// that opened a new group. When every row belongs to one group it may
	// instead return that group as one, leaving ids unwritten; otherwise
	// one is -1.
	assign(cols []keyColumn, n int, ids *idBuffer, newRows []int32) (_ []int32, one int32, _ error)
	len() int
}

// idBuffer holds the group ids of a batch's rows, allocated only when a
// batch is not all of one group.
type idBuffer struct{ buf []int32 }

// get returns room for n ids.
func (b *idBuffer) get(n int) []int32 {
	if cap(b.buf) < n {
		b.buf = make([]int32, n)
	}
	return b.buf[:n]
}

// newGrouper picks the fastest grouper for the key types: an
// open-addressing table on the integer value for one integer-like key
// (int64Table, about twice as fast as a Go map here), a Go map on the
// bytes for one string or binary key, and on the encoded row otherwise.
func newGrouper(types []arrow.DataType) grouper {
	if len(types) == 0 {
		return &globalGrouper{}
	}
	if len(types) == 1 {
		switch types[0].ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
			arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
			return &intGrouper{ids: newInt64Table(), null: -1}
		case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
			return &bytesGrouper{ids: map[string]int32{}, null: -1}
		}
	}
	return &rowGrouper{ids: map[string]int32{}}
}

// globalGrouper is the single group of an aggregate without GROUP BY. It
// exists from the start, so an empty input still yields one row.
type globalGrouper struct{}

func (globalGrouper) assign(_ []keyColumn, _ int, _ *idBuffer, newRows []int32) ([]int32, int32, error) {
	return newRows, 0, nil
}

func (globalGrouper) len() int { return 1 }

// intGrouper groups by one integer-like column. Values are widened to
// int64 (unsigned ones bit for bit), which keeps equality.
type intGrouper struct {
	ids  *int64Table
	null int32
	n    int32
}

func (g *intGrouper) len() int { return int(g.n) }

func (g *intGrouper) assign(cols []keyColumn, n int, ids *idBuffer, newRows []int32) ([]int32, int32, error) {
	c := cols[0]
	switch c.arr.DataType().ID() {
	case arrow.INT8:
		return assignInts(g, fixedValues[int8](c.arr), c, n, ids, newRows)
	case arrow.INT16:
		return assignInts(g, fixedValues[int16](c.arr), c, n, ids, newRows)
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return assignInts(g, fixedValues[int32](c.arr), c, n, ids, newRows)
	case arrow.UINT8:
		return assignInts(g, fixedValues[uint8](c.arr), c, n, ids, newRows)
	case arrow.UINT16:
		return assignInts(g, fixedValues[uint16](c.arr), c, n, ids, newRows)
	case arrow.UINT32:
		return assignInts(g, fixedValues[uint32](c.arr), c, n, ids, newRows)
	case arrow.UINT64:
		return assignInts(g, fixedValues[uint64](c.arr), c, n, ids, newRows)
	}
	return assignInts(g, fixedValues[int64](c.arr), c, n, ids, newRows)
}

func assignInts[T signedInt | unsignedInt](g *intGrouper, vals []T, c keyColumn, n int, ids *idBuffer, newRows []int32) ([]int32, int32, error) {
	if v, ok := oneInt(vals, c, n); ok {
		id, added := g.ids.findOrInsert(int64(v), g.n)
		if added {
			g.n++
			newRows = append(newRows, 0)
		}
		return newRows, id, nil
	}
	return assignIntRows(g, vals, c, n, ids.get(n), newRows), -1, nil
}

func assignIntRows[T signedInt | unsignedInt](g *intGrouper, vals []T, c keyColumn, n int, ids []int32, newRows []int32) []int32 {
	valid, off := validity(c.arr)
	if valid == nil && c.sel == nil {
		// The common case gets a loop without per-row branches on
		// NULLs and selections.
		ids = ids[:n]
		vals = vals[:n]
		for i, v := range vals {
			id, added := g.ids.findOrInsert(int64(v), g.n)
			if added {
				g.n++
				newRows = append(newRows, int32(i))
			}
			ids[i] = id
		}
		return newRows
	}
	if valid == nil {
		sel := c.sel[:n]
		ids = ids[:n]
		for i, row := range sel {
			id, added := g.ids.findOrInsert(int64(vals[row]), g.n)
			if added {
				g.n++
				newRows = append(newRows, int32(i))
			}
			ids[i] = id
		}
		return newRows
	}
	for i := range n {
		row := rowOf(c.sel, i)
		if !validRow(valid, off, row) {
			if g.null < 0 {
				g.null = g.n
				g.n++
				newRows = append(newRows, int32(i))
			}
			ids[i] = g.null
			continue
		}
		id, added := g.ids.findOrInsert(int64(vals[row]), g.n)
		if added {
			g.n++
			newRows = append(newRows, int32(i))
		}
		ids[i] = id
	}
	return newRows
}

// bytesGrouper groups by one string or binary column.
type bytesGrouper struct {
	ids  map[string]int32
	null int32
	n    int32
}

func (g *bytesGrouper) len() int { return int(g.n) }

func (g *bytesGrouper) assign(cols []keyColumn, n int, ids *idBuffer, newRows []int32) ([]int32, int32, error) {
	c := cols[0]
	switch c.arr.DataType().ID() {
	case arrow.STRING, arrow.BINARY:
		if b, ok := oneBytes[int32](c.arr, n); ok {
			newRows, id := g.oneKey(b, newRows)
			return newRows, id, nil
		}
		return assignBytes[int32](g, c, n, ids.get(n), newRows), -1, nil
	}
	if b, ok := oneBytes[int64](c.arr, n); ok {
		newRows, id := g.oneKey(b, newRows)
		return newRows, id, nil
	}
	return assignBytes[int64](g, c, n, ids.get(n), newRows), -1, nil
}

// oneKey returns the group of key b, opened by the batch's row 0 if new.
func (g *bytesGrouper) oneKey(b []byte, newRows []int32) ([]int32, int32) {
	id, ok := g.ids[string(b)]
	if !ok {
		id = g.n
		g.ids[string(b)] = id
		g.n++
		newRows = append(newRows, 0)
	}
	return newRows, id
}

func assignBytes[O int32 | int64](g *bytesGrouper, c keyColumn, n int, ids []int32, newRows []int32) []int32 {
	v := varView[O](c.arr)
	valid, off := validity(c.arr)
	// prev and prevID remember the last key looked up: rows of one key
	// often come in runs (a partition of a key-partitioned table holds a
	// single key), and comparing bytes is cheaper than hashing them.
	var prev []byte
	prevID := int32(-1)
	for i := range n {
		row := rowOf(c.sel, i)
		if !validRow(valid, off, row) {
			if g.null < 0 {
				g.null = g.n
				g.n++
				newRows = append(newRows, int32(i))
			}
			ids[i] = g.null
			continue
		}
		b := v.data[v.offs[row]:v.offs[row+1]]
		if prevID >= 0 && string(b) == string(prev) {
			ids[i] = prevID
			continue
		}
		// The string conversion in a map index does not allocate. (An
		// open-addressing table over a byte arena, like int64Table, was
		// measured slower than the Go map here: see
		// docs/benchmarks-physical.md.)
		id, ok := g.ids[string(b)]
		if !ok {
			id = g.n
			g.ids[string(b)] = id
			g.n++
			newRows = append(newRows, int32(i))
		}
		ids[i] = id
		prev, prevID = b, id
	}
	return newRows
}

// rowGrouper groups by the encoded key row (several columns, or types
// whose equality is not bitwise: floats fold -0 into 0 and NaNs together).
type rowGrouper struct {
	ids map[string]int32
	enc encodedRows
}

func (g *rowGrouper) len() int { return len(g.ids) }

func (g *rowGrouper) assign(cols []keyColumn, n int, idBuf *idBuffer, newRows []int32) ([]int32, int32, error) {
	ids := idBuf.get(n)
	if err := encodeRows(&g.enc, cols, n); err != nil {
		return newRows, -1, err
	}
	for i := range n {
		k := g.enc.row(i)
		id, ok := g.ids[string(k)]
		if !ok {
			id = int32(len(g.ids))
			g.ids[string(k)] = id
			newRows = append(newRows, int32(i))
		}
		ids[i] = id
	}
	return newRows, -1, nil
}

// groupKeys stores the key values of every group, in group id order, as
// small Arrow chunks gathered batch by batch from the rows that opened
// new groups.
type groupKeys struct {
	chunks [][]arrow.Array // per key column
}

func newGroupKeys(n int) *groupKeys { return &groupKeys{chunks: make([][]arrow.Array, n)} }

func (k *groupKeys) add(mem memory.Allocator, cols []keyColumn, newRows []int32) error {
	if len(newRows) == 0 {
		return nil
	}
	idx := make([]int32, len(newRows))
	for c, col := range cols {
		for i, r := range newRows {
			idx[i] = int32(rowOf(col.sel, int(r)))
		}
		arr, err := takeArray(mem, col.arr, idx)
		if err != nil {
			return err
		}
		k.chunks[c] = append(k.chunks[c], arr)
	}
	return nil
}

// columns concatenates the chunks into one array per key column.
func (k *groupKeys) columns(mem memory.Allocator, types []arrow.DataType) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(k.chunks))
	for c, chunks := range k.chunks {
		var err error
		switch len(chunks) {
		case 0:
			out[c] = array.MakeArrayOfNull(mem, types[c], 0)
		case 1:
			out[c] = chunks[0]
			out[c].Retain()
		default:
			out[c], err = array.Concatenate(chunks, mem)
		}
		if err != nil {
			for _, a := range out[:c] {
				a.Release()
			}
			return nil, err
		}
	}
	return out, nil
}

func (k *groupKeys) release() {
	for c, chunks := range k.chunks {
		for _, a := range chunks {
			a.Release()
		}
		k.chunks[c] = nil
	}
}
