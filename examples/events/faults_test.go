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
)

// faulty is a Synth whose fault can be switched between queries.
type faulty struct {
	Synth
	mode atomic.Int32
}

func (f *faulty) Partitions(ctx context.Context, scan *Scan) ([]Partition, error) {
	switch fault(f.mode.Load()) {
	case partitionsFail:
		return nil, errors.New("catalog unreachable")
	case partitionsPanic:
		panic("nil map in Partitions")
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
