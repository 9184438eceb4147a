package flightserver

import (
	"context"
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The session has tables only: no catalogs and no schemas (the SQL front
// end takes unqualified table names), so tables are listed with NULL
// catalog and schema, which clients then leave out of the names they
// generate, and GetCatalogs and GetDbSchemas return no rows.

// metaAlloc allocates metadata results. flightsql's DoGet drops, without
// releasing it, a batch whose write fails (the client went away); these
// batches are small, so they come from Go's garbage-collected memory
// rather than the configured allocator, where such a drop would count
// as a leak. (Query results do not go through that DoGet; see
// flightService.)
var metaAlloc = memory.NewGoAllocator()

// tableType is the one table type the server reports.
const tableType = "TABLE"

func (srv *Server) registerSqlInfo() error {
	for id, v := range map[flightsql.SqlInfo]any{
		flightsql.SqlInfoFlightSqlServerName:         "tpgen",
		flightsql.SqlInfoFlightSqlServerVersion:      "1",
		flightsql.SqlInfoFlightSqlServerArrowVersion: "18",
		flightsql.SqlInfoFlightSqlServerReadOnly:     true,
		flightsql.SqlInfoFlightSqlServerSql:          true,
		flightsql.SqlInfoFlightSqlServerSubstrait:    false,
		flightsql.SqlInfoFlightSqlServerTransaction:  int32(0), // SQL_SUPPORTED_TRANSACTION_NONE
		flightsql.SqlInfoFlightSqlServerCancel:       false,
		flightsql.SqlInfoDDLCatalog:                  false,
		flightsql.SqlInfoDDLSchema:                   false,
		flightsql.SqlInfoDDLTable:                    false,
		flightsql.SqlInfoIdentifierCase:              int64(1), // SQL_CASE_INSENSITIVE: table and column names
		flightsql.SqlInfoIdentifierQuoteChar:         `"`,
		flightsql.SqlInfoTransactionsSupported:       false,
	} {
		if err := srv.RegisterSqlInfo(id, v); err != nil {
			return err
		}
	}
	return nil
}

// metadataInfo is the FlightInfo of a metadata command: one endpoint
// whose ticket is the command itself, as flightsql routes it to DoGet*.
func (srv *Server) metadataInfo(desc *flight.FlightDescriptor, schema *arrow.Schema) *flight.FlightInfo {
	return &flight.FlightInfo{
		Endpoint:         []*flight.FlightEndpoint{{Ticket: &flight.Ticket{Ticket: desc.Cmd}}},
		FlightDescriptor: desc,
		Schema:           flight.SerializeSchema(schema, srv.cfg.alloc),
		TotalRecords:     -1,
		TotalBytes:       -1,
	}
}

// oneBatch streams a single record batch, taking over its reference.
func oneBatch(rec arrow.RecordBatch) <-chan flight.StreamChunk {
	ch := make(chan flight.StreamChunk, 1)
	ch <- flight.StreamChunk{Data: rec}
	close(ch)
	return ch
}

// GetFlightInfoCatalogs implements flightsql.Server.
func (srv *Server) GetFlightInfoCatalogs(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return srv.metadataInfo(desc, schema_ref.Catalogs), nil
}

// DoGetCatalogs implements flightsql.Server: there are no catalogs.
func (srv *Server) DoGetCatalogs(context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(metaAlloc, schema_ref.Catalogs)
	defer b.Release()
	return schema_ref.Catalogs, oneBatch(b.NewRecordBatch()), nil
}

// GetFlightInfoSchemas implements flightsql.Server.
func (srv *Server) GetFlightInfoSchemas(_ context.Context, _ flightsql.GetDBSchemas, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return srv.metadataInfo(desc, schema_ref.DBSchemas), nil
}

// DoGetDBSchemas implements flightsql.Server: there are no schemas.
func (srv *Server) DoGetDBSchemas(context.Context, flightsql.GetDBSchemas) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(metaAlloc, schema_ref.DBSchemas)
	defer b.Release()
	return schema_ref.DBSchemas, oneBatch(b.NewRecordBatch()), nil
}

// GetFlightInfoTableTypes implements flightsql.Server.
func (srv *Server) GetFlightInfoTableTypes(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return srv.metadataInfo(desc, schema_ref.TableTypes), nil
}

// DoGetTableTypes implements flightsql.Server.
func (srv *Server) DoGetTableTypes(context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	b := array.NewRecordBuilder(metaAlloc, schema_ref.TableTypes)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append(tableType)
	return schema_ref.TableTypes, oneBatch(b.NewRecordBatch()), nil
}

func tablesSchema(cmd flightsql.GetTables) *arrow.Schema {
	if cmd.GetIncludeSchema() {
		return schema_ref.TablesWithIncludedSchema
	}
	return schema_ref.Tables
}

// GetFlightInfoTables implements flightsql.Server.
func (srv *Server) GetFlightInfoTables(_ context.Context, cmd flightsql.GetTables, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return srv.metadataInfo(desc, tablesSchema(cmd)), nil
}

// DoGetTables implements flightsql.Server: the registered tables that
// pass the command's filters, by name, with their Arrow schema when the
// client asks for it.
func (srv *Server) DoGetTables(_ context.Context, cmd flightsql.GetTables) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	schema := tablesSchema(cmd)
	// Tables have no catalog or schema: a filter naming one (other than
	// the empty catalog, or a pattern matching the empty name) excludes
	// them all.
	none := false
	if c := cmd.GetCatalog(); c != nil && *c != "" {
		none = true
	}
	if p := cmd.GetDBSchemaFilterPattern(); p != nil {
		re, err := likePattern(*p)
		if err != nil {
			return nil, nil, err
		}
		none = none || !re.MatchString("")
	}
	var nameRE *regexp.Regexp
	if p := cmd.GetTableNameFilterPattern(); p != nil {
		var err error
		if nameRE, err = likePattern(*p); err != nil {
			return nil, nil, err
		}
	}
	if types := cmd.GetTableTypes(); len(types) > 0 {
		match := false
		for _, t := range types {
			match = match || strings.EqualFold(t, tableType)
		}
		none = none || !match
	}

	b := array.NewRecordBuilder(metaAlloc, schema)
	defer b.Release()
	if !none {
		for _, name := range srv.session.Tables() {
			if nameRE != nil && !nameRE.MatchString(name) {
				continue
			}
			ts, ok := srv.session.TableSchema(name)
			if !ok {
				continue // deregistered meanwhile
			}
			b.Field(0).AppendNull()
			b.Field(1).AppendNull()
			b.Field(2).(*array.StringBuilder).Append(name)
			b.Field(3).(*array.StringBuilder).Append(tableType)
			if cmd.GetIncludeSchema() {
				b.Field(4).(*array.BinaryBuilder).Append(flight.SerializeSchema(ts, srv.cfg.alloc))
			}
		}
	}
	return schema, oneBatch(b.NewRecordBatch()), nil
}

// likePattern compiles a Flight SQL filter pattern (SQL LIKE: % is any
// run, _ any one character, \ escapes) into a case-insensitive regexp,
// since table names are case-insensitive.
func likePattern(p string) (*regexp.Regexp, error) {
	var sb strings.Builder
	sb.WriteString("(?is)^")
	esc := false
	for _, r := range p {
		switch {
		case esc:
			sb.WriteString(regexp.QuoteMeta(string(r)))
			esc = false
		case r == '\\':
			esc = true
		case r == '%':
			sb.WriteString(".*")
		case r == '_':
			sb.WriteString(".")
		default:
			sb.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	sb.WriteString("$")
	re, err := regexp.Compile(sb.String())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "flightserver: filter pattern %q: %v", p, err)
	}
	return re, nil
}
