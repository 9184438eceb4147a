package sqllogictest

import (
	"fmt"
	"slices"
	"sort"

	"github.com/tpgen/tpgen/runtime/plan"
)

// Declared is the layout name meaning "as the table directive says".
const Declared = "declared"

// Layouts are the standard layouts a file's "layouts" directive can name.
// Each rewrites every table of the file around its first column, so one
// set of expected results is checked under several partitionings and
// pushdown modes: the answers must not depend on them.
var Layouts = map[string]func(t *TableDef) Layout{
	// single: one partition, the engine filters everything itself.
	"single": func(*TableDef) Layout {
		return Layout{Partitions: 1, Pushdown: plan.Unsupported}
	},
	// roundrobin: rows dealt over 3 partitions in 2-row batches, filters
	// used only to skip data.
	"roundrobin": func(*TableDef) Layout {
		return Layout{Partitions: 3, BatchRows: 2, Pushdown: plan.Inexact}
	},
	// key: 4 partitions hashed on the first column, declared as key
	// partitioning, filters applied exactly by the table.
	"key": func(t *TableDef) Layout {
		return Layout{Partitions: 4, Key: []string{t.Columns[0].Name}, Pushdown: plan.Exact}
	},
	// range: 3 partitions, each a contiguous range of the first column,
	// sorted on it (declared), exact filters, 3-row batches.
	"range": func(t *TableDef) Layout {
		c := t.Columns[0].Name
		return Layout{Partitions: 3, Range: c, Ordering: []plan.SortKey{{Column: c}}, Pushdown: plan.Exact, BatchRows: 3}
	},
	// sparse: 6 partitions of which 4 are empty, inexact filters.
	"sparse": func(*TableDef) Layout {
		return Layout{Partitions: 6, Empty: []int{0, 2, 3, 5}, Pushdown: plan.Inexact}
	},
}

// LayoutNames returns the standard layout names, sorted.
func LayoutNames() []string {
	names := make([]string, 0, len(Layouts))
	for n := range Layouts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// parseLayoutNames expands "all" (declared, then every standard layout)
// and checks every name.
func parseLayoutNames(words []string) ([]string, error) {
	if len(words) == 0 {
		return nil, fmt.Errorf("layouts needs at least one name (or all)")
	}
	var out []string
	for _, w := range words {
		switch {
		case w == "all":
			out = append(out, Declared)
			out = append(out, LayoutNames()...)
		case w == Declared || Layouts[w] != nil:
			out = append(out, w)
		default:
			return nil, fmt.Errorf("unknown layout %q (allowed: all, %s, %v)", w, Declared, LayoutNames())
		}
	}
	return slices.Compact(out), nil
}

// LayoutFor returns the layout a table gets under the named layout.
func (t *TableDef) LayoutFor(name string) (Layout, error) {
	if name == "" || name == Declared {
		return t.Layout, nil
	}
	f := Layouts[name]
	if f == nil {
		return Layout{}, fmt.Errorf("unknown layout %q", name)
	}
	if len(t.Columns) == 0 {
		return Layout{}, fmt.Errorf("table %s has no columns", t.Name)
	}
	l := f(t)
	if err := t.checkLayout(l); err != nil {
		return Layout{}, err
	}
	return l, nil
}
