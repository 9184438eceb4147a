package generator

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/tpgen/tpgen/spec"
)

// provider writes NAME_provider.gen.go: the types a source works with and
// the TableProvider.
func (g *gen) provider(f *jen.File) {
	g.rowType(f)
	g.sourceInterface(f)
	g.partitionType(f)
	g.scanTypes(f)
	g.tableType(f)
	g.scanMethod(f)
	g.pruneMethod(f)
}

func (g *gen) rowType(f *jen.File) {
	doc := fmt.Sprintf("Row is one row of the %s table.", g.spec.Table)
	if g.spec.Doc != "" {
		doc += " " + strings.TrimSpace(g.spec.Doc)
	}
	doc += " A Source appends rows with Writer.Append."
	for _, c := range g.cols {
		if c.Nullable {
			doc += " A nullable column is a source.Null: source.Some(v) is a value, the zero value is NULL."
			break
		}
	}
	f.Add(comment(doc))
	fields := make([]jen.Code, len(g.cols))
	for i, c := range g.cols {
		note := c.Name + ": " + typeNote(c)
		if c.Doc != "" {
			note += ". " + strings.TrimSpace(c.Doc)
		}
		fields[i] = jen.Id(c.field).Add(g.fieldType(c)).Add(lineComment(note))
	}
	f.Type().Id("Row").Struct(fields...)
}

func (g *gen) sourceInterface(f *jen.File) {
	f.Add(comment(fmt.Sprintf("Source reads the %s table. It is the one thing written by hand: "+
		"list the partitions, and read one.", g.spec.Table)))
	f.Type().Id("Source").Interface(
		comment("Partitions lists the partitions the scan must read. It runs while the query is planned: "+
			"consult metadata only, never read rows. The scan's filters may be used to skip partitions early; "+
			"the table prunes the result again by key, range and statistics."),
		jen.Id("Partitions").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("scan").Op("*").Id("Scan")).
			Params(jen.Index().Id("Partition"), jen.Error()),
		comment("Read writes the rows of partition p to w. It runs on its own goroutine, concurrently with "+
			"other partitions (as a coroutine of the partition's consumer unless source.WithReadAhead is set), "+
			"and must call w from that goroutine only. It must return when ctx is done or when w returns an error (return that error; "+
			"source.ErrStop, returned once the scan's limit is reached, is not a failure). scan is shared: "+
			"do not modify it."+g.exactNote()),
		jen.Id("Read").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Id("Partition"),
			jen.Id("scan").Op("*").Id("Scan"), jen.Id("w").Op("*").Id("Writer")).Error(),
	)
}

// exactNote reminds the author which filters Read must apply fully.
func (g *gen) exactNote() string {
	var exact []string
	for _, fl := range g.spec.Pushdown.Filters {
		if fl.Exact {
			exact = append(exact, "scan.Filters."+g.col(fl.Column).field)
		}
	}
	if len(exact) == 0 {
		return ""
	}
	return " Every row written must lie in " + strings.Join(exact, " and ") +
		" (the spec declares those filters exact, so the engine does not check them again)."
}

func (g *gen) partitionType(f *jen.File) {
	p := g.spec.Partitioning
	var fields []jen.Code
	switch p.Kind {
	case spec.PartitionKey:
		fields = append(fields,
			comment("Key, when set, holds the partition's values of the key columns ("+strings.Join(p.Key, ", ")+
				"): every row of the partition has them, and no other partition holds rows with them, so "+
				"the table skips the partition when the filters rule the key out. Leave it nil when the "+
				"partition holds several key values (a hash shard); it is then never skipped by key."),
			jen.Id("Key").Op("*").Id("Key"))
	case spec.PartitionRange:
		c := g.col(p.RangeColumn)
		fields = append(fields,
			comment(fmt.Sprintf("Low and High bound the values of %s in the partition: Low <= %s < High. "+
				"Partitions must not overlap; the table orders them by Low.", c.Name, c.Name)),
			jen.List(jen.Id("Low"), jen.Id("High")).Add(g.goType(c.Type)))
	}
	if g.spec.Statistics.Exact {
		fields = append(fields,
			comment("Rows is the exact number of rows in the partition (the spec declares exact statistics: "+
				"the planner answers count(*) from it without reading rows, so a wrong count is a wrong answer)."),
			jen.Id("Rows").Int64())
	} else {
		fields = append(fields,
			comment("Rows is the number of rows in the partition, or 0 when unknown. The planner may use it."),
			jen.Id("Rows").Int64())
	}
	if len(g.statColumns()) > 0 {
		doc := "Stats optionally bounds the values of filterable columns, so the table can skip the " +
			"partition when no row can match."
		if g.spec.Statistics.Exact {
			doc = "Stats holds the partition's smallest and largest non-NULL value of columns (leave a " +
				"column's zero value when unknown). The spec declares them exact: the table skips the " +
				"partition when no row can match, and the planner answers min and max from them."
		}
		fields = append(fields, comment(doc), jen.Id("Stats").Id("Stats"))
	}
	fields = append(fields,
		comment("Payload is the source's own data for Read: a file name, a shard address, an offset."),
		jen.Id("Payload").Any())
	f.Add(comment(fmt.Sprintf("Partition is one independently readable part of the %s table; "+
		"partitions are read concurrently.", g.spec.Table)))
	f.Type().Id("Partition").Struct(fields...)

	if p.Kind == spec.PartitionKey {
		var keys []jen.Code
		for _, k := range p.Key {
			c := g.col(k)
			keys = append(keys, jen.Id(c.field).Add(g.fieldType(c)))
		}
		f.Comment("Key is the value of each key column shared by all rows of a partition.")
		f.Type().Id("Key").Struct(keys...)
	}
	if cols := g.statColumns(); len(cols) > 0 {
		var stats []jen.Code
		for _, c := range cols {
			stats = append(stats, jen.Id(c.field).Qual(g.pkg("source"), "MinMax").Types(g.goType(c.Type)))
		}
		what := "filterable columns"
		if len(g.spec.Statistics.Columns) > 0 {
			what = "filterable and statistics columns"
		}
		f.Add(comment("Stats holds optional min/max statistics of a partition's " + what + "; " +
			"leave a column's zero value when unknown."))
		f.Type().Id("Stats").Struct(stats...)
	}
}

func (g *gen) scanTypes(f *jen.File) {
	limitDoc := "Limit is the most rows each partition needs, or -1 for all: its first rows, in the declared " +
		"ordering when there is one. The Writer stops at it by itself (Append returns source.ErrStop); a " +
		"source may also use it to read less."
	if !g.spec.Pushdown.Limit {
		limitDoc = "Limit is always -1: the spec does not push limits down."
	}
	colDoc := "Columns lists the columns the query needs. The Writer drops the values of other columns, " +
		"so a source may leave them zero."
	if !g.spec.Pushdown.Projection {
		colDoc = "Columns lists every column: the spec does not push projection down."
	}
	filtersDoc := "Filters holds the domain of each column the source takes filters on."
	if len(g.spec.Pushdown.Filters) == 0 {
		filtersDoc = "Filters is empty: the spec pushes no filters."
	}
	f.Add(comment(fmt.Sprintf("Scan is what one query needs from the %s table. Partitions and Read receive "+
		"it; it is read-only.", g.spec.Table)))
	f.Type().Id("Scan").Struct(
		comment(colDoc), jen.Id("Columns").Index().String(),
		comment(limitDoc), jen.Id("Limit").Int(),
		comment(filtersDoc), jen.Id("Filters").Id("Filters"),
	)
	f.Comment("Needs reports whether the query needs column.")
	f.Func().Params(jen.Id("s").Op("*").Id("Scan")).Id("Needs").Params(jen.Id("column").String()).Bool().Block(
		jen.Return(jen.Qual("slices", "Contains").Call(jen.Id("s").Dot("Columns"), jen.Id("column"))),
	)

	var fields []jen.Code
	for _, fl := range g.spec.Pushdown.Filters {
		c := g.col(fl.Column)
		ops := make([]string, len(fl.Ops))
		for i, o := range fl.Ops {
			ops[i] = string(o)
		}
		how := "inexact: use it to skip data; the engine filters the rows again"
		if fl.Exact {
			how = "exact: Read must return only rows whose " + c.Name + " is in it"
			if c.Nullable {
				how += "; r." + c.field + ".In(scan.Filters." + c.field + ") tests a row's value, NULL included"
			}
		}
		fields = append(fields,
			comment(fmt.Sprintf("%s, from filters %s (%s).", c.field, strings.Join(ops, ", "), how)),
			jen.Id(c.field).Qual(g.pkg("domain"), "Domain").Types(g.goType(c.Type)))
	}
	if len(fields) == 0 {
		f.Comment("Filters is empty: the spec pushes no filters, so the engine applies them all.")
	} else {
		f.Add(comment("Filters holds, for each column the source takes filters on, the values the column may " +
			"have in rows the query wants (its domain: values, ranges, and whether NULL is allowed). " +
			"Values() lists the values of a finite domain, Span() bounds it, Contains(v) tests one value. " +
			"A domain is never narrower than the query: skipping a value outside it never loses a row."))
	}
	f.Type().Id("Filters").Struct(fields...)
}

func (g *gen) tableType(f *jen.File) {
	src, plan := g.pkg("source"), g.pkg("plan")
	f.Add(comment(fmt.Sprintf("Table is the %s table as a plan.TableProvider: register it with a runtime.Session.", g.spec.Table)))
	f.Type().Id("Table").Struct(
		jen.Id("src").Id("Source"),
		jen.Id("opts").Qual(src, "Options"),
	)
	f.Add(comment("NewTable returns the table reading from src. Options (source.WithBatchSize, " +
		"source.WithName, source.WithReadAhead) tune batching, naming and read-ahead."))
	f.Func().Id("NewTable").Params(jen.Id("src").Id("Source"), jen.Id("opts").Op("...").Qual(src, "Option")).Op("*").Id("Table").Block(
		jen.Return(jen.Op("&").Id("Table").Values(field("src", jen.Id("src")),
			field("opts", jen.Qual(src, "NewOptions").Call(jen.Lit(g.spec.Table), jen.Id("opts").Op("..."))))),
	)
	f.Var().Id("_").Qual(plan, "TableProvider").Op("=").Parens(jen.Op("*").Id("Table")).Parens(jen.Nil())

	// The schema.
	f.Commentf("%s is the table's Arrow schema.", g.local("Schema"))
	f.Var().Id(g.local("Schema")).Op("=").Qual(arrowPath, "NewSchema").Call(
		jen.Index().Qual(arrowPath, "Field").ValuesFunc(func(gr *jen.Group) {
			for _, c := range g.cols {
				kv := []jen.Code{field("Name", jen.Lit(c.Name)), field("Type", arrowType(c.Type))}
				if c.Nullable {
					kv = append(kv, field("Nullable", jen.True()))
				}
				gr.Line().Values(kv...)
			}
			gr.Line()
		}), jen.Nil())

	// The layout.
	var layout []jen.Code
	p := g.spec.Partitioning
	switch p.Kind {
	case spec.PartitionKey, spec.PartitionRange:
		kind := "KeyPartitioning"
		if p.Kind == spec.PartitionRange {
			kind = "RangePartitioning"
		}
		cols := make([]jen.Code, 0)
		for _, c := range p.Columns() {
			cols = append(cols, jen.Lit(c))
		}
		layout = append(layout, field("Partitioning", jen.Qual(plan, "Partitioning").Values(
			field("Kind", jen.Qual(plan, kind)), field("Columns", jen.Index().String().Values(cols...)))))
	}
	if len(g.spec.Ordering) > 0 {
		keys := make([]jen.Code, len(g.spec.Ordering))
		for i, k := range g.spec.Ordering {
			kv := []jen.Code{field("Column", jen.Lit(k.Column))}
			if k.Descending {
				kv = append(kv, field("Descending", jen.True()))
			}
			if k.NullsFirst {
				kv = append(kv, field("NullsFirst", jen.True()))
			}
			keys[i] = jen.Values(kv...)
		}
		layout = append(layout, field("Ordering", jen.Index().Qual(plan, "SortKey").Values(keys...)))
	}
	if g.spec.Pushdown.Projection {
		layout = append(layout, field("Projection", jen.True()))
	}
	if g.spec.Pushdown.Limit {
		layout = append(layout, field("Limit", jen.True()))
	}
	if g.spec.Statistics.Exact {
		layout = append(layout, field("ExactStatistics", jen.True()))
	}
	f.Commentf("%s is what the spec declares about partitions, order and pushdown.", g.local("Layout"))
	f.Var().Id(g.local("Layout")).Op("=").Qual(src, "Layout").Values(lines(layout...)...)

	// The filter capabilities.
	caps := make([]jen.Code, 0, len(g.spec.Pushdown.Filters))
	for _, fl := range g.spec.Pushdown.Filters {
		var ops jen.Code
		for i, o := range fl.Ops {
			op := jen.Qual(src, opConst(o))
			if i == 0 {
				ops = op
			} else {
				ops = jen.Add(ops).Op("|").Add(op)
			}
		}
		kv := []jen.Code{field("Column", jen.Lit(fl.Column)), field("Ops", ops)}
		if fl.Exact {
			kv = append(kv, field("Exact", jen.True()))
		}
		caps = append(caps, jen.Values(kv...))
	}
	f.Commentf("%s lists the filters the source takes, from the spec.", g.local("Filters"))
	f.Var().Id(g.local("Filters")).Op("=").Qual(src, "Capabilities").ValuesFunc(func(gr *jen.Group) {
		for _, c := range caps {
			gr.Line().Add(c)
		}
		if len(caps) > 0 {
			gr.Line()
		}
	})

	recv := jen.Id("t").Op("*").Id("Table")
	f.Comment("Schema returns the table's Arrow schema.")
	f.Func().Params(recv.Clone()).Id("Schema").Params().Op("*").Qual(arrowPath, "Schema").Block(
		jen.Return(jen.Id(g.local("Schema"))))
	f.Add(comment("SupportsFilters answers, per filter, whether the source takes it: Exact or Inexact for " +
		"the column/op pairs the spec lists, Unsupported for everything else."))
	f.Func().Params(recv.Clone()).Id("SupportsFilters").Params(jen.Id("filters").Index().Qual(g.pkg("expr"), "Expr")).
		Params(jen.Index().Qual(plan, "FilterPushdown"), jen.Error()).Block(
		jen.Return(jen.Id(g.local("Filters")).Dot("Supports").Call(jen.Id("filters")), jen.Nil()))
	f.Add(comment("DeclaredLayout implements plan.LayoutDeclarer: the spec's partitioning and ordering, " +
		"which verify mode checks even when a query reads none of their columns."))
	f.Func().Params(recv.Clone()).Id("DeclaredLayout").Params().Params(jen.Qual(plan, "Partitioning"), jen.Index().Qual(plan, "SortKey")).Block(
		jen.Return(jen.Id(g.local("Layout")).Dot("Partitioning"), jen.Id(g.local("Layout")).Dot("Ordering")))
	if r := g.spec.Statistics.Rows; r != nil {
		f.Comment("Statistics returns the spec's estimate of the table's size.")
		f.Func().Params(recv.Clone()).Id("Statistics").Params().Qual(plan, "Statistics").Block(
			jen.Return(jen.Qual(plan, "Statistics").Values(field("Rows", jen.Id(strconv.FormatInt(*r, 10))))))
	}
}

func opConst(o spec.Op) string {
	return map[spec.Op]string{
		spec.OpEq: "OpEq", spec.OpNe: "OpNe", spec.OpLt: "OpLt", spec.OpLe: "OpLe", spec.OpGt: "OpGt",
		spec.OpGe: "OpGe", spec.OpIn: "OpIn", spec.OpNotIn: "OpNotIn", spec.OpIsNull: "OpIsNull",
		spec.OpIsNotNull: "OpIsNotNull", spec.OpPrefix: "OpPrefix",
	}[o]
}

func (g *gen) scanMethod(f *jen.File) {
	src, plan := g.pkg("source"), g.pkg("plan")
	var filters []jen.Code
	for _, c := range g.filtered() {
		filters = append(filters, field(c.field, jen.Qual(src, "DomainOf").Call(
			jen.Id("req").Dot("Filters"), jen.Lit(c.Name), g.sourceType(c.Type))))
	}
	filterValue := jen.Id("Filters").Values(lines(filters...)...)
	body := []jen.Code{
		jen.If(jen.Id("t").Dot("src").Op("==").Nil()).Block(
			jen.Return(jen.Nil(), jen.Qual("errors", "New").Call(jen.Lit("NewTable was given a nil Source")))),
		jen.List(jen.Id("sp"), jen.Err()).Op(":=").Qual(src, "NewScanPlan").Call(
			jen.Lit(g.exec()), jen.Id(g.local("Schema")), jen.Id(g.local("Layout")), jen.Id("req"), jen.Id("t").Dot("opts")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Id("scan").Op(":=").Op("&").Id("Scan").Values(lines(
			field("Columns", jen.Id("sp").Dot("Columns").Call()),
			field("Limit", jen.Id("sp").Dot("Limit").Call()),
			field("Filters", filterValue),
		)...),
		jen.List(jen.Id("listed"), jen.Err()).Op(":=").Id("t").Dot("src").Dot("Partitions").Call(jen.Id("ctx"), jen.Id("scan")),
		jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit("listing partitions: %w"), jen.Err()))),
	}
	if g.spec.Partitioning.Kind == spec.PartitionRange {
		c := g.col(g.spec.Partitioning.RangeColumn)
		body = append(body,
			jen.Id("bounds").Op(":=").Func().Params(jen.Id("p").Op("*").Id("Partition")).Params(g.goType(c.Type), g.goType(c.Type)).Block(
				jen.Return(jen.Id("p").Dot("Low"), jen.Id("p").Dot("High"))),
			jen.If(jen.Err().Op(":=").Qual(src, "SortRanges").Call(jen.Id("listed"), jen.Lit(c.Name), jen.Id("bounds"), g.sourceType(c.Type).Dot("Compare")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Nil(), jen.Err())))
	}
	if len(g.spec.Pushdown.Filters) > 0 {
		body = append(body,
			jen.Id("parts").Op(":=").Make(jen.Index().Id("Partition"), jen.Lit(0), jen.Len(jen.Id("listed"))),
			jen.Id("at").Op(":=").Make(jen.Index().Int(), jen.Lit(0), jen.Len(jen.Id("listed"))),
			jen.For(jen.List(jen.Id("i"), jen.Id("p")).Op(":=").Range().Id("listed")).Block(
				jen.If(jen.Id("p").Dot("matches").Call(jen.Op("&").Id("scan").Dot("Filters"))).Block(
					jen.Id("parts").Op("=").Append(jen.Id("parts"), jen.Id("p")),
					jen.Id("at").Op("=").Append(jen.Id("at"), jen.Id("i")))),
			jen.Id("sp").Dot("SetPartitions").Call(jen.Len(jen.Id("parts")), jen.Len(jen.Id("listed"))),
			jen.Id("sp").Dot("SetListed").Call(jen.Id("at")))
	} else {
		body = append(body, jen.Id("parts").Op(":=").Id("listed"),
			jen.Id("sp").Dot("SetPartitions").Call(jen.Len(jen.Id("parts")), jen.Len(jen.Id("listed"))))
	}
	if b := g.boundsFunc(); b != nil {
		body = append(body, jen.Id("sp").Dot("SetBounds").Call(b))
	}
	body = append(body,
		jen.Return(jen.Op("&").Id(g.exec()).Values(field("sp", jen.Id("sp")), field("src", jen.Id("t").Dot("src")),
			field("scan", jen.Id("scan")), field("partitions", jen.Id("parts"))), jen.Nil()),
	)
	f.Add(comment("Scan plans a scan: it turns the pushed filters into typed domains, asks the source for its " +
		"partitions, drops those that cannot match, and returns the plan. It reads no data."))
	f.Func().Params(jen.Id("t").Op("*").Id("Table")).Id("Scan").
		Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("req").Qual(plan, "ScanRequest")).
		Params(jen.Qual(plan, "ExecutionPlan"), jen.Error()).Block(body...)
}

// boundsFunc returns the source.BoundsFunc that reports what each kept
// partition declares (its Key, or its Low and High), which verify mode
// checks rows against; nil when the table is not key or range partitioned.
func (g *gen) boundsFunc() jen.Code {
	sig := jen.Func().Params(jen.Id("i").Int()).Params(jen.Index().Any(), jen.Bool())
	p := g.spec.Partitioning
	switch p.Kind {
	case spec.PartitionKey:
		var vals []jen.Code
		for _, k := range p.Key {
			vals = append(vals, jen.Id("p").Dot("Key").Dot(g.col(k).field))
		}
		return sig.Block(
			jen.Id("p").Op(":=").Op("&").Id("parts").Index(jen.Id("i")),
			jen.If(jen.Id("p").Dot("Key").Op("==").Nil()).Block(jen.Return(jen.Nil(), jen.False())),
			jen.Return(jen.Index().Any().Values(vals...), jen.True()))
	case spec.PartitionRange:
		return sig.Block(
			jen.Return(jen.Index().Any().Values(jen.Id("parts").Index(jen.Id("i")).Dot("Low"), jen.Id("parts").Index(jen.Id("i")).Dot("High")), jen.True()))
	}
	return nil
}

// pruneMethod writes Partition.matches, the pruning test, when the spec
// takes filters.
func (g *gen) pruneMethod(f *jen.File) {
	if len(g.spec.Pushdown.Filters) == 0 {
		return
	}
	src := g.pkg("source")
	var conds []jen.Code
	filtered := map[string]bool{}
	for _, c := range g.filtered() {
		filtered[c.Name] = true
	}
	p := g.spec.Partitioning
	switch p.Kind {
	case spec.PartitionKey:
		var keyConds *jen.Statement
		for _, k := range p.Key {
			if !filtered[k] {
				continue
			}
			c := g.col(k)
			fn := "KeyIn"
			if c.Nullable {
				fn = "NullKeyIn"
			}
			cond := jen.Qual(src, fn).Call(jen.Id("f").Dot(c.field), jen.Id("p").Dot("Key").Dot(c.field))
			if keyConds == nil {
				keyConds = jen.Add(cond)
			} else {
				keyConds = keyConds.Op("&&").Add(cond)
			}
		}
		if keyConds != nil { // a partition without a Key is never pruned by key
			conds = append(conds, jen.Parens(jen.Id("p").Dot("Key").Op("==").Nil().Op("||").Add(keyConds)))
		}
	case spec.PartitionRange:
		if c := g.col(p.RangeColumn); filtered[c.Name] {
			conds = append(conds, jen.Qual(src, "RangeOverlaps").Call(jen.Id("f").Dot(c.field), jen.Id("p").Dot("Low"), jen.Id("p").Dot("High")))
		}
	}
	for _, c := range g.filtered() {
		conds = append(conds, jen.Id("p").Dot("Stats").Dot(c.field).Dot("Overlaps").Call(jen.Id("f").Dot(c.field)))
	}
	var expr *jen.Statement
	for i, c := range conds {
		if i == 0 {
			expr = jen.Add(c)
			continue
		}
		expr = expr.Op("&&").Line().Add(c)
	}
	f.Add(comment("matches reports whether the partition can hold rows the filters want: " +
		"false when its key, range or statistics rule every row out."))
	f.Func().Params(jen.Id("p").Op("*").Id("Partition")).Id("matches").Params(jen.Id("f").Op("*").Id("Filters")).Bool().Block(
		jen.Return(expr))
}

// field is one `Name: value` element of a composite literal.
func field(name string, value jen.Code) jen.Code { return jen.Id(name).Op(":").Add(value) }

// lines puts each element of a composite literal on its own line.
func lines(items ...jen.Code) []jen.Code {
	if len(items) == 0 {
		return nil
	}
	out := make([]jen.Code, 0, len(items)+1)
	for _, it := range items {
		out = append(out, jen.Line().Add(it))
	}
	return append(out, jen.Line())
}
