package main

import (
	"context"
	goruntime "runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/bench/peers/data"
)

// BenchmarkScanAggregates times the scan-bound aggregate queries on tpgen
// and on the arrow loop over the benchmark's default table (1M rows, 16
// partitions), for profiles (-cpuprofile) of one engine at a time
// (-bench 'ScanAggregates/tpgen') and allocation counts (-benchmem). Run
// it with -cpu 1 for the one-core figures.
func BenchmarkScanAggregates(b *testing.B) {
	const rows, parts = 1_000_000, 16
	d, err := data.Build(memory.DefaultAllocator, rows, parts)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Release()
	ctx := context.Background()
	for _, name := range []string{"arrow-loop", "tpgen"} {
		open, _ := findOpener(name)
		e, err := open(d, goruntime.GOMAXPROCS(0)) // -cpu sets the cores

		if err != nil {
			b.Fatal(err)
		}
		for _, q := range queries(rows) {
			switch q.Name {
			case "sum", "key_eq", "time_range", "group_by":
			default:
				continue
			}
			if _, err := e.Run(ctx, q); err != nil { // warm up (the parser compiles once)
				b.Fatal(err)
			}
			b.Run(name+"/"+q.Name, func(b *testing.B) {
				for b.Loop() {
					if _, err := e.Run(ctx, q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
