// Command events-demo queries the generated events table (8 regions of
// 10,000 synthetic events) through a runtime.Session: it prints a few
// results as tables, and EXPLAIN before and after pushdown.
//
//	go run ./examples/events/cmd/events-demo
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/tpgen/tpgen/examples/events"
	"github.com/tpgen/tpgen/runtime"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "events-demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	s := runtime.NewSession()
	if err := s.Register("events", events.NewTable(&events.Synth{Regions: 8, PerRegion: 10_000})); err != nil {
		return err
	}
	for _, sql := range []string{
		"SELECT region, count(*), sum(amount) FROM events GROUP BY region ORDER BY region",
		"SELECT event_type, count(*) FROM events WHERE region IN ('region-01', 'region-02') GROUP BY event_type ORDER BY event_type",
		"SELECT region, ts, user_id, amount FROM events WHERE region = 'region-03' AND ts >= '2026-01-01 02:00:00+00' ORDER BY ts LIMIT 5",
	} {
		res, err := s.Query(ctx, sql)
		if err != nil {
			return err
		}
		fmt.Printf("%s\n\n%s\n", sql, res)
		res.Release()
	}
	for _, c := range []struct{ title, sql string }{
		{"no pushdown possible: user_id is not a pushable column, so FilterExec reads all 8 partitions",
			"SELECT count(*) FROM events WHERE user_id = 42"},
		{"after pushdown: region is exact, so the FilterExec is gone and 1 of 8 partitions is read",
			"SELECT count(*) FROM events WHERE region = 'region-03'"},
		{"inexact pushdown: ts prunes data in the source, and FilterExec stays above the scan",
			"SELECT count(*) FROM events WHERE ts > '2026-01-01 02:00:00+00'"},
	} {
		plan, err := s.Explain(ctx, c.sql)
		if err != nil {
			return err
		}
		fmt.Printf("-- %s\nEXPLAIN %s\n%s\n", c.title, c.sql, plan)
	}
	return nil
}
