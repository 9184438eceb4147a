package spec

import (
	"strings"
	"unicode"
)

// maxNameLen is PostgreSQL's identifier limit. The SQL front end speaks
// PostgreSQL's dialect, so a longer name could not be written in a query.
const maxNameLen = 63

// initialisms are the name parts GoName writes in capitals, following the Go
// convention (UserID, not UserId): the default list of staticcheck's ST1003
// (golint's before it), so generated names read as Go's style checkers
// expect, plus UTC. "ts" is left out: it is a common column name (Ts reads
// better than TS next to time.Time fields) and not an initialism in every
// schema.
var initialisms = map[string]bool{
	"acl": true, "amqp": true, "api": true, "ascii": true, "cpu": true, "css": true, "db": true,
	"dns": true, "eof": true, "gid": true, "guid": true, "html": true, "http": true, "https": true,
	"id": true, "ip": true, "json": true, "qps": true, "ram": true, "rpc": true, "rtp": true,
	"sip": true, "sla": true, "smtp": true, "sql": true, "ssh": true, "tcp": true, "tls": true,
	"ttl": true, "udp": true, "ui": true, "uid": true, "uri": true, "url": true, "utc": true,
	"utf8": true, "uuid": true, "vm": true, "xml": true, "xmpp": true, "xsrf": true, "xss": true,
}

// GoName converts a snake_case spec name to the exported Go identifier the
// generator uses for it: "user_id" becomes "UserID", "event_type" becomes
// "EventType". Underscores only separate words, so "user__id" and "_user_id"
// also become "UserID"; the validator rejects columns whose Go names collide.
func GoName(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "_") {
		if part == "" {
			continue
		}
		if initialisms[part] {
			b.WriteString(strings.ToUpper(part))
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}

// checkName returns a message explaining why name is not a valid table or
// column name, or "" when it is valid. what is "table" or "column".
func checkName(what, name string) string {
	if name == "" {
		return what + " name must not be empty"
	}
	valid := true
	hasLetter := false
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
			hasLetter = true
		case r == '_':
		case r >= '0' && r <= '9':
			if i == 0 {
				valid = false
			}
		default:
			valid = false
		}
	}
	if !valid {
		msg := "invalid " + what + " name " + quote(name) +
			"; use lowercase letters, digits and underscores, starting with a letter or underscore"
		if s := SnakeCase(name); s != "" && s != name && checkName(what, s) == "" {
			msg += "; did you mean " + quote(s) + "?"
		}
		return msg
	}
	if !hasLetter {
		return "invalid " + what + " name " + quote(name) + "; a name needs at least one letter"
	}
	if len(name) > maxNameLen {
		return what + " name " + quote(name) + " is too long; at most 63 characters (PostgreSQL's limit)"
	}
	return ""
}

// SnakeCase turns names such as "userId", "User-Id" or "Events" into
// "user_id" and "events", the suggestion offered when a table, column or
// package name is not lowercase snake case.
func SnakeCase(s string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			if prevLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevLower = false
		case r == '-' || r == ' ' || r == '.':
			b.WriteByte('_')
			prevLower = false
		default:
			b.WriteRune(r)
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		}
	}
	return b.String()
}

// suggest returns the candidate closest to s by edit distance, or "" when
// none is close enough to be a plausible typo (at most one edit for short
// words, a third of the length for longer ones).
func suggest(s string, candidates []string) string {
	best, bestDist := "", -1
	limit := max(len(s)/3, 1)
	for _, c := range candidates {
		d := editDistance(s, c)
		if d <= limit && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
// Inputs longer than 64 bytes are never near a keyword, so they are not
// compared (and a hostile input cannot make this quadratic step expensive).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
