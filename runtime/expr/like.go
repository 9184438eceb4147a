package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// likeKind is the shape of a compiled LIKE pattern; all but likeGeneral
// reduce to one strings function per row.
type likeKind int

const (
	likeExact    likeKind = iota // 'abc'
	likePrefix                   // 'abc%'
	likeSuffix                   // '%abc'
	likeContains                 // '%abc%'
	likeSegments                 // 'a%b%c': only %, no _
	likeGeneral                  // anything with _
)

// likeToken is one element of a parsed pattern: a literal run, % or _.
type likeToken struct {
	lit string
	any bool // %
	one bool // _
}

// likeMatcher is a LIKE pattern compiled once per query.
type likeMatcher struct {
	kind likeKind
	lit  string   // exact, prefix, suffix and contains
	segs []string // likeSegments: literals between %s, first and last anchored
	toks []likeToken
	fold bool // ILIKE: values are lower-cased before matching
}

// parseLike splits a pattern into tokens, merging adjacent literals and
// runs of %. Backslash escapes the next character.
func parseLike(p string) ([]likeToken, error) {
	var toks []likeToken
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, likeToken{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; ch {
		case '\\':
			if i+1 == len(p) {
				return nil, fmt.Errorf("LIKE pattern must not end with escape character")
			}
			i++
			lit.WriteByte(p[i])
		case '%':
			flush()
			if len(toks) == 0 || !toks[len(toks)-1].any {
				toks = append(toks, likeToken{any: true})
			}
		case '_':
			flush()
			toks = append(toks, likeToken{one: true})
		default:
			lit.WriteByte(ch)
		}
	}
	flush()
	return toks, nil
}

func compileLike(pattern string, fold bool) (*likeMatcher, error) {
	if fold {
		pattern = strings.ToLower(pattern)
	}
	toks, err := parseLike(pattern)
	if err != nil {
		return nil, err
	}
	m := &likeMatcher{toks: toks, fold: fold}
	hasOne := false
	for _, t := range toks {
		hasOne = hasOne || t.one
	}
	isLit := func(i int) bool { return i >= 0 && i < len(toks) && !toks[i].any && !toks[i].one }
	isAny := func(i int) bool { return i >= 0 && i < len(toks) && toks[i].any }
	switch {
	case hasOne:
		m.kind = likeGeneral
	case len(toks) == 0:
		m.kind = likeExact
	case len(toks) == 1 && isLit(0):
		m.kind, m.lit = likeExact, toks[0].lit
	case len(toks) == 1: // just %
		m.kind = likePrefix
	case len(toks) == 2 && isLit(0) && isAny(1):
		m.kind, m.lit = likePrefix, toks[0].lit
	case len(toks) == 2 && isAny(0) && isLit(1):
		m.kind, m.lit = likeSuffix, toks[1].lit
	case len(toks) == 3 && isAny(0) && isLit(1) && isAny(2):
		m.kind, m.lit = likeContains, toks[1].lit
	default:
		m.kind = likeSegments
		// Segments alternate with %: record the literal before the first
		// %, each one between, and the one after the last ("" if none).
		cur := ""
		for _, t := range toks {
			if t.any {
				m.segs = append(m.segs, cur)
				cur = ""
			} else {
				cur = t.lit
			}
		}
		m.segs = append(m.segs, cur)
	}
	return m, nil
}

// match reports whether s matches the pattern.
func (m *likeMatcher) match(s string) bool {
	if m.fold {
		s = strings.ToLower(s)
	}
	switch m.kind {
	case likeExact:
		return s == m.lit
	case likePrefix:
		return strings.HasPrefix(s, m.lit)
	case likeSuffix:
		return strings.HasSuffix(s, m.lit)
	case likeContains:
		return strings.Contains(s, m.lit)
	case likeSegments:
		first, last := m.segs[0], m.segs[len(m.segs)-1]
		if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
			return false
		}
		s = s[len(first) : len(s)-len(last)]
		for _, seg := range m.segs[1 : len(m.segs)-1] {
			i := strings.Index(s, seg)
			if i < 0 {
				return false
			}
			s = s[i+len(seg):]
		}
		return true
	}
	return matchTokens(m.toks, s)
}

// matchTokens is the general matcher: greedy with backtracking to the last
// %, linear for patterns with one %, O(len(s)*len(p)) at worst. _ matches
// one UTF-8 character.
func matchTokens(toks []likeToken, s string) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(toks) {
			t := toks[ti]
			switch {
			case t.any:
				starT, starS = ti, si
				ti++
				continue
			case t.one:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					ti++
					continue
				}
			default:
				if strings.HasPrefix(s[si:], t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Mismatch: let the last % swallow one more character.
		if starT < 0 || starS >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		ti, si = starT+1, starS
	}
}

// LikePrefix reports whether a LIKE pattern selects strings by a literal
// prefix, so filter pushdown and domain analysis can turn it into a range:
// 'abc%' gives ("abc", false, true); a pattern without wildcards gives
// (pattern, true, true) since it is an equality; anything else (a _, a %
// before the end, a malformed escape) gives ok false. Escapes are resolved:
// 'a\%b%' gives "a%b".
func LikePrefix(pattern string) (prefix string, exact bool, ok bool) {
	m, err := compileLike(pattern, false)
	if err != nil {
		return "", false, false
	}
	switch m.kind {
	case likeExact:
		return m.lit, true, true
	case likePrefix:
		return m.lit, false, true
	}
	return "", false, false
}

func (c *compiler) like(e *Like) (node, error) {
	in, err := c.compile(e.E)
	if err != nil {
		return nil, err
	}
	pat, err := c.compile(e.Pattern)
	if err != nil {
		return nil, err
	}
	for _, n := range []node{in, pat} {
		switch n.dataType().ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		default:
			if !isNullConst(n) {
				return nil, fmt.Errorf("LIKE needs text operands, not %s", SQLTypeName(n.dataType()))
			}
		}
	}
	if isNullConst(in) || isNullConst(pat) {
		return &constNode{s: Null(boolType)}, nil
	}
	k, ok := pat.(*constNode)
	if !ok {
		return nil, fmt.Errorf("LIKE pattern must be a constant, not %s", e.Pattern)
	}
	m, err := compileLike(string(scalarBytes(k.s)), e.CaseInsensitive)
	if err != nil {
		return nil, err
	}
	var kern scalarCmp
	switch in.dataType().ID() {
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		kern = likeKernel[int64]{m}
	default:
		kern = likeKernel[int32]{m}
	}
	return fold(&likeNode{e: in, k: kern, negated: e.Negated})
}

// likeKernel applies a matcher to string or binary arrays.
type likeKernel[O offsetT] struct{ m *likeMatcher }

func (k likeKernel[O]) bits(a arrow.Array, out []byte) {
	offs, data := binaryParts[O](a)
	for i := 0; i < a.Len(); i++ {
		if k.m.match(bstr(data[offs[i]:offs[i+1]])) {
			out[i>>3] |= 1 << (i & 7)
		}
	}
}

func (k likeKernel[O]) sel(a arrow.Array, sel, out []int32) []int32 {
	offs, data := binaryParts[O](a)
	return selBits(a.Len(), sel, out, func(i int) bool { return k.m.match(bstr(data[offs[i]:offs[i+1]])) })
}

// likeNode is x [NOT] [I]LIKE 'constant pattern'.
type likeNode struct {
	e       node
	k       scalarCmp
	negated bool
}

func (n *likeNode) inputs() []node { return []node{n.e} }

func (n *likeNode) dataType() arrow.DataType { return boolType }

func (n *likeNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	a, err := n.e.eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	buf, bits := newBitmap(mem, a.Len())
	n.k.bits(a, bits)
	if n.negated {
		for i := range bits {
			bits[i] = ^bits[i]
		}
	}
	return fixedArray(mem, boolType, a.Len(), buf, validity(a)), nil
}
