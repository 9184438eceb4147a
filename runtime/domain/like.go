package domain

import "github.com/tpgen/tpgen/runtime/expr"

// likePattern splits a LIKE pattern into its literal prefix (up to the
// first unescaped wildcard) and what the rest says: noWildcard when the
// pattern is a plain string, prefixOnly when the rest is only '%'s (so the
// pattern means "starts with prefix"). ok is false for a malformed pattern
// (a trailing backslash). Every string the pattern matches starts with
// prefix.
func likePattern(p string) (prefix string, noWildcard, prefixOnly, ok bool) {
	buf := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\\':
			if i+1 == len(p) {
				return "", false, false, false
			}
			i++
			buf = append(buf, p[i])
		case '%', '_':
			rest := p[i:]
			for j := 0; j < len(rest); j++ {
				if rest[j] != '%' {
					return string(buf), false, false, true
				}
			}
			return string(buf), false, true, true
		default:
			buf = append(buf, c)
		}
	}
	return string(buf), true, false, true
}

// prefixUpper returns the smallest string above every string starting with
// p (byte order, which orders UTF-8 by code point), or ok=false when there
// is none (p empty or all 0xff bytes).
func prefixUpper(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

func analyzeLike(e *expr.Like) facts {
	ref, ok := columnRef(e.E)
	lit, isLit := e.Pattern.(*expr.Literal)
	if !ok || !isLit || e.CaseInsensitive || typeFamily(ref.cmp) != famString {
		return unknown()
	}
	if lit.Value.Null {
		return single(ref.name, None(CompareScalars), true)
	}
	pat, isStr := lit.Value.Value.(string)
	if !isStr {
		return unknown()
	}
	// The engine's own reading of the pattern decides what is exact; our
	// helper only adds the inexact prefix of patterns with inner wildcards.
	prefix, plain, ok := expr.LikePrefix(pat)
	prefixOnly := ok && !plain
	if !ok {
		if prefix, _, _, ok = likePattern(pat); !ok {
			return unknown()
		}
	}
	typed := func(s string) expr.Scalar { return expr.Scalar{Type: ref.col, Value: s} }
	var d ScalarDomain
	if plain {
		d = Single(CompareScalars, typed(prefix))
	} else {
		r := Range[expr.Scalar]{Low: Inclusive(typed(prefix)), High: Unbounded[expr.Scalar]()}
		if up, ok := prefixUpper(prefix); ok {
			r.High = Exclusive(typed(up))
		}
		d = FromRanges(CompareScalars, false, r)
	}
	exact := plain || prefixOnly
	if e.Negated {
		if !exact {
			return unknown() // NOT LIKE 'a_c' rules out too little to say
		}
		d = d.Complement().WithNull(false)
	}
	return single(ref.name, d, exact)
}
