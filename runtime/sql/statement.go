package sql

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/logical"
)

// Statement is a parsed and bound statement. It is immutable once Prepare
// returns it, so one Statement may be cached (the Session caches them by
// SQL text) and bound concurrently by many queries.
type Statement struct {
	// SQL is the statement's text.
	SQL string
	// Plan is the logical plan. Parameters appear in it as *expr.Param
	// and, for LIMIT/OFFSET $n, as Limit nodes whose Fetch/Offset Bind
	// replaces; use Bind to get an executable plan.
	Plan logical.Plan
	// Params holds the inferred type of $1..$n (Params[0] is $1's).
	Params []arrow.DataType

	limit    limitParams
	paramPos []int // first occurrence of each $n, for Bind's errors
	usesNow  bool  // the plan holds expr.CurrentTime nodes, which Bind fixes
}

// Prepare parses sql with PostgreSQL's grammar and binds it against cat:
// names are resolved, types checked and coerced, and the logical plan is
// built. Errors are *Error values with the position of the offending
// construct.
func Prepare(sql string, cat Catalog) (*Statement, error) {
	return PrepareWithLimits(sql, cat, DefaultLimits)
}

// PrepareWithLimits is Prepare with limits other than DefaultLimits (a
// zero field keeps its default).
func PrepareWithLimits(sql string, cat Catalog, lim Limits) (*Statement, error) {
	node, stmtPos, err := parse(sql, lim)
	if err != nil {
		return nil, err
	}
	return prepareTree(sql, node, stmtPos, cat, lim.orDefaults())
}

// prepareTree binds a parsed statement (apart from Prepare so benchmarks
// can time binding without parsing).
func prepareTree(sql string, node *pg.Node, stmtPos int, cat Catalog, lim Limits) (*Statement, error) {
	var err error
	b := newBinder(sql)
	b.maxDepth = lim.MaxNestingDepth
	b.cat = cat
	st := &Statement{SQL: sql}
	switch v := node.Node.(type) {
	case *pg.Node_SelectStmt:
		st.Plan, err = b.planSelect(v.SelectStmt, cat, stmtPos, &st.limit)
	case *pg.Node_ExplainStmt:
		st.Plan, err = b.planExplain(v.ExplainStmt, cat, stmtPos, &st.limit)
	default:
		err = b.unsupportedStatement(node, stmtPos)
	}
	if err != nil {
		return nil, err
	}
	st.usesNow = b.usesNow
	if err := b.collectParams(st); err != nil {
		return nil, err
	}
	return st, nil
}

func (b *binder) planExplain(e *pg.ExplainStmt, cat Catalog, stmtPos int, lp *limitParams) (logical.Plan, error) {
	analyze := false
	for _, o := range e.Options {
		de := o.GetDefElem()
		if de == nil {
			return nil, b.errorf(nodeLocation(o), "unexpected EXPLAIN option")
		}
		if de.Defname != "analyze" {
			return nil, b.unsupported(int(de.Location), "EXPLAIN option %s", strings.ToUpper(de.Defname))
		}
		on, ok := defBool(de.Arg)
		if !ok {
			return nil, b.errorf(int(de.Location), "EXPLAIN option ANALYZE requires a Boolean value")
		}
		analyze = on
	}
	sel := e.Query.GetSelectStmt()
	if sel == nil {
		name := statementName(b.sql, e.Query, stmtPos)
		return nil, b.unsupported(keywordPos(b.sql, stmtPos+len("EXPLAIN"), strings.Fields(name)[0]), "EXPLAIN of %s", name)
	}
	input, err := b.planSelect(sel, cat, stmtPos, lp)
	if err != nil {
		return nil, err
	}
	return &logical.Explain{Input: input, Analyze: analyze}, nil
}

// defBool reads an EXPLAIN option's value: none means true.
func defBool(arg *pg.Node) (bool, bool) {
	if arg == nil {
		return true, true
	}
	if c := arg.GetAConst(); c != nil {
		switch {
		case c.GetBoolval() != nil:
			return c.GetBoolval().GetBoolval(), true
		case c.GetIval() != nil:
			return c.GetIval().GetIval() != 0, true
		case c.GetSval() != nil:
			arg = pg.MakeStrNode(c.GetSval().GetSval())
		}
	}
	if s := arg.GetString_(); s != nil {
		switch strings.ToLower(s.Sval) {
		case "true", "on", "1", "yes":
			return true, true
		case "false", "off", "0", "no":
			return false, true
		}
	}
	return false, false
}

var statementNames = map[string]string{
	"InsertStmt": "INSERT", "UpdateStmt": "UPDATE", "DeleteStmt": "DELETE", "MergeStmt": "MERGE",
	"CreateStmt": "CREATE TABLE", "CreateTableAsStmt": "CREATE TABLE AS", "ViewStmt": "CREATE VIEW",
	"IndexStmt": "CREATE INDEX", "DropStmt": "DROP", "AlterTableStmt": "ALTER TABLE", "TruncateStmt": "TRUNCATE",
	"TransactionStmt": "transaction control", "VariableSetStmt": "SET", "VariableShowStmt": "SHOW",
	"CopyStmt": "COPY", "PrepareStmt": "PREPARE", "ExecuteStmt": "EXECUTE",
}

// statementName names a statement kind for messages: a known name, or the
// statement's first keyword.
func statementName(sql string, n *pg.Node, pos int) string {
	if name, ok := statementNames[nodeTypeName(n)]; ok {
		return name
	}
	for pos >= 0 && pos < len(sql) && (sql[pos] == ' ' || sql[pos] == '\t' || sql[pos] == '\n' || sql[pos] == '\r' || sql[pos] == '(') {
		pos++
	}
	if tok := tokenAt(sql, max(pos, 0)); tok != "" {
		return strings.ToUpper(tok)
	}
	return nodeTypeName(n)
}

func (b *binder) unsupportedStatement(n *pg.Node, pos int) error {
	start := pos
	for start < len(b.sql) && strings.ContainsRune(" \t\r\n(", rune(b.sql[start])) {
		start++
	}
	return b.errorf(start, "%s is not supported: only SELECT and EXPLAIN statements are", statementName(b.sql, n, pos))
}

// collectParams checks that every $n up to the highest used has a type and
// records the types on the statement.
func (b *binder) collectParams(st *Statement) error {
	n := 0
	for i := range b.paramPos {
		n = max(n, i)
	}
	st.Params = make([]arrow.DataType, n)
	st.paramPos = make([]int, n)
	for i := 1; i <= n; i++ {
		t := b.params[i]
		if t == nil {
			return b.errorf(b.paramPos[i], "could not determine data type of parameter $%d", i)
		}
		st.Params[i-1] = t
		st.paramPos[i-1] = b.paramPos[i]
	}
	return nil
}
