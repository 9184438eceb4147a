package runtime

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/planner"
	"github.com/tpgen/tpgen/runtime/sql"
)

// QueryPlan is a planned query that has not run yet. It is read whole
// (Stream) or, when its shape allows, one partition at a time
// (ExecutePartition): the adapters to other engines (the Flight SQL server
// hands each partition to a client as its own endpoint) use this to split
// a query's work without knowing the plan.
//
// A plan splits into Partitions() > 1 parts exactly when the union of the
// parts' rows is the query's answer: its root merges the partitions of a
// stage in which every operator works on one partition alone, namely a
// scan under any number of filters and projections, optionally under an
// aggregate computed in one phase per partition (GROUP BY the table's
// partitioning key). Plans with a global sort, limit, offset, or an
// aggregate that repartitions or merges rows across partitions have one
// part: the whole plan.
//
// A QueryPlan is safe for concurrent use; each partition may be executed
// any number of times, from any goroutine.
type QueryPlan struct {
	s       *Session
	schema  *arrow.Schema
	root    plan.ExecutionPlan // the whole plan; nil for EXPLAIN
	stage   plan.ExecutionPlan // the partition-wise stage under root; nil when the plan does not split
	explain *logical.Explain   // set for EXPLAIN [ANALYZE]
}

// PlanQuery parses (from the statement cache when it can), binds and
// plans sqlText without running it. Errors are those of Query: *sql.Error
// for the statement, others for planning.
func (s *Session) PlanQuery(ctx context.Context, sqlText string, args ...any) (*QueryPlan, error) {
	st, _, err := s.prepare(ctx, sqlText)
	if err != nil {
		return nil, err
	}
	return s.planQuery(ctx, st, args)
}

// PlanQuery plans the statement with args bound to its parameters, like
// Session.PlanQuery.
func (st *Stmt) PlanQuery(ctx context.Context, args ...any) (*QueryPlan, error) {
	stmt, err := st.current()
	if err != nil {
		return nil, err
	}
	return st.s.planQuery(ctx, stmt, args)
}

// Schema returns the names and types of the statement's result columns,
// known before it runs (nullability may be looser than the result's: it
// is what the statement's types allow, before the planner sees which
// filters and providers rule NULLs out).
func (st *Stmt) Schema() *arrow.Schema {
	stmt, err := st.current()
	if err != nil {
		return nil
	}
	if _, ok := stmt.Plan.(*logical.Explain); ok {
		return explainSchema
	}
	return stmt.Plan.Schema()
}

var explainSchema = arrow.NewSchema([]arrow.Field{{Name: "plan", Type: arrow.BinaryTypes.String}}, nil)

func (s *Session) planQuery(ctx context.Context, st *sql.Statement, args []any) (*QueryPlan, error) {
	lp, err := st.Bind(args...)
	if err != nil {
		return nil, err
	}
	if ex, ok := lp.(*logical.Explain); ok {
		return &QueryPlan{s: s, schema: explainSchema, explain: ex}, nil
	}
	p, err := s.physicalPlan(ctx, st, lp)
	if err != nil {
		return nil, err
	}
	q := &QueryPlan{s: s, schema: p.Schema(), root: p}
	if c, ok := p.(*physical.CoalescePartitionsExec); ok {
		in := c.Children()[0]
		if in.Properties().Partitions > 1 && partitionWise(in) {
			q.stage = in
		}
	}
	return q, nil
}

// partitionWise reports whether partition i of p depends on partition i
// of its leaf alone, so that p's partitions can run apart (in other
// processes, even) and their union is p's output. It lists the operators
// that qualify rather than those that do not, so an operator added later
// keeps plans whole until someone decides otherwise.
func partitionWise(p plan.ExecutionPlan) bool {
	children := p.Children()
	if len(children) == 0 {
		return true
	}
	switch n := p.(type) {
	case *physical.FilterExec, *physical.ProjectionExec:
	case *physical.HashAggregateExec:
		if n.Mode() != physical.AggregateSinglePartitioned {
			return false
		}
	default:
		return false
	}
	return len(children) == 1 &&
		children[0].Properties().Partitions == p.Properties().Partitions &&
		partitionWise(children[0])
}

// Schema returns the schema of the query's result.
func (q *QueryPlan) Schema() *arrow.Schema { return q.schema }

// Partitions returns how many parts ExecutePartition accepts: the number
// of partitions of the plan's partition-wise stage, or 1 when the plan
// does not split (see QueryPlan).
func (q *QueryPlan) Partitions() int {
	if q.stage != nil {
		return q.stage.Properties().Partitions
	}
	return 1
}

// Explain returns the plan as EXPLAIN prints it (for an EXPLAIN statement,
// the plan of the query it explains).
func (q *QueryPlan) Explain(ctx context.Context) (string, error) {
	if q.explain != nil {
		p, err := planner.Plan(ctx, q.explain.Input, q.s.planOptions())
		if err != nil {
			return "", err
		}
		return physical.Explain(p), nil
	}
	return physical.Explain(q.root), nil
}

// Stream runs the whole query and returns its result as a stream of dense
// batches, as Session.QueryStream does. The caller must Close it.
func (q *QueryPlan) Stream(ctx context.Context) (RecordStream, error) {
	if q.explain != nil {
		text, err := q.s.explainText(ctx, q.explain)
		if err != nil {
			return nil, err
		}
		res, err := q.s.planResult(text)
		if err != nil {
			return nil, err
		}
		return newResultStream(res), nil
	}
	return physical.Stream(ctx, q.root, q.s.task())
}

// ExecutePartition runs part i (0 <= i < Partitions()) of the query and
// returns its rows as a stream of dense batches; the parts' rows together
// are the query's result. When the plan does not split, part 0 is the
// whole query. The caller must Close the stream; cancelling ctx stops it.
func (q *QueryPlan) ExecutePartition(ctx context.Context, i int) (RecordStream, error) {
	n := q.Partitions()
	if i < 0 || i >= n {
		return nil, fmt.Errorf("partition %d out of range: the plan has %d", i, n)
	}
	if q.stage == nil {
		return q.Stream(ctx)
	}
	return physical.Stream(ctx, &onePartition{input: q.stage, partition: i}, q.s.task())
}

// onePartition exposes one partition of its input as a single-partition
// plan, so the executor's dense stream can run it.
type onePartition struct {
	input     plan.ExecutionPlan
	partition int
}

func (o *onePartition) Name() string { return o.input.Name() }

func (o *onePartition) Schema() *arrow.Schema { return o.input.Schema() }

func (o *onePartition) Properties() plan.Properties {
	in := o.input.Properties()
	return plan.Properties{Partitions: 1, Partitioning: plan.Partitioning{Kind: plan.SinglePartition},
		Ordering: in.Ordering, Unbounded: in.Unbounded}
}

func (o *onePartition) Children() []plan.ExecutionPlan { return nil }

func (o *onePartition) WithNewChildren([]plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	return o, nil
}

func (o *onePartition) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if partition != 0 {
		return nil, fmt.Errorf("%s: partition %d out of range: 1 partition", o.Name(), partition)
	}
	return o.input.Execute(ctx, o.partition, task)
}

func (o *onePartition) String() string {
	return fmt.Sprintf("%s (partition %d)", o.input.String(), o.partition)
}
