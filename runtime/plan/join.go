package plan

// JoinType says which rows a join outputs. Left and Right name the join's
// two inputs as written in the query (FROM left JOIN right), whichever of
// them a hash join builds its table from.
type JoinType int

const (
	// InnerJoin outputs the pairs of rows that satisfy the condition (with
	// no condition, every pair: a CROSS JOIN).
	InnerJoin JoinType = iota
	// LeftJoin also outputs every left row without a match, with NULLs for
	// the right columns.
	LeftJoin
	// RightJoin also outputs every right row without a match, with NULLs
	// for the left columns.
	RightJoin
	// FullJoin outputs what LeftJoin and RightJoin do together.
	FullJoin
	// LeftSemiJoin outputs each left row that has at least one match, once,
	// and only the left columns (WHERE x IN (SELECT ...), EXISTS).
	LeftSemiJoin
	// LeftAntiJoin outputs each left row without a match, and only the left
	// columns (NOT EXISTS). A left row with a NULL key has no match.
	LeftAntiJoin
	// LeftAntiNullAwareJoin is LeftAntiJoin with the NULL semantics of
	// x NOT IN (SELECT y ...): when the right side is empty every left row
	// is output; otherwise a left row whose key is NULL, or any left row at
	// all when some right key is NULL, is not (NOT IN is NULL then, not
	// TRUE). It has exactly one key.
	LeftAntiNullAwareJoin
	// LeftSingleJoin pairs every left row with the right side's only row,
	// or with NULLs when the right side is empty; a right side of more
	// than one row is an error. It evaluates an uncorrelated scalar
	// subquery.
	LeftSingleJoin
)

// String names the join type as EXPLAIN prints it.
func (t JoinType) String() string {
	switch t {
	case InnerJoin:
		return "Inner"
	case LeftJoin:
		return "Left"
	case RightJoin:
		return "Right"
	case FullJoin:
		return "Full"
	case LeftSemiJoin:
		return "LeftSemi"
	case LeftAntiJoin:
		return "LeftAnti"
	case LeftAntiNullAwareJoin:
		return "LeftAntiNullAware"
	case LeftSingleJoin:
		return "LeftSingle"
	}
	return "Unknown"
}

// OutputsRight reports whether the join's output has the right input's
// columns after the left's (semi and anti joins output the left's only).
func (t JoinType) OutputsRight() bool {
	switch t {
	case LeftSemiJoin, LeftAntiJoin, LeftAntiNullAwareJoin:
		return false
	}
	return true
}

// PreservesLeft reports whether every left row reaches the output even
// without a match (so the right side supplies NULLs for it).
func (t JoinType) PreservesLeft() bool {
	return t == LeftJoin || t == FullJoin || t == LeftSingleJoin
}

// PreservesRight reports whether every right row reaches the output even
// without a match.
func (t JoinType) PreservesRight() bool { return t == RightJoin || t == FullJoin }
