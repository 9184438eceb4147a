// Package verify wraps a table provider in verify mode: its scans check, as
// the data flows, every promise the provider made to the planner (exact
// filters, ordering, key and range partitioning, the key or range each
// partition declares when its plan implements plan.PartitionBounds,
// projection, limit) and fail
// the query with an error naming the table, partition, row and broken
// promise instead of silently returning wrong results. A scan reads the
// columns those promises are about (those of plan.LayoutDeclarer, or every
// column of a provider that does not declare its layout) and the columns of
// exact filters even when the query needs none of them, and drops them
// before the rows leave the scan; EXPLAIN shows the scan the query asked for. Tests of providers
// run in verify mode; it costs a row-at-a-time pass over the output, so it
// is not meant for production queries.
package verify

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Violation is a broken promise found at run time. Streams return it
// wrapped in a *plan.Error carrying the operator, table and partition; a
// violation found while planning (Partition -1) is returned by Scan, whose
// caller names the table. So its message names neither.
type Violation struct {
	Table     string
	Partition int // the partition's index in the plan; -1 when not about one
	// PartitionName names the partition as errors do (plan.Error's
	// PartitionName): by key, range or place in the source's listing.
	PartitionName string
	// Row counts the partition's output rows from 0; -1 when the
	// violation is not about one row (a schema mismatch).
	Row int64
	// Promise names what was promised, e.g. "ordering [ts ASC]".
	Promise string
	// Detail says how the data broke it.
	Detail string
}

// Error renders the violation as
// "verify: row 17: ordering [ts ASC] violated: <detail>"; the *plan.Error
// around it says "EventsExec (table events, partition region = 'us'): ".
func (v *Violation) Error() string {
	loc := "verify"
	if v.Row >= 0 {
		loc += fmt.Sprintf(": row %d", v.Row)
	}
	return loc + ": " + v.Promise + " violated: " + v.Detail
}

// Verify wraps t so that the plans its Scan returns check the provider's
// promises while they run. name is the table's name in error messages.
// Schema and SupportsFilters answer as t does; statistics pass through when
// t provides them.
func Verify(t plan.TableProvider, name string) plan.TableProvider {
	return &table{inner: t, name: name}
}

type table struct {
	inner plan.TableProvider
	name  string
}

// Schema is the wrapped provider's.
func (t *table) Schema() *arrow.Schema { return t.inner.Schema() }

// SupportsFilters answers as the wrapped provider does.
func (t *table) SupportsFilters(filters []expr.Expr) ([]plan.FilterPushdown, error) {
	return t.inner.SupportsFilters(filters)
}

// Statistics implements plan.StatisticsProvider, reporting unknown
// statistics when the wrapped provider has none.
func (t *table) Statistics() plan.Statistics {
	if sp, ok := t.inner.(plan.StatisticsProvider); ok {
		return sp.Statistics()
	}
	return plan.Statistics{Rows: -1}
}

// Scan asks the provider which filters it takes exactly, widens the
// projection by the columns those filters read (an exact filter is dropped
// by the planner, so its columns may not be projected) and wraps the plan.
func (t *table) Scan(ctx context.Context, req plan.ScanRequest) (plan.ExecutionPlan, error) {
	answers, err := t.inner.SupportsFilters(req.Filters)
	if err != nil {
		return nil, err
	}
	if len(answers) != len(req.Filters) {
		return nil, fmt.Errorf("verify: table %s: SupportsFilters returned %d answers for %d filters", t.name, len(answers), len(req.Filters))
	}
	var exact []expr.Expr
	for i, a := range answers {
		if a == plan.Exact {
			exact = append(exact, req.Filters[i])
		}
	}
	full := t.inner.Schema()
	inner := req
	if req.Projection != nil {
		inner.Projection = widen(full, req.Projection, exact, t.promised(full))
	}
	p, err := t.inner.Scan(ctx, inner)
	if err != nil {
		return nil, err
	}
	// EXPLAIN shows the plan the query would have without verify mode: the
	// columns added for checking are verify's business, and with them the
	// line would claim an ordering the query's columns do not have.
	shown := p
	if !slices.Equal(inner.Projection, req.Projection) {
		if shown, err = t.inner.Scan(ctx, req); err != nil {
			return nil, err
		}
	}
	want := project(full, inner.Projection)
	if !sameFields(p.Schema(), want) {
		return nil, &Violation{Table: t.name, Partition: -1, Row: -1, Promise: "projection " + fieldList(want),
			Detail: "plan schema is " + fieldList(p.Schema())}
	}
	outCols := want.NumFields()
	if req.Projection != nil {
		outCols = len(req.Projection)
	}
	return newPlan(t.name, p, shown, exact, outCols, req.Limit)
}

// promised names the columns the provider's layout promises are about
// (partitioning and ordering columns, which the partitions' declared keys
// and ranges are about too), and every column when the provider does not
// declare its layout: a promise about a column the scan does not read
// cannot be checked, and a query need not read any (SELECT count(*)).
func (t *table) promised(full *arrow.Schema) []string {
	ld, ok := t.inner.(plan.LayoutDeclarer)
	if !ok {
		names := make([]string, full.NumFields())
		for i, f := range full.Fields() {
			names[i] = f.Name
		}
		return names
	}
	part, ordering := ld.DeclaredLayout()
	names := slices.Clone(part.Columns)
	for _, k := range ordering {
		names = append(names, k.Column)
	}
	return names
}

// widen appends to proj the columns the filters read and the promised
// columns that it lacks. Stream.narrow drops them again, so the query sees
// exactly the columns it asked for.
func widen(full *arrow.Schema, proj []int, filters []expr.Expr, promised []string) []int {
	out := slices.Clone(proj)
	add := func(name string) {
		for _, i := range full.FieldIndices(name) {
			if !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
	}
	for _, f := range filters {
		for _, c := range expr.Columns(f) {
			add(c)
		}
	}
	for _, c := range promised {
		add(c)
	}
	return out
}

func project(full *arrow.Schema, proj []int) *arrow.Schema {
	if proj == nil {
		return full
	}
	fields := make([]arrow.Field, 0, len(proj))
	for _, i := range proj {
		if i >= 0 && i < full.NumFields() {
			fields = append(fields, full.Field(i))
		}
	}
	return arrow.NewSchema(fields, nil)
}

// sameFields compares names and types, not nullability or metadata, which
// providers may legitimately refine.
func sameFields(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.NumFields() {
		if a.Field(i).Name != b.Field(i).Name || !arrow.TypeEqual(a.Field(i).Type, b.Field(i).Type) {
			return false
		}
	}
	return true
}

func fieldList(s *arrow.Schema) string {
	out := "["
	for i, f := range s.Fields() {
		if i > 0 {
			out += ", "
		}
		out += f.Name + " " + expr.SQLTypeName(f.Type)
	}
	return out + "]"
}
