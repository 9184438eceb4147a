// Package logical defines the logical plan: what a query computes, as a
// tree of relational operators over resolved expressions, before the
// planner decides how (which filters a provider takes, which sorts are
// already satisfied, how aggregation is split across partitions).
//
// The SQL front end builds the tree in canonical order,
//
//	Limit -> Sort -> Projection -> Filter(HAVING) -> Aggregate -> Filter(WHERE) -> Scan
//
// (nodes that do not apply are left out), and the planner rewrites it.
// Expressions above an Aggregate refer to its output columns by name: group
// keys by their GroupNames, aggregates by their AggNames.
package logical

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Plan is a node of a logical plan.
type Plan interface {
	// Schema is the node's output schema.
	Schema() *arrow.Schema
	// Children returns the node's inputs.
	Children() []Plan
	// String is the node's one-line description.
	String() string
}

// Scan reads a registered table. The front end leaves Projection nil,
// Filters empty and Limit plan.NoLimit; the planner fills them in as it
// pushes work into the provider.
type Scan struct {
	Table    string
	Provider plan.TableProvider
	// Projection lists the provider-schema indices the scan outputs; nil
	// means all columns.
	Projection []int
	// Filters are the conjuncts handed to the provider.
	Filters []expr.Expr
	// Limit is the row cap handed to the provider (plan.NoLimit for none).
	Limit int
}

// Filter keeps the rows for which Predicate is TRUE.
type Filter struct {
	Input     Plan
	Predicate expr.Expr
}

// Projection computes one output column per expression.
type Projection struct {
	Input Plan
	Exprs []expr.Expr
	Names []string
}

// Aggregate groups its input by GroupBy and computes Aggs per group. Its
// output is the group columns (named GroupNames) then the aggregates
// (named AggNames). With no GroupBy it yields exactly one row.
type Aggregate struct {
	Input      Plan
	GroupBy    []expr.Expr
	GroupNames []string
	Aggs       []*expr.Aggregate
	AggNames   []string
}

// SortExpr is one ORDER BY key.
type SortExpr struct {
	Expr       expr.Expr
	Descending bool
	NullsFirst bool
}

// String renders the key as `e ASC`, `e DESC NULLS LAST`, ... abbreviating
// PostgreSQL's defaults (NULLS LAST ascending, NULLS FIRST descending).
func (k SortExpr) String() string {
	return plan.SortKey{Column: k.Expr.String(), Descending: k.Descending, NullsFirst: k.NullsFirst}.String()
}

// Sort orders its input by Keys.
type Sort struct {
	Input Plan
	Keys  []SortExpr
}

// Limit skips Offset rows and then returns at most Fetch rows (Fetch < 0:
// no cap).
type Limit struct {
	Input  Plan
	Offset int
	Fetch  int
}

// Explain is EXPLAIN [ANALYZE] of Input.
type Explain struct {
	Input   Plan
	Analyze bool
}

// Schema implements Plan: the projected columns of the provider's schema.
func (s *Scan) Schema() *arrow.Schema {
	full := s.Provider.Schema()
	if s.Projection == nil {
		return full
	}
	return plan.ProjectSchema(full, s.Projection)
}

// Schema implements Plan.
func (f *Filter) Schema() *arrow.Schema { return f.Input.Schema() }

// Schema implements Plan.
func (p *Projection) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(p.Exprs))
	for i, e := range p.Exprs {
		fields[i] = arrow.Field{Name: p.Names[i], Type: e.DataType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// Schema implements Plan.
func (a *Aggregate) Schema() *arrow.Schema {
	fields := make([]arrow.Field, 0, len(a.GroupBy)+len(a.Aggs))
	for i, e := range a.GroupBy {
		fields = append(fields, arrow.Field{Name: a.GroupNames[i], Type: e.DataType(), Nullable: true})
	}
	for i, ag := range a.Aggs {
		fields = append(fields, arrow.Field{Name: a.AggNames[i], Type: ag.DataType(), Nullable: ag.Func != expr.AggCount})
	}
	return arrow.NewSchema(fields, nil)
}

// Schema implements Plan.
func (s *Sort) Schema() *arrow.Schema { return s.Input.Schema() }

// Schema implements Plan.
func (l *Limit) Schema() *arrow.Schema { return l.Input.Schema() }

// Schema implements Plan: one text column holding the plan.
func (e *Explain) Schema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: "plan", Type: arrow.BinaryTypes.String}}, nil)
}

// Children implements Plan.
func (*Scan) Children() []Plan { return nil }

// Children implements Plan.
func (f *Filter) Children() []Plan { return []Plan{f.Input} }

// Children implements Plan.
func (p *Projection) Children() []Plan { return []Plan{p.Input} }

// Children implements Plan.
func (a *Aggregate) Children() []Plan { return []Plan{a.Input} }

// Children implements Plan.
func (s *Sort) Children() []Plan { return []Plan{s.Input} }

// Children implements Plan.
func (l *Limit) Children() []Plan { return []Plan{l.Input} }

// Children implements Plan.
func (e *Explain) Children() []Plan { return []Plan{e.Input} }

// String implements Plan.
func (s *Scan) String() string {
	parts := []string{"Scan: " + s.Table}
	if s.Projection != nil {
		names := make([]string, len(s.Projection))
		full := s.Provider.Schema()
		for i, idx := range s.Projection {
			names[i] = full.Field(idx).Name
		}
		parts = append(parts, "projection=["+strings.Join(names, ", ")+"]")
	}
	if len(s.Filters) > 0 {
		parts = append(parts, "filters=["+joinExprs(s.Filters)+"]")
	}
	if s.Limit >= 0 {
		parts = append(parts, fmt.Sprintf("limit=%d", s.Limit))
	}
	return strings.Join(parts, ", ")
}

// String implements Plan.
func (f *Filter) String() string { return "Filter: " + f.Predicate.String() }

// String implements Plan.
func (p *Projection) String() string {
	items := make([]string, len(p.Exprs))
	for i, e := range p.Exprs {
		items[i] = e.String()
		if items[i] != p.Names[i] {
			items[i] += " AS " + p.Names[i]
		}
	}
	return "Projection: " + strings.Join(items, ", ")
}

// String implements Plan.
func (a *Aggregate) String() string {
	aggs := make([]expr.Expr, len(a.Aggs))
	for i, ag := range a.Aggs {
		aggs[i] = ag
	}
	return "Aggregate: groupBy=[" + joinExprs(a.GroupBy) + "], aggr=[" + joinExprs(aggs) + "]"
}

// String implements Plan.
func (s *Sort) String() string {
	keys := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		keys[i] = k.String()
	}
	return "Sort: " + strings.Join(keys, ", ")
}

// String implements Plan.
func (l *Limit) String() string { return fmt.Sprintf("Limit: offset=%d, fetch=%d", l.Offset, l.Fetch) }

// String implements Plan.
func (e *Explain) String() string {
	if e.Analyze {
		return "Explain: analyze"
	}
	return "Explain"
}

func joinExprs(es []expr.Expr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return strings.Join(s, ", ")
}

// Format renders the plan as an indented tree, two spaces per level.
func Format(p Plan) string {
	var b strings.Builder
	var walk func(Plan, int)
	walk = func(n Plan, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(n.String())
		b.WriteByte('\n')
		for _, c := range n.Children() {
			walk(c, depth+1)
		}
	}
	walk(p, 0)
	return b.String()
}
