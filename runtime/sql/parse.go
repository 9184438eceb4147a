package sql

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/sql/internal/pgparse"
)

// WarmParser starts the parser's one-time start-up (compiling PostgreSQL's
// grammar, about 1.5 s) in the background and returns at once, so that
// the first statement does not pay for it within its caller's deadline.
// runtime.NewSession calls it. Calling it again does nothing.
func WarmParser() { pgparse.Warm() }

// WaitParser waits until the parser's start-up is done or ctx ends (then
// it returns ctx's error), starting it if needed. Callers with a deadline
// call it before Prepare, which cannot be interrupted.
func WaitParser(ctx context.Context) error { return pgparse.WaitReady(ctx) }

// parse runs PostgreSQL's grammar over sql and returns its one statement
// (with the statement's offset in sql), converting parser errors into
// positioned Errors. lim is checked first, so that what would exhaust the
// parser is refused with an error naming the limit.
func parse(sql string, lim Limits) (*pg.Node, int, error) {
	lim = lim.orDefaults()
	if len(sql) > lim.MaxStatementBytes {
		return nil, 0, newError(sql, 0, "statement is too long (%d bytes; the limit is %d bytes, set by the MaxStatementBytes limit)", len(sql), lim.MaxStatementBytes)
	}
	if i := strings.IndexByte(sql, 0); i >= 0 {
		return nil, 0, newError(sql, i, "invalid byte sequence: NUL byte in statement")
	}
	if !utf8.ValidString(sql) {
		i := 0
		for i < len(sql) {
			r, size := utf8.DecodeRuneInString(sql[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		line, col := lineCol(sql, i)
		return nil, 0, &Error{Pos: i, Line: line, Col: col, Msg: "invalid byte sequence for encoding UTF8", SQL: sql}
	}
	if depth, at := nestingDepth(sql, lim.MaxNestingDepth); depth > lim.MaxNestingDepth {
		return nil, 0, newError(sql, at, "expressions are nested too deeply (the limit is %d, set by the MaxNestingDepth limit)", lim.MaxNestingDepth)
	}
	tree, err := pgparse.Parse(sql)
	if err != nil {
		var pe *pgparse.Error
		var crash *pgparse.CrashError
		var decode *pgparse.DecodeError
		switch {
		case errors.As(err, &pe):
			pos := escapeLiteralPos(sql) // the lexer reports bad escapes without a position
			if pe.Cursorpos > 0 {
				pos = charToByte(sql, pe.Cursorpos)
			}
			return nil, 0, newError(sql, pos, "%s", pe.Message)
		case errors.As(err, &crash):
			// Not a syntax error: the statement may be valid. Point at the
			// deepest nesting, the usual cause.
			_, at := NestingDepth(sql)
			return nil, 0, newError(sql, at, "internal parser error: %s (the parser was restarted; the statement is too complex for it, reduce its nesting or size)", crash.Reason)
		case errors.As(err, &decode):
			_, at := NestingDepth(sql)
			return nil, 0, newError(sql, at, "statement is nested too deeply to decode: %v", decode.Err)
		}
		return nil, 0, newError(sql, 0, "internal parser error: %v", err)
	}
	stmts := tree.GetStmts()
	switch len(stmts) {
	case 0:
		return nil, 0, newError(sql, 0, "empty statement")
	case 1:
	default:
		return nil, 0, newError(sql, int(stmts[1].StmtLocation), "multiple statements are not supported")
	}
	return stmts[0].Stmt, int(stmts[0].StmtLocation), nil
}

// escapeLiteralPos returns the offset of the first escape string literal
// (E'...' or U&'...') in sql, or 0. PostgreSQL's lexer reports errors in
// such literals (an escaped NUL, invalid UTF-8) without a position; the
// literal is the best place to point at, and never past the end.
func escapeLiteralPos(sql string) int {
	for i := 0; i+1 < len(sql); i++ {
		if i > 0 && isIdentChar(sql[i-1]) {
			continue
		}
		switch {
		case (sql[i] == 'E' || sql[i] == 'e') && sql[i+1] == '\'':
			return i
		case (sql[i] == 'U' || sql[i] == 'u') && strings.HasPrefix(sql[i+1:], "&'"):
			return i
		}
	}
	return 0
}
