package physical

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
)

// AggregateMode says which part of an aggregation a HashAggregateExec does.
type AggregateMode int

const (
	// AggregateSingle aggregates its whole input at once into one
	// partition (reading every input partition, concurrently).
	AggregateSingle AggregateMode = iota
	// AggregatePartial aggregates each input partition into partial
	// states (group keys, then each aggregate's state columns), to be
	// repartitioned by group key and finished by AggregateFinal.
	AggregatePartial
	// AggregateFinal merges the partial states of each of its input
	// partitions; rows of one group must all be in the same partition.
	AggregateFinal
	// AggregateSinglePartitioned aggregates each partition on its own,
	// which is correct when the input is key-partitioned on a subset of
	// the group keys (or was repartitioned on them).
	AggregateSinglePartitioned
)

// String returns the mode as EXPLAIN shows it.
func (m AggregateMode) String() string {
	switch m {
	case AggregatePartial:
		return "Partial"
	case AggregateFinal:
		return "Final"
	case AggregateSinglePartitioned:
		return "SinglePartitioned"
	}
	return "Single"
}

// AggregateExpr is one aggregate function call of an aggregation.
type AggregateExpr struct {
	Func     expr.AggFunc
	Arg      expr.Expr // nil for count(*)
	Distinct bool
	// Name is the output column's name.
	Name string
	// Type is the result type. Nil picks the natural one: int64 for count,
	// the sumType of the argument for sum, the argument's type for min and
	// max, float64 for avg. Another type is reached by a cast at the end.
	Type arrow.DataType
}

// String renders the call in SQL, e.g. "sum(v)" or "count(DISTINCT x)".
func (a AggregateExpr) String() string {
	return (&expr.Aggregate{Func: a.Func, Arg: a.Arg, Distinct: a.Distinct}).String()
}

// naturalType is the type the accumulator produces.
func (a AggregateExpr) naturalType() (arrow.DataType, error) {
	switch a.Func {
	case expr.AggCount:
		return arrow.PrimitiveTypes.Int64, nil
	case expr.AggSum:
		return sumType(a.Arg.DataType())
	case expr.AggMin, expr.AggMax:
		return a.Arg.DataType(), nil
	case expr.AggAvg:
		return arrow.PrimitiveTypes.Float64, nil
	}
	return nil, fmt.Errorf("unknown aggregate function %d", a.Func)
}

// check validates the call and returns its result type.
func (a AggregateExpr) check(partial bool) (arrow.DataType, error) {
	if a.Arg == nil && !(a.Func == expr.AggCount && !a.Distinct) {
		return nil, fmt.Errorf("%s needs an argument", a.Func)
	}
	if a.Distinct {
		switch a.Func {
		case expr.AggCount:
			if partial {
				return nil, fmt.Errorf("%s cannot be computed in partial and final phases; repartition the input by the group keys", a)
			}
		case expr.AggSum, expr.AggAvg:
			if partial {
				return nil, fmt.Errorf("%s cannot be computed in partial and final phases; repartition the input by the group keys", a)
			}
		case expr.AggMin, expr.AggMax:
		default:
			return nil, fmt.Errorf("%s is not supported", a)
		}
	}
	if _, err := a.newAccumulator(); err != nil {
		return nil, err
	}
	nat, err := a.naturalType()
	if err != nil {
		return nil, err
	}
	if a.Type == nil {
		return nat, nil
	}
	return a.Type, nil
}

func (a AggregateExpr) newAccumulator() (accumulator, error) {
	switch a.Func {
	case expr.AggCount:
		if a.Distinct {
			if err := checkKeyType(a.Arg.DataType()); err != nil {
				return nil, err
			}
			return &countDistinctAcc{}, nil
		}
		return &countAcc{}, nil
	case expr.AggSum:
		if a.Distinct {
			return newDistinctAcc(a.Arg.DataType(), func() (accumulator, error) { return newSumAcc(a.Arg.DataType()) })
		}
		return newSumAcc(a.Arg.DataType())
	case expr.AggMin, expr.AggMax:
		return newMinMaxAcc(a.Arg.DataType(), a.Func == expr.AggMax)
	case expr.AggAvg:
		if a.Distinct {
			return newDistinctAcc(a.Arg.DataType(), func() (accumulator, error) { return newAvgAcc(a.Arg.DataType()) })
		}
		return newAvgAcc(a.Arg.DataType())
	}
	return nil, fmt.Errorf("unknown aggregate function %d", a.Func)
}

// stateFields lists the partial state columns of the call.
func (a AggregateExpr) stateFields() ([]arrow.Field, error) {
	switch a.Func {
	case expr.AggAvg:
		return []arrow.Field{
			{Name: a.Name + "[sum]", Type: avgStateType(a.Arg.DataType()), Nullable: true},
			{Name: a.Name + "[count]", Type: arrow.PrimitiveTypes.Int64},
		}, nil
	case expr.AggSum:
		t, err := sumStateType(a.Arg.DataType())
		if err != nil {
			return nil, err
		}
		return []arrow.Field{{Name: a.Name, Type: t, Nullable: true}}, nil
	}
	t, err := a.naturalType()
	if err != nil {
		return nil, err
	}
	return []arrow.Field{{Name: a.Name, Type: t, Nullable: a.Func != expr.AggCount}}, nil
}
