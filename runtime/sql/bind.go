package sql

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
)

// Bind substitutes args for $1..$n and returns a plan holding only
// literals, ready for the planner. Each argument is converted to its
// parameter's inferred type with CAST semantics; accepted Go values are
// int, int8..int64, uint, uint8..uint64, float32, float64, string, bool,
// time.Time, time.Duration, []byte, nil (NULL) and expr.Scalar.
// Constant sub-expressions the values complete (`x > $1 + 1`) are folded
// as at Prepare. The Statement is not modified, so concurrent Binds are
// safe.
//
// now(), CURRENT_TIMESTAMP and CURRENT_DATE take the time of the call to
// Bind: one value for the whole run of the statement, on every partition.
func (s *Statement) Bind(args ...any) (logical.Plan, error) {
	return s.bindAt(time.Now(), args...)
}

// bindAt is Bind with the statement's start time given.
func (s *Statement) bindAt(now time.Time, args ...any) (logical.Plan, error) {
	if len(args) != len(s.Params) {
		return nil, newError(s.SQL, 0, "statement has %d parameters, got %d arguments", len(s.Params), len(args))
	}
	if len(args) == 0 && !s.usesNow {
		return s.Plan, nil
	}
	values := make([]expr.Scalar, len(args))
	for i, a := range args {
		v, err := toScalar(a, s.Params[i])
		if err != nil {
			return nil, newError(s.SQL, s.paramPos[i], "parameter $%d: %v", i+1, err)
		}
		values[i] = v
	}
	return s.bindPlan(s.Plan, values, now.UTC())
}

// currentTime is the value of now() / CURRENT_DATE of type t at now (UTC).
func currentTime(now time.Time, t arrow.DataType) (expr.Scalar, error) {
	if t.ID() == arrow.DATE32 {
		return expr.Date32(floorDiv(now.Unix(), secondsPerDay)), nil
	}
	tt, ok := t.(*arrow.TimestampType)
	if !ok {
		return expr.Scalar{}, fmt.Errorf("current time of type %s", typeName(t))
	}
	return timestampScalar(now, tt)
}

func (s *Statement) bindPlan(p logical.Plan, values []expr.Scalar, now time.Time) (logical.Plan, error) {
	sub := func(e expr.Expr) (expr.Expr, error) {
		from := map[expr.Expr]int{} // the literal standing for each $n
		substituted := false
		m, err := mapExpr(e, func(x expr.Expr) (expr.Expr, error) {
			if c, ok := x.(*expr.CurrentTime); ok {
				v, err := currentTime(now, c.Type)
				if err != nil {
					return nil, err
				}
				substituted = true
				return &expr.Literal{Value: v}, nil
			}
			if p, ok := x.(*expr.Param); ok {
				if p.Index < 1 || p.Index > len(values) {
					return nil, fmt.Errorf("parameter $%d has no value", p.Index)
				}
				lit := &expr.Literal{Value: values[p.Index-1]}
				from[lit] = p.Index
				return lit, nil
			}
			return x, nil
		})
		if err != nil || (len(from) == 0 && !substituted) {
			return m, err
		}
		return foldConstants(m, func(node expr.Expr, err error) error {
			// Report the error at the first parameter it involves.
			first := 0
			expr.Walk(node, func(x expr.Expr) bool {
				if n, ok := from[x]; ok && (first == 0 || n < first) {
					first = n
				}
				return true
			})
			pos := 0
			if first > 0 {
				pos = s.paramPos[first-1]
			}
			return newError(s.SQL, pos, "%v", err)
		})
	}
	subAll := func(es []expr.Expr) ([]expr.Expr, error) {
		out := make([]expr.Expr, len(es))
		for i, e := range es {
			var err error
			if out[i], err = sub(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var children []logical.Plan
	for _, c := range p.Children() {
		bc, err := s.bindPlan(c, values, now)
		if err != nil {
			return nil, err
		}
		children = append(children, bc)
	}
	var err error
	switch n := p.(type) {
	case *logical.Scan:
		c := *n
		c.Filters, err = subAll(n.Filters)
		return &c, err
	case *logical.Filter:
		c := &logical.Filter{Input: children[0]}
		c.Predicate, err = sub(n.Predicate)
		return c, err
	case *logical.Projection:
		c := &logical.Projection{Input: children[0], Names: n.Names}
		c.Exprs, err = subAll(n.Exprs)
		return c, err
	case *logical.Aggregate:
		c := &logical.Aggregate{Input: children[0], GroupNames: n.GroupNames, AggNames: n.AggNames}
		if c.GroupBy, err = subAll(n.GroupBy); err != nil {
			return nil, err
		}
		for _, a := range n.Aggs {
			m, err := sub(a)
			if err != nil {
				return nil, err
			}
			c.Aggs = append(c.Aggs, m.(*expr.Aggregate))
		}
		return c, nil
	case *logical.Sort:
		c := &logical.Sort{Input: children[0], Keys: make([]logical.SortExpr, len(n.Keys))}
		for i, k := range n.Keys {
			c.Keys[i] = k
			if c.Keys[i].Expr, err = sub(k.Expr); err != nil {
				return nil, err
			}
		}
		return c, nil
	case *logical.Limit:
		c := &logical.Limit{Input: children[0], Offset: n.Offset, Fetch: n.Fetch}
		if s.limit.fetch > 0 {
			if c.Fetch, err = s.limitArg(values, s.limit.fetch, "LIMIT", -1); err != nil {
				return nil, err
			}
		}
		if s.limit.offset > 0 {
			if c.Offset, err = s.limitArg(values, s.limit.offset, "OFFSET", 0); err != nil {
				return nil, err
			}
		}
		return c, nil
	case *logical.Explain:
		return &logical.Explain{Input: children[0], Analyze: n.Analyze}, nil
	case *logical.Join:
		c := &logical.Join{Left: children[0], Right: children[1], Type: n.Type}
		for _, k := range n.Keys {
			l, err := sub(k.Left)
			if err != nil {
				return nil, err
			}
			r, err := sub(k.Right)
			if err != nil {
				return nil, err
			}
			c.Keys = append(c.Keys, logical.JoinKey{Left: l, Right: r})
		}
		if n.Filter != nil {
			if c.Filter, err = sub(n.Filter); err != nil {
				return nil, err
			}
		}
		return c, nil
	case *logical.Union:
		return &logical.Union{Inputs: children, Names: n.Names}, nil
	case *logical.Repeat:
		return &logical.Repeat{Input: children[0], Count: n.Count}, nil
	}
	return nil, fmt.Errorf("sql: cannot bind parameters in plan node %T", p)
}

func (s *Statement) limitArg(values []expr.Scalar, n int, what string, none int) (int, error) {
	v := values[n-1]
	if v.Null {
		return none, nil
	}
	x := v.Int64Value()
	if x < 0 {
		return 0, newError(s.SQL, s.paramPos[n-1], "%s must not be negative", what)
	}
	return int(x), nil
}

// toScalar converts a Go argument to a scalar of type t.
func toScalar(a any, t arrow.DataType) (expr.Scalar, error) {
	var s expr.Scalar
	switch v := a.(type) {
	case nil:
		return expr.Null(t), nil
	case expr.Scalar:
		s = v
	case bool:
		s = expr.Bool(v)
	case int:
		s = expr.Int64(int64(v))
	case int8:
		s = expr.Int64(int64(v))
	case int16:
		s = expr.Int64(int64(v))
	case int32:
		s = expr.Int64(int64(v))
	case int64:
		s = expr.Int64(v)
	case uint:
		s = expr.Uint64(uint64(v))
	case uint8:
		s = expr.Uint64(uint64(v))
	case uint16:
		s = expr.Uint64(uint64(v))
	case uint32:
		s = expr.Uint64(uint64(v))
	case uint64:
		s = expr.Uint64(v)
	case float32:
		s = expr.Float64(float64(v))
	case float64:
		s = expr.Float64(v)
	case string:
		s = expr.String(v)
	case []byte:
		s = expr.Bytes(v)
	case time.Time:
		return timeScalar(v, t)
	case time.Duration:
		dt, ok := t.(*arrow.DurationType)
		if !ok {
			return expr.Scalar{}, fmt.Errorf("cannot use time.Duration as %s", typeName(t))
		}
		per := time.Duration(dt.Unit.Multiplier())
		if v%per != 0 {
			return expr.Scalar{}, fmt.Errorf("%s is not a whole number of %s", v, unitName(dt.Unit))
		}
		return expr.Duration(dt, int64(v/per)), nil
	default:
		return expr.Scalar{}, fmt.Errorf("unsupported argument type %T", a)
	}
	if s.Type == nil {
		return expr.Scalar{}, fmt.Errorf("scalar argument has no type")
	}
	return castScalar(s, t)
}

// timeScalar converts a time.Time to a date or timestamp parameter
// directly, keeping its full precision until the target unit.
func timeScalar(v time.Time, t arrow.DataType) (expr.Scalar, error) {
	switch tt := t.(type) {
	case *arrow.TimestampType:
		if tt.TimeZone == "" {
			// A zone-less timestamp holds wall-clock time.
			y, mo, d := v.Date()
			h, mi, sec := v.Clock()
			v = time.Date(y, mo, d, h, mi, sec, v.Nanosecond(), time.UTC)
		}
		return timestampScalar(v.UTC(), tt)
	case *arrow.Date32Type:
		y, mo, d := v.Date()
		return expr.Date32(floorDiv(time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay)), nil
	case *arrow.StringType:
		return expr.String(v.Format(time.RFC3339Nano)), nil
	}
	return expr.Scalar{}, fmt.Errorf("cannot use time.Time as %s", typeName(t))
}
