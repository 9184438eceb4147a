package planner

import (
	"fmt"

	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Set operations reach the planner as logical.Union (UNION ALL), with
// aggregates and filters above it for UNION, INTERSECT and EXCEPT. Each
// input is planned on its own (its filters, projections and limits pushed
// into its scans) and the inputs' partitions run side by side in a
// UnionExec; the aggregate above repartitions them by its keys.

// transformUnion is transformUp for a Union: every input, then the node.
func transformUnion(u *logical.Union, fn func(logical.Plan) (logical.Plan, error)) (logical.Plan, error) {
	c := &logical.Union{Names: u.Names, Inputs: make([]logical.Plan, len(u.Inputs))}
	for i, in := range u.Inputs {
		t, err := transformUp(in, fn)
		if err != nil {
			return nil, err
		}
		c.Inputs[i] = t
	}
	return fn(c)
}

// pruneUnion prunes each input for all of its columns: a union's columns
// are positional, and every one of them decides which rows are distinct
// in the aggregate above. Inputs start with a projection, below which
// pruning narrows the scans.
func pruneUnion(u *logical.Union) (logical.Plan, error) {
	c := &logical.Union{Names: u.Names, Inputs: make([]logical.Plan, len(u.Inputs))}
	for i, in := range u.Inputs {
		p, err := prune(in, namesOf(in.Schema()))
		if err != nil {
			return nil, err
		}
		c.Inputs[i] = p
	}
	return c, nil
}

func (pp *physicalPlanner) union(n *logical.Union) (planned, error) {
	execs := make([]plan.ExecutionPlan, len(n.Inputs))
	for i, in := range n.Inputs {
		p, err := pp.plan(in)
		if err != nil {
			return planned{}, err
		}
		execs[i] = p.exec
	}
	u, err := physical.NewUnion(execs...)
	if err != nil {
		return planned{}, err
	}
	got := schemaNames(u)
	for i, name := range n.Names {
		if i >= len(got) || got[i] != name {
			return planned{}, fmt.Errorf("planner: union input columns %v, want %v", got, n.Names)
		}
	}
	return planned{exec: u}, nil
}
