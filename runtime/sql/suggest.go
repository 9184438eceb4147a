package sql

import "strings"

// suggest returns `; did you mean "x"?` for the candidate nearest to name,
// or "" when none is close enough to be a plausible typo.
func suggest(name string, candidates []string) string {
	best, bestDist := "", -1
	limit := max(1, len([]rune(name))/3)
	for _, c := range candidates {
		if strings.EqualFold(name, c) {
			// "ID" for id: a quoted name in the wrong case is the
			// likeliest slip of all, however many letters differ.
			if d := editDistance(name, c); bestDist < 0 || d < bestDist {
				best, bestDist = c, d
			}
		}
	}
	if bestDist >= 0 {
		return "; did you mean " + quote(best) + "?"
	}
	for _, c := range candidates {
		d := editDistance(name, c)
		if d <= limit && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 {
		return ""
	}
	return "; did you mean " + quote(best) + "?"
}

// editDistance is the optimal-string-alignment distance: Levenshtein plus
// adjacent transpositions, since "regoin" for "region" is one slip of the
// fingers, not two. Case differences cost one edit like any other, so an
// unquoted name still suggests a mixed-case column.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// quote wraps a name in double quotes, as PostgreSQL's messages do.
func quote(name string) string { return `"` + name + `"` }
