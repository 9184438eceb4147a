// Package sql is tpgen's SQL front end: it parses PostgreSQL-dialect SQL
// with PostgreSQL's own grammar (libpg_query via github.com/wasilibs/go-pgquery,
// pure Go on wazero) and binds it into a logical plan for one table.
//
// Prepare parses and binds a statement once; the resulting Statement is
// immutable and meant to be cached by SQL text, since parsing costs tens
// of microseconds per statement (and the parser's first use in a process
// compiles it, which takes over a second). Bind supplies $n parameters.
//
// Supported: single-table SELECT [DISTINCT] with WHERE, GROUP BY (by
// expression, output alias or ordinal), HAVING, ORDER BY (expression,
// alias, ordinal, or columns absent from the select list; ASC/DESC,
// NULLS FIRST/LAST with PostgreSQL's defaults), LIMIT/OFFSET (constants,
// ALL, or $n), count/sum/min/max/avg (with DISTINCT), comparisons, AND/OR/NOT,
// [NOT] IN, [NOT] BETWEEN, [NOT] [I]LIKE, IS [NOT] NULL, IS [NOT]
// TRUE/FALSE/UNKNOWN, + - * / % and unary minus, CAST and ::, typed
// literals (DATE '...', TIMESTAMP '...', TIMESTAMPTZ '...', INTERVAL
// '...' of fixed length, as a DURATION), interval ± interval, constant
// date/timestamp ± interval and date ± integer, and EXPLAIN [ANALYZE];
// CASE, COALESCE, NULLIF, GREATEST/LEAST and the scalar functions of
// bind_scalar.go (strings, math, date_trunc/EXTRACT, now(), whose value
// Bind fixes per run); UNION [ALL], INTERSECT and EXCEPT (bind_setop.go);
// LIKE ... ESCAPE, rewritten into the engine's backslash escapes.
// docs/sql.md is the user's reference. Constant sub-expressions are
// folded at bind time. Everything else is an *Error naming the construct
// and its position.
//
// Typing follows PostgreSQL where tpgen's types allow, with these
// simplifications:
//   - integer literals are BIGINT and literals like 1.5 DOUBLE PRECISION
//     (PostgreSQL: INTEGER and NUMERIC); a literal is narrowed to the other
//     operand's type when that loses nothing, so `int32_col = 5` compares
//     int32 values and `col op literal` reaches the provider unchanged;
//   - a quoted literal takes its type from the other operand
//     (`ts >= '2026-01-01'` is folded to a TIMESTAMP literal at bind time,
//     `du > '1 hour'` to a duration literal of du's unit);
//   - operands of different types widen to a common one (wider integer,
//     float64 for int/float mixes, decimal for int/decimal, the finer
//     timestamp unit, timestamp for date/timestamp) with Cast nodes;
//   - sum is BIGINT, BIGINT UNSIGNED, DOUBLE PRECISION or DECIMAL(38, s);
//     avg is always DOUBLE PRECISION, decimals included; count is BIGINT;
//   - NUMERIC without precision is DECIMAL(38, 9); VARCHAR(n) ignores n;
//     TIMESTAMP is microseconds without zone, TIMESTAMPTZ microseconds in
//     UTC, and zone-less timestamp text is read as UTC.
//
// Output columns are named by their alias, their column name, or else
// their SQL text (`count(*)`, `amount * 2`), as in DataFusion.
package sql
