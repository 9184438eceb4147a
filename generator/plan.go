package generator

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/tpgen/tpgen/spec"
)

// plan writes NAME_plan.gen.go: the ExecutionPlan of a scan.
func (g *gen) plan(f *jen.File) {
	src, plan := g.pkg("source"), g.pkg("plan")
	name := g.exec()
	recv := func() *jen.Statement { return jen.Id("e").Op("*").Id(name) }
	f.Add(comment(fmt.Sprintf("%s is the plan node reading the %s table: the partitions that survived "+
		"pruning, with the scan's projection, filters and limit. EXPLAIN prints it on one line.", name, g.spec.Table)))
	f.Type().Id(name).Struct(
		jen.Id("sp").Op("*").Qual(src, "ScanPlan"),
		jen.Id("src").Id("Source"),
		jen.Id("scan").Op("*").Id("Scan"),
		jen.Id("partitions").Index().Id("Partition"),
	)
	f.Var().Id("_").Qual(plan, "ExecutionPlan").Op("=").Parens(jen.Op("*").Id(name)).Parens(jen.Nil())

	f.Commentf("Name returns %q.", name)
	f.Func().Params(recv()).Id("Name").Params().String().Block(jen.Return(jen.Id("e").Dot("sp").Dot("Name").Call()))
	f.Comment("Schema returns the schema of the scan's output: the projected columns.")
	f.Func().Params(recv()).Id("Schema").Params().Op("*").Qual(arrowPath, "Schema").Block(
		jen.Return(jen.Id("e").Dot("sp").Dot("Schema").Call()))
	f.Add(comment("Properties returns the partition count and the spec's partitioning and ordering, " +
		"as far as they survive the projection."))
	f.Func().Params(recv()).Id("Properties").Params().Qual(plan, "Properties").Block(
		jen.Return(jen.Id("e").Dot("sp").Dot("Properties").Call()))
	f.Comment("Children returns nil: a scan is a leaf.")
	f.Func().Params(recv()).Id("Children").Params().Index().Qual(plan, "ExecutionPlan").Block(jen.Return(jen.Nil()))
	f.Comment("WithNewChildren returns the plan itself; a scan has no children to replace.")
	f.Func().Params(recv()).Id("WithNewChildren").Params(jen.Id("children").Index().Qual(plan, "ExecutionPlan")).
		Params(jen.Qual(plan, "ExecutionPlan"), jen.Error()).Block(
		jen.Return(jen.Qual(src, "WithNoChildren").Call(jen.Id("e"), jen.Id("children"))))
	f.Comment("String returns the EXPLAIN line.")
	f.Func().Params(recv()).Id("String").Params().String().Block(jen.Return(jen.Id("e").Dot("sp").Dot("String").Call()))
	f.Comment("Partitions returns the partitions the plan reads, after pruning.")
	f.Func().Params(recv()).Id("Partitions").Params().Index().Id("Partition").Block(jen.Return(jen.Id("e").Dot("partitions")))
	var stats []jen.Code
	for _, c := range g.statColumns() {
		stats = append(stats, jen.Qual(src, "StatsOf").Call(jen.Lit(c.Name), jen.Op("&").Id("p").Dot("Stats").Dot(c.field)))
	}
	ps := []jen.Code{field("Rows", jen.Id("p").Dot("Rows"))}
	if len(stats) > 0 {
		ps = append(ps, field("Columns", jen.Index().Qual(src, "ColumnStats").Values(lines(stats...)...)))
	}
	f.Add(comment("partitionStats is kept partition i's row count and statistics, as the scan plan reads them."))
	f.Func().Params(recv()).Id("partitionStats").Params(jen.Id("i").Int()).Qual(src, "PartitionStats").Block(
		jen.Id("p").Op(":=").Op("&").Id("e").Dot("partitions").Index(jen.Id("i")),
		jen.Return(jen.Qual(src, "PartitionStats").Values(lines(ps...)...)))
	if g.spec.Statistics.Exact {
		f.Add(comment("Statistics reports the kept partitions' row counts and min/max, which the spec declares " +
			"exact; they are exact for the plan's output when every pushed filter holds for whole partitions."))
	} else {
		f.Add(comment("Statistics estimates the plan's output from the kept partitions' row counts and min/max."))
	}
	f.Func().Params(recv()).Id("Statistics").Params().Qual(plan, "Statistics").Block(
		jen.Return(jen.Id("e").Dot("sp").Dot("Statistics").Call(jen.Id("e").Dot("partitionStats"))))
	f.Add(comment("EstimatedRows implements plan.RowEstimator: the kept partitions' rows, narrowed by the share " +
		"of each partition's known range the pushed filters keep. The engine uses it to choose how many goroutines " +
		"to spend, never for results."))
	f.Func().Params(recv()).Id("EstimatedRows").Params().Int64().Block(
		jen.Return(jen.Id("e").Dot("sp").Dot("EstimatedRows").Call(jen.Id("e").Dot("partitionStats"))))
	if g.spec.Statistics.Exact {
		f.Add(comment("ColumnBounds implements plan.BoundsProvider: the kept partitions' exact row counts and " +
			"min/max (or key) bound the rows and the column's values, whatever the pushed filters drop."))
		f.Func().Params(recv()).Id("ColumnBounds").Params(jen.Id("column").String()).
			Params(jen.Qual(plan, "ColumnBounds"), jen.Bool()).Block(
			jen.Return(jen.Id("e").Dot("sp").Dot("ColumnBounds").Call(jen.Id("column"), jen.Id("e").Dot("partitionStats"))))
	}
	if k := g.spec.Partitioning.Kind; k == spec.PartitionKey || k == spec.PartitionRange {
		f.Add(comment("PartitionBounds implements plan.PartitionBounds: what a partition declares about " +
			"its rows (its key, or its range), which verify mode checks every row against."))
		f.Func().Params(recv()).Id("PartitionBounds").Params(jen.Id("partition").Int()).
			Params(jen.Index().Qual(plan, "ColumnBound"), jen.Bool()).Block(
			jen.Return(jen.Id("e").Dot("sp").Dot("PartitionBounds").Call(jen.Id("partition"))))
	}
	f.Add(comment("PartitionName implements plan.PartitionNamer: the partition as errors name it, by its key " +
		"or range, else by its place in the source's list of partitions."))
	f.Func().Params(recv()).Id("PartitionName").Params(jen.Id("partition").Int()).String().Block(
		jen.Return(jen.Id("e").Dot("sp").Dot("PartitionName").Call(jen.Id("partition"))))
	reader := g.local("Reader")
	f.Add(comment("Execute returns the stream of one partition. It only builds the stream: the source's " +
		"Read runs once the stream is read, as a coroutine of its consumer or on the consumer's goroutine."))
	f.Func().Params(recv()).Id("Execute").Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("partition").Int(), jen.Id("task").Op("*").Qual(plan, "TaskContext"),
	).Params(jen.Qual(plan, "RecordStream"), jen.Error()).Block(
		jen.Return(jen.Id("e").Dot("sp").Dot("PartitionStream").Call(jen.Id("ctx"), jen.Id("partition"), jen.Id("task"),
			jen.Parens(jen.Op("*").Id(reader)).Parens(jen.Id("e")))),
	)
	f.Add(comment(fmt.Sprintf("%s reads the partitions of a %s for its streams. It is a type of its own so that "+
		"ReadPartition stays out of %s's API, and a conversion of the plan, not a closure per partition, so that "+
		"starting a partition allocates nothing for it.", reader, name, name)))
	f.Type().Id(reader).Id(name)
	f.Add(comment("ReadPartition implements source.PartitionReader: the source's Read of one partition, " +
		"with the Writer over b's builders (made once per scan, see source.WriterOf)."))
	f.Func().Params(jen.Id("r").Op("*").Id(reader)).Id("ReadPartition").Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("partition").Int(), jen.Id("b").Op("*").Qual(src, "Batcher"),
	).Error().Block(
		jen.Return(jen.Id("r").Dot("src").Dot("Read").Call(jen.Id("ctx"), jen.Id("r").Dot("partitions").Index(jen.Id("partition")),
			jen.Id("r").Dot("scan"), jen.Qual(src, "WriterOf").Call(jen.Id("b"), jen.Id(g.local("Writer"))))),
	)
}
