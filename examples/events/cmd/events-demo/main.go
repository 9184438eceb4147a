// Command events-demo queries the generated events table (8 regions of
// 10,000 synthetic events) through a runtime.Session. By default it prints
// a few results as tables (one joining a second table, regions), and
// EXPLAIN before and after pushdown and of a co-partitioned join:
//
//	go run ./examples/events/cmd/events-demo
//
// With -shell it is an interactive SQL shell over the table (line
// editing, multi-line statements ending in ;, \timing, \d, EXPLAIN), and
// with -serve it serves the table over Arrow Flight SQL:
//
//	go run ./examples/events/cmd/events-demo -shell
//	go run ./examples/events/cmd/events-demo -serve 127.0.0.1:31337
//	go run ./examples/events/cmd/events-demo -serve 127.0.0.1:31337 -shell   # both
//
// -token (or $TPGEN_FLIGHT_TOKEN) makes the server require that bearer
// token; -tls-cert and -tls-key make it serve TLS.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tpgen/tpgen/examples/events"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/flightserver"
)

type options struct {
	shell           bool
	serve           string
	token           string
	tlsCert, tlsKey string
	regions, perRgn int
}

func main() {
	var o options
	flag.BoolVar(&o.shell, "shell", false, "run an interactive SQL shell over the events table")
	flag.StringVar(&o.serve, "serve", "", "serve the events table over Arrow Flight SQL on this address (e.g. 127.0.0.1:31337)")
	flag.StringVar(&o.token, "token", os.Getenv("TPGEN_FLIGHT_TOKEN"), "bearer token the Flight SQL server requires (default $TPGEN_FLIGHT_TOKEN; empty: none)")
	flag.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate file: serve Flight SQL over TLS (with -tls-key)")
	flag.StringVar(&o.tlsKey, "tls-key", "", "PEM key file for -tls-cert")
	flag.IntVar(&o.regions, "regions", 8, "number of regions (partitions) of the synthetic table")
	flag.IntVar(&o.perRgn, "rows", 10_000, "rows per region")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "events-demo:", err)
		os.Exit(1)
	}
}

func newSession(o options) (*runtime.Session, error) {
	s := runtime.NewSession()
	if err := s.Register("events", events.NewTable(&events.Synth{Regions: o.regions, PerRegion: o.perRgn})); err != nil {
		return nil, err
	}
	// A second table, partitioned like events, to join with (the process
	// keeps it for its whole life, so it is never released).
	regions, err := events.RegionsTable(o.regions)
	if err != nil {
		return nil, err
	}
	if err := s.Register("regions", regions); err != nil {
		return nil, err
	}
	return s, nil
}

func run(ctx context.Context, o options, out io.Writer) error {
	s, err := newSession(o)
	if err != nil {
		return err
	}
	if o.serve == "" && !o.shell {
		return demo(ctx, s, out)
	}
	var served chan error
	if o.serve != "" {
		var opts []flightserver.Option
		if o.token != "" {
			opts = append(opts, flightserver.WithToken(o.token))
		}
		if o.tlsCert != "" || o.tlsKey != "" {
			opts = append(opts, flightserver.WithTLS(o.tlsCert, o.tlsKey))
		}
		if !o.shell {
			fmt.Fprintf(out, "serving Flight SQL on %s (tables: events); Ctrl-C stops\n", o.serve)
			return flightserver.Serve(ctx, o.serve, s, opts...)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		served = make(chan error, 1)
		go func() { served <- flightserver.Serve(ctx, o.serve, s, opts...) }()
		fmt.Fprintf(out, "serving Flight SQL on %s while the shell runs\n", o.serve)
		defer func() {
			cancel()
			if err := <-served; err != nil {
				fmt.Fprintln(os.Stderr, "events-demo: flight server:", err)
			}
		}()
	}
	err = runShellOnStdio(ctx, s)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func demo(ctx context.Context, s *runtime.Session, out io.Writer) error {
	for _, sql := range []string{
		"SELECT region, count(*), sum(amount) FROM events GROUP BY region ORDER BY region",
		"SELECT event_type, count(*) FROM events WHERE region IN ('region-01', 'region-02') GROUP BY event_type ORDER BY event_type",
		"SELECT region, ts, user_id, amount FROM events WHERE region = 'region-03' AND ts >= '2026-01-01 02:00:00+00' ORDER BY ts LIMIT 5",
		"SELECT r.manager, count(*), sum(e.amount) FROM events e JOIN regions r ON e.region = r.name GROUP BY r.manager ORDER BY r.manager",
	} {
		res, err := s.Query(ctx, sql)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s\n\n%s\n", sql, res)
		res.Release()
	}
	for _, c := range []struct{ title, sql string }{
		{"no pushdown possible: user_id is not a pushable column, so FilterExec reads all 8 partitions",
			"SELECT count(*) FROM events WHERE user_id = 42"},
		{"after pushdown: region is exact, so the FilterExec is gone and 1 of 8 partitions is read",
			"SELECT sum(amount) FROM events WHERE region = 'region-03'"},
		{"inexact pushdown: ts prunes data in the source, and FilterExec stays above the scan",
			"SELECT count(*) FROM events WHERE ts > '2026-01-01 02:00:00+00'"},
		{"co-partitioned join: both tables hold one region per partition, in the same order, so partition i joins partition i (no RepartitionExec), and the filter on r.name also reaches the events scan",
			"SELECT e.region, r.manager, count(*) FROM events e JOIN regions r ON e.region = r.name WHERE r.name IN ('region-01', 'region-02') GROUP BY e.region, r.manager"},
	} {
		plan, err := s.Explain(ctx, c.sql)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "-- %s\nEXPLAIN %s\n%s\n", c.title, c.sql, plan)
	}
	return nil
}
