package domain

import (
	"fmt"
	"strings"
)

// String renders d for EXPLAIN output and error messages: "ALL", "NONE",
// a set of single values as {'us-east-1', 'us-west-2'}, a range as
// [10, 20) or (-inf, 5], parts joined by " ∪ ", and NULL when allowed:
// "(-inf, 5] ∪ NULL". Values print as SQL literals where their type says
// how (Scalars, strings), otherwise with fmt.
func (d Domain[T]) String() string {
	d = d.norm()
	switch {
	case d.IsAll():
		return "ALL"
	case d.IsNone():
		return "NONE"
	}
	var parts, points []string
	flush := func() {
		if len(points) > 0 {
			parts = append(parts, "{"+strings.Join(points, ", ")+"}")
			points = nil
		}
	}
	for _, r := range d.ranges {
		if r.IsPoint(d.cmp) {
			points = append(points, formatValue(r.Low.Value))
			continue
		}
		flush()
		parts = append(parts, formatRange(r))
	}
	flush()
	if d.null {
		parts = append(parts, "NULL")
	}
	return strings.Join(parts, " ∪ ")
}

func formatRange[T any](r Range[T]) string {
	var b strings.Builder
	if r.Low.Unbounded {
		b.WriteString("(-inf")
	} else {
		b.WriteString(map[bool]string{true: "[", false: "("}[r.Low.Inclusive])
		b.WriteString(formatValue(r.Low.Value))
	}
	b.WriteString(", ")
	if r.High.Unbounded {
		b.WriteString("+inf)")
	} else {
		b.WriteString(formatValue(r.High.Value))
		b.WriteString(map[bool]string{true: "]", false: ")"}[r.High.Inclusive])
	}
	return b.String()
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
