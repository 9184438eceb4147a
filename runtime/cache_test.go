package runtime

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOptimizedPlanIsKept checks that a cached statement run without
// arguments is optimized once, that the kept plan is dropped with the
// statement when the catalog changes, and that a statement with
// arguments is optimized per run (its bound plan is new every time).
func TestOptimizedPlanIsKept(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	const q = "SELECT region, count(*) FROM events GROUP BY region ORDER BY region"
	want := [][]any{{"eu-west-1", int64(2)}, {"us-east-1", int64(3)}}
	if diff := cmp.Diff(want, query(t, s, q)); diff != "" {
		t.Fatalf("first run (-want +got):\n%s", diff)
	}
	st, ok := s.cache.get(q)
	if !ok {
		t.Fatal("statement not cached")
	}
	first, err := s.cache.optimized(st)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, query(t, s, q)); diff != "" {
		t.Fatalf("second run (-want +got):\n%s", diff)
	}
	again, err := s.cache.optimized(st)
	if err != nil {
		t.Fatal(err)
	}
	if first != again {
		t.Error("the optimized plan was made again for a cached statement")
	}

	if err := s.Register("other", eventsTable(t)); err != nil {
		t.Fatal(err)
	}
	s.cache.mu.Lock()
	_, kept := s.cache.byStmt[st]
	s.cache.mu.Unlock()
	if kept {
		t.Error("a registration kept the optimized plan of a statement bound to the old catalog")
	}
	if diff := cmp.Diff(want, query(t, s, q)); diff != "" {
		t.Fatalf("run after registration (-want +got):\n%s", diff)
	}

	const withArg = "SELECT count(*) FROM events WHERE user_id > $1"
	if diff := cmp.Diff([][]any{{int64(3)}}, query(t, s, withArg, int64(2))); diff != "" {
		t.Fatalf("$1 = 2 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]any{{int64(1)}}, query(t, s, withArg, int64(4))); diff != "" {
		t.Fatalf("$1 = 4 (-want +got):\n%s", diff)
	}
	st, _ = s.cache.get(withArg)
	s.cache.mu.Lock()
	e := s.cache.byStmt[st]
	s.cache.mu.Unlock()
	if e == nil || e.optimized != nil {
		t.Error("a statement with arguments kept an optimized plan")
	}
}

// TestSharedOptimizedPlanConcurrently runs statements of every shape the
// planner rewrites (filters, projections, limits, joins, subqueries,
// aggregates) from several goroutines at once, so that the race detector
// sees any write to the optimized plan they share.
func TestSharedOptimizedPlanConcurrently(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	queries := map[string][][]any{
		"SELECT user_id FROM events WHERE region = 'us-east-1' ORDER BY user_id LIMIT 2": {{int64(1)}, {int64(2)}},
		"SELECT a.user_id, b.region FROM events a JOIN events b ON a.user_id = b.user_id WHERE a.user_id > 3 ORDER BY 1": {
			{int64(4), "eu-west-1"}, {int64(5), "eu-west-1"}},
		"SELECT count(*) FROM events WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'click')": {{int64(3)}},
		"SELECT region, max(user_id) FROM events GROUP BY region HAVING count(*) > 2":                          {{"us-east-1", int64(3)}},
	}
	for q, want := range queries {
		if diff := cmp.Diff(want, query(t, s, q)); diff != "" {
			t.Fatalf("%s (-want +got):\n%s", q, diff)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(queries))
	for g := range 4 {
		wg.Go(func() {
			for i := range 5 {
				for q, want := range queries {
					res, err := s.Query(context.Background(), q)
					if err != nil {
						errs <- fmt.Errorf("goroutine %d, run %d: %s: %w", g, i, q, err)
						return
					}
					got := res.Rows()
					res.Release()
					if diff := cmp.Diff(want, got); diff != "" {
						errs <- fmt.Errorf("goroutine %d, run %d: %s (-want +got):\n%s", g, i, q, diff)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
