package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/plan"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var eventsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "region", Type: arrow.BinaryTypes.String},
	{Name: "event_type", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// eventsTable builds a two-partition MemTable keyed by region. Its records
// come from the Go allocator, not the session's: a table outlives queries.
func eventsTable(t testing.TB) TableProvider {
	t.Helper()
	tbl, err := memtable.Build(memory.NewGoAllocator(), eventsSchema, [][][]any{
		{{"us-east-1", "click", int64(1)}, {"us-east-1", "view", int64(2)}, {"us-east-1", nil, int64(3)}},
		{{"eu-west-1", "click", int64(4)}, {"eu-west-1", "click", int64(5)}},
	}, memtable.WithKeyPartitioning("region"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tbl.Release)
	return tbl
}

func newTestSession(t *testing.T, opts ...Option) (*Session, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s := NewSession(append([]Option{WithAllocator(mem), WithParallelism(2), WithVerify(true)}, opts...)...)
	if err := s.Register("events", eventsTable(t)); err != nil {
		t.Fatal(err)
	}
	return s, mem
}

func query(t *testing.T, s *Session, q string, args ...any) [][]any {
	t.Helper()
	res, err := s.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer res.Release()
	return res.Rows()
}

func TestQueryEndToEnd(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	tests := []struct {
		sql  string
		want [][]any
	}{
		{"SELECT region, count(*) AS n, sum(user_id) AS total FROM events WHERE user_id > 1 GROUP BY region ORDER BY region",
			[][]any{{"eu-west-1", int64(2), int64(9)}, {"us-east-1", int64(2), int64(5)}}},
		{"SELECT user_id, event_type FROM Events ORDER BY user_id DESC LIMIT 2 OFFSET 1",
			[][]any{{int64(4), "click"}, {int64(3), nil}}},
		{"SELECT count(*) FROM events WHERE region = 'nowhere'", [][]any{{int64(0)}}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, query(t, s, tc.sql)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tc.sql, diff)
		}
	}
}

func TestExplain(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	const q = "SELECT user_id FROM events WHERE region = 'eu-west-1' ORDER BY user_id LIMIT 1"
	text, err := s.Explain(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	rows := query(t, s, "EXPLAIN "+q)
	if len(rows) == 0 || len(rows) != strings.Count(text, "\n") {
		t.Fatalf("EXPLAIN returned %d rows for plan\n%s", len(rows), text)
	}
	for i, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if rows[i][0] != line {
			t.Errorf("EXPLAIN row %d = %q, want %q", i, rows[i][0], line)
		}
	}
	analyzed := query(t, s, "EXPLAIN ANALYZE "+q)
	if len(analyzed) == 0 || !strings.Contains(fmt.Sprint(analyzed), "rows") {
		t.Errorf("EXPLAIN ANALYZE = %v, want per-operator row counts", analyzed)
	}
}

func TestPrepareBindsParamsAndCaches(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	const q = "SELECT user_id FROM events WHERE region = $1 AND user_id >= $2 ORDER BY user_id"
	st, err := s.Prepare(q)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(st.Params()); got != 2 {
		t.Fatalf("Params() has %d types, want 2", got)
	}
	res, err := st.Query(context.Background(), "eu-west-1", int64(5))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]any{{int64(5)}}, res.Rows()); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	res.Release()

	before := s.CacheStats()
	if diff := cmp.Diff([][]any{{int64(2)}, {int64(3)}}, query(t, s, q, "us-east-1", int64(2))); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if after := s.CacheStats(); after.Hits != before.Hits+1 || after.Misses != before.Misses {
		t.Errorf("second run of the same text: stats %+v -> %+v, want one more hit", before, after)
	}

	// Registering invalidates cached statements, and the prepared
	// statement re-binds to the current tables.
	if err := s.Register("other", eventsTable(t)); err != nil {
		t.Fatal(err)
	}
	if got := s.CacheStats().Entries; got != 0 {
		t.Errorf("cache holds %d statements after Register, want 0", got)
	}
	if !s.Deregister("EVENTS") {
		t.Fatal("Deregister(EVENTS) found no table")
	}
	if _, err := st.Query(context.Background(), "eu-west-1", int64(5)); err == nil || !strings.Contains(err.Error(), "events") {
		t.Errorf("query on a deregistered table: got %v, want an error naming it", err)
	}
}

func TestRegisterNames(t *testing.T) {
	s := NewSession()
	tbl := eventsTable(t)
	for _, bad := range []string{"", "1abc", "a-b", "a b", strings.Repeat("x", 64)} {
		if err := s.Register(bad, tbl); err == nil {
			t.Errorf("Register(%q) succeeded, want an error", bad)
		}
	}
	if err := s.Register("Events", tbl); err != nil {
		t.Fatal(err)
	}
	if err := s.Register("EVENTS", tbl); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("duplicate Register: %v", err)
	}
	if err := s.Register("x", nil); err == nil {
		t.Error("Register(nil) succeeded")
	}
	if diff := cmp.Diff([]string{"Events"}, s.Tables()); diff != "" {
		t.Error(diff)
	}
	if s.Deregister("nope") {
		t.Error("Deregister of an unknown table reported true")
	}
}

// assertReleased asserts that mem holds nothing once the query has wound
// down: a query that does not stop within the stop grace (a loaded
// machine, -race) is abandoned and releases its buffers when it ends.
func assertReleased(t *testing.T, mem *memory.CheckedAllocator) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); mem.CurrentAlloc() != 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	mem.AssertSize(t, 0)
}

func TestQueryCancellation(t *testing.T) {
	s, mem := newTestSession(t)
	defer assertReleased(t, mem)
	if err := s.Register("endless", &endlessTable{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Query(ctx, "SELECT x FROM endless WHERE x < 0")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancellation took %v", d)
	}
}

func TestQueryStream(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	if err := s.Register("endless", &endlessTable{}); err != nil {
		t.Fatal(err)
	}
	// Closing early stops an endless query and leaks nothing.
	stream, err := s.QueryStream(context.Background(), "SELECT x FROM endless")
	if err != nil {
		t.Fatal(err)
	}
	b, err := stream.Next()
	if err != nil || b.NumRows() == 0 {
		t.Fatalf("first batch: %d rows, %v", b.NumRows(), err)
	}
	b.Release()
	stream.Close()

	stream, err = s.QueryStream(context.Background(), "EXPLAIN SELECT x FROM endless")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	b, err = stream.Next()
	if err != nil || b.NumRows() == 0 {
		t.Fatalf("EXPLAIN stream: %d rows, %v", b.NumRows(), err)
	}
	b.Release()
	if _, err := stream.Next(); err != io.EOF {
		t.Errorf("after the plan: %v, want io.EOF", err)
	}
}

func TestExecutionErrorNamesTable(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	if err := s.Register("broken", &endlessTable{failAfter: 3}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Query(context.Background(), "SELECT x FROM broken WHERE x > 5")
	var pe *Error
	if !errors.As(err, &pe) || pe.Table != "broken" {
		t.Fatalf("got %v, want a *runtime.Error naming table broken", err)
	}
}

// endlessTable is a one-column (x int64) table with two partitions that
// never end, or fail after failAfter batches when that is set.
type endlessTable struct{ failAfter int }

var endlessSchema = arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)

func (*endlessTable) Schema() *arrow.Schema { return endlessSchema }

func (*endlessTable) SupportsFilters(fs []expr.Expr) ([]plan.FilterPushdown, error) {
	return make([]plan.FilterPushdown, len(fs)), nil
}

func (e *endlessTable) Scan(context.Context, plan.ScanRequest) (plan.ExecutionPlan, error) {
	return &endlessExec{failAfter: e.failAfter}, nil
}

type endlessExec struct{ failAfter int }

func (*endlessExec) Name() string          { return "EndlessExec" }
func (*endlessExec) Schema() *arrow.Schema { return endlessSchema }
func (*endlessExec) Properties() plan.Properties {
	return plan.Properties{Partitions: 2}
}
func (*endlessExec) Children() []plan.ExecutionPlan { return nil }
func (e *endlessExec) WithNewChildren([]plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	return e, nil
}
func (*endlessExec) String() string { return "EndlessExec: partitions=2" }
func (e *endlessExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	return &endlessStream{ctx: ctx, alloc: task.Allocator, partition: partition, failAfter: e.failAfter}, nil
}

type endlessStream struct {
	ctx       context.Context
	alloc     memory.Allocator
	partition int
	failAfter int
	sent      int
	closed    atomic.Bool
}

func (*endlessStream) Schema() *arrow.Schema { return endlessSchema }

func (s *endlessStream) Next() (plan.Batch, error) {
	if err := s.ctx.Err(); err != nil {
		return plan.Batch{}, err
	}
	if s.failAfter > 0 && s.sent >= s.failAfter {
		return plan.Batch{}, &plan.Error{Operator: "EndlessExec", Table: "broken", Partition: s.partition, Err: errors.New("disk on fire")}
	}
	s.sent++
	b := array.NewInt64Builder(s.alloc)
	defer b.Release()
	for i := range 1024 {
		b.Append(int64(i))
	}
	col := b.NewArray()
	defer col.Release()
	return plan.Batch{Record: array.NewRecordBatch(endlessSchema, []arrow.Array{col}, 1024)}, nil
}

func (s *endlessStream) Close() { s.closed.Store(true) }

func TestConcurrentQueriesAndRegistration(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	other := eventsTable(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	// Few iterations: every registration invalidates the statement cache,
	// and concurrent parses each need their own (slow to start) parser.
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				res, err := s.Query(context.Background(), "SELECT user_id FROM events WHERE user_id > $1", int64(i%4))
				if err != nil {
					errs <- fmt.Errorf("goroutine %d: %w", g, err)
					return
				}
				res.Release()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 5 {
			if err := s.Register("other", other); err != nil {
				errs <- err
				return
			}
			s.Deregister("other")
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
