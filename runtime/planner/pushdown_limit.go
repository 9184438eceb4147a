package planner

import (
	"math"

	"github.com/tpgen/tpgen/runtime/logical"
)

// pushDownLimits hands LIMIT (offset+fetch rows) to a scan when only
// projections stand between them: any filter, aggregate or sort left in
// between changes which rows or how many reach the limit, so the scan must
// not stop early then. The Limit node stays: the scan's limit is a hint
// (a provider may return more rows, and it knows nothing of OFFSET).
func pushDownLimits(p logical.Plan) logical.Plan {
	l, ok := p.(*logical.Limit)
	if ok && l.Fetch >= 0 && l.Offset >= 0 && l.Offset <= math.MaxInt-l.Fetch {
		if in, ok := limitInput(l.Input, l.Offset+l.Fetch); ok {
			c := *l
			c.Input = in
			return &c
		}
	}
	if j, ok := p.(*logical.Join); ok {
		// Limits inside the inputs (subqueries) still apply.
		c := *j
		c.Left, c.Right = pushDownLimits(j.Left), pushDownLimits(j.Right)
		return &c
	}
	children := p.Children()
	if len(children) != 1 {
		return p
	}
	in := pushDownLimits(children[0])
	if in == children[0] {
		return p
	}
	n, err := withInput(p, in)
	if err != nil {
		return p // unreachable: children() and withInput know the same nodes
	}
	return n
}

// limitInput returns p with limit pushed into its scan, or false when
// something that changes row counts is in the way.
func limitInput(p logical.Plan, limit int) (logical.Plan, bool) {
	switch n := p.(type) {
	case *logical.Scan:
		if n.Limit >= 0 && n.Limit <= limit {
			return n, true
		}
		c := copyScan(n)
		c.Limit = limit
		return c, true
	case *logical.Projection:
		in, ok := limitInput(n.Input, limit)
		if !ok {
			return nil, false
		}
		c := *n
		c.Input = in
		return &c, true
	}
	return nil, false
}
