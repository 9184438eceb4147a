package events

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/plan"
)

var update = flag.Bool("update", false, "rewrite the EXPLAIN goldens in testdata/")

// session returns a session over 8 regions of 1000 events, in verify mode,
// with a checked allocator that must end empty.
func session(t *testing.T, src Source) *runtime.Session {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { assertReleased(t, mem) })
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithVerify(true), runtime.WithBatchSize(256))
	if err := s.Register("events", NewTable(src)); err != nil {
		t.Fatal(err)
	}
	return s
}

// assertReleased asserts that every buffer of mem has been released, once
// any query abandoned at its deadline has wound down: a query whose
// operators do not stop within the stop grace (a loaded machine, -race)
// returns to its caller first and releases its buffers when it ends.
func assertReleased(t *testing.T, mem *memory.CheckedAllocator) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); mem.CurrentAlloc() != 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	mem.AssertSize(t, 0)
}

func query(t *testing.T, s *runtime.Session, sql string) [][]any {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer res.Release()
	return res.Rows()
}

func TestQueries(t *testing.T) {
	s := session(t, &Synth{Regions: 8, PerRegion: 1000})
	cases := []struct{ sql, want string }{
		{"SELECT count(*) FROM events", "[[8000]]"},
		{"SELECT count(*) FROM events WHERE region = 'region-03'", "[[1000]]"},
		{"SELECT region, count(*) FROM events WHERE region IN ('region-01', 'region-06') GROUP BY region ORDER BY region",
			"[[region-01 1000] [region-06 1000]]"},
		{"SELECT count(*) FROM events WHERE ts >= '2026-01-01 00:16:00+00'", "[[320]]"}, // 40 seconds in each region
		{"SELECT sum(amount) FROM events WHERE region = 'region-00' AND ts < '2026-01-01 00:00:10+00'", "[[0.20]]"},
		{"SELECT count(*) FROM events WHERE event_type IS NULL AND region = 'region-07'", "[[334]]"},
		{"SELECT user_id FROM events WHERE region = 'region-02' ORDER BY ts LIMIT 3", "[[2] [9] [16]]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(query(t, s, c.sql)); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.sql, got, c.want)
		}
	}
}

// TestExplain keeps the plans of pushdown before/after in testdata: the
// region filter is gone (exact, one partition of eight), the ts filter
// stays above the scan (inexact), and a limit reaches the scan.
func TestExplain(t *testing.T) {
	s := session(t, &Synth{Regions: 8, PerRegion: 10})
	for name, sql := range map[string]string{
		"region_eq":    "SELECT region, ts FROM events WHERE region = 'region-01'",
		"ts_inexact":   "SELECT user_id FROM events WHERE ts > '2026-01-01 00:00:05+00'",
		"limit":        "SELECT region, ts FROM events LIMIT 10",
		"no_pushdown":  "SELECT count(*) FROM events WHERE user_id = 3",
		"group_by_key": "SELECT region, count(*) FROM events GROUP BY region",
		"order_by_ts":  "SELECT ts FROM events WHERE region = 'region-02' ORDER BY ts LIMIT 5",
		"statistics":   "SELECT count(*), min(ts), max(ts) FROM events WHERE region IN ('region-01', 'region-02')",
	} {
		got, err := s.Explain(context.Background(), sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		got = sql + "\n\n" + got
		path := filepath.Join("testdata", name+".explain")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("EXPLAIN %s\n got:\n%s\nwant:\n%s", name, got, want)
		}
	}
	plan, _ := s.Explain(context.Background(), "SELECT region, ts FROM events WHERE region = 'region-01'")
	if !strings.Contains(plan, "partitions=1/8") || strings.Contains(plan, "FilterExec") {
		t.Errorf("region filter not pushed exactly:\n%s", plan)
	}
}

// failing breaks in region-05.
type failing struct{ Synth }

func (f *failing) Read(ctx context.Context, p Partition, scan *Scan, w *Writer) error {
	if p.Key.Region == "region-05" {
		return errors.New("disk on fire")
	}
	return f.Synth.Read(ctx, p, scan, w)
}

func TestFailingSourceNamesTableAndPartition(t *testing.T) {
	s := session(t, &failing{Synth{Regions: 8, PerRegion: 100}})
	// sum reads every row (count(*) would come from the statistics).
	_, err := s.Query(context.Background(), "SELECT sum(user_id) FROM events")
	var pe *plan.Error
	if !errors.As(err, &pe) || pe.Table != "events" || pe.Partition != 5 || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("error %v, want one naming table events, partition 5", err)
	}
}

func TestQueryCancellation(t *testing.T) {
	s := session(t, &Synth{Regions: 4, PerRegion: 5_000_000})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.Query(ctx, "SELECT sum(user_id) FROM events")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the deadline", err)
	}
}

func TestLimitQueryStopsEarly(t *testing.T) {
	src := &countingSynth{Synth: Synth{Regions: 1, PerRegion: 10_000_000}}
	s := session(t, src)
	if got := len(query(t, s, "SELECT user_id FROM events LIMIT 7")); got != 7 {
		t.Fatalf("%d rows", got)
	}
	if src.appended > 256 {
		t.Errorf("source appended %d rows for LIMIT 7", src.appended)
	}
}
