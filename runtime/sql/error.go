package sql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is a front-end error (syntax, name resolution, typing, or an
// unsupported construct) located in the statement's text.
type Error struct {
	// Pos is the byte offset in SQL of the construct the error is about
	// (0 <= Pos <= len(SQL)).
	Pos int
	// Line and Col are the 1-based line and column (in characters) of Pos.
	Line, Col int
	// Token is the text of the token at Pos (empty at the end of input).
	Token string
	// Msg says what is wrong, without the position.
	Msg string
	// SQL is the statement text.
	SQL string
}

// Error implements error: `line 1, column 8: unknown column "regoin"; did you mean "region"?`.
func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// newError builds an Error at byte offset pos of sql, clamping pos into the
// text so callers can pass a parser location without checking it (the
// parser reports -1 for synthesised nodes).
func newError(sql string, pos int, format string, args ...any) *Error {
	if pos < 0 {
		pos = 0
	}
	if pos > len(sql) {
		pos = len(sql)
	}
	// Never point into the middle of a UTF-8 sequence.
	for pos > 0 && pos < len(sql) && !utf8.RuneStart(sql[pos]) {
		pos--
	}
	line, col := lineCol(sql, pos)
	return &Error{Pos: pos, Line: line, Col: col, Token: tokenAt(sql, pos), Msg: fmt.Sprintf(format, args...), SQL: sql}
}

// lineCol converts a byte offset into a 1-based line and character column.
func lineCol(sql string, pos int) (line, col int) {
	line, col = 1, 1
	for _, r := range sql[:pos] {
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return line, col
}

// tokenAt returns the SQL token starting at pos: an identifier or number,
// a quoted identifier or string, or a run of operator characters. It is
// only a hint for tools that highlight the error, so it need not follow
// every lexical rule of PostgreSQL.
func tokenAt(sql string, pos int) string {
	if pos >= len(sql) {
		return ""
	}
	rest := sql[pos:]
	r, size := utf8.DecodeRuneInString(rest)
	switch {
	case r == '"' || r == '\'':
		for i := size; i < len(rest); i++ {
			if rest[i] == byte(r) {
				if i+1 < len(rest) && rest[i+1] == byte(r) {
					i++
					continue
				}
				return rest[:i+1]
			}
		}
		return rest
	case isWordRune(r) || r == '$':
		end := size
		for end < len(rest) {
			r2, s2 := utf8.DecodeRuneInString(rest[end:])
			if !isWordRune(r2) {
				break
			}
			end += s2
		}
		return rest[:end]
	case unicode.IsSpace(r):
		return ""
	case strings.ContainsRune("+-*/<>=~!@#%^&|`?", r):
		end := size
		for end < len(rest) && strings.IndexByte("+-*/<>=~!@#%^&|`?", rest[end]) >= 0 {
			end++
		}
		return rest[:end]
	}
	return rest[:size]
}

func isWordRune(r rune) bool {
	return r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// charToByte converts a 1-based character position (PostgreSQL's cursor
// positions count characters) into a byte offset.
func charToByte(sql string, cursor int) int {
	if cursor <= 1 {
		return 0
	}
	n := 1
	for i := range sql {
		if n == cursor {
			return i
		}
		n++
	}
	return len(sql)
}
