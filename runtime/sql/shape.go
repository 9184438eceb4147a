package sql

import (
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"
)

// checkShape rejects the parts of a SELECT tpgen does not plan, naming
// each construct and pointing at it.
func (b *binder) checkShape(s *pg.SelectStmt, stmtPos int) error {
	if len(s.ValuesLists) > 0 {
		return b.unsupported(keywordPos(b.sql, stmtPos, "VALUES"), "VALUES")
	}
	if s.IntoClause != nil {
		return b.unsupported(keywordPos(b.sql, stmtPos, "INTO"), "SELECT INTO")
	}
	if len(s.LockingClause) > 0 {
		return b.unsupported(keywordPos(b.sql, stmtPos, "FOR"), "FOR UPDATE/SHARE")
	}
	if s.GroupDistinct {
		return b.unsupported(keywordPos(b.sql, stmtPos, "GROUP"), "GROUP BY DISTINCT")
	}
	if s.LimitOption == pg.LimitOption_LIMIT_OPTION_WITH_TIES {
		return b.unsupported(keywordPos(b.sql, stmtPos, "TIES"), "FETCH ... WITH TIES")
	}
	return nil
}

// keywordPos finds a keyword from the statement start, falling back to the
// statement start when the text does not contain it.
func keywordPos(sql string, from int, keyword string) int {
	if p := findKeyword(sql, from, keyword); p >= 0 {
		return p
	}
	return from
}
