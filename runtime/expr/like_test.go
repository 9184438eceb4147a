package expr

import (
	"regexp"
	"strings"
	"testing"
)

func TestLikeMatch(t *testing.T) {
	cases := []struct {
		pattern string
		fold    bool
		kind    likeKind
		yes, no []string
	}{
		{"abc", false, likeExact, []string{"abc"}, []string{"ab", "abcd", "ABC", ""}},
		{"abc%", false, likePrefix, []string{"abc", "abcdef"}, []string{"ab", "xabc"}},
		{"%abc", false, likeSuffix, []string{"abc", "xxabc"}, []string{"abcx"}},
		{"%abc%", false, likeContains, []string{"abc", "xabcx"}, []string{"ab c"}},
		{"a%b%c", false, likeSegments, []string{"abc", "a-b-c", "abbc"}, []string{"ab", "acb", "abcx"}},
		{"%a%%b%", false, likeSegments, []string{"ab", "xaxbx"}, []string{"ba"}},
		{"a_c", false, likeGeneral, []string{"abc", "aéc"}, []string{"ac", "abbc"}},
		{"%_", false, likeGeneral, []string{"x", "xyz"}, []string{""}},
		{"_%_", false, likeGeneral, []string{"xy", "xyz"}, []string{"x"}},
		{`a\%`, false, likeExact, []string{"a%"}, []string{"ab"}},
		{`a\_b%`, false, likePrefix, []string{"a_b", "a_bc"}, []string{"axb"}},
		{`\\%`, false, likePrefix, []string{`\`, `\x`}, []string{"x"}},
		{"%", false, likePrefix, []string{"", "x"}, nil},
		{"", false, likeExact, []string{""}, []string{"x"}},
		{"AB%", true, likePrefix, []string{"abc", "ABC", "aB"}, []string{"xab"}},
		{"%ÉT_", true, likeGeneral, []string{"été", "ÉTÉ"}, []string{"et"}},
	}
	for _, tc := range cases {
		m, err := compileLike(tc.pattern, tc.fold)
		if err != nil {
			t.Fatalf("%q: %v", tc.pattern, err)
		}
		if m.kind != tc.kind {
			t.Errorf("%q: kind %d, want %d", tc.pattern, m.kind, tc.kind)
		}
		for _, s := range tc.yes {
			if !m.match(s) {
				t.Errorf("%q should match %q", tc.pattern, s)
			}
		}
		for _, s := range tc.no {
			if m.match(s) {
				t.Errorf("%q should not match %q", tc.pattern, s)
			}
		}
	}
}

// TestLikeAgainstRegexp cross-checks every matcher shape with a regexp
// translation of the same pattern over a small alphabet.
func TestLikeAgainstRegexp(t *testing.T) {
	alpha := []string{"a", "b", "%", "_", `\%`}
	inputs := []string{"", "a", "b", "ab", "ba", "aab", "abab", "%", "a%b", "bba", "é"}
	var patterns []string
	var gen func(p string, depth int)
	gen = func(p string, depth int) {
		patterns = append(patterns, p)
		if depth == 0 {
			return
		}
		for _, c := range alpha {
			gen(p+c, depth-1)
		}
	}
	gen("", 4)
	for _, p := range patterns {
		m, err := compileLike(p, false)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile("^(?s:" + likeToRegexp(p) + ")$")
		for _, s := range inputs {
			if got, want := m.match(s), re.MatchString(s); got != want {
				t.Fatalf("LIKE %q on %q = %v, regexp says %v", p, s, got, want)
			}
		}
	}
}

func likeToRegexp(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	return b.String()
}

func TestLikePrefix(t *testing.T) {
	cases := []struct {
		p         string
		prefix    string
		exact, ok bool
	}{
		{"abc%", "abc", false, true},
		{"abc%%", "abc", false, true},
		{"abc", "abc", true, true},
		{`a\%b%`, "a%b", false, true},
		{"%", "", false, true},
		{"a_c%", "", false, false},
		{"a%c", "", false, false},
		{"%abc", "", false, false},
		{`abc\`, "", false, false},
	}
	for _, tc := range cases {
		prefix, exact, ok := LikePrefix(tc.p)
		if prefix != tc.prefix || exact != tc.exact || ok != tc.ok {
			t.Errorf("LikePrefix(%q) = %q, %v, %v; want %q, %v, %v", tc.p, prefix, exact, ok, tc.prefix, tc.exact, tc.ok)
		}
	}
}
