package source

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Layout is what a spec declares about a table beyond its columns. A
// generated provider writes it once, from the spec.
type Layout struct {
	// Partitioning is the spec's promise about how rows spread over
	// partitions (Kind Unknown, Key or Range, with its columns).
	Partitioning plan.Partitioning
	// Ordering is the order of rows inside every partition.
	Ordering []plan.SortKey
	// Projection and Limit say whether the source is told about them
	// (pushdown.projection and pushdown.limit in the spec).
	Projection, Limit bool
	// ExactStatistics is the spec's statistics.exact: partition row
	// counts and Stats are exact, not estimates.
	ExactStatistics bool
}

// ScanPlan is the row-type independent part of a generated scan plan: the
// projection, pushed filters and limit of one scan, the partitions kept,
// the plan properties and EXPLAIN line, and the streams.
type ScanPlan struct {
	operator string
	table    *arrow.Schema
	layout   Layout
	opts     Options
	output   []int // table columns of the output, in output order
	built    []int // table columns the Writer builds
	out      *arrow.Schema
	filters  []expr.Expr
	limit    int // the query's limit, plan.NoLimit when none
	kept     int
	listed   int
	listedAt []int           // listedAt[i]: kept partition i's index in the source's list; nil: the same
	bounds   BoundsFunc      // nil when the partitions declare no bounds
	spare    *spareBatchers  // the table's (Options.spares) or the plan's own
	props    plan.Properties // the layout's properties, without Partitions

	cfgMu sync.Mutex
	cfg   *streamConfig // the streams' shared configuration, made at the first Execute

	estimateOnce sync.Once
	estimate     int64 // the rows EstimatedRows works out once
}

// NewScanPlan validates req against the table schema and prepares the
// plan of the scan. operator is the plan's name (EventsExec).
func NewScanPlan(operator string, table *arrow.Schema, layout Layout, req plan.ScanRequest, opts Options) (*ScanPlan, error) {
	p := &ScanPlan{operator: operator, table: table, layout: layout, opts: opts, filters: req.Filters, limit: req.Limit}
	if p.limit < 0 {
		p.limit = plan.NoLimit
	}
	n := table.NumFields()
	if req.Projection == nil {
		p.output = make([]int, n)
		for i := range p.output {
			p.output[i] = i
		}
	} else {
		for _, c := range req.Projection {
			if c < 0 || c >= n {
				return nil, fmt.Errorf("projection index %d out of range: the table has %d columns", c, n)
			}
		}
		p.output = slices.Clone(req.Projection)
	}
	if layout.Projection {
		for _, c := range p.output {
			if !slices.Contains(p.built, c) {
				p.built = append(p.built, c)
			}
		}
	} else {
		p.built = make([]int, n)
		for i := range p.built {
			p.built[i] = i
		}
	}
	p.out = plan.ProjectSchema(table, p.output)
	p.props = p.layoutProperties()
	if opts.spares != nil {
		p.spare = opts.spares.forScan(table, p.built, p.output)
	} else {
		p.spare = &spareBatchers{}
	}
	return p, nil
}

// Columns returns the names of the columns the source must provide, in
// table order when projection pushdown is off and in output order when on.
func (p *ScanPlan) Columns() []string {
	names := make([]string, len(p.built))
	for i, c := range p.built {
		names[i] = p.table.Field(c).Name
	}
	return names
}

// Limit returns the row limit the source may stop at: the query's limit
// when the spec pushes limits down, plan.NoLimit otherwise.
func (p *ScanPlan) Limit() int {
	if !p.layout.Limit {
		return plan.NoLimit
	}
	return p.limit
}

// Filters returns the pushed filters.
func (p *ScanPlan) Filters() []expr.Expr { return p.filters }

// SetPartitions records how many partitions the source listed and how
// many survived pruning; the plan reads the kept ones.
func (p *ScanPlan) SetPartitions(kept, listed int) { p.kept, p.listed = kept, listed }

// SetListed records, for each kept partition, its index in the list the
// source returned (after sorting ranges), so that errors name a
// partition without key or range the same way in a full and a pruned
// scan. Without it the kept partitions are taken to be the listed ones.
func (p *ScanPlan) SetListed(at []int) { p.listedAt = at }

// PartitionName implements plan.PartitionNamer: kept partition i as the
// user knows it, by its key (region = 'us') or range (ts [1, 5)), else by
// its place in the source's listing (2 of 3 listed).
func (p *ScanPlan) PartitionName(partition int) string {
	if partition < 0 || partition >= p.kept {
		return ""
	}
	if b, ok := p.PartitionBounds(partition); ok {
		return plan.BoundsName(b)
	}
	at := partition
	if p.listedAt != nil && partition < len(p.listedAt) {
		at = p.listedAt[partition]
	}
	return fmt.Sprintf("%d of %d listed", at, p.listed)
}

// Name returns the operator name.
func (p *ScanPlan) Name() string { return p.operator }

// Schema returns the schema of the plan's batches.
func (p *ScanPlan) Schema() *arrow.Schema { return p.out }

// Properties returns the declared layout as it survives the projection:
// partitioning is kept only when all its columns are output, and the
// ordering is cut at its first key that is not.
func (p *ScanPlan) Properties() plan.Properties {
	props := p.props
	props.Partitions = p.kept
	return props
}

// layoutProperties works out, once, what of the declared layout
// survives the projection; Properties is asked for on every plan walk.
// Its slices are capped so that a caller appending to them copies.
func (p *ScanPlan) layoutProperties() plan.Properties {
	var props plan.Properties
	outputs := func(col string) bool {
		i := p.out.FieldIndices(col)
		return len(i) > 0
	}
	part := p.layout.Partitioning
	if len(part.Columns) > 0 && !slices.ContainsFunc(part.Columns, func(c string) bool { return !outputs(c) }) {
		props.Partitioning = plan.Partitioning{Kind: part.Kind, Columns: slices.Clip(slices.Clone(part.Columns))}
	}
	for _, k := range p.layout.Ordering {
		if !outputs(k.Column) {
			break
		}
		props.Ordering = append(props.Ordering, k)
	}
	props.Ordering = slices.Clip(props.Ordering)
	return props
}

// String returns the EXPLAIN line, e.g. `EventsExec: partitions=5/50,
// projection=[region, ts], filter=[region = 'us-east-1'], ordering=[ts ASC],
// limit=10`. Filter, ordering and limit appear only when there is one.
func (p *ScanPlan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: partitions=%d/%d, projection=[", p.operator, p.kept, p.listed)
	for i, f := range p.out.Fields() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Name)
	}
	b.WriteString("]")
	if len(p.filters) > 0 {
		b.WriteString(", filter=[")
		for i, f := range p.filters {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(f.String())
		}
		b.WriteString("]")
	}
	if ord := p.Properties().Ordering; len(ord) > 0 {
		b.WriteString(", ordering=[")
		for i, k := range ord {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k.String())
		}
		b.WriteString("]")
	}
	if l := p.Limit(); l >= 0 {
		b.WriteString(", limit=" + strconv.Itoa(l))
	}
	return b.String()
}

// Stream returns the stream of one partition; read runs on the stream's
// coroutine (or, with Options.ReadAhead, its goroutine) once the stream is
// first read. It only checks the partition
// number: nothing is opened or read here.
func (p *ScanPlan) Stream(ctx context.Context, partition int, task *plan.TaskContext, read ReadFunc) (plan.RecordStream, error) {
	return p.PartitionStream(ctx, partition, task, read)
}

// PartitionStream is Stream with a reader of every partition: r's
// ReadPartition is called with this partition's number.
func (p *ScanPlan) PartitionStream(ctx context.Context, partition int, task *plan.TaskContext, r PartitionReader) (plan.RecordStream, error) {
	if partition < 0 || partition >= p.kept {
		return nil, &plan.Error{Operator: p.operator, Table: p.opts.Name, Partition: partition,
			Err: fmt.Errorf("partition %d out of range: plan has %d partitions", partition, p.kept)}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var mem memory.Allocator = memory.DefaultAllocator
	if task != nil && task.Allocator != nil {
		mem = task.Allocator
	}
	return &Stream{parent: ctx, read: r, partition: partition, cfg: p.streamConfig(mem, p.opts.batchSize(task))}, nil
}

// streamConfig returns the configuration the streams of the scan share,
// made once for an allocator and batch size (those of the task, the same
// for every partition of one run): a stream of its own per partition is
// a large object to allocate and clear for every partition.
func (p *ScanPlan) streamConfig(mem memory.Allocator, size int) *streamConfig {
	p.cfgMu.Lock()
	defer p.cfgMu.Unlock()
	if c := p.cfg; c != nil && c.mem == mem && c.size == size {
		return c
	}
	p.cfg = &streamConfig{
		operator: p.operator, table: p.opts.Name,
		schema: p.table, out: p.out, built: p.built, output: p.output, mem: mem,
		size: size, limit: p.Limit(), readAhead: max(p.opts.ReadAhead, 0), spare: p.spare,
		names: p,
	}
	return p.cfg
}

// WithNoChildren implements ExecutionPlan.WithNewChildren for a leaf plan
// self: it accepts only an empty list of children.
func WithNoChildren(self plan.ExecutionPlan, children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 0 {
		return nil, fmt.Errorf("%s is a leaf: WithNewChildren got %d children", self.Name(), len(children))
	}
	return self, nil
}
