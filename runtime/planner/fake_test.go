package planner

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// fakeTable is a provider whose filter answers and output properties a
// test chooses; its plan never runs, planner tests only inspect plans.
type fakeTable struct {
	name   string
	schema *arrow.Schema
	// answer decides SupportsFilters per filter; nil answers Unsupported.
	answer func(expr.Expr) plan.FilterPushdown
	// answers, when set, is returned as is (to test bad providers).
	answers    []plan.FilterPushdown
	partitions int
	partition  plan.Partitioning
	ordering   []plan.SortKey
	unbounded  bool
	lastReq    plan.ScanRequest
}

func (t *fakeTable) Schema() *arrow.Schema { return t.schema }

func (t *fakeTable) SupportsFilters(fs []expr.Expr) ([]plan.FilterPushdown, error) {
	if t.answers != nil {
		return t.answers, nil
	}
	out := make([]plan.FilterPushdown, len(fs))
	for i, f := range fs {
		if t.answer != nil {
			out[i] = t.answer(f)
		}
	}
	return out, nil
}

func (t *fakeTable) Scan(_ context.Context, req plan.ScanRequest) (plan.ExecutionPlan, error) {
	t.lastReq = req
	fields := t.schema.Fields()
	if req.Projection != nil {
		fields = make([]arrow.Field, len(req.Projection))
		for i, idx := range req.Projection {
			fields[i] = t.schema.Field(idx)
		}
	}
	n := t.partitions
	if n == 0 {
		n = 1
	}
	return &fakeExec{t: t, schema: arrow.NewSchema(fields, nil), req: req, partitions: n}, nil
}

type fakeExec struct {
	t          *fakeTable
	schema     *arrow.Schema
	req        plan.ScanRequest
	partitions int
}

func (e *fakeExec) Name() string          { return "FakeExec" }
func (e *fakeExec) Schema() *arrow.Schema { return e.schema }
func (e *fakeExec) Properties() plan.Properties {
	return plan.Properties{Partitions: e.partitions, Partitioning: e.t.partition, Ordering: e.t.ordering, Unbounded: e.t.unbounded}
}
func (e *fakeExec) Children() []plan.ExecutionPlan { return nil }
func (e *fakeExec) WithNewChildren([]plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	return e, nil
}
func (e *fakeExec) Execute(context.Context, int, *plan.TaskContext) (plan.RecordStream, error) {
	return nil, fmt.Errorf("fake plan does not run")
}
func (e *fakeExec) String() string {
	parts := []string{fmt.Sprintf("%s: partitions=%d", e.t.name, e.partitions)}
	names := make([]string, e.schema.NumFields())
	for i, f := range e.schema.Fields() {
		names[i] = f.Name
	}
	parts = append(parts, "projection=["+strings.Join(names, ", ")+"]")
	if len(e.req.Filters) > 0 {
		fs := make([]string, len(e.req.Filters))
		for i, f := range e.req.Filters {
			fs[i] = f.String()
		}
		parts = append(parts, "filter=["+strings.Join(fs, ", ")+"]")
	}
	if e.req.Limit >= 0 {
		parts = append(parts, fmt.Sprintf("limit=%d", e.req.Limit))
	}
	return strings.Join(parts, ", ")
}

// events is the guide's table: region, event_type, ts, user_id, amount.
func events() *fakeTable {
	return &fakeTable{
		name: "events",
		schema: arrow.NewSchema([]arrow.Field{
			{Name: "region", Type: arrow.BinaryTypes.String},
			{Name: "event_type", Type: arrow.BinaryTypes.String, Nullable: true},
			{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
			{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
			{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
		}, nil),
	}
}

// exactOn answers Exact for filters on the given column, Unsupported else.
func exactOn(col string, a plan.FilterPushdown) func(expr.Expr) plan.FilterPushdown {
	return func(e expr.Expr) plan.FilterPushdown {
		cs := expr.Columns(e)
		if len(cs) == 1 && cs[0] == col {
			return a
		}
		return plan.Unsupported
	}
}

func scanOf(t *fakeTable) *logical.Scan {
	return &logical.Scan{Table: t.name, Provider: t, Limit: plan.NoLimit}
}

func col(t *fakeTable, name string) *expr.Column {
	f, ok := t.schema.FieldsByName(name)
	if !ok {
		panic("no column " + name)
	}
	return &expr.Column{Name: name, Type: f[0].Type}
}

func cmpOp(op expr.Op, l, r expr.Expr) expr.Expr {
	return &expr.Binary{Op: op, L: l, R: r, Type: arrow.FixedWidthTypes.Boolean}
}

func str(s string) expr.Expr { return &expr.Literal{Value: expr.String(s)} }

func i64(v int64) expr.Expr { return &expr.Literal{Value: expr.Int64(v)} }

func and(es ...expr.Expr) expr.Expr { return expr.Conjunction(es) }

// project selects columns by name.
func project(in logical.Plan, names ...string) *logical.Projection {
	s := in.Schema()
	p := &logical.Projection{Input: in}
	for _, n := range names {
		f, ok := s.FieldsByName(n)
		if !ok {
			panic("no column " + n)
		}
		p.Exprs = append(p.Exprs, &expr.Column{Name: n, Type: f[0].Type})
		p.Names = append(p.Names, n)
	}
	return p
}
