package flightserver

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tpgen/tpgen/runtime"
)

// plan plans the handle's statement with its parameters.
func (srv *Server) plan(ctx context.Context, h handle) (*runtime.QueryPlan, error) {
	args, err := h.args(srv.cfg.alloc)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	q, err := srv.session.PlanQuery(ctx, h.SQL, args...)
	if err != nil {
		return nil, toStatus(err)
	}
	return q, nil
}

// flightInfo plans the statement and describes its result: its schema
// and one endpoint per part of the plan (see runtime.QueryPlan).
func (srv *Server) flightInfo(ctx context.Context, h handle, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	q, err := srv.plan(ctx, h)
	if err != nil {
		return nil, err
	}
	n := q.Partitions()
	if srv.cfg.oneEndpoint {
		n = 0 // a ticket without parts runs the whole plan
	}
	info := &flight.FlightInfo{
		Schema:           flight.SerializeSchema(q.Schema(), srv.cfg.alloc),
		FlightDescriptor: desc,
		TotalRecords:     -1,
		TotalBytes:       -1,
	}
	for i := 0; i < max(n, 1); i++ {
		t := h
		t.Part, t.Parts = i, n
		ticket, err := flightsql.CreateStatementQueryTicket(t.encode())
		if err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		// No locations: the endpoint is served where the FlightInfo came from.
		info.Endpoint = append(info.Endpoint, &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: ticket}})
	}
	return info, nil
}

// GetFlightInfoStatement implements flightsql.Server.
func (srv *Server) GetFlightInfoStatement(ctx context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	if len(cmd.GetTransactionId()) > 0 {
		return nil, status.Error(codes.InvalidArgument, "flightserver: transactions are not supported")
	}
	return srv.flightInfo(ctx, handle{SQL: cmd.GetQuery()}, desc)
}

// GetSchemaStatement implements flightsql.Server.
func (srv *Server) GetSchemaStatement(ctx context.Context, cmd flightsql.StatementQuery, _ *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	q, err := srv.plan(ctx, handle{SQL: cmd.GetQuery()})
	if err != nil {
		return nil, err
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(q.Schema(), srv.cfg.alloc)}, nil
}

// DoGetStatement implements flightsql.Server: it runs the ticket's part
// of the plan. (The service FlightService returns runs tickets without
// it; see flightService. It is here for servers that register the Server
// through flightsql.NewFlightServer themselves.)
func (srv *Server) DoGetStatement(ctx context.Context, ticket flightsql.StatementQueryTicket) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	h, err := decodeHandle(ticket.GetStatementHandle())
	if err != nil {
		return nil, nil, err
	}
	q, err := srv.plan(ctx, h)
	if err != nil {
		return nil, nil, err
	}
	var rs runtime.RecordStream
	switch {
	case h.Parts == 0:
		rs, err = q.Stream(ctx)
	case q.Partitions() != h.Parts:
		return nil, nil, staleTicket(q.Partitions(), h.Parts)
	default:
		rs, err = q.ExecutePartition(ctx, h.Part)
	}
	if err != nil {
		return nil, nil, toStatus(err)
	}
	return q.Schema(), streamChunks(ctx, rs, q.Schema()), nil
}

// streamChunks feeds a stream's batches to the Flight writer. The
// goroutine ends at the end of the stream, on its first error, or when
// ctx ends (the client went away); it closes the stream (stopping the
// query) before it closes the channel, so the caller, which drains the
// channel until it is closed, returns only once the query has stopped.
func streamChunks(ctx context.Context, rs runtime.RecordStream, schema *arrow.Schema) <-chan flight.StreamChunk {
	ch := make(chan flight.StreamChunk)
	go func() {
		defer close(ch)
		defer rs.Close()
		for {
			b, err := rs.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				select {
				case ch <- flight.StreamChunk{Err: toStatus(err)}:
				case <-ctx.Done():
				}
				return
			}
			rec := withSchema(b.Record, schema)
			select {
			case ch <- flight.StreamChunk{Data: rec}:
			case <-ctx.Done():
				rec.Release()
				return
			}
		}
	}()
	return ch
}

// CreatePreparedStatement implements flightsql.Server: the statement is
// parsed now (errors surface here) and its handle carries the SQL.
func (srv *Server) CreatePreparedStatement(_ context.Context, req flightsql.ActionCreatePreparedStatementRequest) (flightsql.ActionCreatePreparedStatementResult, error) {
	var res flightsql.ActionCreatePreparedStatementResult
	if len(req.GetTransactionId()) > 0 {
		return res, status.Error(codes.InvalidArgument, "flightserver: transactions are not supported")
	}
	st, err := srv.session.Prepare(req.GetQuery())
	if err != nil {
		return res, toStatus(err)
	}
	fields := make([]arrow.Field, len(st.Params()))
	for i, t := range st.Params() {
		fields[i] = arrow.Field{Name: fmt.Sprintf("$%d", i+1), Type: t, Nullable: true}
	}
	isUpdate := false
	res.Handle = handle{SQL: req.GetQuery()}.encode()
	res.DatasetSchema = st.Schema()
	res.ParameterSchema = arrow.NewSchema(fields, nil)
	res.IsUpdate = &isUpdate
	return res, nil
}

// ClosePreparedStatement implements flightsql.Server; handles hold no
// server state, so there is nothing to free.
func (srv *Server) ClosePreparedStatement(context.Context, flightsql.ActionClosePreparedStatementRequest) error {
	return nil
}

// DoPutPreparedStatementQuery implements flightsql.Server: it binds one
// row of parameters and returns a new handle carrying them (clients
// from Flight SQL 15 on use the returned handle for the execution).
func (srv *Server) DoPutPreparedStatementQuery(_ context.Context, cmd flightsql.PreparedStatementQuery, r flight.MessageReader, _ flight.MetadataWriter) ([]byte, error) {
	h, err := decodeHandle(cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, err
	}
	var row arrow.RecordBatch
	defer func() {
		if row != nil {
			row.Release()
		}
	}()
	rows := int64(0)
	for r.Next() {
		rec := r.RecordBatch()
		rows += rec.NumRows()
		if rec.NumRows() > 0 && row == nil {
			rec.Retain()
			row = rec
		}
	}
	if err := r.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, status.Errorf(codes.InvalidArgument, "flightserver: reading parameters: %v", err)
	}
	if rows > 1 {
		return nil, status.Errorf(codes.InvalidArgument, "flightserver: %d parameter rows were bound; a query takes one row of parameters", rows)
	}
	h.Params = nil
	if row != nil {
		if h.Params, err = encodeParams(srv.cfg.alloc, row); err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
	}
	return h.encode(), nil
}

// GetFlightInfoPreparedStatement implements flightsql.Server.
func (srv *Server) GetFlightInfoPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	h, err := decodeHandle(cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, err
	}
	return srv.flightInfo(ctx, h, desc)
}

// GetSchemaPreparedStatement implements flightsql.Server.
func (srv *Server) GetSchemaPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, _ *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	h, err := decodeHandle(cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, err
	}
	q, err := srv.plan(ctx, h)
	if err != nil {
		return nil, err
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(q.Schema(), srv.cfg.alloc)}, nil
}

// DoGetPreparedStatement implements flightsql.Server for clients that
// redeem the prepared statement's command itself: it runs the whole
// query.
func (srv *Server) DoGetPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	h, err := decodeHandle(cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, nil, err
	}
	q, err := srv.plan(ctx, h)
	if err != nil {
		return nil, nil, err
	}
	rs, err := q.Stream(ctx)
	if err != nil {
		return nil, nil, toStatus(err)
	}
	return q.Schema(), streamChunks(ctx, rs, q.Schema()), nil
}

// DoPutCommandStatementUpdate implements flightsql.Server: the engine is
// read-only, so it fails, with the engine's own message for statements
// it does not support.
func (srv *Server) DoPutCommandStatementUpdate(_ context.Context, cmd flightsql.StatementUpdate) (int64, error) {
	if _, err := srv.session.Prepare(cmd.GetQuery()); err != nil {
		return 0, toStatus(err)
	}
	return 0, status.Error(codes.InvalidArgument, "flightserver: the engine is read-only; run queries with Execute, not ExecuteUpdate")
}

// DoPutPreparedStatementUpdate implements flightsql.Server; it fails as
// DoPutCommandStatementUpdate does.
func (srv *Server) DoPutPreparedStatementUpdate(context.Context, flightsql.PreparedStatementUpdate, flight.MessageReader) (int64, error) {
	return 0, status.Error(codes.InvalidArgument, "flightserver: the engine is read-only; run queries with Execute, not ExecuteUpdate")
}
