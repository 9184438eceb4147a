package planner

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// physicalPlanner maps an optimized logical plan to operators.
type physicalPlanner struct {
	ctx              context.Context
	targetPartitions int
	joinBudget       int64
	broadcastRows    int64
}

// planned is a physical subtree plus what the planner knows about its
// output beyond Properties.
type planned struct {
	exec plan.ExecutionPlan
	// ordering is the order rows have inside each partition, tracked by
	// the planner through renames so that it does not depend on every
	// operator mapping its input's ordering into Properties.
	ordering []plan.SortKey
	// capped is true when exec already stops after the rows a LIMIT
	// directly above needs (a merge or top-N sort with fetch).
	capped bool
	// names are the output's user-visible names when a projection
	// repeated one (see names.go).
	names outputNames
	// nonNull names output columns a filter below guarantees hold no
	// NULL, beyond those the schema declares non-nullable (see
	// nonNullColumns). A scan claims it for all its pushed filters,
	// Inexact ones included: those stay in the Filter pushDownFilters
	// puts directly above the scan, so the claim holds wherever it is
	// read (sorts, never between the two).
	nonNull map[string]bool
}

func (pp *physicalPlanner) plan(p logical.Plan) (planned, error) {
	if err := pp.ctx.Err(); err != nil {
		return planned{}, err
	}
	switch n := p.(type) {
	case *logical.Scan:
		return pp.scan(n)
	case *logical.Filter:
		in, err := pp.plan(n.Input)
		if err != nil {
			return planned{}, err
		}
		if err := checkRefs(in.names, "filter", n.Predicate); err != nil {
			return planned{}, err
		}
		f, err := physical.NewFilter(in.exec, n.Predicate)
		if err != nil {
			return planned{}, err
		}
		return planned{exec: f, ordering: in.ordering, names: in.names, nonNull: filterNonNull(in.nonNull, n.Predicate)}, nil
	case *logical.Projection:
		return pp.projection(n)
	case *logical.Aggregate:
		return pp.aggregate(n)
	case *logical.Sort:
		return pp.sort(n, -1)
	case *logical.Limit:
		return pp.limit(n)
	case *logical.Join:
		return pp.join(n)
	case *logical.Explain:
		return planned{}, ErrExplain
	case *logical.Union:
		return pp.union(n)
	case *logical.Window:
		return pp.window(n)
	case *logical.Repeat:
		in, err := pp.plan(n.Input)
		if err != nil {
			return planned{}, err
		}
		r, err := physical.NewRepeat(in.exec, n.Count)
		if err != nil {
			return planned{}, err
		}
		return planned{exec: r}, nil
	}
	return planned{}, fmt.Errorf("planner: unsupported logical node %T", p)
}

func (pp *physicalPlanner) scan(n *logical.Scan) (planned, error) {
	req := plan.ScanRequest{Projection: n.Projection, Filters: n.Filters, Limit: n.Limit}
	exec, err := providerScan(pp.ctx, n, req)
	if err != nil {
		return planned{}, err
	}
	want := n.Schema()
	got := exec.Schema()
	if got == nil || !sameNames(want.Fields(), got) {
		return planned{}, fmt.Errorf("table %s: scan returned columns %s, want %s", n.Table, fieldNames(got), fieldNames(want))
	}
	props := exec.Properties()
	if props.Partitions < 0 {
		return planned{}, fmt.Errorf("table %s: scan declared %d partitions", n.Table, props.Partitions)
	}
	// A declared ordering on a column the scan does not output orders
	// nothing we can see; keys after it only break its ties.
	var ordering []plan.SortKey
	for _, k := range props.Ordering {
		if !got.HasField(k.Column) {
			break
		}
		ordering = append(ordering, k)
	}
	// The columns the filters keep free of NULLs matter only to sorts on
	// the scan's ordering or range partitioning; without either there is
	// nothing to analyse the filters for.
	var nonNull map[string]bool
	if len(n.Filters) > 0 && (len(ordering) > 0 || props.Partitioning.Kind == plan.RangePartitioning) {
		nonNull = filterNonNull(nil, expr.Conjunction(n.Filters))
	}
	return planned{exec: exec, ordering: ordering, nonNull: nonNull}, nil
}

// providerScan calls the provider, turning a panic in user code into an
// error naming the table.
func providerScan(ctx context.Context, n *logical.Scan, req plan.ScanRequest) (exec plan.ExecutionPlan, err error) {
	defer func() {
		if r := recover(); r != nil {
			exec, err = nil, fmt.Errorf("table %s: Scan panicked: %v", n.Table, r)
		}
	}()
	defer plan.ActivityFrom(ctx).Begin(func() string { return "table " + n.Table + ": Scan (planning: listing partitions)" })()
	exec, err = n.Provider.Scan(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("table %s: scan: %w", n.Table, err)
	}
	if exec == nil {
		return nil, fmt.Errorf("table %s: Scan returned no plan", n.Table)
	}
	return exec, nil
}

func (pp *physicalPlanner) projection(n *logical.Projection) (planned, error) {
	in, err := pp.plan(n.Input)
	if err != nil {
		return planned{}, err
	}
	exprs, err := resolveProjection(in.names, schemaNames(in.exec), n.Exprs)
	if err != nil {
		return planned{}, err
	}
	in = narrowJoin(in, exprs...)
	names := internalNames(n.Names)
	visible := namesOfProjection(exprs, n.Names, names)
	if isIdentity(exprs, names, in.exec) {
		return planned{exec: in.exec, ordering: in.ordering, names: visible, nonNull: in.nonNull}, nil
	}
	p, err := physical.NewProjection(in.exec, exprs, names)
	if err != nil {
		return planned{}, err
	}
	return planned{exec: p, ordering: projectOrdering(in.ordering, exprs, names), names: visible,
		nonNull: projectNonNull(in.nonNull, exprs, names)}, nil
}

func schemaNames(p plan.ExecutionPlan) []string {
	s := p.Schema()
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name
	}
	return out
}

// isIdentity reports whether the projection outputs its input unchanged
// (SELECT * often compiles to one), so no operator is needed.
func isIdentity(exprs []expr.Expr, names []string, in plan.ExecutionPlan) bool {
	s := in.Schema()
	if len(exprs) != s.NumFields() {
		return false
	}
	for i, e := range exprs {
		c, ok := e.(*expr.Column)
		f := s.Field(i)
		if !ok || c.Name != f.Name || names[i] != f.Name {
			return false
		}
	}
	return true
}

func (pp *physicalPlanner) aggregate(n *logical.Aggregate) (planned, error) {
	in, err := pp.plan(n.Input)
	if err != nil {
		return planned{}, err
	}
	if in.exec.Properties().Unbounded {
		return planned{}, fmt.Errorf("cannot aggregate an unbounded input (%s)", in.exec.Name())
	}
	if err := checkRefs(in.names, "GROUP BY", n.GroupBy...); err != nil {
		return planned{}, err
	}
	for _, a := range n.Aggs {
		if err := checkRefs(in.names, a.String(), a); err != nil {
			return planned{}, err
		}
	}
	if exec, ok := fromStatistics(n, in.exec); ok {
		return planned{exec: exec}, nil
	}
	in = narrowJoin(in, append(append([]expr.Expr(nil), n.GroupBy...), aggArgs(n.Aggs)...)...)
	aggs := make([]physical.AggregateExpr, len(n.Aggs))
	for i, a := range n.Aggs {
		aggs[i] = physical.AggregateExpr{Func: a.Func, Arg: a.Arg, Distinct: a.Distinct, Name: n.AggNames[i], Type: a.Type}
	}
	p, err := physical.PlanAggregate(in.exec, n.GroupBy, n.GroupNames, aggs, pp.targetPartitions)
	if err != nil {
		return planned{}, err
	}
	return planned{exec: p, ordering: p.Properties().Ordering}, nil
}

// sort plans ORDER BY; fetch >= 0 is the number of rows a LIMIT above
// needs (offset + fetch), letting sorts keep a top-N heap and merges stop
// early.
func (pp *physicalPlanner) sort(n *logical.Sort, fetch int) (planned, error) {
	in, limited, err := pp.sortInput(n, fetch)
	if err != nil {
		return planned{}, err
	}
	keys := make([]physical.SortExpr, len(n.Keys))
	for i, k := range n.Keys {
		if err := checkRefs(in.names, "ORDER BY", k.Expr); err != nil {
			return planned{}, err
		}
		keys[i] = physical.SortExpr{Expr: k.Expr, Descending: k.Descending, NullsFirst: k.NullsFirst}
	}
	ordering := sortOrdering(n.Keys)
	single := in.exec.Properties().Partitions == 1
	nonNull := nonNullColumns(in)
	if orderingSatisfies(in.ordering, n.Keys, nonNull) {
		if !limited {
			in = pp.limitOrderedScan(n, in, fetch, nonNull)
			single = in.exec.Properties().Partitions == 1
		}
		if single {
			return in, nil
		}
		var m plan.ExecutionPlan
		if rangeOrdered(in.exec.Properties(), n.Keys, nonNull) {
			m, err = physical.NewOrderedConcat(in.exec, keys, fetch)
		} else {
			m, err = physical.NewSortPreservingMerge(in.exec, keys, fetch)
		}
		if err != nil {
			return planned{}, err
		}
		return planned{exec: m, ordering: ordering, capped: fetch >= 0, names: in.names, nonNull: in.nonNull}, nil
	}
	if in.exec.Properties().Unbounded {
		return planned{}, fmt.Errorf("cannot sort an unbounded input (%s)", in.exec.Name())
	}
	if single {
		s, err := physical.NewSort(in.exec, keys, fetch, false)
		if err != nil {
			return planned{}, err
		}
		return planned{exec: s, ordering: ordering, capped: fetch >= 0, names: in.names, nonNull: in.nonNull}, nil
	}
	s, err := physical.NewSort(in.exec, keys, fetch, true)
	if err != nil {
		return planned{}, err
	}
	m, err := physical.NewSortPreservingMerge(s, keys, fetch)
	if err != nil {
		return planned{}, err
	}
	return planned{exec: m, ordering: ordering, capped: fetch >= 0, names: in.names, nonNull: in.nonNull}, nil
}

// sortInput plans the input of a sort. When a LIMIT above needs fetch rows,
// only projections stand between the sort and its scan, and the table
// declares (plan.LayoutDeclarer) an ordering that leads with the sort's
// first key, it plans the input with the scan limited to fetch rows
// straight away (see limitOrderedScan), and reports limited: the
// provider's Scan is called once instead of twice. It falls back to the
// unlimited input when the limited plan's ordering does not satisfy the
// sort after all.
func (pp *physicalPlanner) sortInput(n *logical.Sort, fetch int) (in planned, limited bool, err error) {
	if fetch >= 0 && declaredOrderLeads(n) {
		if lp, ok := limitInput(n.Input, fetch); ok && lp != n.Input {
			in, err = pp.plan(lp)
			if err != nil {
				return planned{}, false, err
			}
			if orderingSatisfies(in.ordering, n.Keys, nonNullColumns(in)) {
				return in, true, nil
			}
		}
	}
	in, err = pp.plan(n.Input)
	return in, false, err
}

// declaredOrderLeads reports whether the scan under n's projections is of
// a table declaring an ordering whose first key is n's first key. It only
// predicts: the planned scan's ordering decides.
func declaredOrderLeads(n *logical.Sort) bool {
	p := n.Input
	for {
		proj, ok := p.(*logical.Projection)
		if !ok {
			break
		}
		p = proj.Input
	}
	scan, ok := p.(*logical.Scan)
	if !ok || len(n.Keys) == 0 {
		return false
	}
	ld, ok := scan.Provider.(plan.LayoutDeclarer)
	if !ok {
		return false
	}
	_, ordering := ld.DeclaredLayout()
	c, ok := n.Keys[0].Expr.(*expr.Column)
	return ok && len(ordering) > 0 && strings.EqualFold(ordering[0].Column, c.Name) && ordering[0].Descending == n.Keys[0].Descending
}

// limitOrderedScan re-plans the input of a sort that the input's declared
// ordering made unnecessary with the scan limited to fetch rows (when only
// projections stand between them): every partition is in the sort's order,
// so its first fetch rows are the only ones the merge above can take, and
// the source stops after them (the limit reaches it through the Writer).
// It returns in unchanged when nothing can be pushed.
func (pp *physicalPlanner) limitOrderedScan(n *logical.Sort, in planned, fetch int, nonNull func(string) bool) planned {
	if fetch < 0 {
		return in
	}
	limited, ok := limitInput(n.Input, fetch)
	if !ok || limited == n.Input {
		return in
	}
	again, err := pp.plan(limited)
	if err != nil || !orderingSatisfies(again.ordering, n.Keys, nonNull) ||
		again.exec.Properties().Partitions != in.exec.Properties().Partitions {
		return in
	}
	return again
}

func (pp *physicalPlanner) limit(n *logical.Limit) (planned, error) {
	if n.Offset < 0 {
		return planned{}, fmt.Errorf("OFFSET must not be negative, got %d", n.Offset)
	}
	need := -1 // rows the input must produce; -1 when all
	if n.Fetch >= 0 {
		if n.Offset > math.MaxInt-n.Fetch {
			return planned{}, fmt.Errorf("LIMIT %d OFFSET %d is too large", n.Fetch, n.Offset)
		}
		need = n.Offset + n.Fetch
	}
	var in planned
	var err error
	if s, ok := n.Input.(*logical.Sort); ok {
		in, err = pp.sort(s, need)
	} else {
		in, err = pp.plan(n.Input)
	}
	if err != nil {
		return planned{}, err
	}
	if n.Offset == 0 && (need < 0 || in.capped) {
		return in, nil // nothing left for a limit to do
	}
	x, ordering := in.exec, in.ordering
	if x.Properties().Partitions != 1 {
		if need >= 0 && x.Properties().Partitions > 1 {
			// Each partition can stop after need rows: the global limit
			// never takes more than that from any one of them.
			x = physical.NewLocalLimit(x, need)
		}
		x = physical.NewCoalescePartitions(x)
		ordering = nil
	}
	l, err := physical.NewLimit(x, n.Offset, n.Fetch)
	if err != nil {
		return planned{}, err
	}
	return planned{exec: l, ordering: ordering, capped: true, names: in.names, nonNull: in.nonNull}, nil
}

func sameNames(want []arrow.Field, got *arrow.Schema) bool {
	if got.NumFields() != len(want) {
		return false
	}
	for i, f := range want {
		if got.Field(i).Name != f.Name {
			return false
		}
	}
	return true
}

func fieldNames(s *arrow.Schema) string {
	if s == nil {
		return "none"
	}
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return "[" + strings.Join(names, ", ") + "]"
}
