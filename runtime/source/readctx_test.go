package source

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

type ctxKey struct{}

// TestReadContextOnTheConsumersGoroutine checks the context of a Read
// that runs inline (a limit within one batch) or pushed: it carries the
// parent's values and deadline, reports the parent's cancellation, and
// ends when Read returns, so that a helper Read left waiting on it stops.
func TestReadContextOnTheConsumersGoroutine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.WithValue(context.Background(), ctxKey{}, "v"), deadline)
	defer cancel()
	for _, mode := range []string{"inline", "push"} {
		helperDone := make(chan struct{})
		read := func(ctx context.Context, b *Batcher) error {
			if ctx.Value(ctxKey{}) != "v" {
				t.Errorf("%s: the parent's value is missing", mode)
			}
			if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
				t.Errorf("%s: deadline %v, %v", mode, d, ok)
			}
			if ctx.Err() != nil {
				t.Errorf("%s: Err %v while reading", mode, ctx.Err())
			}
			go func() { // a helper the source does not wait for
				<-ctx.Done()
				close(helperDone)
			}()
			return counter(3)(ctx, b)
		}
		limit := plan.NoLimit
		if mode == "inline" {
			limit = 3
		}
		sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: limit})
		s, _ := sp.Stream(parent, 0, &plan.TaskContext{Allocator: mem}, read)
		var err error
		if mode == "push" {
			err = s.(plan.Pusher).Push(func(b plan.Batch) error { b.Release(); return nil })
		} else {
			_, err = drain(s)
		}
		s.Close()
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		select {
		case <-helperDone:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the helper waiting on the Read's context never stopped", mode)
		}
	}

	// A Read that looks at its context only after it ended, and one
	// whose parent is cancelled.
	var late context.Context
	sp := scanPlan(t, plan.ScanRequest{Projection: []int{1}, Limit: 3})
	s, _ := sp.Stream(parent, 0, &plan.TaskContext{Allocator: mem}, func(ctx context.Context, b *Batcher) error {
		late = ctx
		return counter(3)(ctx, b)
	})
	if _, err := drain(s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if !errors.Is(late.Err(), context.Canceled) {
		t.Errorf("Err after Read returned: %v", late.Err())
	}
	select {
	case <-late.Done():
	default:
		t.Error("Done asked for after Read returned is not closed")
	}
	gone, stop := context.WithCancel(parent)
	stop()
	ran := false
	s, _ = sp.Stream(gone, 0, &plan.TaskContext{Allocator: mem}, func(ctx context.Context, b *Batcher) error {
		ran = true
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Errorf("Err under a cancelled parent: %v", ctx.Err())
		}
		return ctx.Err()
	})
	if _, err := drain(s); !errors.Is(err, context.Canceled) || !ran {
		t.Errorf("a stream under a cancelled parent: %v (Read ran: %v)", err, ran)
	}
	s.Close()
}
