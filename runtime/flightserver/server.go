// Package flightserver serves a runtime.Session over Arrow Flight SQL, the
// protocol Arrow-native clients (arrow-go's flightsql.Client, the ADBC
// Flight SQL drivers, the Flight SQL JDBC driver and the tools built on
// them) speak. It is built on arrow-go's flight/flightsql server package.
//
//	err := flightserver.Serve(ctx, "127.0.0.1:31337", session,
//		flightserver.WithToken(os.Getenv("TPGEN_TOKEN")))
//
// It serves statements and prepared statements with parameters, and the
// metadata calls clients make first: GetSqlInfo, GetCatalogs,
// GetDbSchemas, GetTables (with each table's Arrow schema when asked) and
// GetTableTypes. The session is read-only; updates are refused.
//
// A query whose plan splits by partition (see runtime.QueryPlan: a scan
// under filters and projections, optionally under an aggregate computed
// in one phase per key partition) gets one endpoint per partition in its
// FlightInfo, so a client can read them in parallel (from several
// machines, too: every ticket is self-contained and can be redeemed at
// any server serving the same tables). Other plans get one endpoint.
//
// Tickets and prepared-statement handles carry the SQL text and the
// bound parameters rather than server state, so the server keeps nothing
// between calls and a handle outlives a restart. Each DoGet plans its
// query again (the parse comes from the session's statement cache); a
// ticket whose plan no longer has the partition count it was issued for
// (the table changed in between) is refused with FailedPrecondition.
//
// Errors map to gRPC codes: statement errors (syntax, unknown names,
// types, unsupported SQL, parameter binding) are InvalidArgument with the
// engine's message, which names the line and column, and an ErrorInfo
// detail (reason SQL_ERROR) holding line, column, offset and token; a
// cancelled call is
// Canceled; failures while running are Internal with the engine's message
// (which names the operator, table and partition); a missing or wrong
// bearer token is Unauthenticated.
package flightserver

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tpgen/tpgen/runtime"
)

// Option configures a Server.
type Option func(*config) error

type config struct {
	token           string
	tlsConfig       *tls.Config
	alloc           memory.Allocator
	shutdownTimeout time.Duration
	oneEndpoint     bool
}

// WithToken makes the server require "authorization: Bearer <token>" on
// every call; calls without it, or with another token, fail with
// Unauthenticated. An empty token leaves the server open (the default).
// Use it with TLS outside a loopback interface: the token travels in the
// clear otherwise.
func WithToken(token string) Option {
	return func(c *config) error {
		c.token = token
		return nil
	}
}

// WithTLS serves TLS with the PEM certificate and key in the given files.
func WithTLS(certFile, keyFile string) Option {
	return func(c *config) error {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return fmt.Errorf("flightserver: TLS certificate: %w", err)
		}
		c.tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		return nil
	}
}

// WithTLSConfig serves TLS with cfg (for certificates that do not come
// from files, or client certificate checks).
func WithTLSConfig(cfg *tls.Config) Option {
	return func(c *config) error {
		c.tlsConfig = cfg
		return nil
	}
}

// WithAllocator sets the allocator for the server's own Arrow buffers
// (metadata results, decoded parameters); query results use the
// session's. The default is memory.DefaultAllocator.
func WithAllocator(a memory.Allocator) Option {
	return func(c *config) error {
		if a != nil {
			c.alloc = a
		}
		return nil
	}
}

// WithEndpointPerPartition(false) makes every query's FlightInfo carry a
// single endpoint that runs the whole plan (its partitions still run in
// parallel inside the server), for clients that read only the first
// endpoint. The default, true, gives partition-wise plans one endpoint
// per partition.
func WithEndpointPerPartition(on bool) Option {
	return func(c *config) error {
		c.oneEndpoint = !on
		return nil
	}
}

// WithShutdownTimeout sets how long Serve lets running calls finish after
// its context is cancelled before cutting them off (default 5 s).
func WithShutdownTimeout(d time.Duration) Option {
	return func(c *config) error {
		c.shutdownTimeout = d
		return nil
	}
}

// Server is a Flight SQL server over a session. It implements
// flightsql.Server; Serve runs it on a listener.
type Server struct {
	flightsql.BaseServer
	session *runtime.Session
	cfg     config
}

// New returns a server over s. It opens nothing until Serve.
func New(s *runtime.Session, opts ...Option) (*Server, error) {
	if s == nil {
		return nil, errors.New("flightserver: nil session")
	}
	cfg := config{alloc: memory.DefaultAllocator, shutdownTimeout: 5 * time.Second}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	srv := &Server{session: s, cfg: cfg}
	srv.Alloc = metaAlloc
	if err := srv.registerSqlInfo(); err != nil {
		return nil, err
	}
	return srv, nil
}

// Serve listens on addr (host:port; use 127.0.0.1 to stay on this
// machine) and serves s over Flight SQL until ctx is cancelled, then stops
// cleanly and returns nil. It returns an error when it cannot listen or
// serving fails.
func Serve(ctx context.Context, addr string, s *runtime.Session, opts ...Option) error {
	srv, err := New(s, opts...)
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("flightserver: %w", err)
	}
	return srv.Serve(ctx, lis)
}

// FlightService returns the Flight service to register on a grpc.Server
// of your own (flight.RegisterFlightServiceServer); authentication and
// TLS are then that server's job (see GRPCOptions).
func (srv *Server) FlightService() flight.FlightServer {
	return &flightService{FlightServer: flightsql.NewFlightServerWithAllocator(srv, srv.cfg.alloc), srv: srv}
}

// GRPCOptions returns the grpc.ServerOptions that implement the server's
// TLS and token options, for a grpc.Server of your own.
func (srv *Server) GRPCOptions() []grpc.ServerOption {
	var opts []grpc.ServerOption
	if srv.cfg.tlsConfig != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(srv.cfg.tlsConfig)))
	}
	if srv.cfg.token != "" {
		opts = append(opts, grpc.ChainUnaryInterceptor(srv.unaryAuth), grpc.ChainStreamInterceptor(srv.streamAuth))
	}
	return opts
}

// Serve serves on lis until ctx is cancelled, then lets running calls
// finish (for the shutdown timeout at most), closes lis and returns nil.
func (srv *Server) Serve(ctx context.Context, lis net.Listener) error {
	gs := grpc.NewServer(srv.GRPCOptions()...)
	flight.RegisterFlightServiceServer(gs, srv.FlightService())
	done := make(chan error, 1)
	go func() { done <- gs.Serve(lis) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	stopped := make(chan struct{})
	go func() {
		gs.GracefulStop()
		close(stopped)
	}()
	timer := time.NewTimer(srv.cfg.shutdownTimeout)
	defer timer.Stop()
	select {
	case <-stopped:
	case <-timer.C:
		gs.Stop()
		<-stopped
	}
	if err := <-done; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

func (srv *Server) checkToken(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		scheme, tok, ok := strings.Cut(v, " ")
		if ok && strings.EqualFold(scheme, "Bearer") &&
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(srv.cfg.token)) == 1 {
			return nil
		}
	}
	return status.Error(codes.Unauthenticated, "flightserver: missing or invalid bearer token (send \"authorization: Bearer <token>\")")
}

func (srv *Server) unaryAuth(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if err := srv.checkToken(ctx); err != nil {
		return nil, err
	}
	return h(ctx, req)
}

func (srv *Server) streamAuth(s any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if err := srv.checkToken(ss.Context()); err != nil {
		return err
	}
	return h(s, ss)
}
