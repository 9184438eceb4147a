package generator

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/tpgen/tpgen/spec"
)

// stream writes NAME_stream.gen.go: the typed Writer a source appends to.
func (g *gen) stream(f *jen.File) {
	src := g.pkg("source")
	f.Add(comment(fmt.Sprintf("Writer turns the rows a Source reads into Arrow batches of the %s table. "+
		"It skips columns the query does not need, cuts a batch every batch-size rows, and stops the source "+
		"once the scan's limit is reached or the query is cancelled: then every method returns an error the "+
		"source should return from Read.", g.spec.Table)))
	fields := []jen.Code{
		jen.Id("b").Op("*").Qual(src, "Batcher"),
		jen.Id("all").Bool().Comment("every column is needed: Append skips the per-column checks"),
	}
	for _, c := range g.cols {
		fields = append(fields, jen.Id(c.local).Op("*").Add(builder(c.Type)).Comment("nil when not needed"))
	}
	f.Type().Id("Writer").Struct(fields...)

	ctor := []jen.Code{jen.Id("w").Op(":=").Op("&").Id("Writer").Values(field("b", jen.Id("b")))}
	for _, c := range g.cols {
		ctor = append(ctor, jen.List(jen.Id("w").Dot(c.local), jen.Id("_")).Op("=").
			Id("b").Dot("Builder").Call(jen.Lit(c.Name)).Assert(jen.Op("*").Add(builder(c.Type))))
	}
	all := jen.Null()
	for i, c := range g.cols {
		if i > 0 {
			all.Op("&&")
		}
		all.Id("w").Dot(c.local).Op("!=").Nil()
	}
	ctor = append(ctor, jen.Id("w").Dot("all").Op("=").Add(all), jen.Return(jen.Id("w")))
	f.Commentf("%s binds a Writer to the builders of the columns the scan needs.", g.local("Writer"))
	f.Func().Id(g.local("Writer")).Params(jen.Id("b").Op("*").Qual(src, "Batcher")).Op("*").Id("Writer").Block(ctor...)

	// Append.
	body := []jen.Code{jen.If(jen.Err().Op(":=").Id("w").Dot("b").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))}
	// The common case (every column needed) gets a path without a check per
	// column: measurably faster on the per-row hot path of a scan.
	full := make([]jen.Code, 0, len(g.cols)+1)
	for _, c := range g.cols {
		full = append(full, g.appendValue(c, jen.Id("r").Dot(c.field)))
	}
	full = append(full, jen.Return(jen.Id("w").Dot("b").Dot("Row").Call()))
	body = append(body, jen.If(jen.Id("w").Dot("all")).Block(full...))
	for _, c := range g.cols {
		body = append(body, jen.If(jen.Id("w").Dot(c.local).Op("!=").Nil()).Block(g.appendValue(c, jen.Id("r").Dot(c.field))))
	}
	body = append(body, jen.Return(jen.Id("w").Dot("b").Dot("Row").Call()))
	f.Add(comment("Append adds one row. It returns source.ErrStop once the scan's limit is reached, and the " +
		"context's error when the query was cancelled; the row is then dropped and Read should return the error."))
	f.Func().Params(jen.Id("w").Op("*").Id("Writer")).Id("Append").Params(jen.Id("r").Id("Row")).Error().Block(body...)

	// Columns and AppendColumns.
	colFields := make([]jen.Code, len(g.cols))
	for i, c := range g.cols {
		colFields[i] = jen.Id(c.field).Index().Add(g.fieldType(c))
	}
	f.Add(comment("Columns holds many rows column by column, for AppendColumns. Slices of columns the query " +
		"does not need may be nil; the others must have the same length."))
	f.Type().Id("Columns").Struct(colFields...)

	lens := make([]jen.Code, len(g.cols))
	var fill []jen.Code
	for i, c := range g.cols {
		lens[i] = jen.Len(jen.Id("c").Dot(c.field))
		part := jen.Id("c").Dot(c.field).Index(jen.Id("i").Op(":").Id("j"))
		if _, direct := toArrow(c.Type, jen.Id("v")); direct && !c.Nullable {
			fill = append(fill, jen.If(jen.Id("w").Dot(c.local).Op("!=").Nil()).Block(
				jen.Id("w").Dot(c.local).Dot("AppendValues").Call(part, jen.Nil())))
			continue
		}
		fill = append(fill, jen.If(jen.Id("w").Dot(c.local).Op("!=").Nil()).Block(
			jen.For(jen.List(jen.Id("_"), jen.Id("v")).Op(":=").Range().Add(part)).Block(g.appendValue(c, jen.Id("v")))))
	}
	f.Add(comment("AppendColumns adds the rows held in c, a batch at a time; it is the fast path for sources " +
		"that already hold slices. It returns what Append would."))
	f.Func().Params(jen.Id("w").Op("*").Id("Writer")).Id("AppendColumns").Params(jen.Id("c").Id("Columns")).Error().Block(
		jen.Return(jen.Id("w").Dot("b").Dot("AppendColumns").Call(
			jen.Index().Int().ValuesFunc(func(gr *jen.Group) {
				for _, l := range lens {
					gr.Line().Add(l)
				}
				gr.Line()
			}),
			jen.Func().Params(jen.List(jen.Id("i"), jen.Id("j")).Int()).Block(fill...))))

	f.Add(comment("AppendRecord hands over an Arrow record the source already holds, without copying. Its " +
		"schema must be the table's, or the scan's output schema. Rows appended before are flushed first."))
	f.Func().Params(jen.Id("w").Op("*").Id("Writer")).Id("AppendRecord").Params(jen.Id("rec").Qual(arrowPath, "RecordBatch")).Error().Block(
		jen.Return(jen.Id("w").Dot("b").Dot("AppendRecord").Call(jen.Id("rec"))))
	f.Add(comment("AppendRecordRows is AppendRecord of rows [i, j) of rec, for a source that finds the " +
		"rows a query wants inside a record it holds (a range of a sorted column): only the columns " +
		"the query needs are cut, where slicing the record first would cut every column."))
	f.Func().Params(jen.Id("w").Op("*").Id("Writer")).Id("AppendRecordRows").Params(
		jen.Id("rec").Qual(arrowPath, "RecordBatch"), jen.List(jen.Id("i"), jen.Id("j")).Int64()).Error().Block(
		jen.Return(jen.Id("w").Dot("b").Dot("AppendRecordRows").Call(jen.Id("rec"), jen.Id("i"), jen.Id("j"))))
	f.Add(comment("Flush hands the rows appended so far to the query without waiting for a full batch, " +
		"for sources whose rows arrive slowly."))
	f.Func().Params(jen.Id("w").Op("*").Id("Writer")).Id("Flush").Params().Error().Block(
		jen.Return(jen.Id("w").Dot("b").Dot("Flush").Call()))
}

// appendValue appends v, a value of column c's Row field type, to c's
// builder.
//
// Fixed-width columns skip the builder's capacity check (UnsafeAppend): the
// Batcher reserves room for a whole batch in every builder, and Append and
// AppendColumns never put more rows in a batch than that. String and binary
// builders reserve only offsets, not value bytes, so they keep Append.
func (g *gen) appendValue(c column, v *jen.Statement) jen.Code {
	b := jen.Id("w").Dot(c.local)
	appendFn, appendNull := "Append", b.Clone().Dot("AppendNull").Call()
	if c.Type.Kind != spec.KindString && c.Type.Kind != spec.KindBinary {
		appendFn, appendNull = "UnsafeAppend", b.Clone().Dot("UnsafeAppendBoolToBitmap").Call(jen.False())
	}
	if !c.Nullable {
		conv, _ := toArrow(c.Type, v)
		return b.Dot(appendFn).Call(conv)
	}
	conv, _ := toArrow(c.Type, v.Clone().Dot("V"))
	return jen.If(v.Clone().Dot("Valid")).Block(b.Clone().Dot(appendFn).Call(conv)).Else().Block(appendNull)
}
