package physical

import (
	"context"
	"errors"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// taskDefaults resolves the zero values of a TaskContext so operators never
// see a nil allocator, a zero batch size or zero parallelism.
func taskDefaults(task *plan.TaskContext) *plan.TaskContext {
	t := plan.TaskContext{}
	if task != nil {
		t = *task
	}
	if t.Allocator == nil {
		t.Allocator = memory.DefaultAllocator
	}
	if t.BatchSize <= 0 {
		t.BatchSize = plan.DefaultBatchSize
	}
	if t.Parallelism <= 0 {
		t.Parallelism = runtime.GOMAXPROCS(0)
	}
	return &t
}

// locate wraps err in a *plan.Error naming op and partition. Errors that
// already carry a location keep it (the innermost operator knows best
// what failed), and context errors stay bare so callers can compare them
// with errors.Is without unwrapping a location that means nothing.
func locate(op string, partition int, err error) error {
	if err == nil {
		return nil
	}
	var pe *plan.Error
	if errors.As(err, &pe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &plan.Error{Operator: op, Partition: partition, Err: err}
}

// checkPartition validates the partition argument of Execute.
func checkPartition(p plan.ExecutionPlan, partition int) error {
	if n := p.Properties().Partitions; partition < 0 || partition >= n {
		return &plan.Error{Operator: p.Name(), Partition: partition, Err: errPartitionRange(partition, n)}
	}
	return nil
}
