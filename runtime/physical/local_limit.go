package physical

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/plan"
)

// LocalLimitExec caps every partition of its input at fetch rows. Placed
// below a coalesce or merge, it lets each partition stop early; the global
// limit above still applies the exact LIMIT.
type LocalLimitExec struct {
	input plan.ExecutionPlan
	fetch int
}

// NewLocalLimit returns a LocalLimitExec; fetch < 0 means no cap.
func NewLocalLimit(input plan.ExecutionPlan, fetch int) *LocalLimitExec {
	if fetch < 0 {
		fetch = -1
	}
	return &LocalLimitExec{input: input, fetch: fetch}
}

// Name implements plan.ExecutionPlan.
func (l *LocalLimitExec) Name() string { return "LocalLimitExec" }

// Schema implements plan.ExecutionPlan.
func (l *LocalLimitExec) Schema() *arrow.Schema { return l.input.Schema() }

// Properties implements plan.ExecutionPlan.
func (l *LocalLimitExec) Properties() plan.Properties {
	p := l.input.Properties()
	if l.fetch >= 0 {
		p.Unbounded = false
	}
	return p
}

// Children implements plan.ExecutionPlan.
func (l *LocalLimitExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{l.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (l *LocalLimitExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(l.Name(), 1, len(children))
	}
	return NewLocalLimit(children[0], l.fetch), nil
}

// String implements plan.ExecutionPlan.
func (l *LocalLimitExec) String() string { return "LocalLimitExec: fetch=" + fetchString(l.fetch) }

// Execute implements plan.ExecutionPlan.
func (l *LocalLimitExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(l, partition); err != nil {
		return nil, err
	}
	if l.fetch == 0 {
		return eofStream{l.Schema()}, nil
	}
	in, err := l.input.Execute(ctx, partition, task)
	if err != nil {
		return nil, locate(l.input.Name(), partition, err)
	}
	return &limitStream{in: in, op: l.input.Name(), partition: partition, left: l.fetch}, nil
}
