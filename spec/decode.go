package spec

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse decodes and validates a spec. filename is used only in error
// messages and as Spec.File. On any problem it returns a nil *Spec and an
// ErrorList holding every problem found, sorted by position. It never
// panics, whatever data holds.
func Parse(filename string, data []byte) (s *Spec, err error) {
	d := &decoder{file: filename}
	defer func() {
		// Parse is fed untrusted files and fuzzed; a bug here must become
		// an error the user can report, not a crash of go generate.
		if r := recover(); r != nil {
			s, err = nil, ErrorList{{File: filename, Line: 1, Col: 1, Msg: fmt.Sprintf("internal error reading spec: %v; please report this", r)}}
		}
	}()
	root := d.parseYAML(data)
	if root != nil && !d.checkAliases(root) {
		s = d.spec(root)
	}
	if len(d.errs) > 0 {
		return nil, sortErrors(d.errs)
	}
	s.File = filename
	return s, nil
}

// colInfo is what the validator knows about a declared column while
// checking references to it.
type colInfo struct {
	col    *Column
	typeOK bool // false when the type did not parse: skip type-based checks
	nameOK bool // false when the name is invalid: skip Go name checks
	node   *yaml.Node
}

// specDecoder carries the state of decoding one spec: the decoder plus the
// columns, so references can be checked whatever order the keys come in.
type specDecoder struct {
	*decoder
	s     *Spec
	cols  map[string]*colInfo
	names []string // column names in order, for hints
}

func (d *decoder) spec(root *yaml.Node) *Spec {
	if root.Kind != yaml.MappingNode {
		d.expect(root, yaml.MappingNode, "a spec", "a mapping with keys "+list(requiredKeys("spec")))
		return nil
	}
	f := d.mapping(root, "spec", "the spec")
	sd := &specDecoder{decoder: d, s: &Spec{Version: Version}, cols: map[string]*colInfo{}}
	s := sd.s

	if n := f.get("version"); n != nil {
		if v, ok := d.integer(n, "version"); ok && v != Version {
			// A different version may mean different keys: errors about
			// them would be noise, so this is the only one reported.
			d.errs = ErrorList{{File: d.file, Line: n.Line, Col: n.Column,
				Msg: fmt.Sprintf("unsupported spec version %d; this tpgen reads version %d", v, Version)}}
			return nil
		}
	}
	if n := f.get("table"); n != nil {
		if v, ok := d.str(n, "table"); ok {
			if msg := checkName("table", v); msg != "" {
				d.errorf(n, "%s", msg)
			}
			s.Table = v
		}
	}
	if n := f.get("doc"); n != nil {
		s.Doc, _ = d.str(n, "doc")
	}
	// Columns first: every other section refers to them.
	if n := f.get("columns"); n != nil {
		sd.columns(n)
	}
	if n := f.get("partitioning"); n != nil {
		sd.partitioning(n)
	}
	if n := f.get("ordering"); n != nil {
		sd.ordering(n)
	}
	s.Pushdown = Pushdown{Projection: true, Limit: true}
	if n := f.get("pushdown"); n != nil {
		sd.pushdown(n)
	}
	if n := f.get("statistics"); n != nil {
		sd.statistics(n)
	}
	return s
}

func (sd *specDecoder) columns(n *yaml.Node) {
	if n.Kind == yaml.MappingNode && len(n.Content) >= 2 && n.Content[0].Kind == yaml.ScalarNode && n.Content[1].Kind == yaml.ScalarNode {
		// columns: {region: string, ...}: a natural guess, but columns have more than a type.
		sd.errorf(n, "columns must be a list, found a mapping; write one entry per column: - {name: %s, type: %s}",
			n.Content[0].Value, n.Content[1].Value)
		return
	}
	items, ok := sd.seq(n, "columns")
	if !ok {
		return
	}
	if len(items) == 0 {
		sd.errorf(n, "columns must list at least one column")
		return
	}
	sd.s.Columns = make([]Column, 0, len(items))
	infos := make([]*colInfo, 0, len(items))
	for _, item := range items {
		label := "column"
		if name := peekString(item, "name"); name != "" {
			label = "column " + quote(name)
		}
		f := sd.mapping(item, "column", label)
		if f == nil {
			if item.Kind == yaml.ScalarNode {
				// "- region" is a common first attempt; show the real form.
				sd.errs[len(sd.errs)-1].Msg += "; write {name: ..., type: ...}"
			}
			continue
		}
		var c Column
		info := &colInfo{}
		if v := f.get("name"); v != nil {
			if name, ok := sd.str(v, "column name"); ok {
				if msg := checkName("column", name); msg != "" {
					sd.errorf(v, "%s", msg)
				} else {
					info.nameOK = true
				}
				c.Name = name
				info.node = v
			}
		}
		if v := f.get("type"); v != nil {
			if ts, ok := sd.str(v, "type"); ok {
				t, err := ParseType(ts)
				if err != nil {
					sd.errorf(v, "%s", err.Error())
				} else {
					c.Type, info.typeOK = t, true
				}
			}
		}
		if v := f.get("nullable"); v != nil {
			c.Nullable, _ = sd.boolean(v, "nullable")
		}
		if v := f.get("doc"); v != nil {
			c.Doc, _ = sd.str(v, "doc")
		}
		sd.s.Columns = append(sd.s.Columns, c)
		infos = append(infos, info)
	}
	// Index names only now: appending above may move the slice.
	goNames := map[string]*colInfo{}
	for i, info := range infos {
		info.col = &sd.s.Columns[i]
		name := info.col.Name
		if info.node == nil {
			continue
		}
		if first, dup := sd.cols[name]; dup {
			sd.errorf(info.node, "duplicate column %q; first defined at line %d", name, first.node.Line)
			continue
		}
		sd.cols[name] = info
		sd.names = append(sd.names, name)
		// Compared ignoring case: fields UserID and Userid would compile,
		// but readers (and unexported derived names) would confuse them.
		if !info.nameOK {
			continue
		}
		gn := strings.ToLower(GoName(name))
		if first, dup := goNames[gn]; dup {
			sd.errorf(info.node, "column %q has Go name %s, which collides with %s of column %q (line %d); rename one of them",
				name, GoName(name), GoName(first.col.Name), first.col.Name, first.node.Line)
			continue
		}
		goNames[gn] = info
	}
}

// peekString returns the string value of key in mapping n, or "". It is used
// to name a mapping in messages before the mapping is decoded.
func peekString(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == key && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
			return v.Value
		}
	}
	return ""
}

// columnRef resolves a reference to a column, reporting unknown names with a
// suggestion or the list of columns. where says what refers ("ordering").
func (sd *specDecoder) columnRef(n *yaml.Node, name, where string) *colInfo {
	if info, ok := sd.cols[name]; ok {
		return info
	}
	if s := suggest(name, sd.names); s != "" {
		sd.errorf(n, "unknown column %q in %s; did you mean %q?", name, where, s)
	} else if len(sd.names) > 0 {
		sd.errorf(n, "unknown column %q in %s; columns: %s", name, where, list(sd.names))
	} else {
		sd.errorf(n, "unknown column %q in %s; the spec declares no columns", name, where)
	}
	return nil
}

func (sd *specDecoder) partitioning(n *yaml.Node) {
	f := sd.mapping(n, "partitioning", "partitioning")
	if f == nil {
		return
	}
	key, rng := f.get("key"), f.get("range")
	switch {
	case key == nil && rng == nil:
		sd.errorf(n, "partitioning needs key or range; omit partitioning when any row may be in any partition")
		return
	case key != nil && rng != nil:
		second := f.keys["range"]
		if f.keys["key"].Line > second.Line || f.keys["key"].Line == second.Line && f.keys["key"].Column > second.Column {
			second = f.keys["key"]
		}
		sd.errorf(second, "partitioning takes exactly one of key or range, found both")
		return
	}
	p := &sd.s.Partitioning
	if key != nil {
		items, ok := sd.seq(key, "partitioning key")
		if !ok {
			return
		}
		if len(items) == 0 {
			sd.errorf(key, "partitioning key must list at least one column")
			return
		}
		seen := map[string]*yaml.Node{}
		cols := []string{}
		for _, it := range items {
			name, ok := sd.str(it, "partitioning key column")
			if !ok || sd.columnRef(it, name, "partitioning key") == nil {
				continue
			}
			if first, dup := seen[name]; dup {
				sd.errorf(it, "column %q appears twice in partitioning key (first at line %d)", name, first.Line)
				continue
			}
			seen[name] = it
			cols = append(cols, name)
		}
		p.Kind, p.Key = PartitionKey, cols
		return
	}
	if rng.Kind == yaml.ScalarNode && rng.ShortTag() == "!!str" {
		sd.errorf(rng, "partitioning range must be a mapping, found %s; write range: {column: %s}", describe(rng), rng.Value)
		return
	}
	rf := sd.mapping(rng, "range", "partitioning range")
	if rf == nil {
		return
	}
	p.Kind = PartitionRange
	if v := rf.get("column"); v != nil {
		name, ok := sd.str(v, "range column")
		if !ok {
			return
		}
		info := sd.columnRef(v, name, "partitioning range")
		if info == nil {
			return
		}
		if info.typeOK && !info.col.Type.Kind.IsOrdered() {
			sd.errorf(v, "range partitioning needs an ordered column, and %s is %s; use key partitioning instead", name, info.col.Type)
			return
		}
		p.RangeColumn = name
	}
}

func (sd *specDecoder) ordering(n *yaml.Node) {
	items, ok := sd.seq(n, "ordering")
	if !ok {
		return
	}
	seen := map[string]*yaml.Node{}
	keys := []SortKey{}
	for _, it := range items {
		text, ok := sd.str(it, "sort key")
		if !ok {
			continue
		}
		k, ok := parseSortKey(text)
		if !ok {
			msg := fmt.Sprintf("malformed sort key %q; expected \"column [asc|desc] [nulls first|last]\"", text)
			if fixed, ok := fixSortKey(text); ok {
				msg += fmt.Sprintf("; did you mean %q?", fixed)
			}
			sd.errorf(it, "%s", msg)
			continue
		}
		if sd.columnRef(it, k.Column, "ordering") == nil {
			continue
		}
		if first, dup := seen[k.Column]; dup {
			sd.errorf(it, "column %q appears twice in ordering (first at line %d)", k.Column, first.Line)
			continue
		}
		seen[k.Column] = it
		keys = append(keys, k)
	}
	if len(keys) > 0 {
		sd.s.Ordering = keys
	}
}

// fixSortKey rewrites the SQL-ish words people write for a direction
// (ascending, descending) to asc and desc, when that makes s parse.
func fixSortKey(s string) (string, bool) {
	words := strings.Fields(s)
	changed := false
	for i, w := range words {
		switch strings.ToLower(w) {
		case "ascending":
			words[i], changed = "asc", true
		case "descending":
			words[i], changed = "desc", true
		}
	}
	fixed := strings.Join(words, " ")
	if _, ok := parseSortKey(fixed); !changed || !ok {
		return "", false
	}
	return fixed, true
}

// parseSortKey parses "col [asc|desc] [nulls first|last]". Keywords are case
// insensitive, as in SQL; the column name is not (names are lowercase).
func parseSortKey(s string) (SortKey, bool) {
	words := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(asciiSpace, r) })
	if len(words) == 0 {
		return SortKey{}, false
	}
	k := SortKey{Column: words[0]}
	rest := words[1:]
	for i := range rest {
		rest[i] = strings.ToLower(rest[i])
	}
	if len(rest) > 0 && (rest[0] == "asc" || rest[0] == "desc") {
		k.Descending = rest[0] == "desc"
		rest = rest[1:]
	}
	// PostgreSQL's default: NULLS LAST for ASC, NULLS FIRST for DESC.
	k.NullsFirst = k.Descending
	if len(rest) == 2 && rest[0] == "nulls" && (rest[1] == "first" || rest[1] == "last") {
		k.NullsFirst = rest[1] == "first"
		rest = rest[2:]
	}
	return k, len(rest) == 0
}

func (sd *specDecoder) pushdown(n *yaml.Node) {
	f := sd.mapping(n, "pushdown", "pushdown")
	if f == nil {
		return
	}
	pd := &sd.s.Pushdown
	if v := f.get("projection"); v != nil {
		if b, ok := sd.boolean(v, "projection"); ok {
			pd.Projection = b
		}
	}
	if v := f.get("limit"); v != nil {
		if b, ok := sd.boolean(v, "limit"); ok {
			pd.Limit = b
		}
	}
	v := f.get("filters")
	if v == nil {
		return
	}
	items, ok := sd.seq(v, "filters")
	if !ok {
		return
	}
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		label := "filter"
		if name := peekString(it, "column"); name != "" {
			label = "filter on " + quote(name)
		}
		ff := sd.mapping(it, "filter", label)
		if ff == nil {
			continue
		}
		var flt Filter
		var info *colInfo
		colOK := false
		if cn := ff.get("column"); cn != nil {
			if name, ok := sd.str(cn, "filter column"); ok {
				if info = sd.columnRef(cn, name, "filters"); info != nil {
					if first, dup := seen[name]; dup {
						sd.errorf(cn, "column %q already has a filter entry at line %d; list all its ops in one entry", name, first.Line)
					} else {
						seen[name] = cn
						colOK = true
					}
				}
				flt.Column = name
			}
		}
		if on := ff.get("ops"); on != nil {
			flt.Ops = sd.ops(on, info)
		}
		if en := ff.get("exact"); en != nil {
			flt.Exact, _ = sd.boolean(en, "exact")
		}
		if colOK {
			pd.Filters = append(pd.Filters, flt)
		}
	}
}

// opAliases answers the SQL spellings of filter ops with the op to list.
var opAliases = map[string]string{
	"=": `did you mean "eq"?`, "==": `did you mean "eq"?`,
	"!=": `did you mean "ne"?`, "<>": `did you mean "ne"?`,
	"<": `did you mean "lt"?`, "<=": `did you mean "le"?`,
	">": `did you mean "gt"?`, ">=": `did you mean "ge"?`,
	"between":     "list ge and le instead (BETWEEN is pushed when both are)",
	"like":        `did you mean "prefix" (LIKE 'abc%')?`,
	"starts_with": `did you mean "prefix" (LIKE 'abc%')?`,
	"startswith":  `did you mean "prefix" (LIKE 'abc%')?`,
}

// ops decodes a filter's op list, checking each op against the column when
// the column and its type are known.
func (sd *specDecoder) ops(n *yaml.Node, info *colInfo) []Op {
	items, ok := sd.seq(n, "ops")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		sd.errorf(n, "ops must list at least one op; allowed: %s", opList(allOps))
		return nil
	}
	allowed := make([]string, len(allOps))
	for i, op := range allOps {
		allowed[i] = string(op)
	}
	seen := map[Op]*yaml.Node{}
	for _, it := range items {
		s, ok := sd.str(it, "op")
		if !ok {
			continue
		}
		op := Op(s)
		if !slices.Contains(allOps, op) {
			if hint, ok := opAliases[strings.ToLower(s)]; ok {
				sd.errorf(it, "unknown filter op %q; %s", s, hint)
			} else if sg := suggest(strings.ToLower(s), allowed); sg != "" {
				sd.errorf(it, "unknown filter op %q; did you mean %q?", s, sg)
			} else {
				sd.errorf(it, "unknown filter op %q; allowed: %s", s, opList(allOps))
			}
			continue
		}
		if first, dup := seen[op]; dup {
			sd.errorf(it, "op %s listed twice (first at line %d)", op, first.Line)
			continue
		}
		seen[op] = it
		if info != nil && info.typeOK {
			if why := opMismatch(op, info.col); why != "" {
				sd.errorf(it, "op %s does not fit column %s (%s): %s", op, info.col.Name, info.col.Type, why)
			}
		}
	}
	var ops []Op
	for _, op := range allOps {
		if seen[op] != nil {
			ops = append(ops, op)
		}
	}
	return ops
}

// opMismatch explains why op cannot be pushed for column c, or returns "".
func opMismatch(op Op, c *Column) string {
	switch op {
	case OpPrefix:
		if c.Type.Kind != KindString && c.Type.Kind != KindBinary {
			return "prefix needs a string or binary column"
		}
	case OpLt, OpLe, OpGt, OpGe:
		if !c.Type.Kind.IsOrdered() {
			allowed := "eq, ne, in, not_in"
			if c.Nullable {
				allowed += ", is_null, is_not_null"
			}
			return "a bool column has no useful order; allowed: " + allowed
		}
	case OpIsNull, OpIsNotNull:
		if !c.Nullable {
			return "the column is not nullable, so the predicate is constant; add nullable: true or remove the op"
		}
	}
	return ""
}

func opList(ops []Op) string {
	s := make([]string, len(ops))
	for i, op := range ops {
		s[i] = string(op)
	}
	return list(s)
}

func (sd *specDecoder) statistics(n *yaml.Node) {
	f := sd.mapping(n, "statistics", "statistics")
	if f == nil {
		return
	}
	if v := f.get("rows"); v != nil {
		if rows, ok := sd.integer(v, "rows"); ok {
			if rows < 0 {
				sd.errorf(v, "rows must not be negative, found %d", rows)
				return
			}
			sd.s.Statistics.Rows = &rows
		}
	}
	if v := f.get("exact"); v != nil {
		if b, ok := sd.boolean(v, "exact"); ok {
			sd.s.Statistics.Exact = b
		}
	}
	if v := f.get("columns"); v != nil {
		items, ok := sd.seq(v, "statistics columns")
		if !ok {
			return
		}
		seen := map[string]*yaml.Node{}
		for _, it := range items {
			name, ok := sd.str(it, "statistics column")
			if !ok {
				continue
			}
			info := sd.columnRef(it, name, "statistics columns")
			if info == nil {
				continue
			}
			if first, dup := seen[name]; dup {
				sd.errorf(it, "column %q appears twice in statistics columns (first at line %d)", name, first.Line)
				continue
			}
			if info.typeOK && !info.col.Type.Kind.IsOrdered() {
				sd.errorf(it, "statistics columns need an ordered type for min/max, and %s is %s", name, info.col.Type)
				continue
			}
			seen[name] = it
			sd.s.Statistics.Columns = append(sd.s.Statistics.Columns, name)
		}
	}
}
