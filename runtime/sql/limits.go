package sql

import "strings"

// Limits bound what Prepare accepts before PostgreSQL's parser sees a
// statement. The parser runs in a WebAssembly instance with a fixed
// stack: a statement nested deeply enough exhausts it. Checking the
// nesting lexically first turns that into an error that names the limit
// and the place, and leaves the parser out of it.
type Limits struct {
	// MaxStatementBytes caps the statement's length in bytes.
	MaxStatementBytes int
	// MaxNestingDepth caps how deeply expressions nest (see NestingDepth
	// for what counts).
	MaxNestingDepth int
}

// Default limits. PostgreSQL's parser, as built here, handles about three
// times DefaultMaxNestingDepth before its stack runs out; real queries,
// including generated ones, stay far below it.
const (
	DefaultMaxStatementBytes = 1 << 20
	DefaultMaxNestingDepth   = 1000
)

// DefaultLimits are the limits Prepare applies.
var DefaultLimits = Limits{MaxStatementBytes: DefaultMaxStatementBytes, MaxNestingDepth: DefaultMaxNestingDepth}

func (l Limits) orDefaults() Limits {
	if l.MaxStatementBytes <= 0 {
		l.MaxStatementBytes = DefaultMaxStatementBytes
	}
	if l.MaxNestingDepth <= 0 {
		l.MaxNestingDepth = DefaultMaxNestingDepth
	}
	return l
}

// nestingLevel is one open parenthesis, bracket or CASE.
type nestingLevel struct {
	closer byte // ')' or ']', or 'E' for a CASE's END
	weight int  // 1 when the level is a node of the tree (a call, a subquery, CASE), 0 for grouping parentheses
	chain  int  // operators in the current operand chain at this level
	chains int  // JOINs and set operations at this level: they nest left-deep and no clause ends them
}

// NestingDepth returns the deepest expression nesting in sql and the byte
// offset of the token where it is first reached. It is a lexical upper
// bound of the parse tree's depth, computed without parsing:
//
//   - a function call's or subquery's parentheses, a CASE ... END and an
//     ARRAY[...] are one level each; grouping parentheses are none, so
//     `((((x))))` is as deep as `x`, as in the tree;
//   - inside one level, every operator of an operand chain (`a + b + c`,
//     `NOT NOT x`, `x::int::text`) is one level: chains nest left to right
//     in the tree;
//   - commas, AND, OR and clause keywords end a chain: PostgreSQL's
//     grammar flattens AND and OR lists, and list items are siblings;
//   - every JOIN and every UNION, INTERSECT or EXCEPT is one level: the
//     tree nests them left-deep.
//
// Text inside string literals, quoted identifiers and comments is skipped.
func NestingDepth(sql string) (depth, pos int) { return nestingDepth(sql, -1) }

// nestingDepth is NestingDepth, stopping at the first token deeper than
// stopAbove when stopAbove >= 0.
func nestingDepth(sql string, stopAbove int) (depth, pos int) {
	levels := []nestingLevel{{}}
	current := 0 // sum over levels of weight + chain
	note := func(at int) {
		if current > depth {
			depth, pos = current, at
		}
	}
	bump := func(at int) {
		levels[len(levels)-1].chain++
		current++
		note(at)
	}
	resetChain := func() {
		top := &levels[len(levels)-1]
		current -= top.chain
		top.chain = 0
	}
	push := func(closer byte, weight, at int) {
		levels = append(levels, nestingLevel{closer: closer, weight: weight})
		current += weight
		note(at)
	}
	pop := func(closer byte) {
		if len(levels) == 1 || levels[len(levels)-1].closer != closer {
			return // unbalanced: the parser reports it
		}
		top := levels[len(levels)-1]
		current -= top.weight + top.chain + top.chains
		levels = levels[:len(levels)-1]
	}
	prevWord := "" // the previous token when it was a word, upper-cased
	prevOperand := false
	for i := 0; i < len(sql); {
		if stopAbove >= 0 && depth > stopAbove {
			return depth, pos
		}
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			i = skipBlockComment(sql, i)
			continue
		case c == '\'':
			i = skipQuoted(sql, i+1, '\'', isEscapeString(sql, i))
			prevWord, prevOperand = "", true
			continue
		case c == '"':
			i = skipQuoted(sql, i+1, '"', false)
			prevWord, prevOperand = "", true
			continue
		case c == '$' && i+1 < len(sql) && (sql[i+1] == '$' || isIdentStart(sql[i+1])):
			if end, ok := skipDollarQuoted(sql, i); ok {
				i = end
				prevWord, prevOperand = "", true
				continue
			}
			i++
			for i < len(sql) && isIdentChar(sql[i]) {
				i++
			}
			prevWord, prevOperand = "", true
			continue
		case isIdentStart(c):
			start := i
			for i < len(sql) && isIdentChar(sql[i]) {
				i++
			}
			word := strings.ToUpper(sql[start:i])
			if word == "E" || word == "B" || word == "X" || word == "N" || word == "U" {
				if i < len(sql) && (sql[i] == '\'' || (word == "U" && sql[i] == '&')) {
					prevWord = ""
					continue // a prefixed string literal: the quote comes next
				}
			}
			switch word {
			case "NOT", "IS", "LIKE", "ILIKE", "SIMILAR", "BETWEEN", "IN", "COLLATE", "AT", "OVERLAPS":
				bump(start)
				prevOperand = false
			case "JOIN", "UNION", "INTERSECT", "EXCEPT":
				resetChain()
				levels[len(levels)-1].chains++
				current++
				note(start)
				prevOperand = false
			case "AND", "OR", "SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET",
				"WHEN", "THEN", "ELSE", "AS", "ON", "USING", "WITH", "BY",
				"WINDOW", "VALUES", "RETURNING", "FETCH", "FOR":
				resetChain()
				prevOperand = false
			case "CASE":
				push('E', 1, start)
				prevOperand = false
			case "END":
				pop('E')
				prevOperand = true
			default:
				prevOperand = true
			}
			prevWord = word
			continue
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9':
			for i < len(sql) && (isIdentChar(sql[i]) || sql[i] == '.') {
				i++
			}
			prevWord, prevOperand = "", true
			continue
		case c == '(':
			// A call's, subquery's or IN list's parentheses are a node;
			// grouping parentheses are not.
			weight := 0
			if prevWord != "" && prevOperand || prevWord == "IN" || prevWord == "EXISTS" || prevWord == "ANY" ||
				prevWord == "ALL" || prevWord == "SOME" || nextWord(sql, i+1) == "SELECT" {
				weight = 1
			}
			push(')', weight, i)
			i++
			prevWord, prevOperand = "", false
			continue
		case c == '[':
			push(']', 1, i)
			i++
			prevWord, prevOperand = "", false
			continue
		case c == ')' || c == ']':
			pop(c)
			i++
			prevWord, prevOperand = "", true
			continue
		case c == ',' || c == ';':
			resetChain()
			i++
			prevWord, prevOperand = "", false
			continue
		case c == ':' && i+1 < len(sql) && sql[i+1] == ':':
			bump(i)
			i += 2
			prevWord, prevOperand = "", false
			continue
		case strings.IndexByte("+-*/<>=~!@#%^&|`?", c) >= 0:
			start := i
			for i < len(sql) && strings.IndexByte("+-*/<>=~!@#%^&|`?", sql[i]) >= 0 {
				if sql[i] == '-' && i+1 < len(sql) && sql[i+1] == '-' || sql[i] == '/' && i+1 < len(sql) && sql[i+1] == '*' {
					break
				}
				i++
			}
			// A sign directly before a number is folded into the
			// literal by the grammar: -1 is a constant, not a node.
			if !(prevOperand == false && (sql[start:i] == "-" || sql[start:i] == "+") && i < len(sql) && (sql[i] >= '0' && sql[i] <= '9' || sql[i] == '.')) {
				bump(start)
			}
			prevWord, prevOperand = "", false
			continue
		}
		i++ // any other byte (a dot, a colon, non-ASCII): not an operator
		prevWord, prevOperand = "", true
	}
	return depth, pos
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// nextWord returns the upper-cased word that starts the text at i after
// blanks, or "".
func nextWord(sql string, i int) string {
	for i < len(sql) && (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\n' || sql[i] == '\r') {
		i++
	}
	start := i
	for i < len(sql) && isIdentChar(sql[i]) && i-start < 8 {
		i++
	}
	return strings.ToUpper(sql[start:i])
}

// isEscapeString reports whether the quote at i opens an E'...' string,
// where a backslash escapes the next character.
func isEscapeString(sql string, i int) bool {
	return i > 0 && (sql[i-1] == 'e' || sql[i-1] == 'E') && (i == 1 || !isIdentChar(sql[i-2]))
}

// skipQuoted returns the offset after the closing quote of a literal
// starting at i (just after the opening quote); a doubled quote is an
// escaped one. An unterminated literal runs to the end.
func skipQuoted(sql string, i int, quote byte, backslash bool) int {
	for i < len(sql) {
		switch {
		case backslash && sql[i] == '\\':
			i += 2
		case sql[i] == quote:
			if i+1 < len(sql) && sql[i+1] == quote {
				i += 2
				continue
			}
			return i + 1
		default:
			i++
		}
	}
	return len(sql)
}

// skipBlockComment skips a /* ... */ comment starting at i; PostgreSQL's
// block comments nest.
func skipBlockComment(sql string, i int) int {
	depth := 0
	for i < len(sql) {
		switch {
		case sql[i] == '/' && i+1 < len(sql) && sql[i+1] == '*':
			depth++
			i += 2
		case sql[i] == '*' && i+1 < len(sql) && sql[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(sql)
}

// skipDollarQuoted skips $tag$ ... $tag$ starting at i, reporting false
// when the text at i is not a dollar-quote opener (a parameter like $1).
func skipDollarQuoted(sql string, i int) (int, bool) {
	j := i + 1
	for j < len(sql) && sql[j] != '$' {
		if !isIdentChar(sql[j]) || sql[j] == '$' {
			return 0, false
		}
		j++
	}
	if j >= len(sql) {
		return 0, false
	}
	tag := sql[i : j+1]
	end := strings.Index(sql[j+1:], tag)
	if end < 0 {
		return len(sql), true
	}
	return j + 1 + end + len(tag), true
}
