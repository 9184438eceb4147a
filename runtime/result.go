package runtime

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Result is the complete result of a query: its schema and its rows as
// Arrow records. The records hold memory from the session's allocator;
// call Release when done with them.
type Result struct {
	Schema  *arrow.Schema
	Records []arrow.RecordBatch
}

// NumRows returns the number of rows across all records.
func (r *Result) NumRows() int64 {
	var n int64
	for _, rec := range r.Records {
		n += rec.NumRows()
	}
	return n
}

// Release releases every record. It is safe to call more than once.
func (r *Result) Release() {
	for _, rec := range r.Records {
		rec.Release()
	}
	r.Records = nil
}

// Rows returns the result as Go values, one slice per row, for tests and
// small results. NULL is nil; the other values are normalised so that one
// Go type stands for each family of SQL types: int64 for signed integers,
// uint64 for unsigned ones, float64 for floats, bool, string, []byte for
// binary, time.Time for dates (midnight UTC) and timestamps (in the
// column's time zone, UTC when it has none), time.Duration for durations
// and, for decimals, the exact decimal string ("12.50") rather than a
// float that could not hold it.
func (r *Result) Rows() [][]any {
	n := r.NumRows()
	out := make([][]any, 0, n)
	if len(r.Records) == 0 {
		return out
	}
	// One backing array for every row's values (the records share the
	// result's schema).
	cols := int(r.Records[0].NumCols())
	vals := make([]any, int(n)*cols)
	for _, rec := range r.Records {
		for i := 0; i < int(rec.NumRows()); i++ {
			k := len(out) * cols
			row := vals[k : k+cols : k+cols]
			for c := range row {
				row[c] = goValue(rec.Column(c), i)
			}
			out = append(out, row)
		}
	}
	return out
}

// stringRecord builds a one-column string record.
func stringRecord(alloc memory.Allocator, schema *arrow.Schema, values []string) arrow.RecordBatch {
	b := array.NewStringBuilder(alloc)
	defer b.Release()
	b.AppendValues(values, nil)
	col := b.NewArray()
	defer col.Release()
	return array.NewRecordBatch(schema, []arrow.Array{col}, int64(len(values)))
}

// resultStream serves a collected Result as a RecordStream, handing the
// caller the Result's records one by one.
type resultStream struct {
	res  *Result
	next int
}

func newResultStream(r *Result) *resultStream { return &resultStream{res: r} }

func (s *resultStream) Schema() *arrow.Schema { return s.res.Schema }

func (s *resultStream) Next() (Batch, error) {
	if s.next >= len(s.res.Records) {
		return Batch{}, io.EOF
	}
	rec := s.res.Records[s.next]
	s.res.Records[s.next] = nil
	s.next++
	return Batch{Record: rec}, nil
}

func (s *resultStream) Close() {
	for _, rec := range s.res.Records[s.next:] {
		rec.Release()
	}
	s.res.Records = nil
	s.next = 0
}
