package source

import (
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// columnsRecord is an arrow.RecordBatch of columns the Batcher already
// checked against its schema: the columns of one record the source handed
// over, which agree in type (recordColumns matched the schemas) and in
// length (a record's columns always do). array.NewRecordBatch checks every
// column again and allocates twice; for a record cut per partition that
// was a tenth of reading a partition's first rows.
type columnsRecord struct {
	refs   atomic.Int64
	schema *arrow.Schema
	rows   int64
	cols   []arrow.Array
	room   [6]arrow.Array // cols without an allocation of their own
}

var _ arrow.RecordBatch = (*columnsRecord)(nil)

// newColumnsRecord retains cols into a record of schema and rows rows.
func newColumnsRecord(schema *arrow.Schema, cols []arrow.Array, rows int64) *columnsRecord {
	r := &columnsRecord{schema: schema, rows: rows}
	r.refs.Store(1)
	if len(cols) <= len(r.room) {
		r.cols = r.room[:len(cols):len(cols)]
	} else {
		r.cols = make([]arrow.Array, len(cols))
	}
	for i, c := range cols {
		c.Retain()
		r.cols[i] = c
	}
	return r
}

// Retain implements arrow.RecordBatch.
func (r *columnsRecord) Retain() { r.refs.Add(1) }

// Release implements arrow.RecordBatch: the last release releases the
// columns.
func (r *columnsRecord) Release() {
	switch n := r.refs.Add(-1); {
	case n == 0:
		for i, c := range r.cols {
			c.Release()
			r.cols[i] = nil
		}
		r.cols = nil
	case n < 0:
		panic("source: record released more often than retained")
	}
}

// Schema implements arrow.RecordBatch.
func (r *columnsRecord) Schema() *arrow.Schema { return r.schema }

// NumRows implements arrow.RecordBatch.
func (r *columnsRecord) NumRows() int64 { return r.rows }

// NumCols implements arrow.RecordBatch.
func (r *columnsRecord) NumCols() int64 { return int64(len(r.cols)) }

// Columns implements arrow.RecordBatch.
func (r *columnsRecord) Columns() []arrow.Array { return r.cols }

// Column implements arrow.RecordBatch.
func (r *columnsRecord) Column(i int) arrow.Array { return r.cols[i] }

// ColumnName implements arrow.RecordBatch.
func (r *columnsRecord) ColumnName(i int) string { return r.schema.Field(i).Name }

// SetColumn implements arrow.RecordBatch, as array's records do: a new
// record with column i replaced, checked.
func (r *columnsRecord) SetColumn(i int, col arrow.Array) (arrow.RecordBatch, error) {
	if i < 0 || i >= len(r.cols) {
		return nil, fmt.Errorf("arrow/array: column index out of range [0, %d): got=%d", len(r.cols), i)
	}
	cols := append([]arrow.Array(nil), r.cols...)
	cols[i] = col
	return array.NewRecordBatch(r.schema, cols, r.rows), nil
}

// NewSlice implements arrow.RecordBatch: rows [i, j), sharing memory.
func (r *columnsRecord) NewSlice(i, j int64) arrow.RecordBatch {
	cols := make([]arrow.Array, len(r.cols))
	for k, c := range r.cols {
		cols[k] = array.NewSlice(c, i, j)
	}
	out := newColumnsRecord(r.schema, cols, j-i)
	for _, c := range cols {
		c.Release()
	}
	return out
}

// MarshalJSON implements json.Marshaler, as array's records do.
func (r *columnsRecord) MarshalJSON() ([]byte, error) {
	rec := array.NewRecordBatch(r.schema, r.cols, r.rows)
	defer rec.Release()
	return rec.MarshalJSON()
}
