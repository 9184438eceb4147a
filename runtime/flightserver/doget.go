package flightserver

import (
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/tpgen/tpgen/runtime"
)

// flightService is flightsql's routing of Flight calls to the Server,
// except that DoGet of a query writes the query's batches to the client
// itself, in the calling goroutine. flightsql's own DoGet reads them from
// a channel fed by another goroutine and, when writing a batch fails (the
// client went away), drops that batch without releasing it; writing here
// releases every batch and needs no goroutine.
type flightService struct {
	flight.FlightServer
	srv *Server
}

// DoGet implements flight.FlightServer.
func (f *flightService) DoGet(t *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	var cmd anypb.Any
	if err := proto.Unmarshal(t.GetTicket(), &cmd); err == nil {
		var tq pb.TicketStatementQuery
		if cmd.UnmarshalTo(&tq) == nil {
			return f.srv.doGetQuery(stream, tq.GetStatementHandle(), true)
		}
		var pq pb.CommandPreparedStatementQuery
		if cmd.UnmarshalTo(&pq) == nil {
			return f.srv.doGetQuery(stream, pq.GetPreparedStatementHandle(), false)
		}
	}
	return f.FlightServer.DoGet(t, stream)
}

// doGetQuery runs the handle's query, its ticketed part when ticket is
// set and the whole query otherwise, and writes the batches to stream.
func (srv *Server) doGetQuery(stream flight.FlightService_DoGetServer, b []byte, ticket bool) error {
	ctx := stream.Context()
	h, err := decodeHandle(b)
	if err != nil {
		return err
	}
	q, err := srv.plan(ctx, h)
	if err != nil {
		return err
	}
	var s runtime.RecordStream
	switch {
	case !ticket || h.Parts == 0:
		s, err = q.Stream(ctx)
	case h.Parts > 0 && q.Partitions() != h.Parts:
		return staleTicket(q.Partitions(), h.Parts)
	default:
		s, err = q.ExecutePartition(ctx, h.Part)
	}
	if err != nil {
		return toStatus(err)
	}
	defer s.Close()
	schema := q.Schema()
	w := flight.NewRecordWriter(stream, ipc.WithSchema(schema), ipc.WithAllocator(srv.cfg.alloc))
	for {
		bt, err := s.Next()
		if errors.Is(err, io.EOF) {
			return w.Close()
		}
		if err != nil {
			w.Close()
			return toStatus(err)
		}
		rec := withSchema(bt.Record, schema)
		err = w.Write(rec)
		rec.Release()
		if err != nil {
			w.Close()
			return err
		}
	}
}

func staleTicket(now, issued int) error {
	return status.Errorf(codes.FailedPrecondition,
		"flightserver: the query now plans into %d parts, the ticket was issued for %d (did the table change?); call GetFlightInfo again", now, issued)
}

// withSchema returns rec under schema (same columns; the names the plan's
// root reports), taking over rec's reference.
func withSchema(rec arrow.RecordBatch, schema *arrow.Schema) arrow.RecordBatch {
	if rec.Schema().Equal(schema) {
		return rec
	}
	fixed := array.NewRecordBatch(schema, rec.Columns(), rec.NumRows())
	rec.Release()
	return fixed
}
