package events

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime"
)

// TestJoinWithRegions joins the generated events table with the regions
// MemTable: the plan is co-partitioned (partition i with partition i, no
// repartition, the GROUP BY finishes per partition), a filter on the
// regions side reaches the generated provider as a typed domain and
// prunes its partitions, and the rows are right (checked in verify mode).
func TestJoinWithRegions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithParallelism(2), runtime.WithVerify(true))
	if err := s.Register("events", NewTable(&Synth{Regions: 8, PerRegion: 100})); err != nil {
		t.Fatal(err)
	}
	regions, err := RegionsTable(8)
	if err != nil {
		t.Fatal(err)
	}
	defer regions.Release()
	if err := s.Register("regions", regions); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const q = "SELECT e.region, r.manager, count(*) FROM events e JOIN regions r ON e.region = r.name GROUP BY e.region, r.manager ORDER BY e.region LIMIT 3"
	res, err := s.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(res.Rows())
	res.Release()
	if want := "[[region-00 ann 100] [region-01 bob 100] [region-02 cid 100]]"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
	plan, err := s.Explain(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HashJoinExec: mode=CoPartitioned", "AggregateExec: mode=SinglePartitioned", "EventsExec: partitions=8/8"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
	if strings.Contains(plan, "RepartitionExec") {
		t.Errorf("co-partitioned plan repartitions:\n%s", plan)
	}
	const pruned = "SELECT r.country, count(*) FROM events e JOIN regions r ON e.region = r.name WHERE r.name IN ('region-01', 'region-05') GROUP BY r.country ORDER BY r.country"
	res, err = s.Query(ctx, pruned)
	if err != nil {
		t.Fatal(err)
	}
	got = fmt.Sprint(res.Rows())
	res.Release()
	if want := "[[fr 200]]"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
	if plan, err = s.Explain(ctx, pruned); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "EventsExec: partitions=2/8") || !strings.Contains(plan, "region IN ('region-01', 'region-05')") {
		t.Errorf("the regions filter did not reach the events scan:\n%s", plan)
	}
}
