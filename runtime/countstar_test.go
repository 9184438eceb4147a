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

// A folded cast keeps a header: PostgreSQL's, the type's name; other
// folded constants are named as written.
func TestFoldedConstantHeaders(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	res, err := s.Query(context.Background(), "SELECT CAST(2.5 AS int), 2.5::numeric(4,1), 1 + 2, DATE '2026-01-02' FROM events WHERE user_id = 1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	var names []string
	for _, f := range res.Schema.Fields() {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ", "); got != "int4, numeric, 1 + 2, date" {
		t.Errorf("headers %s", got)
	}
	if got := res.Rows()[0][0]; got != int64(3) {
		t.Errorf("CAST(2.5 AS int) = %v, want 3", got)
	}
}
