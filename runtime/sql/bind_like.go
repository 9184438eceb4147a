package sql

import (
	"strings"
	"unicode/utf8"

	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
)

// bindLikeEscape binds the pattern of `x LIKE pattern ESCAPE e`, which the
// grammar writes like_escape(pattern, e). The engine's LIKE escapes with a
// backslash, so a constant pattern is rewritten into that form: the
// character after e is escaped with a backslash and every other backslash
// becomes literal (ESCAPE ” turns escaping off). PostgreSQL's errors are
// kept: an escape of more than one character, and a pattern ending in the
// escape character.
func (b *binder) bindLikeEscape(fc *pg.FuncCall, depth int) (bound, error) {
	p, err := b.bindDepth(fc.Args[0], depth)
	if err != nil {
		return bound{}, err
	}
	e, err := b.bindDepth(fc.Args[1], depth)
	if err != nil {
		return bound{}, err
	}
	pattern, ok, err := b.constText(p)
	if err != nil {
		return bound{}, err
	}
	if !ok {
		return bound{}, b.unsupported(p.pos, "LIKE ... ESCAPE with a pattern that is not a constant")
	}
	esc, ok, err := b.constText(e)
	if err != nil {
		return bound{}, err
	}
	if !ok {
		return bound{}, b.unsupported(e.pos, "LIKE ... ESCAPE with an escape that is not a constant")
	}
	if utf8.RuneCountInString(esc) > 1 {
		return bound{}, b.errorf(e.pos, "invalid escape string: it must be empty or one character")
	}
	escRune, _ := utf8.DecodeRuneInString(esc)
	var out strings.Builder
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case esc != "" && r == escRune:
			if i+1 == len(rs) {
				return bound{}, b.errorf(p.pos, "LIKE pattern must not end with escape character")
			}
			i++
			out.WriteByte('\\')
			out.WriteRune(rs[i])
		case r == '\\':
			out.WriteString(`\\`)
		default:
			out.WriteRune(r)
		}
	}
	return bound{e: &expr.Literal{Value: expr.String(out.String())}, pos: p.pos, soft: unknownString, lit: true}, nil
}

// constText returns the value of a text constant (a quoted literal or a
// folded text expression); false when x is not one. NULL is an error here
// (PostgreSQL's LIKE ... ESCAPE NULL yields NULL; tpgen asks for a value).
func (b *binder) constText(x bound) (string, bool, error) {
	f, err := b.foldBound(x)
	if err != nil {
		return "", false, err
	}
	lit, ok := f.e.(*expr.Literal)
	if !ok || (f.soft == concrete && !isString(lit.Value.Type)) {
		return "", false, nil
	}
	if lit.Value.Null || f.soft == nullLit {
		return "", false, b.errorf(x.pos, "NULL is not supported as a LIKE pattern or escape")
	}
	s, ok := lit.Value.Value.(string)
	return s, ok, nil
}
