package sql

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
)

func TestParseInterval(t *testing.T) {
	day := 24 * time.Hour
	cases := []struct {
		text string
		want time.Duration
	}{
		{"1 hour", time.Hour},
		{"90 minutes", 90 * time.Minute},
		{"2 days 3 hours", 2*day + 3*time.Hour},
		{"1.5 seconds", 1500 * time.Millisecond},
		{"  1 HOUR  ", time.Hour},
		{"1 week", 7 * day},
		{"3 weeks 1 d", 22 * day},
		{"-1 day +2 hours", -22 * time.Hour},
		{"- 1 hour", -time.Hour},
		{"1 day 02:03:04.5", day + 2*time.Hour + 3*time.Minute + 4500*time.Millisecond},
		{"1 02:00", day + 2*time.Hour},
		{"02:03", 2*time.Hour + 3*time.Minute},
		{"-02:03", -(2*time.Hour + 3*time.Minute)},
		{"@ 1 hour ago", -time.Hour},
		{"1 hour ago", -time.Hour},
		{"100", 100 * time.Second},
		{"-0.25", -250 * time.Millisecond},
		{".5 min", 30 * time.Second},
		{"1h30m", 90 * time.Minute},
		{"1h0m0s", time.Hour},
		{"1.5ns", 2 * time.Nanosecond},
		{"250µs", 250 * time.Microsecond},
		{"250 usec", 250 * time.Microsecond},
		{"3 msecs", 3 * time.Millisecond},
		{"1 hr 2 mins 3 secs", time.Hour + 2*time.Minute + 3*time.Second},
		{"PT1H30M", 90 * time.Minute},
		{"P1DT2H", day + 2*time.Hour},
		{"P2W", 14 * day},
		{"pt0.5s", 500 * time.Millisecond},
		{"1 day, 2 hours", day + 2*time.Hour},
		{"1 hour 2", time.Hour + 2*time.Second},
	}
	for _, c := range cases {
		ns, err := parseInterval(c.text, defaultIntervalSpec)
		if err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		v, err := durationValue(ns, arrow.FixedWidthTypes.Duration_ns.(*arrow.DurationType), false)
		if err != nil || time.Duration(v) != c.want {
			t.Errorf("%q = %v (%v), want %v", c.text, time.Duration(v), err, c.want)
		}
	}
}

func TestParseIntervalErrors(t *testing.T) {
	cases := map[string]string{
		"":             "invalid input syntax",
		"abc":          "invalid input syntax",
		"1 fortnight":  "invalid input syntax",
		"2026-01-01":   "invalid input syntax",
		"1 2":          "invalid input syntax",
		"1:2:3:4":      "invalid input syntax",
		"1.2.3 s":      "invalid input syntax",
		"1e3 s":        "invalid input syntax",
		"hour":         "invalid input syntax",
		"P":            "invalid input syntax",
		"PT1D":         "invalid input syntax",
		"1 month":      "interval months are not supported",
		"2 mons":       "interval months are not supported",
		"1 year":       "interval years are not supported",
		"1 century":    "interval years are not supported",
		"P1Y":          "interval years are not supported",
		"P1M":          "interval months are not supported",
		"1 day 1 year": "interval years are not supported",
	}
	for text, want := range cases {
		_, err := parseInterval(text, defaultIntervalSpec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", text, err, want)
		}
	}
}

func TestIntervalSpecModifiers(t *testing.T) {
	cases := []struct {
		mods []int64
		text string
		want time.Duration
	}{
		{[]int64{maskHour}, "1", time.Hour},
		{[]int64{maskDay}, "2", 48 * time.Hour},
		{[]int64{maskDay | maskHour}, "1 day 2 hours 3 minutes", 26 * time.Hour},
		{[]int64{maskMinute | maskSecond}, "1:30", 90 * time.Second},
		{[]int64{maskHour | maskMinute}, "1:30", 90 * time.Minute},
		{[]int64{intervalFullRange, 3}, "1.23456 s", 1235 * time.Millisecond},
		{[]int64{intervalFullRange, 0}, "2.5 s", 2 * time.Second},
		{[]int64{intervalFullRange, intervalFullPrecision}, "2.5 s", 2500 * time.Millisecond},
	}
	for _, c := range cases {
		spec, err := intervalSpecOf(c.mods)
		if err != nil {
			t.Fatalf("%v: %v", c.mods, err)
		}
		ns, err := parseInterval(c.text, spec)
		if err != nil {
			t.Errorf("%v %q: %v", c.mods, c.text, err)
			continue
		}
		v, _ := durationValue(ns, arrow.FixedWidthTypes.Duration_ns.(*arrow.DurationType), false)
		if time.Duration(v) != c.want {
			t.Errorf("%v %q = %v, want %v", c.mods, c.text, time.Duration(v), c.want)
		}
	}
	if _, err := intervalSpecOf([]int64{maskYear | maskMonth}); err == nil {
		t.Error("YEAR TO MONTH accepted")
	}
}

// TestIntervalCastScalarIsExact: text converted to a duration of a given
// unit (parameters) must be a whole number of that unit.
func TestIntervalCastScalarIsExact(t *testing.T) {
	sec := arrow.FixedWidthTypes.Duration_s.(*arrow.DurationType)
	ms := arrow.FixedWidthTypes.Duration_ms.(*arrow.DurationType)
	if v, err := castScalar(expr.String("1.5 seconds"), ms); err != nil || v.Int64Value() != 1500 {
		t.Errorf("1.5 seconds as ms = %v, %v", v, err)
	}
	if _, err := castScalar(expr.String("1.5 seconds"), sec); err == nil || !strings.Contains(err.Error(), "not a whole number of seconds") {
		t.Errorf("1.5 seconds as s: %v", err)
	}
}

func TestBindDurationParams(t *testing.T) {
	st := mustPrepare(t, "SELECT dur FROM types WHERE dur > $1 AND dur < $2")
	p, err := st.Bind("1 hour", 90*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f := p.Children()[0].(*logical.Filter)
	if got, want := f.Predicate.String(), "dur > INTERVAL '1h0m0s' AND dur < INTERVAL '1h30m0s'"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	for _, args := range [][]any{{"1 month", 1}, {time.Microsecond, "1s"}, {"1 s", time.Now()}} {
		if _, err := st.Bind(args...); err == nil {
			t.Errorf("Bind(%v) succeeded", args)
		} else {
			checkError(t, st.SQL, err)
		}
	}
}

// TestBindFoldsConstants: values completing a constant expression are
// folded, so the planner sees `col op literal`; folding errors point at
// the parameter.
func TestBindFoldsConstants(t *testing.T) {
	st := mustPrepare(t, "SELECT region FROM events WHERE user_id > $1 + 1 AND user_id < 10 / $2")
	p, err := st.Bind(4, 2)
	if err != nil {
		t.Fatal(err)
	}
	f := p.Children()[0].(*logical.Filter)
	if got, want := f.Predicate.String(), "user_id > 5 AND user_id < 5"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	_, err = st.Bind(4, 0)
	if err == nil || err.Error() != "line 1, column 69: division by zero" {
		t.Errorf("Bind(4, 0): %v", err)
	}
}
