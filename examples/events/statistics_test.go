package events

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestStatisticsAnswerAggregates drives the spec's exact statistics
// through the Session: count(*), min and max come from the partitions'
// Rows and Stats (EXPLAIN shows StatisticsExec) when no filter remains
// that cuts a partition, and from a scan otherwise, with the same answers.
func TestStatisticsAnswerAggregates(t *testing.T) {
	s := session(t, &Synth{Regions: 8, PerRegion: 1000})
	for _, c := range []struct {
		sql, want string
		fromStats bool
	}{
		{"SELECT count(*) FROM events", "[[8000]]", true},
		{"SELECT count(*), min(ts), max(ts) FROM events WHERE region = 'region-03'",
			"[[1000 2026-01-01 00:00:00 +0000 UTC 2026-01-01 00:16:39 +0000 UTC]]", true},
		{"SELECT count(*) FROM events WHERE region IN ('region-01', 'region-06')", "[[2000]]", true},
		// The ts range holds every row of every partition, but the spec's ts
		// filter is inexact: the FilterExec above the scan must see the rows.
		{"SELECT count(*) FROM events WHERE ts >= '2025-12-31 00:00:00+00'", "[[8000]]", false},
		// It cuts every partition: the rows must be read.
		{"SELECT count(*) FROM events WHERE ts >= '2026-01-01 00:16:00+00'", "[[320]]", false},
		// A filter the source does not take stays above the scan.
		{"SELECT count(*) FROM events WHERE user_id = 7", "[[8]]", false},
		// event_type is nullable and its NULL count unknown.
		{"SELECT count(event_type) FROM events", "[[5328]]", false},
		// sum needs the rows.
		{"SELECT count(*), sum(user_id) FROM events WHERE region = 'region-00'", "[[1000 499500]]", false},
		{"SELECT region, count(*) FROM events WHERE region = 'region-02' GROUP BY region", "[[region-02 1000]]", false},
		// No partition is kept: count 0, min NULL.
		{"SELECT count(*), min(ts) FROM events WHERE region = 'nowhere'", "[[0 <nil>]]", true},
	} {
		if got := fmt.Sprint(query(t, s, c.sql)); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.sql, got, c.want)
		}
		plan, err := s.Explain(context.Background(), c.sql)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(plan, "StatisticsExec: ") && strings.Contains(plan, "from exact statistics of EventsExec"); got != c.fromStats {
			t.Errorf("%s: answered from statistics = %v, want %v; plan:\n%s", c.sql, got, c.fromStats, plan)
		}
	}
	plan, _ := s.Explain(context.Background(), "SELECT count(*) AS n, max(ts) FROM events")
	if want := "StatisticsExec: count(*)=8000, max(ts)=TIMESTAMP '2026-01-01 00:16:39Z' from exact statistics of EventsExec"; !strings.Contains(plan, want) {
		t.Errorf("plan:\n%s\nwant a line %q", plan, want)
	}
}
