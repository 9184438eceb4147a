package generator

import (
	"fmt"
	"go/token"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/dave/jennifer/jen"

	"github.com/tpgen/tpgen/spec"
)

// Import paths of the packages generated code uses.
const (
	arrowPath   = "github.com/apache/arrow-go/v18/arrow"
	arrayPath   = "github.com/apache/arrow-go/v18/arrow/array"
	decimalPath = "github.com/apache/arrow-go/v18/arrow/decimal128"
)

// imports names every package generated code may import, so jennifer
// never guesses an alias (arrow-go's /v18 path would confuse it).
func (g *gen) imports() map[string]string {
	return map[string]string{
		arrowPath: "arrow", arrayPath: "array", decimalPath: "decimal128",
		g.pkg("source"): "source", g.pkg("plan"): "plan", g.pkg("expr"): "expr", g.pkg("domain"): "domain",
		"context": "context", "errors": "errors", "fmt": "fmt", "slices": "slices", "time": "time",
	}
}

// column is what the generator knows about one spec column.
type column struct {
	*spec.Column
	index int
	field string // Go field name: UserID
	local string // unexported identifier: userID
}

// goType returns the Go type of a column's values, without nullability.
func (g *gen) goType(t spec.Type) *jen.Statement {
	switch t.Kind {
	case spec.KindBool:
		return jen.Bool()
	case spec.KindInt8:
		return jen.Int8()
	case spec.KindInt16:
		return jen.Int16()
	case spec.KindInt32:
		return jen.Int32()
	case spec.KindInt64:
		return jen.Int64()
	case spec.KindUint8:
		return jen.Uint8()
	case spec.KindUint16:
		return jen.Uint16()
	case spec.KindUint32:
		return jen.Uint32()
	case spec.KindUint64:
		return jen.Uint64()
	case spec.KindFloat32:
		return jen.Float32()
	case spec.KindFloat64:
		return jen.Float64()
	case spec.KindString:
		return jen.String()
	case spec.KindBinary:
		return jen.Index().Byte()
	case spec.KindDate32, spec.KindTimestamp:
		return jen.Qual("time", "Time")
	case spec.KindDuration:
		return jen.Qual("time", "Duration")
	case spec.KindDecimal:
		return jen.Qual(decimalPath, "Num")
	}
	panic(fmt.Sprintf("generator: unhandled type %s", t)) // spec.Parse never returns one
}

// fieldType is the type of a column's Row field: Null[T] when nullable.
func (g *gen) fieldType(c column) *jen.Statement {
	if c.Nullable {
		return jen.Qual(g.pkg("source"), "Null").Types(g.goType(c.Type))
	}
	return g.goType(c.Type)
}

// sourceType names the source.Type describing a Go type (source.Time).
func (g *gen) sourceType(t spec.Type) *jen.Statement {
	names := map[spec.Kind]string{
		spec.KindBool: "Bool", spec.KindInt8: "Int8", spec.KindInt16: "Int16", spec.KindInt32: "Int32",
		spec.KindInt64: "Int64", spec.KindUint8: "Uint8", spec.KindUint16: "Uint16", spec.KindUint32: "Uint32",
		spec.KindUint64: "Uint64", spec.KindFloat32: "Float32", spec.KindFloat64: "Float64",
		spec.KindString: "String", spec.KindBinary: "Bytes", spec.KindDate32: "Time", spec.KindTimestamp: "Time",
		spec.KindDuration: "Duration", spec.KindDecimal: "Decimal",
	}
	return jen.Qual(g.pkg("source"), names[t.Kind])
}

// builder names the arrow-go builder type of a column.
func builder(t spec.Type) *jen.Statement {
	names := map[spec.Kind]string{
		spec.KindBool: "BooleanBuilder", spec.KindInt8: "Int8Builder", spec.KindInt16: "Int16Builder",
		spec.KindInt32: "Int32Builder", spec.KindInt64: "Int64Builder", spec.KindUint8: "Uint8Builder",
		spec.KindUint16: "Uint16Builder", spec.KindUint32: "Uint32Builder", spec.KindUint64: "Uint64Builder",
		spec.KindFloat32: "Float32Builder", spec.KindFloat64: "Float64Builder", spec.KindString: "StringBuilder",
		spec.KindBinary: "BinaryBuilder", spec.KindDate32: "Date32Builder", spec.KindTimestamp: "TimestampBuilder",
		spec.KindDuration: "DurationBuilder", spec.KindDecimal: "Decimal128Builder",
	}
	return jen.Qual(arrayPath, names[t.Kind])
}

// toArrow converts a Go value v of the column's type to what its builder's
// Append takes. direct is true when no conversion is needed, so slices of
// values can go to AppendValues as they are.
func toArrow(t spec.Type, v jen.Code) (code jen.Code, direct bool) {
	switch t.Kind {
	case spec.KindDate32:
		return jen.Qual(arrowPath, "Date32FromTime").Call(v), false
	case spec.KindTimestamp:
		unix := map[arrow.TimeUnit]string{arrow.Second: "Unix", arrow.Millisecond: "UnixMilli",
			arrow.Microsecond: "UnixMicro", arrow.Nanosecond: "UnixNano"}[t.Unit]
		return jen.Qual(arrowPath, "Timestamp").Call(jen.Add(v).Dot(unix).Call()), false
	case spec.KindDuration:
		if t.Unit == arrow.Nanosecond {
			return jen.Qual(arrowPath, "Duration").Call(v), false
		}
		unit := map[arrow.TimeUnit]string{arrow.Second: "Second", arrow.Millisecond: "Millisecond",
			arrow.Microsecond: "Microsecond"}[t.Unit]
		return jen.Qual(arrowPath, "Duration").Call(jen.Add(v).Op("/").Qual("time", unit)), false
	}
	return v, true
}

// arrowType is the expression of a column's Arrow data type.
func arrowType(t spec.Type) jen.Code {
	switch t.Kind {
	case spec.KindBool:
		return jen.Qual(arrowPath, "FixedWidthTypes").Dot("Boolean")
	case spec.KindString:
		return jen.Qual(arrowPath, "BinaryTypes").Dot("String")
	case spec.KindBinary:
		return jen.Qual(arrowPath, "BinaryTypes").Dot("Binary")
	case spec.KindDate32:
		return jen.Qual(arrowPath, "FixedWidthTypes").Dot("Date32")
	case spec.KindTimestamp:
		fields := []jen.Code{field("Unit", jen.Qual(arrowPath, unitName(t.Unit)))}
		if t.TZ != "" {
			fields = append(fields, field("TimeZone", jen.Lit(t.TZ)))
		}
		return jen.Op("&").Qual(arrowPath, "TimestampType").Values(fields...)
	case spec.KindDuration:
		return jen.Op("&").Qual(arrowPath, "DurationType").Values(field("Unit", jen.Qual(arrowPath, unitName(t.Unit))))
	case spec.KindDecimal:
		return jen.Op("&").Qual(arrowPath, "Decimal128Type").Values(
			field("Precision", jen.Lit(int(t.Precision))), field("Scale", jen.Lit(int(t.Scale))))
	}
	name := map[spec.Kind]string{spec.KindInt8: "Int8", spec.KindInt16: "Int16", spec.KindInt32: "Int32",
		spec.KindInt64: "Int64", spec.KindUint8: "Uint8", spec.KindUint16: "Uint16", spec.KindUint32: "Uint32",
		spec.KindUint64: "Uint64", spec.KindFloat32: "Float32", spec.KindFloat64: "Float64"}[t.Kind]
	return jen.Qual(arrowPath, "PrimitiveTypes").Dot(name)
}

func unitName(u arrow.TimeUnit) string {
	return map[arrow.TimeUnit]string{arrow.Second: "Second", arrow.Millisecond: "Millisecond",
		arrow.Microsecond: "Microsecond", arrow.Nanosecond: "Nanosecond"}[u]
}

// typeNote describes a column's type for a field comment, saying what the
// Go value means where that is not obvious.
func typeNote(c column) string {
	note := c.Type.String()
	switch c.Type.Kind {
	case spec.KindDecimal:
		if c.Type.Scale > 0 {
			note += fmt.Sprintf(", the value times 10^%d", c.Type.Scale)
		}
	case spec.KindDate32:
		note += ", the day of the time in UTC"
	case spec.KindTimestamp:
		if c.Type.Unit != arrow.Nanosecond {
			note += ", truncated to the " + unitWord(c.Type.Unit)
		}
	case spec.KindDuration:
		if c.Type.Unit != arrow.Nanosecond {
			note += ", truncated to the " + unitWord(c.Type.Unit)
		}
	}
	if c.Nullable {
		note += "; nullable"
	}
	return note
}

func unitWord(u arrow.TimeUnit) string {
	return map[arrow.TimeUnit]string{arrow.Second: "second", arrow.Millisecond: "millisecond",
		arrow.Microsecond: "microsecond", arrow.Nanosecond: "nanosecond"}[u]
}

// lowerFirst turns an exported Go name into an unexported one: UserID ->
// userID, ID -> id.
func lowerFirst(name string) string {
	n := 0
	for n < len(name) && name[n] >= 'A' && name[n] <= 'Z' {
		n++
	}
	switch {
	case n == 0:
		return name
	case n == 1 || n == len(name):
		n = min(n, len(name))
	default:
		n-- // UserID: keep the U of "Id..."; IDType -> idType
	}
	local := strings.ToLower(name[:n]) + name[n:]
	if token.IsKeyword(local) || local == "b" || local == "all" { // a column named "type", or one of the Writer's own fields
		local += "Col"
	}
	return local
}
