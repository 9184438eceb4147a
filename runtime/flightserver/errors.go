package flightserver

import (
	"context"
	"errors"
	"strconv"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tpgen/tpgen/runtime/sql"
)

// toStatus maps an engine error to a gRPC status (see the package doc).
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var se *sql.Error
	switch {
	case errors.As(err, &se):
		st := status.New(codes.InvalidArgument, err.Error())
		// The position, machine-readable, for clients that highlight it.
		if d, derr := st.WithDetails(&errdetails.ErrorInfo{
			Reason: "SQL_ERROR",
			Domain: "tpgen",
			Metadata: map[string]string{
				"line": strconv.Itoa(se.Line), "column": strconv.Itoa(se.Col),
				"offset": strconv.Itoa(se.Pos), "token": se.Token, "message": se.Msg,
			},
		}); derr == nil {
			st = d
		}
		return st.Err()
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}
