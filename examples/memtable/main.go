// Command memtable is the smallest real use of tpgen's engine: an in-memory
// table of events split into partitions by region, queried with SQL, and the
// physical plans that show what the engine pushed into the scan.
//
//	go run ./examples/memtable
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/plan"
)

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "region", Type: arrow.BinaryTypes.String},
	{Name: "event_type", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// events builds one partition per region, rows ordered by ts.
func events() [][][]any {
	regions := []string{"eu-west-1", "us-east-1", "us-west-2"}
	kinds := []any{"click", "view", nil}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	parts := make([][][]any, len(regions))
	for p, region := range regions {
		for i := range 12 {
			ts := start.Add(time.Duration(i*(p+1)) * time.Hour)
			parts[p] = append(parts[p], []any{region, kinds[(i+p)%3], ts, int64(100 + (i*7+p)%5)})
		}
	}
	return parts
}

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	mem := memory.NewGoAllocator()
	build := func(mode plan.FilterPushdown) *memtable.Table {
		return memtable.MustBuild(mem, schema, events(),
			memtable.WithKeyPartitioning("region"),
			memtable.WithOrdering(plan.SortKey{Column: "ts"}),
			memtable.WithFilterPushdown(mode),
			memtable.WithName("EventsExec"))
	}
	exact, none := build(plan.Exact), build(plan.Unsupported)
	defer exact.Release()
	defer none.Release()

	s := runtime.NewSession(runtime.WithAllocator(mem))
	if err := s.Register("events", exact); err != nil {
		return err
	}
	if err := s.Register("events_nopush", none); err != nil {
		return err
	}

	for _, q := range []string{
		"SELECT region, count(*) AS events, count(DISTINCT user_id) AS users FROM events GROUP BY region ORDER BY region",
		"SELECT ts, event_type, user_id FROM events WHERE region = 'us-east-1' AND ts >= '2026-01-01 05:00:00+00' ORDER BY ts LIMIT 3",
	} {
		res, err := s.Query(ctx, q)
		if err != nil {
			return err
		}
		fmt.Printf("%s\n%s\n", q, res)
		res.Release()
	}

	const q = "SELECT * FROM %s WHERE region = 'us-east-1' AND event_type = 'click'"
	for _, t := range []struct{ title, table string }{
		{"EXPLAIN before pushdown (the source takes no filters):", "events_nopush"},
		{"EXPLAIN after pushdown (the source applies both filters exactly and skips 2 of 3 partitions):", "events"},
	} {
		plan, err := s.Explain(ctx, fmt.Sprintf(q, t.table))
		if err != nil {
			return err
		}
		fmt.Printf("%s\n%s\n", t.title, plan)
	}
	return nil
}
