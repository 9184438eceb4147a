package events

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/source/sourcetest"
)

// These tests drive the generated provider directly, without SQL; the
// session tests in events_test.go go through the whole engine.

func regionEq(r string) expr.Expr {
	return &expr.Binary{Op: expr.OpEq, L: &expr.Column{Name: "region", Type: arrow.BinaryTypes.String},
		R: &expr.Literal{Value: expr.String(r)}, Type: arrow.FixedWidthTypes.Boolean}
}

func TestPlanPrunesToOneRegion(t *testing.T) {
	res := sourcetest.Run(t, NewTable(&Synth{Regions: 8, PerRegion: 100}),
		plan.ScanRequest{Projection: []int{0, 2}, Filters: []expr.Expr{regionEq("region-03")}, Limit: 10})
	want := "EventsExec: partitions=1/8, projection=[region, ts], filter=[region = 'region-03'], ordering=[ts ASC], limit=10"
	if got := res.Plan.String(); got != want {
		t.Errorf("EXPLAIN\n got %s\nwant %s", got, want)
	}
	if len(res.Rows) != 10 || res.Rows[9] != "region-03|2026-01-01T00:00:09Z" {
		t.Errorf("rows %q", res.Rows)
	}
}

func TestTsFilterSkipsRows(t *testing.T) {
	ts := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	ge := &expr.Binary{Op: expr.OpGe, L: &expr.Column{Name: "ts", Type: ts},
		R: &expr.Literal{Value: expr.Timestamp(ts, Start.Add(90*time.Second).UnixMicro())}, Type: arrow.FixedWidthTypes.Boolean}
	res := sourcetest.Run(t, NewTable(&Synth{Regions: 2, PerRegion: 100}),
		plan.ScanRequest{Projection: []int{2}, Filters: []expr.Expr{ge}, Limit: plan.NoLimit})
	if len(res.Rows) != 20 {
		t.Errorf("%d rows, want 10 per region", len(res.Rows))
	}
}

func TestLimitStopsTheSourceEarly(t *testing.T) {
	src := &countingSynth{Synth: Synth{Regions: 1, PerRegion: 1_000_000}}
	res := sourcetest.Run(t, NewTable(src, nil), plan.ScanRequest{Projection: []int{3}, Limit: 5})
	if len(res.Rows) != 5 || src.appended > 5 {
		t.Errorf("%d rows, source appended %d: the Writer must stop it at the limit", len(res.Rows), src.appended)
	}
}

// countingSynth counts the rows its Read offered.
type countingSynth struct {
	Synth
	appended int
}

func (c *countingSynth) Read(ctx context.Context, p Partition, scan *Scan, w *Writer) error {
	for i := range c.PerRegion {
		c.appended++
		if err := w.Append(Row{Region: p.Key.Region, UserID: int64(i)}); err != nil {
			return err
		}
	}
	return nil
}

func TestCancellationStopsTheSource(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ep, err := NewTable(&Synth{Regions: 1, PerRegion: 10_000_000}).Scan(ctx, plan.ScanRequest{Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ep.Execute(ctx, 0, &plan.TaskContext{Allocator: mem, BatchSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	cancel()
	for err == nil {
		if b, err = s.Next(); err == nil {
			b.Release()
		}
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestCloseMidStreamEndsTheGoroutine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ep, err := NewTable(&Synth{Regions: 2, PerRegion: 1_000_000}).Scan(context.Background(), plan.ScanRequest{Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ep.Execute(context.Background(), 1, &plan.TaskContext{Allocator: mem, BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Next()
	if err != nil || b.NumRows() != 100 {
		t.Fatalf("first batch %d rows, %v", b.NumRows(), err)
	}
	b.Release()
	s.Close()
	s.Close()
	if _, err := s.Next(); err == nil {
		t.Error("Next after Close returned no error")
	}
}

func TestExecuteOutOfRange(t *testing.T) {
	ep, err := NewTable(&Synth{Regions: 2, PerRegion: 1}).Scan(context.Background(), plan.ScanRequest{Limit: plan.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ep.Execute(context.Background(), 2, nil); err == nil {
		t.Error("partition 2 of 2 accepted")
	}
	if got := ep.(*EventsExec).Partitions(); !slices.EqualFunc(got, []string{"region-00", "region-01"},
		func(p Partition, r string) bool { return p.Key.Region == r }) {
		t.Errorf("partitions %v", got)
	}
}
