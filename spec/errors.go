package spec

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem found in a spec file, at a 1-based line and column
// (counted in characters, as YAML does). Its text has the form editors and
// terminals turn into links: "events.tpgen.yaml:14:13: unknown type ...".
type Error struct {
	// File is the file name as given to Parse or Load.
	File string
	// Line and Col locate the offending key or value (both >= 1).
	Line, Col int
	// Msg says what is wrong and what is allowed, without the position.
	Msg string
}

// Error returns "file:line:col: message".
func (e *Error) Error() string {
	return e.File + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col) + ": " + e.Msg
}

// ErrorList is every problem found in one spec file, sorted by position.
// Parse and Load return it (as error) so a user fixes all problems in one
// round instead of one per run. Use errors.As to get at the entries.
type ErrorList []*Error

// Error returns one error per line, in position order.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// sortErrors orders errors by position (then message, so the result does not
// depend on the order checks ran in) and drops exact duplicates, which arise
// when two checks reach the same conclusion about the same node.
func sortErrors(l ErrorList) ErrorList {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col), strings.Compare(a.Msg, b.Msg))
	})
	return slices.CompactFunc(l, func(a, b *Error) bool { return *a == *b })
}

func quote(s string) string { return strconv.Quote(s) }

// list joins names for "allowed: a, b, c" hints.
func list(names []string) string { return strings.Join(names, ", ") }
