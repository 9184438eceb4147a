package runtime

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// count(*) reads no column from a memtable, with and without a filter the
// table takes, and still counts every row (issue 17). Without a filter the
// memtable's exact statistics answer it and no scan runs at all.
func TestCountStarReadsNoColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := NewSession(WithAllocator(mem), WithParallelism(2))
	if err := s.Register("events", eventsTable(t)); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int64{
		"SELECT count(*) FROM events":                                       5,
		"SELECT count(*) FROM events WHERE region = 'us-east-1'":            3,
		"SELECT count(*) FROM events WHERE region IN ('eu-west-1', 'nope')": 2,
	} {
		plan, err := s.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "projection=[]") && !strings.Contains(plan, "StatisticsExec: count(*)=5 from exact statistics of MemoryExec") {
			t.Errorf("%s reads columns:\n%s", q, plan)
		}
		if got := query(t, s, q); len(got) != 1 || got[0][0] != want {
			t.Errorf("%s = %v, want %d", q, got, want)
		}
	}
}
