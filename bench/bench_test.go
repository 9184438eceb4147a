package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tpgen/tpgen/runtime"
)

var (
	groupBySQL = fmt.Sprintf("SELECT k, sum(v), count(*) FROM t WHERE x > %d GROUP BY k", threshold)
	scanSQL    = fmt.Sprintf("SELECT v FROM t WHERE x > %d", threshold)
)

func session(b *testing.B, d *dataset, parallelism int) *runtime.Session {
	b.Helper()
	s := runtime.NewSession(runtime.WithParallelism(parallelism))
	if err := s.Register("t", d.table); err != nil {
		b.Fatal(err)
	}
	return s
}

// perOp is the time per operation of the sub-benchmark that just ran.
func perOp(b *testing.B) time.Duration { return b.Elapsed() / time.Duration(b.N) }

// reportRatio adds the engine/handwritten time ratio when the baseline ran
// in this process (it does unless -bench filtered it out).
func reportRatio(b *testing.B, baseline time.Duration) {
	if baseline > 0 {
		b.ReportMetric(float64(perOp(b))/float64(baseline), "x-handwritten")
	}
}

func engineSettings() []struct {
	name string
	n    int
} {
	return []struct {
		name string
		n    int
	}{{"parallelism=1", 1}, {"parallelism=GOMAXPROCS", goruntime.GOMAXPROCS(0)}}
}

// BenchmarkGroupBy: SELECT k, sum(v), count(*) FROM t WHERE x > 500 GROUP BY k.
func BenchmarkGroupBy(b *testing.B) {
	d := bigDataset()
	want := handGroupBy(d, threshold)
	var baseline time.Duration
	b.Run("handwritten", func(b *testing.B) {
		for b.Loop() {
			handGroupBy(d, threshold)
		}
		baseline = perOp(b)
	})
	b.Run("handwritten-dense", func(b *testing.B) {
		for b.Loop() {
			handGroupByDense(d, threshold)
		}
		reportRatio(b, baseline)
	})
	for _, e := range engineSettings() {
		b.Run("engine/"+e.name, func(b *testing.B) {
			s := session(b, d, e.n)
			ctx := context.Background()
			if err := checkGroupBy(ctx, s, want); err != nil { // also warms the statement cache
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				res, err := s.Query(ctx, groupBySQL)
				if err != nil {
					b.Fatal(err)
				}
				res.Release()
			}
			reportRatio(b, baseline)
		})
	}
}

// checkGroupBy proves the engine computes what the loop computes before
// its speed is worth reporting.
func checkGroupBy(ctx context.Context, s *runtime.Session, want map[int64]groupAgg) error {
	res, err := s.Query(ctx, groupBySQL)
	if err != nil {
		return err
	}
	defer res.Release()
	got := map[int64]groupAgg{}
	for _, rec := range res.Records {
		ks, ok1 := rec.Column(0).(*array.Int64)
		ss, ok2 := rec.Column(1).(*array.Int64)
		cs, ok3 := rec.Column(2).(*array.Int64)
		if !ok1 || !ok2 || !ok3 {
			return fmt.Errorf("unexpected result schema %s", res.Schema)
		}
		for i := range ks.Len() {
			got[ks.Value(i)] = groupAgg{sum: ss.Value(i), count: cs.Value(i)}
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("engine returned %d groups, want %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			return fmt.Errorf("group %d: engine %+v, want %+v", k, got[k], w)
		}
	}
	return nil
}

// BenchmarkFilteredScan: SELECT v FROM t WHERE x > 500, streamed and
// summed (the engine's batches are consumed as they come, not collected).
func BenchmarkFilteredScan(b *testing.B) {
	d := bigDataset()
	wantSum, wantCount := handScan(d, threshold)
	var baseline time.Duration
	b.Run("handwritten", func(b *testing.B) {
		for b.Loop() {
			handScan(d, threshold)
		}
		baseline = perOp(b)
	})
	for _, e := range engineSettings() {
		b.Run("engine/"+e.name, func(b *testing.B) {
			s := session(b, d, e.n)
			ctx := context.Background()
			// The first query compiles the SQL grammar; keep it out of the timing.
			if _, _, err := engineScan(ctx, s); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				sum, count, err := engineScan(ctx, s)
				if err != nil {
					b.Fatal(err)
				}
				if sum != wantSum || count != wantCount {
					b.Fatalf("engine sum/count %d/%d, want %d/%d", sum, count, wantSum, wantCount)
				}
			}
			reportRatio(b, baseline)
		})
	}
}

func engineScan(ctx context.Context, s *runtime.Session) (sum, count int64, err error) {
	st, err := s.QueryStream(ctx, scanSQL)
	if err != nil {
		return 0, 0, err
	}
	defer st.Close()
	for {
		batch, err := st.Next()
		if errors.Is(err, io.EOF) {
			return sum, count, nil
		}
		if err != nil {
			return 0, 0, err
		}
		vs, ok := batch.Record.Column(0).(*array.Int64)
		if !ok {
			batch.Release()
			return 0, 0, fmt.Errorf("unexpected result type %s", batch.Record.Column(0).DataType())
		}
		for _, v := range vs.Int64Values() {
			sum += v
		}
		count += int64(vs.Len())
		batch.Release()
	}
}
