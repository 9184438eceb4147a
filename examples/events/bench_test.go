package events

import (
	"context"
	"errors"
	"io"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// The benchmarks scan 10M synthetic events (64 regions) and compare the
// generated provider with a hand-written arrow-go builder loop producing
// the same rows, in the same run. Run with:
//
//	go test ./examples/events -run '^$' -bench . -benchtime 3x

const (
	benchRegions   = 64
	benchPerRegion = 10_000_000 / benchRegions
)

// handWritten is what a careful person writes without tpgen: the Synth
// rows appended straight into builders, a record every 8192 rows.
func handWritten(mem memory.Allocator, region int, consume func(arrow.RecordBatch)) {
	schema := eventsSchema
	bs := []array.Builder{array.NewStringBuilder(mem), array.NewStringBuilder(mem),
		array.NewTimestampBuilder(mem, schema.Field(2).Type.(*arrow.TimestampType)), array.NewInt64Builder(mem),
		array.NewDecimal128Builder(mem, schema.Field(4).Type.(*arrow.Decimal128Type))}
	defer func() {
		for _, b := range bs {
			b.Release()
		}
	}()
	rb, eb, tb, ub, ab := bs[0].(*array.StringBuilder), bs[1].(*array.StringBuilder), bs[2].(*array.TimestampBuilder),
		bs[3].(*array.Int64Builder), bs[4].(*array.Decimal128Builder)
	name, rows := RegionName(region), 0
	flush := func() {
		arrs := make([]arrow.Array, len(bs))
		for i, b := range bs {
			arrs[i] = b.NewArray()
		}
		rec := array.NewRecordBatch(schema, arrs, int64(rows))
		for _, a := range arrs {
			a.Release()
		}
		consume(rec)
		rows = 0
		for _, b := range bs {
			b.Reserve(plan.DefaultBatchSize)
		}
	}
	for _, b := range bs {
		b.Reserve(plan.DefaultBatchSize)
	}
	for i := range benchPerRegion {
		rb.Append(name)
		if i%3 != 0 {
			eb.Append([]string{"click", "view"}[i%2])
		} else {
			eb.AppendNull()
		}
		tb.Append(arrow.Timestamp(Start.Add(time.Duration(i) * time.Second).UnixMicro()))
		ub.Append(int64(i*7+region) % 1000)
		if i%2 == 0 {
			ab.Append(decimal128.FromI64(int64(i % 10000)))
		} else {
			ab.AppendNull()
		}
		if rows++; rows == plan.DefaultBatchSize {
			flush()
		}
	}
	if rows > 0 {
		flush()
	}
}

// generated reads every partition of the plan in turn, as the hand-written
// loop does (one goroutine consuming; the source runs on the stream's).
func generated(b *testing.B, ep plan.ExecutionPlan, mem memory.Allocator) int64 {
	var n int64
	for p := range ep.Properties().Partitions {
		s, err := ep.Execute(context.Background(), p, &plan.TaskContext{Allocator: mem})
		if err != nil {
			b.Fatal(err)
		}
		for {
			batch, err := s.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += int64(batch.NumRows())
			batch.Release()
		}
		s.Close()
	}
	return n
}

func measure(f func()) (time.Duration, uint64) {
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	start := time.Now()
	f()
	d := time.Since(start)
	goruntime.ReadMemStats(&after)
	return d, after.Mallocs - before.Mallocs
}

// BenchmarkScan10M reports the generated provider's time and allocations
// over the hand-written loop's (target: at most 1.05x and 1.1x).
func BenchmarkScan10M(b *testing.B) {
	mem := memory.NewGoAllocator()
	tbl := NewTable(&Synth{Regions: benchRegions, PerRegion: benchPerRegion})
	var genT, handT time.Duration
	var genA, handA uint64
	for b.Loop() {
		d, a := measure(func() {
			var n int64
			for r := range benchRegions {
				handWritten(mem, r, func(rec arrow.RecordBatch) { n += rec.NumRows(); rec.Release() })
			}
			if n != benchRegions*benchPerRegion {
				b.Fatalf("hand-written loop produced %d rows", n)
			}
		})
		handT, handA = handT+d, handA+a
		d, a = measure(func() {
			ep, err := tbl.Scan(context.Background(), plan.ScanRequest{Limit: plan.NoLimit})
			if err != nil {
				b.Fatal(err)
			}
			if n := generated(b, ep, mem); n != benchRegions*benchPerRegion {
				b.Fatalf("generated provider produced %d rows", n)
			}
		})
		genT, genA = genT+d, genA+a
	}
	b.ReportMetric(float64(genT)/float64(handT), "time-ratio")
	b.ReportMetric(float64(genA)/float64(handA), "alloc-ratio")
	b.ReportMetric(float64(genT.Milliseconds())/float64(b.N), "gen-ms/op")
	b.ReportMetric(float64(handT.Milliseconds())/float64(b.N), "hand-ms/op")
}

// BenchmarkPruned reports the time of a scan that region = '...' prunes to
// 1 of 64 partitions, over the full scan (target: at most 1/50 = 0.02).
func BenchmarkPruned(b *testing.B) {
	mem := memory.NewGoAllocator()
	tbl := NewTable(&Synth{Regions: benchRegions, PerRegion: benchPerRegion})
	eq := &expr.Binary{Op: expr.OpEq, L: &expr.Column{Name: "region", Type: arrow.BinaryTypes.String},
		R: &expr.Literal{Value: expr.String(RegionName(7))}, Type: arrow.FixedWidthTypes.Boolean}
	var fullT, prunedT time.Duration
	for b.Loop() {
		d, _ := measure(func() {
			ep, _ := tbl.Scan(context.Background(), plan.ScanRequest{Limit: plan.NoLimit})
			generated(b, ep, mem)
		})
		fullT += d
		d, _ = measure(func() {
			ep, _ := tbl.Scan(context.Background(), plan.ScanRequest{Filters: []expr.Expr{eq}, Limit: plan.NoLimit})
			if ep.Properties().Partitions != 1 {
				b.Fatal("not pruned")
			}
			generated(b, ep, mem)
		})
		prunedT += d
	}
	b.ReportMetric(float64(prunedT)/float64(fullT), "pruned/full")
}

// BenchmarkSession runs SQL over the 10M events through a Session, all
// cores: the figure users see.
func BenchmarkSession(b *testing.B) {
	s := runtime.NewSession()
	if err := s.Register("events", NewTable(&Synth{Regions: benchRegions, PerRegion: benchPerRegion})); err != nil {
		b.Fatal(err)
	}
	for _, sql := range []string{"SELECT count(*) FROM events", "SELECT sum(amount) FROM events",
		"SELECT count(*) FROM events WHERE region = 'region-07'"} {
		if _, err := s.Query(context.Background(), sql); err != nil { // parse once outside the timing
			b.Fatal(err)
		}
		b.Run(sql, func(b *testing.B) {
			for b.Loop() {
				res, err := s.Query(context.Background(), sql)
				if err != nil {
					b.Fatal(err)
				}
				res.Release()
			}
		})
	}
}
