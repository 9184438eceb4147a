package planner

import (
	"fmt"
	"strconv"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Repeated output names.
//
// SQL lets a select list repeat an output name (SELECT s, s; SELECT max(a),
// max(a); SELECT a AS x, b AS x), but expressions refer to columns by name,
// so a physical operator above such a projection could not bind "x". The
// planner therefore gives every projected column a unique internal name:
// the first column called x keeps x, later ones become x#2, x#3, ... (never
// colliding with another name of the same projection). The names users see
// are restored at the root of the plan.
//
// A reference to a repeated name is resolved when it cannot be wrong:
//   - when every column of that name computes the same expression (SELECT
//     s, s ... ORDER BY 2), any of them will do, and the first is picked;
//   - when a projection lists column x at position i and the input's
//     column i is called x (the final projection the SQL front end puts
//     above a sort to drop hidden sort keys), it means that column.
//
// Any other reference to a name shared by different columns is ambiguous
// and is an error rather than a guess.

// outputNames records, for a planned subtree, the user-visible names of
// its output columns when some are repeated.
type outputNames struct {
	// visible are the names users see, one per output column; nil when
	// they are the exec's schema names.
	visible []string
	// ambiguous holds the visible names shared by columns that compute
	// different values.
	ambiguous map[string]bool
}

// internalNames returns names made unique as described above.
func internalNames(names []string) []string {
	taken := make(map[string]bool, len(names))
	for _, n := range names {
		taken[n] = true
	}
	seen := make(map[string]int, len(names))
	out := make([]string, len(names))
	for i, n := range names {
		seen[n]++
		if seen[n] == 1 {
			out[i] = n
			continue
		}
		for k := seen[n]; ; k++ {
			if c := n + "#" + strconv.Itoa(k); !taken[c] {
				out[i], taken[c] = c, true
				break
			}
		}
	}
	return out
}

// namesOfProjection computes the outputNames of a projection whose
// (resolved) expressions exprs are visibly named names and internally
// named internal.
func namesOfProjection(exprs []expr.Expr, names, internal []string) outputNames {
	same := true
	for i := range names {
		same = same && names[i] == internal[i]
	}
	if same {
		return outputNames{}
	}
	first := map[string]string{} // name -> expression of its first column
	amb := map[string]bool{}
	for i, n := range names {
		s := exprs[i].String()
		if f, ok := first[n]; !ok {
			first[n] = s
		} else if f != s {
			amb[n] = true
		}
	}
	return outputNames{visible: names, ambiguous: amb}
}

// checkRefs fails when one of es refers to an ambiguous name of in's
// output. what says where the expressions come from, for the error.
func checkRefs(in outputNames, what string, es ...expr.Expr) error {
	if len(in.ambiguous) == 0 {
		return nil
	}
	for _, e := range es {
		if e == nil {
			continue
		}
		for _, c := range expr.Columns(e) {
			if in.ambiguous[c] {
				return fmt.Errorf("%s: column reference %q is ambiguous: several different columns of its input are named %s", what, c, c)
			}
		}
	}
	return nil
}

// resolveProjection returns exprs with references to in's repeated names
// resolved (see above), or an error for an ambiguous one.
func resolveProjection(in outputNames, inSchemaNames []string, exprs []expr.Expr) ([]expr.Expr, error) {
	if len(in.ambiguous) == 0 {
		return exprs, nil
	}
	out := make([]expr.Expr, len(exprs))
	for i, e := range exprs {
		if c, ok := e.(*expr.Column); ok && in.ambiguous[c.Name] && i < len(in.visible) && in.visible[i] == c.Name {
			out[i] = &expr.Column{Name: inSchemaNames[i], Type: c.Type}
			continue
		}
		if err := checkRefs(in, "projection", e); err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// restoreNames gives the root of a plan the names users expect: it
// renames the top projection's columns when the root is one, and adds a
// renaming projection (which copies nothing) otherwise.
func restoreNames(p planned) (plan.ExecutionPlan, error) {
	if p.names.visible == nil {
		return p.exec, nil
	}
	if pr, ok := p.exec.(*physical.ProjectionExec); ok {
		return physical.NewProjection(pr.Children()[0], pr.Exprs(), p.names.visible)
	}
	schema := p.exec.Schema()
	exprs := make([]expr.Expr, schema.NumFields())
	for i, f := range schema.Fields() {
		exprs[i] = &expr.Column{Name: f.Name, Type: f.Type}
	}
	return physical.NewProjection(p.exec, exprs, p.names.visible)
}
