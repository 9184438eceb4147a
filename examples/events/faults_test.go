package events

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/source"
)

// fault is what the faulty source does in region-03.
type fault int32

const (
	healthy fault = iota
	readFails
	readPanics
	readBlocks // until the query's context ends
	partitionsFail
	partitionsPanic
	readIgnoresContext      // blocks until unstuck is closed
	partitionsIgnoreContext // blocks until unstuck is closed
	readIgnoresStop         // keeps appending after the Writer said ErrStop
)

// faulty is a Synth whose fault can be switched between queries.
type faulty struct {
	Synth
	mode    atomic.Int32
	unstuck chan struct{}
	// returned gets a value when a call blocked on unstuck returns: a test
	// waits for it before it checks that memory was released, as the call
	// allocates once it is unstuck.
	returned chan struct{}
}

// stuckCallReturned tells the test that a call blocked on unstuck returned.
func (f *faulty) stuckCallReturned() { f.returned <- struct{}{} }

func (f *faulty) Partitions(ctx context.Context, scan *Scan) ([]Partition, error) {
	switch fault(f.mode.Load()) {
	case partitionsFail:
		return nil, errors.New("catalog unreachable")
	case partitionsPanic:
		panic("nil map in Partitions")
	case partitionsIgnoreContext:
		defer f.stuckCallReturned()
		<-f.unstuck
	}
	return f.Synth.Partitions(ctx, scan)
}

func (f *faulty) Read(ctx context.Context, p Partition, scan *Scan, w *Writer) error {
	if p.Key.Region == "region-03" {
		switch fault(f.mode.Load()) {
		case readFails:
			return errors.New("disk on fire")
		case readPanics:
			var m map[string]int
			m["x"]++ // a real bug: assignment to a nil map
		case readBlocks:
			<-ctx.Done()
			return ctx.Err()
		case readIgnoresContext:
			defer f.stuckCallReturned()
			<-f.unstuck
		case readIgnoresStop:
			for {
				_ = w.Append(Row{Region: p.Key.Region, Ts: Start})
			}
		}
	}
	return f.Synth.Read(ctx, p, scan, w)
}

// wantHealthy is count(*) and sum(user_id) of Synth{Regions: 6, PerRegion: 2000}.
func wantHealthy() []any {
	var n, sum int64
	for id := range 6 {
		for i := range 2000 {
			n++
			sum += int64(i*7+id) % 1000
		}
	}
	return []any{n, sum}
}

// TestFaultsLeaveSessionHealthy drives each kind of source fault, and a
// cancelled query, through a Session and checks that the query fails
// with its error while the session, the healthy table and the faulty
// table itself (once the fault is gone) answer the next queries
// correctly, with every Arrow byte released and no goroutine left
// (TestMain runs goleak).
func TestFaultsLeaveSessionHealthy(t *testing.T) {
	for _, readAhead := range []int{0, 2} {
		t.Run(fmt.Sprintf("readahead=%d", readAhead), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithBatchSize(256), runtime.WithParallelism(2))
			bad := &faulty{Synth: Synth{Regions: 6, PerRegion: 2000}}
			if err := s.Register("events", NewTable(&Synth{Regions: 6, PerRegion: 2000}, source.WithReadAhead(readAhead))); err != nil {
				t.Fatal(err)
			}
			if err := s.Register("flaky", NewTable(bad, source.WithReadAhead(readAhead))); err != nil {
				t.Fatal(err)
			}
			check := func(table string) {
				t.Helper()
				// A statement text of its own each time, so it is parsed
				// and planned afresh rather than served from the cache.
				q := fmt.Sprintf("SELECT count(*), sum(user_id) FROM %s WHERE user_id >= 0 AND region <> 'check-%d'", table, time.Now().UnixNano())
				res, err := s.Query(context.Background(), q)
				if err != nil {
					t.Fatalf("%s after a fault: %v", table, err)
				}
				defer res.Release()
				if got, want := res.Rows()[0], wantHealthy(); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s after a fault: %v, want %v", table, got, want)
				}
			}
			faults := []struct {
				name    string
				mode    fault
				timeout time.Duration
				wantErr string
			}{
				{"Read fails", readFails, 0, "disk on fire"},
				{"Read panics", readPanics, 0, "source panicked"},
				{"Read blocks until cancelled", readBlocks, 100 * time.Millisecond, context.DeadlineExceeded.Error()},
				{"Partitions fails", partitionsFail, 0, "catalog unreachable"},
				{"Partitions panics", partitionsPanic, 0, "panicked"},
			}
			for _, f := range faults {
				bad.mode.Store(int32(f.mode))
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if f.timeout > 0 {
					ctx, cancel = context.WithTimeout(ctx, f.timeout)
				}
				res, err := s.Query(ctx, "SELECT region, count(*) FROM flaky GROUP BY region")
				cancel()
				if err == nil {
					res.Release()
					t.Fatalf("%s: the query succeeded", f.name)
				}
				if !strings.Contains(err.Error(), f.wantErr) {
					t.Fatalf("%s: error %v, want one containing %q", f.name, err, f.wantErr)
				}
				bad.mode.Store(int32(healthy))
				check("events")
				check("flaky")
			}

			// A consumer that stops early (closes its stream) and a query
			// cancelled while its rows stream.
			stream, err := s.QueryStream(context.Background(), "SELECT * FROM flaky")
			if err != nil {
				t.Fatal(err)
			}
			if b, err := stream.Next(); err != nil {
				t.Fatal(err)
			} else {
				b.Release()
			}
			stream.Close()
			check("flaky")

			ctx, cancel := context.WithCancel(context.Background())
			stream, err = s.QueryStream(ctx, "SELECT * FROM flaky ORDER BY user_id")
			if err != nil {
				t.Fatal(err)
			}
			cancel()
			for {
				b, err := stream.Next()
				if err != nil {
					if err != io.EOF && !errors.Is(err, context.Canceled) {
						t.Errorf("cancelled stream: %v", err)
					}
					break
				}
				b.Release()
			}
			stream.Close()
			check("events")
			check("flaky")
		})
	}
}

// runStuck runs q, which must fail, through Query or, reading every batch,
// QueryStream, and returns its error.
func runStuck(ctx context.Context, s *runtime.Session, stream bool, q string) error {
	if !stream {
		res, err := s.Query(ctx, q)
		if err == nil {
			res.Release()
			return errors.New("the query succeeded")
		}
		return err
	}
	rs, err := s.QueryStream(ctx, q)
	if err != nil {
		return err
	}
	defer rs.Close()
	for {
		b, err := rs.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("the query succeeded")
			}
			return err
		}
		b.Release()
	}
}

// TestSourcesIgnoringTheirContext: a Read or Partitions that ignores its
// context cannot be stopped, but the caller gets the deadline error at
// its deadline, naming the call that is stuck; once the call returns,
// everything the query held is released. A Read that ignores ErrStop
// under LIMIT is aborted and the query returns its rows.
func TestSourcesIgnoringTheirContext(t *testing.T) {
	for _, readAhead := range []int{0, 2} {
		for _, mode := range []fault{readIgnoresContext, partitionsIgnoreContext} {
			for _, stream := range []bool{false, true} {
				name := map[fault]string{readIgnoresContext: "Read ignores ctx", partitionsIgnoreContext: "Partitions ignores ctx"}[mode]
				api := map[bool]string{false: "Query", true: "QueryStream"}[stream]
				t.Run(fmt.Sprintf("readahead=%d/%s/%s", readAhead, name, api), func(t *testing.T) {
					mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
					s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithBatchSize(256), runtime.WithParallelism(2))
					bad := &faulty{Synth: Synth{Regions: 6, PerRegion: 2000}, unstuck: make(chan struct{}), returned: make(chan struct{}, 1)}
					if err := s.Register("flaky", NewTable(bad, source.WithReadAhead(readAhead))); err != nil {
						t.Fatal(err)
					}
					// Parse the statement once first, so that the deadline below
					// is spent in the source, not in the parser's start-up.
					if _, err := s.Prepare("SELECT region, count(*) FROM flaky GROUP BY region"); err != nil {
						t.Fatal(err)
					}
					bad.mode.Store(int32(mode))
					ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
					defer cancel()
					err := runStuck(ctx, s, stream, "SELECT region, count(*) FROM flaky GROUP BY region")
					var ab *runtime.AbandonedError
					if !errors.As(err, &ab) || !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("error %v, want an *AbandonedError for the deadline", err)
					}
					want := "region-03"
					if mode == partitionsIgnoreContext {
						want = "table flaky: Scan"
					}
					if len(ab.Running) != 1 || !strings.Contains(ab.Running[0], want) {
						t.Errorf("running calls %q, want one naming %q", ab.Running, want)
					}
					// The stuck call returns at last: what the query held is
					// released and its goroutines end (TestMain runs goleak).
					bad.mode.Store(int32(healthy))
					close(bad.unstuck)
					<-bad.returned
					assertReleased(t, mem)
					res, err := s.Query(context.Background(), "SELECT count(*) FROM flaky")
					if err != nil {
						t.Fatal(err)
					}
					if got := res.Rows()[0][0]; got != int64(12000) {
						t.Errorf("count after the fault: %v", got)
					}
					res.Release()
					mem.AssertSize(t, 0)
				})
			}
		}
		t.Run(fmt.Sprintf("readahead=%d/ignores ErrStop", readAhead), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithBatchSize(256))
			bad := &faulty{Synth: Synth{Regions: 6, PerRegion: 2000}}
			bad.mode.Store(int32(readIgnoresStop))
			if err := s.Register("flaky", NewTable(bad, source.WithReadAhead(readAhead))); err != nil {
				t.Fatal(err)
			}
			res, err := s.Query(context.Background(), "SELECT region FROM flaky WHERE region = 'region-03' LIMIT 5")
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res.Rows()); got != 5 {
				t.Errorf("%d rows, want 5", got)
			}
			res.Release()
		})
	}
}
