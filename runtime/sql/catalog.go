package sql

import "github.com/tpgen/tpgen/runtime/plan"

// Catalog resolves the table names a statement mentions.
type Catalog interface {
	// Table returns the provider registered under name (already folded to
	// lower case unless the SQL quoted it).
	Table(name string) (plan.TableProvider, bool)
	// TableNames lists the registered names, for "did you mean" hints.
	TableNames() []string
}
