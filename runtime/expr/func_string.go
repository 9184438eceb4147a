package expr

import (
	"errors"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// String functions, with PostgreSQL's semantics on UTF-8 text: lengths and
// positions count characters, not bytes. lower and upper use Unicode case
// mapping (PostgreSQL's under a UTF-8 locale). Every kernel is a loop over
// the arrays' offsets and bytes; results are utf8 arrays.
var stringFunctions = map[string]funcCompiler{
	"lower":       strFunc(1, 1, textArgs, lowerRow),
	"upper":       strFunc(1, 1, textArgs, upperRow),
	"btrim":       strFunc(1, 2, textArgs, trimRow(true, true)),
	"ltrim":       strFunc(1, 2, textArgs, trimRow(true, false)),
	"rtrim":       strFunc(1, 2, textArgs, trimRow(false, true)),
	"replace":     strFunc(3, 3, textArgs, replaceRow),
	"||":          strFunc(2, 2, textArgs, concatRow),
	"substr":      strFunc(2, 3, substrArgs, substrRow),
	"concat":      compileConcat,
	"length":      compileLength,
	"starts_with": compileStartsWith,
}

func textArgs(_ int, t arrow.DataType) bool { return isText(t) }

func substrArgs(i int, t arrow.DataType) bool {
	if i == 0 {
		return isText(t)
	}
	return t.ID() == arrow.INT64
}

func isText(t arrow.DataType) bool { return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING }

// strView reads a string or binary array of either offset width.
type strView struct {
	offs32 []int32
	offs64 []int64
	data   []byte
}

func viewStrings(a arrow.Array) strView {
	switch a.DataType().ID() {
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		offs, data := binaryParts[int64](a)
		return strView{offs64: offs, data: data}
	}
	offs, data := binaryParts[int32](a)
	return strView{offs32: offs, data: data}
}

// at returns value i without copying; it must not outlive the array.
func (v strView) at(i int) string {
	if v.offs32 != nil {
		return bstr(v.data[v.offs32[i]:v.offs32[i+1]])
	}
	return bstr(v.data[v.offs64[i]:v.offs64[i+1]])
}

// strBuilder accumulates a utf8 result column.
type strBuilder struct {
	offs []int32
	data []byte
	err  error
}

func newStrBuilder(n, hint int) *strBuilder {
	b := &strBuilder{offs: make([]int32, 1, n+1), data: make([]byte, 0, hint)}
	return b
}

var errStringTooLong = errors.New("string result exceeds 2 GiB in one batch")

func (b *strBuilder) append(s string) {
	b.data = append(b.data, s...)
	b.end()
}

// end closes the value being written into b.data directly.
func (b *strBuilder) end() {
	if len(b.data) > math.MaxInt32 {
		b.err = errStringTooLong
		b.data = b.data[:0]
	}
	b.offs = append(b.offs, int32(len(b.data)))
}

func (b *strBuilder) finish(mem memory.Allocator, valid []byte) (arrow.Array, error) {
	if b.err != nil {
		return nil, b.err
	}
	n := len(b.offs) - 1
	ob, offs := newFixed[int32](mem, n+1)
	copy(offs, b.offs)
	db := newBuf(mem, len(b.data))
	copy(db.Bytes(), b.data)
	vb, nulls := validityBuf(mem, valid, n)
	return makeArray(arrow.BinaryTypes.String, n, []*memory.Buffer{vb, ob, db}, nulls), nil
}

// allValid combines the validity of every argument (nil: no NULLs).
func allValid(arrs []arrow.Array) []byte {
	var v []byte
	for _, a := range arrs {
		v = andValidity(v, validity(a), a.Len())
	}
	return v
}

// rowFunc maps the arguments of one row to one string: text arguments in
// s, integer ones in n (at the same index).
type rowFunc func(s []string, n []int64, b *strBuilder) error

// strFunc builds a strict function returning text whose kernel is row,
// applied to each row whose arguments are all non-NULL.
func strFunc(minN, maxN int, ok func(int, arrow.DataType) bool, row rowFunc) funcCompiler {
	return func(args []node, f *Func) (node, error) {
		if err := checkArgs(f, args, minN, maxN, ok); err != nil {
			return nil, err
		}
		if k := strict(args, f); k != nil {
			return k, nil
		}
		// Constant arguments arrive as one-element arrays (oneConst):
		// their value is read once, not once per row.
		isConst := make([]bool, len(args))
		lead := -1
		for i, a := range args {
			_, isConst[i] = a.(*constNode)
			if !isConst[i] && lead < 0 {
				lead = i
			}
		}
		if lead < 0 {
			lead = 0 // all constant: fold evaluates it over one row
		}
		return &funcNode{name: f.Name, args: args, t: arrow.BinaryTypes.String, oneConst: true, k: func(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
			n := arrs[lead].Len()
			var valid []byte
			for i, a := range arrs {
				if !isConst[i] {
					valid = andValidity(valid, validity(a), n)
				}
			}
			views := make([]strView, len(arrs))
			ints := make([][]int64, len(arrs))
			rs, rn := make([]string, len(arrs)), make([]int64, len(arrs))
			var perRow []int
			for i, a := range arrs {
				text := isText(a.DataType())
				switch {
				case text:
					views[i] = viewStrings(a)
				default:
					ints[i] = values[int64](a)
				}
				switch {
				case !isConst[i]:
					perRow = append(perRow, i)
				case text:
					rs[i] = views[i].at(0)
				default:
					rn[i] = ints[i][0]
				}
			}
			b := newStrBuilder(n, len(views[lead].data))
			for r := 0; r < n; r++ {
				if !isValid(valid, r) {
					b.end()
					continue
				}
				for _, i := range perRow {
					if ints[i] == nil {
						rs[i] = views[i].at(r)
					} else {
						rn[i] = ints[i][r]
					}
				}
				if err := row(rs, rn, b); err != nil {
					return nil, err
				}
			}
			return b.finish(mem, valid)
		}}, nil
	}
}

func lowerRow(s []string, _ []int64, b *strBuilder) error {
	b.append(strings.ToLower(s[0]))
	return nil
}

func upperRow(s []string, _ []int64, b *strBuilder) error {
	b.append(strings.ToUpper(s[0]))
	return nil
}

func concatRow(s []string, _ []int64, b *strBuilder) error {
	b.data = append(b.data, s[0]...)
	b.append(s[1])
	return nil
}

// trimRow removes the longest run of characters from chars (a space by
// default) at the chosen ends.
func trimRow(left, right bool) rowFunc {
	return func(s []string, _ []int64, b *strBuilder) error {
		chars := " "
		if len(s) > 1 {
			chars = s[1]
		}
		v := s[0]
		if left {
			v = strings.TrimLeft(v, chars)
		}
		if right {
			v = strings.TrimRight(v, chars)
		}
		b.append(v)
		return nil
	}
}

func replaceRow(s []string, _ []int64, b *strBuilder) error {
	if s[1] == "" {
		b.append(s[0]) // PostgreSQL replaces nothing for an empty pattern
		return nil
	}
	b.append(strings.ReplaceAll(s[0], s[1], s[2]))
	return nil
}

// substrRow is PostgreSQL's substr(s, start [, count]): the characters at
// positions start .. start+count-1 (1-based) that exist, so a start
// before 1 shortens the result; a negative count is an error.
func substrRow(s []string, n []int64, b *strBuilder) error {
	v, start := s[0], n[1]
	end := int64(math.MaxInt64)
	if len(n) > 2 {
		count := n[2]
		if count < 0 {
			return errors.New("negative substring length not allowed")
		}
		if start > 0 && count > math.MaxInt64-start {
			end = math.MaxInt64
		} else {
			end = start + count
		}
	}
	if start < 1 {
		start = 1
	}
	if end <= start {
		b.append("")
		return nil
	}
	if isASCII(v) {
		// One byte per character: positions are byte offsets.
		from, to := min(start-1, int64(len(v))), min(end-1, int64(len(v)))
		b.append(v[from:to])
		return nil
	}
	pos := int64(1)
	from, to := len(v), len(v)
	for i := range v {
		if pos == start {
			from = i
		}
		if pos == end {
			to = i
			break
		}
		pos++
	}
	if from > to {
		from = to
	}
	b.append(v[from:to])
	return nil
}

// concat(args...) joins the text of its non-NULL arguments (the binder
// casts every argument to text); it is never NULL.
func compileConcat(args []node, f *Func) (node, error) {
	if err := checkArgs(f, args, 1, math.MaxInt, textArgs); err != nil {
		return nil, err
	}
	var kept []node
	for _, a := range args {
		if !isNullConst(a) {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		return &constNode{s: String("")}, nil
	}
	return &funcNode{name: f.Name, args: kept, t: arrow.BinaryTypes.String, k: func(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
		n := arrs[0].Len()
		views := make([]strView, len(arrs))
		valids := make([][]byte, len(arrs))
		hint := 0
		for i, a := range arrs {
			views[i], valids[i] = viewStrings(a), validity(a)
			hint += len(views[i].data)
		}
		b := newStrBuilder(n, hint)
		for r := 0; r < n; r++ {
			for i := range arrs {
				if isValid(valids[i], r) {
					b.data = append(b.data, views[i].at(r)...)
				}
			}
			b.end()
		}
		return b.finish(mem, nil)
	}}, nil
}

// length(text) counts characters (an INTEGER).
func compileLength(args []node, f *Func) (node, error) {
	if err := checkArgs(f, args, 1, 1, func(_ int, t arrow.DataType) bool { return isText(t) || isTextOrBinary(t) }); err != nil {
		return nil, err
	}
	if k := strict(args, f); k != nil {
		return k, nil
	}
	bytesOnly := !isText(args[0].dataType())
	return &funcNode{name: f.Name, args: args, t: arrow.PrimitiveTypes.Int32, k: func(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
		a := arrs[0]
		v := viewStrings(a)
		buf, out := newFixed[int32](mem, a.Len())
		for i := range out {
			s := v.at(i)
			if bytesOnly {
				out[i] = int32(len(s))
			} else {
				out[i] = int32(utf8.RuneCountInString(s))
			}
		}
		return fixedArray(mem, arrow.PrimitiveTypes.Int32, a.Len(), buf, validity(a)), nil
	}}, nil
}

// starts_with(s, prefix) is a BOOLEAN.
func compileStartsWith(args []node, f *Func) (node, error) {
	if err := checkArgs(f, args, 2, 2, textArgs); err != nil {
		return nil, err
	}
	if k := strict(args, f); k != nil {
		return k, nil
	}
	return &funcNode{name: f.Name, args: args, t: boolType, k: func(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
		n := arrs[0].Len()
		s, p := viewStrings(arrs[0]), viewStrings(arrs[1])
		buf, bits := newBitmap(mem, n)
		for i := 0; i < n; i++ {
			if strings.HasPrefix(s.at(i), p.at(i)) {
				bits[i>>3] |= 1 << (i & 7)
			}
		}
		return fixedArray(mem, boolType, n, buf, allValid(arrs)), nil
	}}, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
