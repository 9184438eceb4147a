package logical

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// Union is UNION ALL of its inputs: every row of every input. The inputs
// have the same number of columns with the same types (the front end
// casts them to the common type); the output columns are named Names.
// UNION, INTERSECT and EXCEPT are built from it by the front end: an
// Aggregate grouping by every column removes duplicates, and tagging
// each input's rows tells which inputs a row came from.
type Union struct {
	Inputs []Plan
	Names  []string
}

// Schema implements Plan.
func (u *Union) Schema() *arrow.Schema {
	first := u.Inputs[0].Schema()
	fields := make([]arrow.Field, len(u.Names))
	for i := range fields {
		fields[i] = arrow.Field{Name: u.Names[i], Type: first.Field(i).Type, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// Children implements Plan.
func (u *Union) Children() []Plan { return slices.Clone(u.Inputs) }

// String implements Plan.
func (u *Union) String() string { return "Union" }
