package flightserver

import (
	"cmp"
	"context"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"
)

// xdbcType is one row of GetXdbcTypeInfo: a SQL type the engine takes in
// CAST and returns in results, described as JDBC's getTypeInfo and
// ODBC's SQLGetTypeInfo do (JDBC drivers and tools like DBeaver ask for
// it on connecting).
type xdbcType struct {
	name       string
	dataType   pb.XdbcDataType
	columnSize int32 // precision for numbers, characters for text; 0 for none
	quoted     bool  // literals are written '...'
	params     []string
	caseSens   bool
	unsigned   bool
	minScale   int32
	maxScale   int32 // -1 for none
	sqlType    pb.XdbcDataType
	subcode    int32 // datetime subcode; 0 for none
	radix      int32
}

// xdbcTypes lists the engine's types (expr.SQLTypeName's names). The
// specifications ask for them ordered by data type, then by how closely
// each maps to it: sortedXdbcTypes sorts, stably, so that the order here
// breaks ties.
var xdbcTypes = sortedXdbcTypes([]xdbcType{
	{name: "BIGINT", dataType: pb.XdbcDataType_XDBC_BIGINT, columnSize: 19, maxScale: -1, radix: 10},
	{name: "BIGINT UNSIGNED", dataType: pb.XdbcDataType_XDBC_BIGINT, columnSize: 20, unsigned: true, maxScale: -1, radix: 10},
	{name: "BYTEA", dataType: pb.XdbcDataType_XDBC_VARBINARY, quoted: true, maxScale: -1},
	{name: "VARCHAR", dataType: pb.XdbcDataType_XDBC_VARCHAR, quoted: true, caseSens: true, maxScale: -1},
	{name: "TINYINT", dataType: pb.XdbcDataType_XDBC_TINYINT, columnSize: 3, maxScale: -1, radix: 10},
	{name: "TINYINT UNSIGNED", dataType: pb.XdbcDataType_XDBC_TINYINT, columnSize: 3, unsigned: true, maxScale: -1, radix: 10},
	{name: "BOOLEAN", dataType: pb.XdbcDataType_XDBC_BIT, columnSize: 1, maxScale: -1},
	{name: "DECIMAL", dataType: pb.XdbcDataType_XDBC_DECIMAL, columnSize: 38, params: []string{"precision", "scale"}, maxScale: 38, radix: 10},
	{name: "INTEGER", dataType: pb.XdbcDataType_XDBC_INTEGER, columnSize: 10, maxScale: -1, radix: 10},
	{name: "INTEGER UNSIGNED", dataType: pb.XdbcDataType_XDBC_INTEGER, columnSize: 10, unsigned: true, maxScale: -1, radix: 10},
	{name: "SMALLINT", dataType: pb.XdbcDataType_XDBC_SMALLINT, columnSize: 5, maxScale: -1, radix: 10},
	{name: "SMALLINT UNSIGNED", dataType: pb.XdbcDataType_XDBC_SMALLINT, columnSize: 5, unsigned: true, maxScale: -1, radix: 10},
	{name: "REAL", dataType: pb.XdbcDataType_XDBC_REAL, columnSize: 24, maxScale: -1, radix: 2},
	{name: "DOUBLE PRECISION", dataType: pb.XdbcDataType_XDBC_DOUBLE, columnSize: 53, maxScale: -1, radix: 2},
	{name: "INTERVAL", dataType: pb.XdbcDataType_XDBC_INTERVAL, quoted: true, maxScale: 9, sqlType: pb.XdbcDataType_XDBC_INTERVAL, subcode: int32(pb.XdbcDatetimeSubcode_XDBC_SUBCODE_DAY_TO_SECOND)},
	{name: "DATE", dataType: pb.XdbcDataType_XDBC_DATE, columnSize: 10, quoted: true, maxScale: -1, sqlType: pb.XdbcDataType_XDBC_DATETIME, subcode: int32(pb.XdbcDatetimeSubcode_XDBC_SUBCODE_DATE)},
	{name: "TIMESTAMP", dataType: pb.XdbcDataType_XDBC_TIMESTAMP, columnSize: 29, quoted: true, maxScale: 9, sqlType: pb.XdbcDataType_XDBC_DATETIME, subcode: int32(pb.XdbcDatetimeSubcode_XDBC_SUBCODE_TIMESTAMP)},
	{name: "TIMESTAMP WITH TIME ZONE", dataType: pb.XdbcDataType_XDBC_TIMESTAMP, columnSize: 35, quoted: true, maxScale: 9, sqlType: pb.XdbcDataType_XDBC_DATETIME, subcode: int32(pb.XdbcDatetimeSubcode_XDBC_SUBCODE_TIMESTAMP_WITH_TIMEZONE)},
})

func sortedXdbcTypes(ts []xdbcType) []xdbcType {
	slices.SortStableFunc(ts, func(a, b xdbcType) int { return cmp.Compare(a.dataType, b.dataType) })
	return ts
}

// GetFlightInfoXdbcTypeInfo implements flightsql.Server.
func (srv *Server) GetFlightInfoXdbcTypeInfo(_ context.Context, _ flightsql.GetXdbcTypeInfo, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return srv.metadataInfo(desc, schema_ref.XdbcTypeInfo), nil
}

// DoGetXdbcTypeInfo implements flightsql.Server: the types of xdbcTypes,
// only those of the requested data type when the command names one.
func (srv *Server) DoGetXdbcTypeInfo(_ context.Context, cmd flightsql.GetXdbcTypeInfo) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(metaAlloc, schema_ref.XdbcTypeInfo)
	defer b.Release()
	for _, t := range xdbcTypes {
		if want := cmd.GetDataType(); want != nil && *want != int32(t.dataType) {
			continue
		}
		appendXdbcType(b, t)
	}
	return schema_ref.XdbcTypeInfo, oneBatch(b.NewRecordBatch()), nil
}

func appendXdbcType(b *array.RecordBuilder, t xdbcType) {
	optInt := func(i int, v int32, ok bool) {
		if ok {
			b.Field(i).(*array.Int32Builder).Append(v)
		} else {
			b.Field(i).AppendNull()
		}
	}
	optString := func(i int, v string, ok bool) {
		if ok {
			b.Field(i).(*array.StringBuilder).Append(v)
		} else {
			b.Field(i).AppendNull()
		}
	}
	sqlType := t.sqlType
	if sqlType == 0 {
		sqlType = t.dataType
	}
	b.Field(0).(*array.StringBuilder).Append(t.name)
	b.Field(1).(*array.Int32Builder).Append(int32(t.dataType))
	optInt(2, t.columnSize, t.columnSize > 0)
	optString(3, "'", t.quoted)
	optString(4, "'", t.quoted)
	params := b.Field(5).(*array.ListBuilder)
	params.Append(true)
	for _, p := range t.params {
		params.ValueBuilder().(*array.StringBuilder).Append(p)
	}
	b.Field(6).(*array.Int32Builder).Append(int32(pb.Nullable_NULLABILITY_NULLABLE))
	b.Field(7).(*array.BooleanBuilder).Append(t.caseSens)
	b.Field(8).(*array.Int32Builder).Append(int32(pb.Searchable_SEARCHABLE_FULL))
	b.Field(9).(*array.BooleanBuilder).Append(t.unsigned)
	b.Field(10).(*array.BooleanBuilder).Append(false) // no fixed-scale money type
	b.Field(11).(*array.BooleanBuilder).Append(false) // tables are read-only
	b.Field(12).(*array.StringBuilder).Append(t.name)
	optInt(13, t.minScale, t.maxScale >= 0)
	optInt(14, t.maxScale, t.maxScale >= 0)
	b.Field(15).(*array.Int32Builder).Append(int32(sqlType))
	optInt(16, t.subcode, t.subcode != 0)
	optInt(17, t.radix, t.radix != 0)
	b.Field(18).AppendNull() // interval_precision
}

// CancelFlightInfo implements flightsql.Server. A FlightInfo holds no
// running query here: tickets are stateless and a query runs only inside
// the DoGet that redeems one, which the client stops by cancelling that
// call. So there is nothing to cancel, and a later DoGet of the same
// ticket would run the query again: the honest answer is "not
// cancellable", which tells the client not to retry.
func (srv *Server) CancelFlightInfo(context.Context, *flight.CancelFlightInfoRequest) (flight.CancelFlightInfoResult, error) {
	return flight.CancelFlightInfoResult{Status: flight.CancelStatusNotCancellable}, nil
}
