package sql

import (
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// bindFrom resolves the FROM clause, which must name exactly one table.
func (b *binder) bindFrom(from []*pg.Node, cat Catalog, stmtPos int) (*logical.Scan, error) {
	if len(from) == 0 {
		return nil, b.unsupported(stmtPos, "SELECT without FROM")
	}
	if len(from) > 1 {
		return nil, b.unsupported(nodeLocation(from[1]), "JOIN")
	}
	item := from[0]
	switch v := item.Node.(type) {
	case *pg.Node_RangeVar:
		return b.bindTable(v.RangeVar, cat)
	case *pg.Node_JoinExpr:
		pos := findKeyword(b.sql, nodeLocation(v.JoinExpr.Larg), "JOIN")
		if pos < 0 {
			pos = nodeLocation(item)
		}
		return nil, b.unsupported(pos, "JOIN")
	case *pg.Node_RangeSubselect:
		return nil, b.unsupportedPlural(nodeLocation(item), "subqueries in FROM")
	case *pg.Node_RangeFunction:
		return nil, b.unsupportedPlural(nodeLocation(item), "set-returning functions in FROM")
	case *pg.Node_RangeTableSample:
		return nil, b.unsupported(nodeLocation(item), "TABLESAMPLE")
	}
	return nil, b.unsupported(nodeLocation(item), "FROM item %s", nodeTypeName(item))
}

func (b *binder) bindTable(rv *pg.RangeVar, cat Catalog) (*logical.Scan, error) {
	pos := int(rv.Location)
	if rv.Catalogname != "" || rv.Schemaname != "" {
		return nil, b.unsupportedPlural(pos, "schema-qualified table names")
	}
	if cat == nil {
		return nil, b.errorf(pos, "unknown table %s (no catalog)", quote(rv.Relname))
	}
	provider, ok := cat.Table(rv.Relname)
	if !ok || provider == nil {
		return nil, b.errorf(pos, "unknown table %s%s", quote(rv.Relname), suggest(rv.Relname, cat.TableNames()))
	}
	schema := provider.Schema()
	if schema == nil {
		return nil, b.errorf(pos, "table %s has no schema", quote(rv.Relname))
	}
	b.table, b.qual, b.schema = rv.Relname, rv.Relname, schema
	if rv.Alias != nil {
		if len(rv.Alias.Colnames) > 0 {
			return nil, b.unsupportedPlural(pos, "column aliases in FROM")
		}
		b.qual = rv.Alias.Aliasname
	}
	return &logical.Scan{Table: rv.Relname, Provider: provider, Limit: plan.NoLimit}, nil
}
