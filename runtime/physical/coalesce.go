package physical

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/plan"
)

// CoalescePartitionsExec merges the partitions of its input into one,
// reading them concurrently (at most TaskContext.Parallelism at a time).
// Rows from different partitions interleave, so the input's ordering
// survives only when it has a single partition.
type CoalescePartitionsExec struct {
	input plan.ExecutionPlan
}

// NewCoalescePartitions returns a CoalescePartitionsExec over input.
func NewCoalescePartitions(input plan.ExecutionPlan) *CoalescePartitionsExec {
	return &CoalescePartitionsExec{input: input}
}

// Name implements plan.ExecutionPlan.
func (c *CoalescePartitionsExec) Name() string { return "CoalescePartitionsExec" }

// Schema implements plan.ExecutionPlan.
func (c *CoalescePartitionsExec) Schema() *arrow.Schema { return c.input.Schema() }

// Properties implements plan.ExecutionPlan.
func (c *CoalescePartitionsExec) Properties() plan.Properties {
	in := c.input.Properties()
	out := plan.Properties{Partitions: 1, Partitioning: plan.Partitioning{Kind: plan.SinglePartition}, Unbounded: in.Unbounded}
	if in.Partitions == 1 {
		out.Ordering = in.Ordering
	}
	return out
}

// Children implements plan.ExecutionPlan.
func (c *CoalescePartitionsExec) Children() []plan.ExecutionPlan {
	return []plan.ExecutionPlan{c.input}
}

// WithNewChildren implements plan.ExecutionPlan.
func (c *CoalescePartitionsExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(c.Name(), 1, len(children))
	}
	return NewCoalescePartitions(children[0]), nil
}

// String implements plan.ExecutionPlan.
func (c *CoalescePartitionsExec) String() string { return "CoalescePartitionsExec" }

// Execute implements plan.ExecutionPlan.
func (c *CoalescePartitionsExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(c, partition); err != nil {
		return nil, err
	}
	return coalesce(ctx, c.input, task)
}

// coalesce returns one stream over every partition of input: the input's
// own stream when it has one partition, a concurrent fan-in otherwise.
func coalesce(ctx context.Context, input plan.ExecutionPlan, task *plan.TaskContext) (plan.RecordStream, error) {
	switch input.Properties().Partitions {
	case 0:
		return eofStream{input.Schema()}, nil
	case 1:
		s, err := input.Execute(ctx, 0, task)
		if err != nil {
			return nil, locate(input.Name(), 0, err)
		}
		return &locatedStream{RecordStream: s, op: input.Name()}, nil
	}
	return newFanIn(ctx, input, task), nil
}

// locatedStream wraps the errors of a child's stream that carry no
// location with the child's name.
type locatedStream struct {
	plan.RecordStream
	op        string
	partition int
}

func (s *locatedStream) Next() (plan.Batch, error) {
	b, err := s.RecordStream.Next()
	if err != nil && !isEOF(err) {
		return b, locate(s.op, s.partition, err)
	}
	return b, err
}

// Push implements plan.Pusher, locating the child's errors but not f's.
func (s *locatedStream) Push(f func(plan.Batch) error) error {
	fErr, err := pushApart(s.RecordStream, f)
	if err != nil {
		return locate(s.op, s.partition, err)
	}
	return fErr
}
