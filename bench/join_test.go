package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Join benchmarks: a fact table of TPGEN_JOIN_ROWS rows (default 1M; the
// figures in docs/benchmarks.md are at 10M: TPGEN_JOIN_ROWS=10000000)
// joined with a 100K-row dimension on its unique key.
//
//	TPGEN_JOIN_ROWS=10000000 go test -run '^$' -bench 'Join' -benchtime 5x ./bench/

const (
	dimRows        = 100_000
	joinPartitions = 8
)

func joinRows() int {
	if s := os.Getenv("TPGEN_JOIN_ROWS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 1_000_000
}

var (
	factSchema = arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String},
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	dimSchema = arrow.NewSchema([]arrow.Field{
		{Name: "dregion", Type: arrow.BinaryTypes.String},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "w", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
)

// joinData is the fact and dimension tables, partitioned alike: partition
// p of both holds region r<p> only, and the dimension's ids of region p
// are exactly the ids fact rows of region p refer to.
type joinData struct {
	fact, dim       *memtable.Table
	factK, factV    [][]int64 // per batch
	dimID, dimW     []int64
	rows            int
	dimBytes        int64
	factBytes       int64
	wantSum, wantVW int64
}

var (
	joinOnce sync.Once
	joinSet  *joinData
)

func joinDataset() *joinData {
	joinOnce.Do(func() { joinSet = newJoinData(joinRows()) })
	return joinSet
}

func newJoinData(rows int) *joinData {
	mem := memory.DefaultAllocator
	r := rand.New(rand.NewPCG(3, 4))
	d := &joinData{rows: rows}
	perDim := dimRows / joinPartitions
	factParts := make([][]arrow.RecordBatch, joinPartitions)
	dimParts := make([][]arrow.RecordBatch, joinPartitions)
	for p := range joinPartitions {
		region := fmt.Sprintf("r%d", p)
		ids := make([]int64, perDim)
		ws := make([]int64, perDim)
		regions := make([]string, perDim)
		for i := range ids {
			ids[i] = int64(p*perDim + i)
			ws[i] = int64(r.IntN(1000))
			regions[i] = region
		}
		d.dimID, d.dimW = append(d.dimID, ids...), append(d.dimW, ws...)
		rec := joinRecord(mem, dimSchema, regions, ids, ws)
		d.dimBytes += recBytes(rec)
		dimParts[p] = []arrow.RecordBatch{rec}
		n := rows / joinPartitions
		for n > 0 {
			m := min(n, batchRows)
			ks, vs, rs := make([]int64, m), make([]int64, m), make([]string, m)
			for i := range m {
				ks[i] = int64(p*perDim + r.IntN(perDim))
				vs[i] = int64(r.IntN(1000))
				rs[i] = region
			}
			d.factK, d.factV = append(d.factK, ks), append(d.factV, vs)
			rec := joinRecord(mem, factSchema, rs, ks, vs)
			d.factBytes += recBytes(rec)
			factParts[p] = append(factParts[p], rec)
			n -= m
		}
	}
	var err error
	if d.fact, err = memtable.New(factSchema, factParts, memtable.WithKeyPartitioning("region"), memtable.WithoutValidation()); err != nil {
		panic(err)
	}
	if d.dim, err = memtable.New(dimSchema, dimParts, memtable.WithKeyPartitioning("dregion"), memtable.WithoutValidation()); err != nil {
		panic(err)
	}
	d.wantSum, d.wantVW = handJoin(d)
	return d
}

func joinRecord(mem memory.Allocator, s *arrow.Schema, regions []string, a, b []int64) arrow.RecordBatch {
	rb := array.NewStringBuilder(mem)
	rb.AppendValues(regions, nil)
	ab, bb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
	ab.AppendValues(a, nil)
	bb.AppendValues(b, nil)
	cols := []arrow.Array{rb.NewArray(), ab.NewArray(), bb.NewArray()}
	rb.Release()
	ab.Release()
	bb.Release()
	rec := array.NewRecordBatch(s, cols, int64(len(a)))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

func recBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, c := range rec.Columns() {
		for _, b := range c.Data().Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
	}
	return n
}

// handJoin is the hand-written Go map join: build a map from the
// dimension's id to its row, probe every fact row, and compute what the
// query does: count, sum(v) and sum(w) of the matches.
func handJoin(d *joinData) (count, sum int64) {
	m := make(map[int64]int32, len(d.dimID))
	for i, id := range d.dimID {
		m[id] = int32(i)
	}
	var sv, sw int64
	for b, ks := range d.factK {
		vs := d.factV[b]
		for i, k := range ks {
			if j, ok := m[k]; ok {
				count++
				sv += vs[i]
				sw += d.dimW[j]
			}
		}
	}
	return count, sv + sw
}

const joinSQL = "SELECT count(*), sum(f.v) + sum(d.w) FROM fact f JOIN dim d ON f.k = d.id"

func joinSession(b *testing.B, d *joinData, parallelism int, mem memory.Allocator, fact, dim plan.TableProvider) *runtime.Session {
	b.Helper()
	opts := []runtime.Option{runtime.WithParallelism(parallelism)}
	if mem != nil {
		opts = append(opts, runtime.WithAllocator(mem))
	}
	s := runtime.NewSession(opts...)
	if err := s.Register("fact", fact); err != nil {
		b.Fatal(err)
	}
	if err := s.Register("dim", dim); err != nil {
		b.Fatal(err)
	}
	return s
}

func runJoin(b *testing.B, s *runtime.Session, q string, wantCount, wantSum int64) {
	b.Helper()
	res, err := s.Query(context.Background(), q)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Release()
	rows := res.Rows()
	if len(rows) != 1 || rows[0][0] != wantCount || (wantSum >= 0 && rows[0][1] != wantSum) {
		b.Fatalf("%s = %v, want %d, %d", q, rows, wantCount, wantSum)
	}
}

// BenchmarkHashJoin: the fact table joined with the 100K-row dimension on
// an int64 key (a broadcast hash join: the dimension is collected once),
// aggregated, next to the hand-written map join. x-handwritten is the
// ratio (x-handwritten-cpu the ratio of CPU times at parallelism 1);
// peak-MB is the most memory the query's allocator held at once
// (the tables themselves live outside it), build-MB the dimension's size.
func BenchmarkHashJoin(b *testing.B) {
	d := joinDataset()
	var baseline, baselineCPU time.Duration
	b.Run("handwritten", func(b *testing.B) {
		baselineCPU = cpuPerOp(b, func() { handJoin(d) })
		baseline = perOp(b)
	})
	for _, e := range engineSettings() {
		b.Run("engine/"+e.name, func(b *testing.B) {
			peak := &peakAllocator{Allocator: memory.NewGoAllocator()}
			s := joinSession(b, d, e.n, peak, d.fact, d.dim)
			runJoin(b, s, joinSQL, d.wantSum, d.wantVW)
			cpu := cpuPerOp(b, func() { runJoin(b, s, joinSQL, d.wantSum, d.wantVW) })
			reportRatio(b, baseline)
			if baselineCPU > 0 && e.n == 1 {
				b.ReportMetric(float64(cpu)/float64(baselineCPU), "x-handwritten-cpu")
			}
			b.ReportMetric(float64(peak.peak.Load())/(1<<20), "peak-MB")
			b.ReportMetric(float64(d.dimBytes)/(1<<20), "build-MB")
			b.ReportMetric(float64(d.factBytes)/(1<<20), "probe-MB")
		})
	}
}

// hideLayout hides a table's statistics and partition declarations, so
// the planner can neither broadcast it nor see it co-partitioned.
type hideLayout struct{ *memtable.Table }

func (h hideLayout) Statistics() plan.Statistics { return plan.Statistics{Rows: -1} }

func (h hideLayout) Scan(ctx context.Context, req plan.ScanRequest) (plan.ExecutionPlan, error) {
	p, err := h.Table.Scan(ctx, req)
	if err != nil {
		return nil, err
	}
	return opaquePlan{p}, nil
}

// opaquePlan exposes only plan.ExecutionPlan (no statistics, no bounds).
type opaquePlan struct{ plan.ExecutionPlan }

const coJoinSQL = "SELECT count(*), sum(f.v) + sum(d.w) FROM fact f JOIN dim d ON f.region = d.dregion AND f.k = d.id"

// BenchmarkCoPartitionedJoin: the join on (region, id) of two tables
// declared key-partitioned on region alike, partition by partition (no
// repartition), next to the same join forced through repartitioning both
// inputs (layout hidden from the planner). x-repartitioned is the ratio
// of wall times at parallelism 1, x-repartitioned-cpu of CPU times (the
// repartitioning runs in goroutines of its own, on the second core when
// there is one).
func BenchmarkCoPartitionedJoin(b *testing.B) {
	d := joinDataset()
	var baseline, baselineCPU time.Duration
	for _, e := range engineSettings() {
		b.Run("repartitioned/"+e.name, func(b *testing.B) {
			s := joinSession(b, d, e.n, nil, hideLayout{d.fact}, hideLayout{d.dim})
			checkPlan(b, s, coJoinSQL, "RepartitionExec", true)
			runJoin(b, s, coJoinSQL, d.wantSum, d.wantVW)
			cpu := cpuPerOp(b, func() { runJoin(b, s, coJoinSQL, d.wantSum, d.wantVW) })
			if e.n == 1 {
				baseline, baselineCPU = perOp(b), cpu
			}
		})
	}
	for _, e := range engineSettings() {
		b.Run("copartitioned/"+e.name, func(b *testing.B) {
			s := joinSession(b, d, e.n, nil, d.fact, d.dim)
			checkPlan(b, s, coJoinSQL, "RepartitionExec", false)
			runJoin(b, s, coJoinSQL, d.wantSum, d.wantVW)
			cpu := cpuPerOp(b, func() { runJoin(b, s, coJoinSQL, d.wantSum, d.wantVW) })
			if baseline > 0 && e.n == 1 {
				b.ReportMetric(float64(perOp(b))/float64(baseline), "x-repartitioned")
				if baselineCPU > 0 {
					b.ReportMetric(float64(cpu)/float64(baselineCPU), "x-repartitioned-cpu")
				}
			}
		})
	}
}

// cpuPerOp times run in the benchmark loop and reports, next to the wall
// time, the CPU time the process used per run (cpu-ms/op, all threads:
// the repartitioning goroutines of a parallelism=1 plan run beside the
// join on a second core, which wall time hides), and returns it.
func cpuPerOp(b *testing.B, run func()) time.Duration {
	b.ResetTimer()
	start := processCPU()
	for b.Loop() {
		run()
	}
	cpu := (processCPU() - start) / time.Duration(b.N)
	b.ReportMetric(float64(cpu)/1e6, "cpu-ms/op")
	return cpu
}

func checkPlan(b *testing.B, s *runtime.Session, q, op string, want bool) {
	b.Helper()
	text, err := s.Explain(context.Background(), q)
	if err != nil {
		b.Fatal(err)
	}
	if got := containsLine(text, op); got != want {
		b.Fatalf("plan has %s: %v, want %v:\n%s", op, got, want, text)
	}
}

func containsLine(text, s string) bool {
	for i := 0; i+len(s) <= len(text); i++ {
		if text[i:i+len(s)] == s {
			return true
		}
	}
	return false
}

// peakAllocator records the most bytes allocated and not yet freed.
type peakAllocator struct {
	memory.Allocator
	cur, peak atomic.Int64
}

func (a *peakAllocator) Allocate(n int) []byte {
	b := a.Allocator.Allocate(n)
	a.add(int64(n))
	return b
}

func (a *peakAllocator) Reallocate(n int, b []byte) []byte {
	old := len(b)
	out := a.Allocator.Reallocate(n, b)
	a.add(int64(n - old))
	return out
}

func (a *peakAllocator) Free(b []byte) {
	a.cur.Add(-int64(len(b)))
	a.Allocator.Free(b)
}

func (a *peakAllocator) add(n int64) {
	c := a.cur.Add(n)
	for {
		p := a.peak.Load()
		if c <= p || a.peak.CompareAndSwap(p, c) {
			return
		}
	}
}
