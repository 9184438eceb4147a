package source

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// pushed collects what Push hands over: the values of column 0, the
// number of batches, and whether Read was still running at each batch.
type pushed struct {
	values  []int64
	batches int
}

func (p *pushed) take(b plan.Batch) error {
	defer b.Release()
	p.batches++
	p.values = append(p.values, b.Record.Column(0).(*array.Int64).Int64Values()...)
	return nil
}

func TestPushRunsReadOnTheCallersGoroutine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit}, WithBatchSize(64))
	running := false
	read := func(ctx context.Context, b *Batcher) error {
		running = true
		defer func() { running = false }()
		return counter(1000)(ctx, b)
	}
	s, _ := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, read)
	var got pushed
	during := 0 // batches handed over while Read ran
	err := s.(plan.Pusher).Push(func(b plan.Batch) error {
		if running {
			during++
		}
		return got.take(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every full batch is handed over as it is cut, inside Read's Writer
	// call; the last, short one when the stream flushes after Read.
	if during != 15 {
		t.Errorf("%d of 16 batches were pushed while Read ran, want 15", during)
	}
	if len(got.values) != 1000 || got.batches != 16 || got.values[999] != 999 {
		t.Errorf("pushed %d rows in %d batches (last %v), want 1000 in 16", len(got.values), got.batches, got.values[len(got.values)-1:])
	}
	if _, err := s.Next(); err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Errorf("Next after Push: %v, want EOF", err)
	}
	s.Close()
}

func TestPushStopsAtTheConsumersError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit}, WithBatchSize(64))
	var readErr error
	read := func(ctx context.Context, b *Batcher) error {
		readErr = counter(1000)(ctx, b)
		return readErr
	}
	s, _ := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, read)
	full := errors.New("consumer is full")
	var got pushed
	err := s.(plan.Pusher).Push(func(b plan.Batch) error {
		if err := got.take(b); err != nil {
			return err
		}
		if got.batches == 2 {
			return full
		}
		return nil
	})
	s.Close()
	var pe *plan.Error
	if err != full || errors.As(err, &pe) {
		t.Errorf("Push returned %v, want the consumer's own error, not located in the scan", err)
	}
	if got.batches != 2 || readErr == nil {
		t.Errorf("after the consumer failed: %d batches pushed, Read returned %v; want 2 and a stop", got.batches, readErr)
	}
}

func TestPushReportsTheSourcesError(t *testing.T) {
	sp := scanPlan(t, plan.ScanRequest{Limit: plan.NoLimit})
	for name, read := range map[string]ReadFunc{
		"error": func(context.Context, *Batcher) error { return errors.New("boom") },
		"panic": func(context.Context, *Batcher) error { panic("boom") },
	} {
		s, _ := sp.Stream(context.Background(), 0, nil, read)
		err := s.(plan.Pusher).Push(func(b plan.Batch) error { b.Release(); return nil })
		s.Close()
		var pe *plan.Error
		if !errors.As(err, &pe) || pe.Table != "test" || !strings.Contains(err.Error(), "boom") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPushFallsBackToNext(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, c := range []struct {
		name string
		opts []Option
		next int // batches read with Next before Push
	}{
		{"started", nil, 3},
		{"read-ahead", []Option{WithReadAhead(2)}, 0},
	} {
		sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit}, append(c.opts, WithBatchSize(64))...)
		s, _ := sp.Stream(context.Background(), 0, &plan.TaskContext{Allocator: mem}, counter(1000))
		var got pushed
		for range c.next {
			b, err := s.Next()
			if err != nil {
				t.Fatal(err)
			}
			if err := got.take(b); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.(plan.Pusher).Push(got.take); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		s.Close()
		if len(got.values) != 1000 || got.values[999] != 999 {
			t.Errorf("%s: %d rows, want 1000", c.name, len(got.values))
		}
	}
}

func TestPushOnACancelledContext(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit}, WithBatchSize(64))
	ctx, cancel := context.WithCancel(context.Background())
	s, _ := sp.Stream(ctx, 0, &plan.TaskContext{Allocator: mem}, counter(1000))
	var got pushed
	err := s.(plan.Pusher).Push(func(b plan.Batch) error {
		if err := got.take(b); err != nil {
			return err
		}
		if got.batches == 1 {
			cancel()
		}
		return nil
	})
	s.Close()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Push after cancel: %v, want context.Canceled", err)
	}
	if got.batches != 1 {
		t.Errorf("%d batches pushed after the context was cancelled at the first, want none", got.batches-1)
	}
}
