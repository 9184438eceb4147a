package runtime

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/planner"
)

const benchQuery = "SELECT region, count(*), sum(user_id) FROM events WHERE user_id > $1 GROUP BY region"

// benchSession holds a 64K-row, two-partition events table: small enough
// that parse and plan costs show next to execution.
func benchSession(b *testing.B, opts ...Option) *Session {
	b.Helper()
	regions := []string{"us-east-1", "eu-west-1", "ap-south-1"}
	parts := make([][]arrow.RecordBatch, 2)
	for p := range parts {
		rb := array.NewRecordBuilder(memory.NewGoAllocator(), eventsSchema)
		for i := range 32 * 1024 {
			rb.Field(0).(*array.StringBuilder).Append(regions[i%len(regions)])
			rb.Field(1).(*array.StringBuilder).Append("click")
			rb.Field(2).(*array.Int64Builder).Append(int64(i))
		}
		parts[p] = []arrow.RecordBatch{rb.NewRecordBatch()}
		rb.Release()
	}
	tbl, err := memtable.New(eventsSchema, parts)
	for _, recs := range parts {
		for _, r := range recs {
			r.Release() // the table retains what it keeps
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(tbl.Release)
	s := NewSession(append([]Option{WithParallelism(2)}, opts...)...)
	if err := s.Register("events", tbl); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkQueryCached separates what a repeated query costs: parse+plan
// with the statement cache (cache lookup, bind, optimize, physical plan),
// parse+plan without it, execution of a planned query, and the whole
// Query call.
func BenchmarkQueryCached(b *testing.B) {
	ctx := context.Background()
	s := benchSession(b)
	if _, err := s.Query(ctx, benchQuery, int64(10)); err != nil { // warm the cache and the parser
		b.Fatal(err)
	}
	parsePlan := func(b *testing.B, s *Session) {
		for b.Loop() {
			st, _, err := s.prepare(context.Background(), benchQuery)
			if err != nil {
				b.Fatal(err)
			}
			lp, err := st.Bind(int64(10))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := planner.Plan(ctx, lp, s.planOptions()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("parse+plan/cached", func(b *testing.B) { parsePlan(b, s) })
	b.Run("parse+plan/uncached", func(b *testing.B) { parsePlan(b, benchSession(b, WithStatementCacheSize(0))) })
	b.Run("execute", func(b *testing.B) {
		st, _, err := s.prepare(context.Background(), benchQuery)
		if err != nil {
			b.Fatal(err)
		}
		lp, err := st.Bind(int64(10))
		if err != nil {
			b.Fatal(err)
		}
		p, err := planner.Plan(ctx, lp, s.planOptions())
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			recs, err := physical.Collect(ctx, p, s.task())
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range recs {
				r.Release()
			}
		}
	})
	b.Run("query", func(b *testing.B) {
		for b.Loop() {
			res, err := s.Query(ctx, benchQuery, int64(10))
			if err != nil {
				b.Fatal(err)
			}
			res.Release()
		}
	})
}
