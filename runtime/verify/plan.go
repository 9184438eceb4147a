package verify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// vplan wraps a provider's plan. Its EXPLAIN line is the provider's, so
// plans read the same with and without verify mode.
type vplan struct {
	table  string
	inner  plan.ExecutionPlan
	shown  plan.ExecutionPlan // the plan of the query's own projection, for EXPLAIN
	exact  []expr.Expr
	schema *arrow.Schema // the output: the first outCols columns of inner's
	props  plan.Properties
	limit  int
	state  *scanState
}

// scanState is what the partitions of one plan share: promises about rows
// in different partitions can only be checked across them. Partitions run
// concurrently, hence the mutex.
type scanState struct {
	mu     sync.Mutex
	keys   map[string]int // key value -> partition that produced it
	ranges map[int]*span  // partition -> range of its range-column values
}

type span struct{ min, max expr.Scalar }

func newPlan(table string, inner, shown plan.ExecutionPlan, exact []expr.Expr, outCols, limit int) (*vplan, error) {
	schema := inner.Schema()
	if outCols < schema.NumFields() {
		md := schema.Metadata()
		schema = arrow.NewSchema(schema.Fields()[:outCols], &md)
	}
	p := &vplan{table: table, inner: inner, shown: shown, exact: exact, schema: schema, limit: limit,
		props: mapProperties(inner.Properties(), schema), state: newScanState()}
	return p, nil
}

func newScanState() *scanState {
	return &scanState{keys: map[string]int{}, ranges: map[int]*span{}}
}

// partitionName names partition i as the provider's plan does (by key,
// range or place in its listing); "" when the plan cannot.
func (p *vplan) partitionName(i int) string {
	if n, ok := p.inner.(plan.PartitionNamer); ok {
		return n.PartitionName(i)
	}
	return ""
}

// partitionLabel is partitionName, or the index when there is no name.
func (p *vplan) partitionLabel(i int) string {
	if name := p.partitionName(i); name != "" {
		return name
	}
	return strconv.Itoa(i)
}

// PartitionName implements plan.PartitionNamer for the wrapped plan.
func (p *vplan) PartitionName(i int) string { return p.partitionName(i) }

// Name is the provider plan's name.
func (p *vplan) Name() string { return p.inner.Name() }

// Schema is the requested projection (without columns added for checks).
func (p *vplan) Schema() *arrow.Schema { return p.schema }

// Properties are the provider plan's, restated for the output schema.
func (p *vplan) Properties() plan.Properties { return p.props }

// Children returns nil: the wrapped scan is a leaf.
func (p *vplan) Children() []plan.ExecutionPlan { return nil }

// WithNewChildren returns the plan itself, a leaf.
func (p *vplan) WithNewChildren([]plan.ExecutionPlan) (plan.ExecutionPlan, error) { return p, nil }

// String is the provider plan's EXPLAIN line, unchanged.
func (p *vplan) String() string { return p.shown.String() }

// Statistics passes the provider plan's statistics through.
func (p *vplan) Statistics() plan.Statistics {
	if sp, ok := p.inner.(plan.StatisticsProvider); ok {
		return sp.Statistics()
	}
	return plan.Statistics{Rows: -1}
}

// Execute wraps the provider's stream in a checking stream. The promises
// checked are those the provider's plan declares about its own output.
func (p *vplan) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	in, err := p.inner.Execute(ctx, partition, task)
	if err != nil {
		return nil, err
	}
	s, err := newStream(p, partition, in, task)
	if err != nil {
		in.Close()
		return nil, err
	}
	return s, nil
}

// mapProperties restates the provider plan's properties for the narrower
// output schema: the ordering is cut at the first key not in it, and a
// partitioning on a dropped column becomes Unknown.
func mapProperties(p plan.Properties, out *arrow.Schema) plan.Properties {
	has := func(c string) bool { return out.HasField(c) }
	var ord []plan.SortKey
	for _, k := range p.Ordering {
		if !has(k.Column) {
			break
		}
		ord = append(ord, k)
	}
	p.Ordering = ord
	for _, c := range p.Partitioning.Columns {
		if !has(c) {
			p.Partitioning = plan.Partitioning{Kind: plan.UnknownPartitioning}
			break
		}
	}
	return p
}

func orderingString(keys []plan.SortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.String()
	}
	return "ordering [" + strings.Join(parts, ", ") + "]"
}

func tupleString(vs []expr.Scalar) string {
	if len(vs) == 1 {
		return vs[0].String()
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func rowValues(names []string, vs []expr.Scalar) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%s = %s", names[i], v)
	}
	return strings.Join(parts, ", ")
}

// PartitionBounds passes the wrapped plan's declarations through, so the
// planner sees them (co-partitioned joins) as it does without verify mode;
// every row is checked against them.
func (p *vplan) PartitionBounds(i int) ([]plan.ColumnBound, bool) {
	if pb, ok := p.inner.(plan.PartitionBounds); ok {
		return pb.PartitionBounds(i)
	}
	return nil, false
}
