package main

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/bench/peers/data"
	"github.com/tpgen/tpgen/bench/peers/events"
	"github.com/tpgen/tpgen/runtime"
)

// BenchmarkSessionQuery runs the latency-bound benchmark queries in a
// tight loop of Session.Query (statement cache hit, plan, run, Release) on
// the benchmark's 1M-row, 16-partition table, so that fixed per-query
// costs show in CPU and allocation profiles:
//
//	go test -run '^$' -bench SessionQuery -benchmem -cpuprofile cpu.out
func BenchmarkSessionQuery(b *testing.B) {
	d, err := data.Build(memory.DefaultAllocator, 1_000_000, 16)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(d.Release)
	s := runtime.NewSession()
	if err := s.Register("events", events.NewTable(&events.Chunks{Data: d})); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, q := range queries(1_000_000) {
		switch q.Name {
		case "order_ts", "count", "key_eq", "top_amount":
		default:
			continue
		}
		if _, err := s.Query(ctx, q.SQL[Postgres]); err != nil { // parse once, warming the parser
			b.Fatal(err)
		}
		b.Run(q.Name, func(b *testing.B) {
			for b.Loop() {
				res, err := s.Query(ctx, q.SQL[Postgres])
				if err != nil {
					b.Fatal(err)
				}
				res.Release()
			}
		})
	}
}
