package runtime

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestMemTableStatisticsAnswerAggregates: a MemTable's statistics are
// exact, so count(*), count(col), min and max of an unfiltered table come
// from them (StatisticsExec), with the answers a scan gives.
func TestMemTableStatisticsAnswerAggregates(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	for _, c := range []struct {
		sql, want string
		fromStats bool
	}{
		{"SELECT count(*) FROM events", "[[5]]", true},
		{"SELECT count(event_type), min(user_id), max(region) FROM events", "[[4 1 us-east-1]]", true},
		{"SELECT min(event_type), max(event_type) FROM events", "[[click view]]", true},
		// Filters change what the statistics describe: scan.
		{"SELECT count(*) FROM events WHERE user_id > 2", "[[3]]", false},
		// sum and DISTINCT need the rows.
		{"SELECT count(*), sum(user_id) FROM events", "[[5 15]]", false},
		{"SELECT count(DISTINCT event_type) FROM events", "[[2]]", false},
		{"SELECT count(*) + 1 FROM events", "[[6]]", true},
	} {
		if got := fmt.Sprint(query(t, s, c.sql)); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.sql, got, c.want)
		}
		plan, err := s.Explain(context.Background(), c.sql)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(plan, "from exact statistics of"); got != c.fromStats {
			t.Errorf("%s: answered from statistics = %v, want %v; plan:\n%s", c.sql, got, c.fromStats, plan)
		}
	}
}
