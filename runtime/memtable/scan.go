package memtable

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/domain"
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Scan implements plan.TableProvider. It prunes partitions whose min/max
// statistics show no row can satisfy the filters, and compiles the filters
// it applies; it reads no data.
func (t *Table) Scan(ctx context.Context, req plan.ScanRequest) (plan.ExecutionPlan, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	schema, err := t.project(req.Projection)
	if err != nil {
		return nil, err
	}
	e := &exec{table: t, schema: schema, projection: req.Projection, filters: req.Filters, limit: req.Limit}
	if t.opts.pushdown == plan.Exact && len(req.Filters) > 0 {
		// One predicate for the conjunction: each conjunct then runs only
		// on the rows the previous ones kept.
		if e.pred, err = expr.CompilePredicate(expr.Conjunction(req.Filters), t.schema); err != nil {
			return nil, fmt.Errorf("memtable: filter %s: %w", expr.Conjunction(req.Filters), err)
		}
	}
	doms := domain.Analyze(req.Filters)
	for p := range t.parts {
		if t.mayMatch(p, doms) {
			e.kept = append(e.kept, p)
		}
	}
	e.props = t.properties(schema, len(e.kept))
	return e, nil
}

func (t *Table) project(proj []int) (*arrow.Schema, error) {
	if proj == nil {
		return t.schema, nil
	}
	fields := make([]arrow.Field, len(proj))
	for i, c := range proj {
		if c < 0 || c >= t.schema.NumFields() {
			return nil, fmt.Errorf("memtable: projection index %d out of range [0, %d)", c, t.schema.NumFields())
		}
		fields[i] = t.schema.Field(c)
	}
	md := t.schema.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

// mayMatch reports whether partition p can hold a row whose values lie in
// every column's domain, judging by its statistics.
func (t *Table) mayMatch(p int, doms map[string]domain.ScalarDomain) bool {
	for col, d := range doms {
		idx := t.schema.FieldIndices(col)
		if len(idx) != 1 {
			continue
		}
		s := t.stats[p][idx[0]]
		values := s.values > 0 && d.Overlaps(domain.Inclusive(s.min), domain.Inclusive(s.max))
		nulls := s.nulls > 0 && d.NullAllowed()
		if !values && !nulls {
			return false
		}
	}
	return true
}

// properties restates the declared partitioning and ordering for the
// projected schema: the ordering stops at the first key not projected, and
// partitioning on an unprojected column cannot be relied on.
func (t *Table) properties(schema *arrow.Schema, partitions int) plan.Properties {
	props := plan.Properties{Partitions: partitions, Partitioning: t.opts.partitioning}
	for _, c := range t.opts.partitioning.Columns {
		if !schema.HasField(c) {
			props.Partitioning = plan.Partitioning{Kind: plan.UnknownPartitioning}
		}
	}
	for _, k := range t.opts.ordering {
		if !schema.HasField(k.Column) {
			break
		}
		props.Ordering = append(props.Ordering, k)
	}
	return props
}
