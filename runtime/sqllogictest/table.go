package sqllogictest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Column is one column of a table directive's header.
type Column struct {
	Name     string
	Type     arrow.DataType
	Nullable bool
}

// Layout says how a table's rows are spread over partitions and what the
// table declares about them. Every declaration is made true by the way
// Partition distributes and sorts the rows.
type Layout struct {
	// Partitions is the partition count (at least 1).
	Partitions int
	// Empty lists partitions that receive no rows.
	Empty []int
	// Key, when set, hashes rows on these columns and declares key
	// partitioning on them.
	Key []string
	// Range, when set, sorts rows on this column, cuts them into contiguous
	// runs (never splitting equal values) and declares range partitioning.
	Range string
	// Ordering sorts the rows of every partition and is declared as the
	// table's ordering.
	Ordering []plan.SortKey
	// Pushdown is the table's answer for every filter.
	Pushdown plan.FilterPushdown
	// BatchRows caps the rows of one record batch (0: one batch per
	// partition).
	BatchRows int
}

// TableDef is a table directive: a name, columns, rows and a layout.
type TableDef struct {
	Name    string
	Line    int
	Columns []Column
	// Rows hold one Scalar per column, typed as the column.
	Rows   [][]expr.Scalar
	Layout Layout
}

// Schema returns the table's Arrow schema.
func (t *TableDef) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// ColumnIndex returns the position of the named column, or -1.
func (t *TableDef) ColumnIndex(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// parseTableDirective reads "name opt=value ..." after "table".
func parseTableDirective(words []string) (*TableDef, error) {
	if len(words) == 0 {
		return nil, fmt.Errorf("table needs a name")
	}
	t := &TableDef{Name: words[0], Layout: Layout{Partitions: 1, Pushdown: plan.Exact}}
	for _, w := range words[1:] {
		key, val, ok := strings.Cut(w, "=")
		if !ok || val == "" {
			return nil, fmt.Errorf("table option %q is not key=value", w)
		}
		var err error
		switch key {
		case "partitions":
			t.Layout.Partitions, err = strconv.Atoi(val)
			if err == nil && (t.Layout.Partitions < 1 || t.Layout.Partitions > 1024) {
				err = fmt.Errorf("want 1..1024")
			}
		case "empty":
			for _, s := range strings.Split(val, ",") {
				var n int
				n, err = strconv.Atoi(s)
				if err != nil {
					break
				}
				t.Layout.Empty = append(t.Layout.Empty, n)
			}
		case "key":
			t.Layout.Key = strings.Split(val, ",")
		case "range":
			t.Layout.Range = val
		case "ordering":
			t.Layout.Ordering, err = parseOrdering(val)
		case "pushdown":
			t.Layout.Pushdown, err = parsePushdown(val)
		case "batch":
			t.Layout.BatchRows, err = strconv.Atoi(val)
			if err == nil && t.Layout.BatchRows < 1 {
				err = fmt.Errorf("want at least 1")
			}
		default:
			return nil, fmt.Errorf("unknown table option %q (allowed: partitions, empty, key, range, ordering, pushdown, batch)", key)
		}
		if err != nil {
			return nil, fmt.Errorf("table option %s=%s: %v", key, val, err)
		}
	}
	return t, nil
}

// parseOrdering reads "col[:asc|:desc][:nullsfirst|:nullslast],..."; the
// null placement defaults to PostgreSQL's (last ascending, first
// descending).
func parseOrdering(s string) ([]plan.SortKey, error) {
	var keys []plan.SortKey
	for _, item := range strings.Split(s, ",") {
		parts := strings.Split(item, ":")
		k := plan.SortKey{Column: parts[0]}
		nulls := ""
		for _, p := range parts[1:] {
			switch p {
			case "asc":
				k.Descending = false
			case "desc":
				k.Descending = true
			case "nullsfirst", "nullslast":
				nulls = p
			default:
				return nil, fmt.Errorf("unknown ordering modifier %q (allowed: asc, desc, nullsfirst, nullslast)", p)
			}
		}
		switch nulls {
		case "":
			k.NullsFirst = k.Descending
		case "nullsfirst":
			k.NullsFirst = true
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func parsePushdown(s string) (plan.FilterPushdown, error) {
	switch s {
	case "exact":
		return plan.Exact, nil
	case "inexact":
		return plan.Inexact, nil
	case "unsupported":
		return plan.Unsupported, nil
	}
	return 0, fmt.Errorf("unknown pushdown %q (allowed: exact, inexact, unsupported)", s)
}

// tableBody reads the header line and the rows up to a blank line, then
// checks the layout against the columns.
func (p *parser) tableBody(t *TableDef) error {
	if p.pos >= len(p.lines) || p.lines[p.pos] == "" {
		return p.errorf(t.Line, "table %s needs a header line of name:type columns", t.Name)
	}
	headerLine := p.pos + 1
	header, err := splitTokens(p.lines[p.pos])
	p.pos++
	if err != nil {
		return p.errorf(headerLine, "%v", err)
	}
	for _, h := range header {
		name, typ, ok := strings.Cut(h.text, ":")
		if !ok || name == "" {
			return p.errorf(headerLine, "column %q is not name:type", h.text)
		}
		c := Column{Name: name}
		if strings.HasSuffix(typ, "?") {
			c.Nullable = true
			typ = strings.TrimSuffix(typ, "?")
		}
		if c.Type, err = ParseType(typ); err != nil {
			return p.errorf(headerLine, "column %s: %v", name, err)
		}
		if t.ColumnIndex(name) >= 0 {
			return p.errorf(headerLine, "duplicate column %q", name)
		}
		t.Columns = append(t.Columns, c)
	}
	for p.pos < len(p.lines) && p.lines[p.pos] != "" {
		lineNo := p.pos + 1
		line := p.lines[p.pos]
		p.pos++
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		toks, err := splitTokens(line)
		if err != nil {
			return p.errorf(lineNo, "%v", err)
		}
		if len(toks) != len(t.Columns) {
			return p.errorf(lineNo, "row has %d values, table %s has %d columns", len(toks), t.Name, len(t.Columns))
		}
		row := make([]expr.Scalar, len(toks))
		for i, tok := range toks {
			c := t.Columns[i]
			if row[i], err = parseValue(tok, c.Type); err != nil {
				return p.errorf(lineNo, "column %s: %v", c.Name, err)
			}
			if row[i].Null && !c.Nullable {
				return p.errorf(lineNo, "column %s is not nullable (declare it as %s:%s?)", c.Name, c.Name, typeName(c.Type))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	if err := t.checkLayout(t.Layout); err != nil {
		return p.errorf(t.Line, "%v", err)
	}
	return nil
}

// checkLayout verifies that a layout names existing columns and
// partitions.
func (t *TableDef) checkLayout(l Layout) error {
	if l.Partitions < 1 {
		return fmt.Errorf("table %s: partitions must be at least 1", t.Name)
	}
	for _, e := range l.Empty {
		if e < 0 || e >= l.Partitions {
			return fmt.Errorf("table %s: empty partition %d is not in 0..%d", t.Name, e, l.Partitions-1)
		}
	}
	if len(l.Empty) >= l.Partitions && len(t.Rows) > 0 {
		return fmt.Errorf("table %s: every partition is empty but the table has rows", t.Name)
	}
	if len(l.Key) > 0 && l.Range != "" {
		return fmt.Errorf("table %s: key and range partitioning exclude each other", t.Name)
	}
	names := slices.Clone(l.Key)
	if l.Range != "" {
		names = append(names, l.Range)
	}
	for _, k := range l.Ordering {
		names = append(names, k.Column)
	}
	for _, n := range names {
		if t.ColumnIndex(n) < 0 {
			return fmt.Errorf("table %s has no column %q", t.Name, n)
		}
	}
	return nil
}
