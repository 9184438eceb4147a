package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.BinaryTypes.String},
	{Name: "v", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// scanPlan plans one partition of testSchema with the given request.
func scanPlan(t *testing.T, req plan.ScanRequest, opts ...Option) *ScanPlan {
	t.Helper()
	sp, err := NewScanPlan("TestExec", testSchema, Layout{Projection: true, Limit: true}, req, NewOptions("test", opts...))
	if err != nil {
		t.Fatal(err)
	}
	sp.SetPartitions(1, 1)
	return sp
}

// drain reads a stream to its end, returning rows read and the final error.
func drain(s plan.RecordStream) (int, error) {
	n := 0
	for {
		b, err := s.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return n, err
		}
		n += b.NumRows()
		b.Release()
	}
}

// readRows reads s to its end and returns what row makes of each
// selected row of each batch, failing the test on an error.
func readRows(t *testing.T, s plan.RecordStream, row func(rec arrow.RecordBatch, i int) string) []string {
	t.Helper()
	var got []string
	for {
		b, err := s.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		for j := range b.NumRows() {
			i := j
			if b.Sel != nil {
				i = int(b.Sel[j])
			}
			got = append(got, row(b.Record, i))
		}
		b.Release()
	}
}

func counter(n int) ReadFunc {
	return func(ctx context.Context, b *Batcher) error {
		v, _ := b.Builder("v").(*array.Int64Builder)
		for i := range n {
			if err := b.Err(); err != nil {
				return err
			}
			if v != nil {
				v.Append(int64(i))
			}
			if err := b.Row(); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestStreamBatchesAndLimit(t *testing.T) {
	for _, c := range []struct{ limit, want int }{{plan.NoLimit, 1000}, {0, 0}, {7, 7}, {100, 100}} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: c.limit}, WithBatchSize(64))
		s, err := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, counter(1000))
		if err != nil {
			t.Fatal(err)
		}
		n, err := drain(s)
		s.Close()
		if err != nil || n != c.want {
			t.Errorf("limit %d: %d rows, %v; want %d", c.limit, n, err, c.want)
		}
		mem.AssertSize(t, 0)
	}
}

func TestStreamErrorsAndPanics(t *testing.T) {
	for name, read := range map[string]ReadFunc{
		"error": func(context.Context, *Batcher) error { return errors.New("boom") },
		"panic": func(context.Context, *Batcher) error { panic("boom") },
	} {
		sp := scanPlan(t, plan.ScanRequest{Limit: plan.NoLimit})
		s, _ := sp.Stream(context.Background(), 0, nil, read)
		_, err := drain(s)
		s.Close()
		var pe *plan.Error
		if !errors.As(err, &pe) || pe.Table != "test" || pe.Operator != "TestExec" || !strings.Contains(err.Error(), "boom") {
			t.Errorf("%s: %v", name, err)
		}
	}
	sp := scanPlan(t, plan.ScanRequest{Limit: plan.NoLimit}) // counter fills v only: k falls short
	s, _ := sp.Stream(context.Background(), 0, nil, counter(3))
	if _, err := drain(s); err == nil || !strings.Contains(err.Error(), "column k has 0 values for 3 rows") {
		t.Errorf("short column: %v", err)
	}
	s.Close()
	if _, err := scanPlan(t, plan.ScanRequest{}).Stream(context.Background(), 1, nil, counter(1)); err == nil {
		t.Error("partition out of range accepted")
	}
	if _, err := NewScanPlan("X", testSchema, Layout{}, plan.ScanRequest{Projection: []int{5}}, Options{}); err == nil {
		t.Error("projection out of range accepted")
	}
}

func TestCloseBeforeAndDuringRead(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit}, WithBatchSize(10))
	s, _ := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, counter(1<<30))
	s.Close() // never started: nothing to stop
	s, _ = sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, counter(1<<30))
	b, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	s.Close() // the source is blocked on the full hand-off; Close must free it
}

func TestAppendColumnsAndRecord(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ks, vs := []string{"a", "b", "c"}, []int64{1, 2, 3}
	read := func(ctx context.Context, b *Batcher) error {
		k, _ := b.Builder("k").(*array.StringBuilder)
		v, _ := b.Builder("v").(*array.Int64Builder)
		fill := func(i, j int) { k.AppendValues(ks[i:j], nil); v.AppendValues(vs[i:j], nil) }
		if err := b.AppendColumns([]int{3, 2}, fill); err == nil {
			return errors.New("mismatched lengths accepted")
		}
		if err := b.AppendColumns([]int{3, 3}, fill); err != nil {
			return err
		}
		kb, vb := array.NewStringBuilder(mem), array.NewInt64Builder(mem)
		defer kb.Release()
		defer vb.Release()
		kb.AppendValues(ks, nil)
		vb.AppendValues(vs, nil)
		ka, va := kb.NewArray(), vb.NewArray()
		defer ka.Release()
		defer va.Release()
		rec := array.NewRecordBatch(testSchema, []arrow.Array{ka, va}, 3)
		defer rec.Release()
		return b.AppendRecord(rec)
	}
	sp := scanPlan(t, plan.ScanRequest{Projection: []int{1, 0}, Limit: 5}, WithBatchSize(2))
	s, _ := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, read)
	defer s.Close()
	got := readRows(t, s, func(rec arrow.RecordBatch, i int) string {
		return rec.Column(1).ValueStr(i) + rec.Column(0).ValueStr(i)
	})
	if strings.Join(got, ",") != "a1,b2,c3,a1,b2" {
		t.Errorf("rows %v: want columns then record, cut at the limit of 5", got)
	}
}

func TestDomainOf(t *testing.T) {
	v := &expr.Column{Name: "v", Type: arrow.PrimitiveTypes.Int64}
	lit := func(x int64) expr.Expr { return &expr.Literal{Value: expr.Int64(x)} }
	bin := func(op expr.Op, x int64) expr.Expr {
		return &expr.Binary{Op: op, L: v, R: lit(x), Type: arrow.FixedWidthTypes.Boolean}
	}
	cases := []struct {
		filters []expr.Expr
		in, out []int64
	}{
		{[]expr.Expr{bin(expr.OpGt, 3), bin(expr.OpLe, 5)}, []int64{4, 5}, []int64{3, 6}},
		{[]expr.Expr{bin(expr.OpNe, 3)}, []int64{2, 4}, []int64{3}},
		{[]expr.Expr{&expr.InList{E: v, List: []expr.Expr{lit(1), lit(9)}, Negated: true}}, []int64{2}, []int64{1, 9}},
		{[]expr.Expr{&expr.Between{E: v, Low: lit(2), High: lit(4)}}, []int64{2, 4}, []int64{1, 5}},
		{[]expr.Expr{bin(expr.OpEq, 3), bin(expr.OpEq, 4)}, nil, []int64{3, 4}},
	}
	for _, c := range cases {
		d := DomainOf(c.filters, "v", Int64)
		for _, x := range c.in {
			if !d.Contains(x) {
				t.Errorf("%v: domain %v lacks %d", c.filters, d, x)
			}
		}
		for _, x := range c.out {
			if d.Contains(x) {
				t.Errorf("%v: domain %v holds %d", c.filters, d, x)
			}
		}
	}
	if d := DomainOf(nil, "v", Int64); !d.IsAll() {
		t.Errorf("no filter: %v", d)
	}
}

func TestSortRanges(t *testing.T) {
	type p struct{ lo, hi int }
	parts := []p{{10, 20}, {0, 10}}
	bounds := func(x *p) (int, int) { return x.lo, x.hi }
	cmp := func(a, b int) int { return a - b }
	if err := SortRanges(parts, "x", bounds, cmp); err != nil || parts[0].lo != 0 {
		t.Errorf("%v %v", parts, err)
	}
	if err := SortRanges([]p{{0, 11}, {10, 20}}, "x", bounds, cmp); err == nil || err.Error() != "range partitions overlap on x: [0, 11) and [10, 20)" {
		t.Errorf("overlap: %v", err)
	}
	for _, empty := range []p{{0, 0}, {5, 4}} {
		if err := SortRanges([]p{{10, 20}, empty}, "x", bounds, cmp); err == nil || !strings.Contains(err.Error(), "empty range of x") {
			t.Errorf("%v: %v", empty, err)
		}
	}
}

// modes are the stream's two hand-off modes: the coroutine (default) and
// read-ahead over a channel.
var modes = map[string][]Option{"coroutine": nil, "readahead": {WithReadAhead(2)}}

func TestStreamModes(t *testing.T) {
	for name, mode := range modes {
		t.Run(name, func(t *testing.T) {
			for _, c := range []struct{ limit, want int }{{plan.NoLimit, 1000}, {0, 0}, {7, 7}, {100, 100}} {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: c.limit}, append([]Option{WithBatchSize(64)}, mode...)...)
				s, _ := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, counter(1000))
				n, err := drain(s)
				s.Close()
				if err != nil || n != c.want {
					t.Errorf("limit %d: %d rows, %v; want %d", c.limit, n, err, c.want)
				}
				mem.AssertSize(t, 0)
			}
			for what, read := range map[string]ReadFunc{
				"error": func(context.Context, *Batcher) error { return errors.New("boom") },
				"panic": func(ctx context.Context, b *Batcher) error {
					_ = counter(100)(ctx, b) // some batches first
					panic("boom")
				},
			} {
				sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit}, append([]Option{WithBatchSize(10)}, mode...)...)
				s, _ := sp.Stream(context.Background(), 0, nil, read)
				_, err := drain(s)
				s.Close()
				var pe *plan.Error
				if !errors.As(err, &pe) || pe.Table != "test" || pe.Partition != 0 || !strings.Contains(err.Error(), "boom") {
					t.Errorf("%s: %v", what, err)
				}
			}
		})
	}
}

func TestStreamCloseAndCancel(t *testing.T) {
	for name, mode := range modes {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit}, append([]Option{WithBatchSize(10)}, mode...)...)

			// Close after a batch: the source's Writer reports the stream
			// closed, Read returns, its builders are released.
			readErr := make(chan error, 1)
			reading := func(ctx context.Context, b *Batcher) error {
				err := counter(1<<30)(ctx, b)
				readErr <- err
				return err
			}
			s, _ := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, reading)
			b, err := s.Next()
			if err != nil {
				t.Fatal(err)
			}
			b.Release()
			s.Close()
			if err := <-readErr; err == nil {
				t.Error("Read went on after Close")
			}
			if _, err := s.Next(); err == nil || errors.Is(err, io.EOF) {
				t.Errorf("Next after Close: %v", err)
			}

			// Cancel: Next returns the context's error, the Writer too.
			ctx, cancel := context.WithCancel(context.Background())
			s, _ = sp.Stream(ctx, 0, &plan.TaskContext{Allocator: mem}, reading)
			if b, err = s.Next(); err != nil {
				t.Fatal(err)
			}
			b.Release()
			cancel()
			for { // read-ahead may still hand over batches already buffered
				b, err := s.Next()
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Errorf("Next after cancel: %v", err)
					}
					break
				}
				b.Release()
			}
			s.Close()
			if err := <-readErr; !errors.Is(err, context.Canceled) {
				t.Errorf("Writer after cancel: %v", err)
			}
		})
	}
}

func TestReadAheadRunsAhead(t *testing.T) {
	for name, want := range map[string]int{"coroutine": 1, "readahead": 3} {
		sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit}, append([]Option{WithBatchSize(1)}, modes[name]...)...)
		flushed := make(chan int, 10)
		s, _ := sp.Stream(context.Background(), 0, nil, func(ctx context.Context, b *Batcher) error {
			v := b.Builder("v").(*array.Int64Builder)
			for i := range 10 {
				v.Append(int64(i))
				if err := b.Row(); err != nil {
					return err
				}
				flushed <- i + 1
			}
			return nil
		})
		b, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		b.Release()
		// Coroutine: the source is suspended in its first flush. Read-ahead:
		// it fills 2 slots besides the batch read, then blocks on the 4th.
		got := 0
		for done := false; !done; {
			select {
			case got = <-flushed:
			default:
				if name == "coroutine" || got >= want {
					done = true
				}
			}
		}
		if got != want-1 && got != want {
			t.Errorf("%s: source ran %d batches ahead; want about %d", name, got, want)
		}
		s.Close()
	}
}

// A generated Writer does not check for errors before each row: the
// Batcher must report a failure on the very next Row, and keep reporting
// it, however a source that ignores it goes on appending.
func TestRowReportsFailureOnEveryLaterRow(t *testing.T) {
	for name, c := range map[string]struct {
		limit int
		emit  func(plan.Batch) error
		want  error
	}{
		"limit":        {limit: 3, emit: func(b plan.Batch) error { b.Release(); return nil }, want: ErrStop},
		"emit failure": {limit: plan.NoLimit, emit: func(b plan.Batch) error { b.Release(); return errClosed }, want: errClosed},
	} {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			b := newBatcher(context.Background(), mem, testSchema, testSchema, []int{0, 1}, []int{0, 1}, 2, c.limit, sinkFunc(c.emit), nil)
			defer b.release()
			k, v := b.Builder("k").(*array.StringBuilder), b.Builder("v").(*array.Int64Builder)
			var first int
			for i := range 10 {
				k.Append("x")
				v.Append(int64(i))
				err := b.Row()
				if err == nil {
					if first != 0 {
						t.Fatalf("row %d accepted after the failure at row %d", i, first-1)
					}
					continue
				}
				if !errors.Is(err, c.want) {
					t.Fatalf("row %d: %v, want %v", i, err, c.want)
				}
				if first == 0 {
					first = i + 1
				}
			}
			if first == 0 {
				t.Fatal("no row reported the failure")
			}
			for i := first; i < 10; i++ {
				if err := b.Row(); !errors.Is(err, c.want) {
					t.Fatalf("row after the failure: %v, want %v", err, c.want)
				}
			}
		})
	}
}

// TestLimitedScanReadsInline checks the inline mode of a scan whose limit
// fits in one batch: Read has returned by the time the first Next does,
// every batch it flushed is handed over in order, Close releases the ones
// not read, and a cancelled context stops the stream.
func TestLimitedScanReadsInline(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: 5}, WithBatchSize(64))
	returned := false
	read := func(ctx context.Context, b *Batcher) error {
		defer func() { returned = true }()
		v := b.Builder("v").(*array.Int64Builder)
		for i := range 100 {
			if err := b.Err(); err != nil {
				return err
			}
			v.Append(int64(i))
			if err := b.Row(); err != nil {
				return err
			}
			if err := b.Flush(); err != nil { // one batch per row
				return err
			}
		}
		return nil
	}
	s, _ := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, read)
	var got []int64
	for {
		b, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !returned {
			t.Error("Read was still running when Next returned its first batch")
		}
		got = append(got, b.Record.Column(0).(*array.Int64).Int64Values()...)
		b.Release()
	}
	s.Close()
	if want := []int64{0, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}

	s, _ = sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, read)
	b, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	s.Close() // four batches left: released

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, _ = sp.Stream(ctx, 0, &plan.TaskContext{Allocator: mem}, read)
	if _, err := s.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("Next on a cancelled context: %v", err)
	}
	s.Close()
}

// TestSpareBuildersMoveBetweenPartitions checks that the builders of a
// partition whose source only handed over records go to the scan's next
// partition, which can append rows with them, while builders that held
// rows are released, not kept.
func TestSpareBuildersMoveBetweenPartitions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sp, err := NewScanPlan("TestExec", testSchema, Layout{Projection: true, Limit: true},
		plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit}, NewOptions("test", WithBatchSize(4)))
	if err != nil {
		t.Fatal(err)
	}
	sp.SetPartitions(3, 3)
	out := arrow.NewSchema([]arrow.Field{testSchema.Field(1)}, nil)
	records := func(ctx context.Context, b *Batcher) error {
		v := array.NewInt64Builder(mem)
		defer v.Release()
		v.AppendValues([]int64{7, 8}, nil)
		col := v.NewArray()
		defer col.Release()
		rec := array.NewRecordBatch(out, []arrow.Array{col}, 2)
		defer rec.Release()
		return b.AppendRecord(rec)
	}
	task := &plan.TaskContext{Allocator: mem}
	for p, c := range []struct {
		read  ReadFunc
		rows  int
		spare int // spare Batchers after the partition
	}{{records, 2, 1}, {counter(10), 10, 0}, {records, 2, 1}} {
		s, err := sp.Stream(context.Background(), p, task, c.read)
		if err != nil {
			t.Fatal(err)
		}
		n, err := drain(s)
		s.Close()
		if err != nil || n != c.rows {
			t.Errorf("partition %d: %d rows, %v; want %d", p, n, err, c.rows)
		}
		if got := len(sp.spare.sets); got != c.spare {
			t.Errorf("partition %d: %d spare Batchers, want %d", p, got, c.spare)
		}
	}
	if sp.spare.take(memory.NewGoAllocator()) != nil {
		t.Error("a Batcher of one allocator handed out for another")
	}
}

// TestAppendRecordSchemas: records handed over whole, of the table's
// schema and of the scan's output schema in turn (the Batcher keeps the
// column mapping of the last schema), then one cut at the limit; a record
// of another schema is refused. Every buffer is released.
func TestAppendRecordSchemas(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	outSchema := arrow.NewSchema([]arrow.Field{testSchema.Field(1)}, nil)
	other := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	ints := func(vs ...int64) arrow.Array {
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.AppendValues(vs, nil)
		return b.NewArray()
	}
	hand := func(b *Batcher, schema *arrow.Schema, cols ...arrow.Array) error {
		rec := array.NewRecordBatch(schema, cols, int64(cols[0].Len()))
		for _, c := range cols {
			c.Release()
		}
		defer rec.Release()
		return b.AppendRecord(rec)
	}
	var refused error
	read := func(ctx context.Context, b *Batcher) error {
		keys := func(n int) arrow.Array {
			sb := array.NewStringBuilder(mem)
			defer sb.Release()
			for range n {
				sb.Append("k")
			}
			return sb.NewArray()
		}
		for _, step := range []func() error{
			func() error { return hand(b, testSchema, keys(2), ints(1, 2)) },
			func() error { return hand(b, outSchema, ints(3)) },
			func() error { return hand(b, testSchema, keys(1), ints(4)) },
			func() error { return hand(b, outSchema, ints(5, 6)) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		refused = hand(b, other, ints(7))
		return hand(b, outSchema, ints(8, 9, 10))
	}
	sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: 8})
	s, _ := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, read)
	defer s.Close()
	got := readRows(t, s, func(rec arrow.RecordBatch, i int) string {
		if !rec.Schema().Equal(outSchema) {
			t.Errorf("batch schema %s, want %s", rec.Schema(), outSchema)
		}
		return rec.Column(0).ValueStr(i)
	})
	if strings.Join(got, ",") != "1,2,3,4,5,6,8,9" {
		t.Errorf("rows %v: want every record's v, cut at the limit of 8", got)
	}
	if refused == nil || !strings.Contains(refused.Error(), "matches neither") {
		t.Errorf("record of another schema: %v", refused)
	}
}

// TestAppendRecordRows: rows [i, j) of a record are handed over (sliced
// when the cut is long, selected when short), cut at the limit; a range
// outside the record is an error naming it. Every buffer is released.
func TestAppendRecordRows(t *testing.T) {
	for _, c := range []struct {
		limit      int
		i, j, want int64
	}{{plan.NoLimit, 2, 5, 3}, {plan.NoLimit, 0, 1000, 1000}, {plan.NoLimit, 100, 900, 800}, {4, 10, 900, 4}, {plan.NoLimit, 7, 7, 0}} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		v := array.NewInt64Builder(mem)
		k := array.NewStringBuilder(mem)
		for i := range int64(1000) {
			v.Append(i)
			k.Append("k")
		}
		ka, va := k.NewArray(), v.NewArray()
		rec := array.NewRecordBatch(testSchema, []arrow.Array{ka, va}, 1000)
		ka.Release()
		va.Release()
		k.Release()
		v.Release()
		var badRange error
		read := func(ctx context.Context, b *Batcher) error {
			badRange = b.AppendRecordRows(rec, 5, 1001)
			return b.AppendRecordRows(rec, c.i, c.j)
		}
		sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: c.limit})
		s, _ := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, read)
		got := readRows(t, s, func(rec arrow.RecordBatch, i int) string { return rec.Column(0).ValueStr(i) })
		s.Close()
		rec.Release()
		if int64(len(got)) != c.want || (c.want > 0 && (got[0] != fmt.Sprint(c.i) || got[len(got)-1] != fmt.Sprint(c.i+c.want-1))) {
			t.Errorf("rows [%d, %d) under limit %d: got %d rows (%v ... ), want %d from %d", c.i, c.j, c.limit, len(got), got[:min(len(got), 3)], c.want, c.i)
		}
		if badRange == nil || !strings.Contains(badRange.Error(), "[5, 1001) of a record of 1000 rows") {
			t.Errorf("a range past the record: %v", badRange)
		}
		mem.AssertSize(t, 0)
	}
}

// testWriter stands for a generated Writer: it binds the builders of a
// Batcher.
type testWriter struct {
	b *Batcher
	v *array.Int64Builder
}

// partitionsReader reads partition p as the one row p, through the
// Writer WriterOf gives, counting the Writers made; with rec, it hands
// over row p of rec instead (no builder used).
type partitionsReader struct {
	made, calls int
	rec         arrow.RecordBatch
}

func (r *partitionsReader) ReadPartition(_ context.Context, partition int, b *Batcher) error {
	r.calls++
	w := WriterOf(b, func(b *Batcher) *testWriter {
		r.made++
		v, _ := b.Builder("v").(*array.Int64Builder)
		return &testWriter{b: b, v: v}
	})
	if w.b != b {
		return fmt.Errorf("partition %d: the Writer is bound to another Batcher", partition)
	}
	if r.rec != nil {
		return w.b.AppendRecordRows(r.rec, int64(partition), int64(partition)+1)
	}
	if err := w.b.Err(); err != nil {
		return err
	}
	w.v.Append(int64(partition))
	return w.b.Row()
}

// TestWriterOfIsMadeOncePerScan reads the partitions of one scan the way
// a merge does (each to its end before the next starts) and checks that
// they share one Writer when their builders were handed on unused, and
// that a Batcher whose builders were used gets a Writer of its own.
func TestWriterOfIsMadeOncePerScan(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	k, v := array.NewStringBuilder(mem), array.NewInt64Builder(mem)
	for i := range int64(4) {
		k.Append("k")
		v.Append(i)
	}
	ka, va := k.NewArray(), v.NewArray()
	rec := array.NewRecordBatch(testSchema, []arrow.Array{ka, va}, 4)
	for _, a := range []interface{ Release() }{ka, va, k, v} {
		a.Release()
	}
	defer rec.Release()
	for _, c := range []struct {
		name string
		rec  arrow.RecordBatch
		want int // Writers made
	}{
		// Appending rows uses the builders: no Batcher is handed on.
		{"rows appended", nil, 4},
		// Handing records over leaves them unused: one Batcher, one Writer.
		{"records handed over", rec, 1},
	} {
		sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: 1})
		sp.SetPartitions(4, 4)
		r := &partitionsReader{rec: c.rec}
		for p := range 4 {
			s, err := sp.PartitionStream(context.Background(), p, &plan.TaskContext{Allocator: mem}, r)
			if err != nil {
				t.Fatal(err)
			}
			got := readRows(t, s, func(rec arrow.RecordBatch, i int) string { return rec.Column(0).ValueStr(i) })
			s.Close()
			if want := []string{fmt.Sprint(p)}; !slices.Equal(got, want) {
				t.Errorf("%s: partition %d: got rows %v, want %v", c.name, p, got, want)
			}
		}
		if r.calls != 4 || r.made != c.want {
			t.Errorf("%s: %d Writers made in %d calls of ReadPartition, want %d in 4", c.name, r.made, r.calls, c.want)
		}
	}
}

// TestSparesOutliveAScan checks that the unused Batchers (and Writer) of
// one query's scan serve the next query's scan of the same table and
// projection, not one of another projection, and that a table keeps at
// most maxSpares of them, for at most maxSpareKinds projections.
func TestSparesOutliveAScan(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	k, v := array.NewStringBuilder(mem), array.NewInt64Builder(mem)
	k.Append("k")
	v.Append(7)
	ka, va := k.NewArray(), v.NewArray()
	rec := array.NewRecordBatch(testSchema, []arrow.Array{ka, va}, 1)
	for _, a := range []interface{ Release() }{ka, va, k, v} {
		a.Release()
	}
	defer rec.Release()
	opts := NewOptions("test")
	r := &partitionsReader{rec: rec}
	scan := func(projection []int) {
		sp, err := NewScanPlan("TestExec", testSchema, Layout{Projection: true, Limit: true}, plan.ScanRequest{Projection: projection, Limit: 1}, opts)
		if err != nil {
			t.Fatal(err)
		}
		sp.SetPartitions(1, 1)
		s, _ := sp.PartitionStream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, r)
		if n, err := drain(s); n != 1 || err != nil {
			t.Fatalf("projection %v: %d rows, %v", projection, n, err)
		}
		s.Close()
	}
	scan([]int{1})
	scan([]int{1})
	if r.made != 1 {
		t.Errorf("two queries of one projection made %d Writers, want 1", r.made)
	}
	scan([]int{0, 1})
	if r.made != 2 {
		t.Errorf("another projection made %d Writers in all, want 2", r.made)
	}

	var reg spareRegistry
	for i := range maxSpareKinds + 10 {
		reg.forScan(testSchema, []int{i}, []int{i})
	}
	if reg.kinds > maxSpareKinds {
		t.Errorf("%d projections kept, want at most %d", reg.kinds, maxSpareKinds)
	}
	if a, b := reg.forScan(testSchema, []int{1, 0}, []int{0}), reg.forScan(testSchema, []int{1, 0}, []int{0}); a != b {
		t.Error("one projection got two spare lists")
	}

	var spares spareBatchers
	for range maxSpares + 1 {
		spares.put(mem, &Batcher{})
	}
	if len(spares.sets) != maxSpares {
		t.Errorf("%d spares kept, want %d", len(spares.sets), maxSpares)
	}
}
