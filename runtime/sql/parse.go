package sql

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	pg "github.com/pganalyze/pg_query_go/v6"
	pgquery "github.com/wasilibs/go-pgquery"
	"github.com/wasilibs/go-pgquery/parser"
)

// MaxStatementLength caps the SQL text Prepare accepts. The parser copies
// the text into WebAssembly memory; a cap keeps a hostile or runaway
// input from growing that memory without bound.
const MaxStatementLength = 1 << 20

// parse runs PostgreSQL's grammar over sql and returns its one statement
// (with the statement's offset in sql), converting parser errors into
// positioned Errors.
func parse(sql string) (*pg.Node, int, error) {
	if len(sql) > MaxStatementLength {
		return nil, 0, newError(sql, 0, "statement is too long (%d bytes; the limit is %d)", len(sql), MaxStatementLength)
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
	tree, err := safeParse(sql)
	if err != nil {
		var pe *parser.Error
		if errors.As(err, &pe) {
			pos := len(sql)
			if pe.Cursorpos > 0 {
				pos = charToByte(sql, pe.Cursorpos)
			}
			return nil, 0, newError(sql, pos, "%s", pe.Message)
		}
		return nil, 0, newError(sql, 0, "%v", err)
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

// safeParse calls the parser, turning a panic inside the WebAssembly
// bridge (which panics on memory faults) into an error: bad input must
// never crash the caller.
func safeParse(sql string) (tree *pg.ParseResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			tree, err = nil, fmt.Errorf("internal parser error: %v", r)
		}
	}()
	return pgquery.Parse(sql)
}
