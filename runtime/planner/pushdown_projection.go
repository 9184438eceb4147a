package planner

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
)

// pushDownProjections narrows every scan to the columns some node above it
// reads, in table order. Columns only referenced by filters the provider
// took (Scan.Filters) are not projected: the provider evaluates those
// itself.
//
// When nothing above a scan reads any column (SELECT count(*) FROM t, with
// any filter taken exactly by the provider), the scan projects no column:
// its batches are zero-column records that carry only their row count, so
// a source reads nothing it does not need. Generated providers, memtable
// and the operators above a scan handle such records.
func pushDownProjections(p logical.Plan) (logical.Plan, error) {
	return prune(p, namesOf(p.Schema()))
}

type nameSet map[string]bool

func namesOf(s *arrow.Schema) nameSet {
	out := make(nameSet, s.NumFields())
	for _, f := range s.Fields() {
		out[f.Name] = true
	}
	return out
}

func (s nameSet) with(es ...expr.Expr) nameSet {
	out := make(nameSet, len(s))
	for n := range s {
		out[n] = true
	}
	for _, e := range es {
		if e == nil {
			continue
		}
		for _, c := range expr.Columns(e) {
			out[c] = true
		}
	}
	return out
}

// prune rewrites p so that its scans produce only what is needed for p to
// output the columns in required.
func prune(p logical.Plan, required nameSet) (logical.Plan, error) {
	var childNeeds nameSet
	switch n := p.(type) {
	case *logical.Union:
		return pruneUnion(n)
	case *logical.Repeat:
		childNeeds = required.with(&expr.Column{Name: n.Count})
	case *logical.Scan:
		return pruneScan(n, required), nil
	case *logical.Projection:
		// A projection starts a new name space: its input must only
		// provide what its expressions read. Below a join or in a
		// subquery, columns nobody reads are dropped first.
		n = pruneProjection(n, required)
		p = n
		childNeeds = nameSet{}.with(n.Exprs...)
	case *logical.Join:
		return pruneJoin(n, required)
	case *logical.Aggregate:
		childNeeds = nameSet{}.with(n.GroupBy...)
		for _, a := range n.Aggs {
			childNeeds = childNeeds.with(a)
		}
	case *logical.Filter:
		childNeeds = required.with(n.Predicate)
	case *logical.Sort:
		childNeeds = required
		for _, k := range n.Keys {
			childNeeds = childNeeds.with(k.Expr)
		}
	case *logical.Limit:
		childNeeds = required
	case *logical.Window:
		childNeeds = windowChildNeeds(n, required)
	case *logical.Explain:
		childNeeds = namesOf(n.Input.Schema())
	default:
		return nil, fmt.Errorf("planner: unsupported logical node %T", p)
	}
	in, err := prune(p.Children()[0], childNeeds)
	if err != nil {
		return nil, err
	}
	return withInput(p, in)
}

func pruneScan(s *logical.Scan, required nameSet) logical.Plan {
	full := s.Provider.Schema()
	current := s.Projection
	if current == nil {
		current = make([]int, full.NumFields())
		for i := range current {
			current[i] = i
		}
	}
	keep := make([]int, 0, len(current))
	for _, idx := range current {
		if idx >= 0 && idx < full.NumFields() && required[full.Field(idx).Name] {
			keep = append(keep, idx)
		}
	}
	if s.Projection == nil && len(keep) == full.NumFields() {
		return s // already every column; nil keeps meaning "all"
	}
	out := copyScan(s)
	out.Projection = keep
	return out
}

// pruneProjection drops the columns of p nobody reads, keeping at least
// one (a subquery's projection stays a plan with a column).
func pruneProjection(p *logical.Projection, required nameSet) *logical.Projection {
	keep := make([]int, 0, len(p.Exprs))
	for i, name := range p.Names {
		if required[name] {
			keep = append(keep, i)
		}
	}
	if len(keep) == len(p.Exprs) {
		return p
	}
	if len(keep) == 0 {
		keep = append(keep, 0)
	}
	c := &logical.Projection{Input: p.Input}
	for _, i := range keep {
		c.Exprs = append(c.Exprs, p.Exprs[i])
		c.Names = append(c.Names, p.Names[i])
	}
	return c
}

// pruneJoin asks each input of a join for the required columns it has and
// the columns its keys and filter read.
func pruneJoin(j *logical.Join, required nameSet) (logical.Plan, error) {
	needs := required.with(j.Filter)
	for _, k := range j.Keys {
		needs = needs.with(k.Left, k.Right)
	}
	side := func(in logical.Plan) nameSet {
		out := nameSet{}
		for _, f := range in.Schema().Fields() {
			if needs[f.Name] {
				out[f.Name] = true
			}
		}
		return out
	}
	l, err := prune(j.Left, side(j.Left))
	if err != nil {
		return nil, err
	}
	r, err := prune(j.Right, side(j.Right))
	if err != nil {
		return nil, err
	}
	c := *j
	c.Left, c.Right = l, r
	return &c, nil
}
