package main

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Answer is a query result normalised for comparison: every value as a
// string, integers in decimal (whatever Go type the engine returned them
// in: SUM is DECIMAL in MySQL, HUGEINT in DuckDB), timestamps as
// microseconds since the epoch.
type Answer [][]string

// normalize turns one engine value into its comparable string.
func normalize(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case []byte:
		return string(x)
	case int:
		return strconv.Itoa(x)
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return normalize(float64(x))
	case *big.Int:
		return x.String()
	case time.Time:
		return strconv.FormatInt(x.UnixMicro(), 10)
	case arrow.Timestamp:
		return strconv.FormatInt(int64(x), 10)
	case fmt.Stringer:
		s := x.String()
		return strings.TrimSuffix(s, ".0") // decimal.Decimal renders integral sums as "123" or "123.0"
	}
	return fmt.Sprint(v)
}

func toAnswer(rows [][]any) Answer {
	out := make(Answer, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, v := range r {
			out[i][j] = normalize(v)
		}
	}
	return out
}

// diff describes how got differs from want, or returns "".
func (want Answer) diff(got Answer) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d rows, want %d (got %v, want %v)", len(got), len(want), clip(got), clip(want))
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			return fmt.Sprintf("row %d is %v, want %v", i, got[i], want[i])
		}
	}
	return ""
}

func clip(a Answer) Answer {
	if len(a) > 3 {
		return a[:3]
	}
	return a
}
