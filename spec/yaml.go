package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// keyDef is one key a YAML mapping of the spec may contain.
type keyDef struct {
	name     string
	required bool
}

// mappingDefs is the single table of the keys each kind of mapping in a spec
// accepts. The decoder rejects any other key and reports missing required
// ones from it, and a test checks that the JSON Schema's properties and
// required lists match it exactly, so the two cannot drift apart.
var mappingDefs = []struct {
	name string // "spec" is the top level; the others are $defs in the schema
	keys []keyDef
}{
	{"spec", []keyDef{{"version", true}, {"table", true}, {"doc", false}, {"columns", true},
		{"partitioning", false}, {"ordering", false}, {"pushdown", false}, {"statistics", false}}},
	{"column", []keyDef{{"name", true}, {"type", true}, {"nullable", false}, {"doc", false}}},
	{"partitioning", []keyDef{{"key", false}, {"range", false}}},
	{"range", []keyDef{{"column", true}}},
	{"pushdown", []keyDef{{"projection", false}, {"limit", false}, {"filters", false}}},
	{"filter", []keyDef{{"column", true}, {"ops", true}, {"exact", false}}},
	{"statistics", []keyDef{{"rows", false}, {"exact", false}, {"columns", false}}},
}

func keysOf(mapping string) []keyDef {
	for _, m := range mappingDefs {
		if m.name == mapping {
			return m.keys
		}
	}
	return nil
}

// keyReadHook, when set (by tests), is told of every key the decoder reads.
// A test uses it to prove that each key in mappingDefs is really decoded.
var keyReadHook func(mapping, key string)

// decoder turns a yaml.Node tree into a Spec, collecting every error instead
// of stopping at the first.
type decoder struct {
	file string
	errs ErrorList
}

func (d *decoder) errorAt(line, col int, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: max(line, 1), Col: max(col, 1), Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errorAt(n.Line, n.Column, format, args...)
}

// fields holds the decoded keys of one mapping.
type fields struct {
	mapping string
	node    *yaml.Node
	vals    map[string]*yaml.Node
	keys    map[string]*yaml.Node
}

// get returns the value node of key, or nil when the key is absent.
func (f *fields) get(key string) *yaml.Node {
	if keyReadHook != nil {
		keyReadHook(f.mapping, key)
	}
	return f.vals[key]
}

// mapping checks that n is a mapping of the given kind (see mappingDefs),
// reporting non-string, unknown, duplicate and missing required keys. label
// names the mapping in messages ("column \"ts\""). It returns nil when n is
// not a mapping at all.
func (d *decoder) mapping(n *yaml.Node, mapping, label string) *fields {
	if !d.expect(n, yaml.MappingNode, label, "a mapping") {
		return nil
	}
	defs := keysOf(mapping)
	names := make([]string, len(defs))
	for i, k := range defs {
		names[i] = k.name
	}
	f := &fields{mapping: mapping, node: n, vals: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode {
			continue // reported by checkAliases
		}
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			d.errorf(k, "keys of %s must be plain names, found %s; allowed: %s", label, describe(k), list(names))
			continue
		}
		if first, dup := f.keys[k.Value]; dup {
			d.errorf(k, "duplicate key %q in %s; first defined at line %d", k.Value, label, first.Line)
			continue
		}
		known := false
		for _, def := range defs {
			known = known || def.name == k.Value
		}
		if !known {
			if s := suggest(k.Value, names); s != "" {
				d.errorf(k, "unknown key %q in %s; did you mean %q?", k.Value, label, s)
			} else {
				d.errorf(k, "unknown key %q in %s; allowed: %s", k.Value, label, list(names))
			}
			continue
		}
		f.keys[k.Value] = k
		f.vals[k.Value] = v
	}
	for _, def := range defs {
		if _, ok := f.vals[def.name]; def.required && !ok {
			d.errorf(n, "%s is missing required key %q", label, def.name)
		}
	}
	return f
}

// expect reports whether n has the wanted kind, and reports an error saying
// what was found when it has not. Aliases were already reported by
// checkAliases, so they fail silently.
func (d *decoder) expect(n *yaml.Node, kind yaml.Kind, what, want string) bool {
	if n.Kind == kind {
		return true
	}
	if n.Kind != yaml.AliasNode {
		d.errorf(n, "%s must be %s, found %s", what, want, describe(n))
	}
	return false
}

// str decodes a string scalar. YAML's plain scalars that look like numbers,
// booleans or null are not strings; quote them ("1") to make them one.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		return n.Value, true
	}
	if n.Kind != yaml.AliasNode {
		d.errorf(n, "%s must be a string, found %s", what, describe(n))
	}
	return "", false
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		return strings.EqualFold(n.Value, "true"), true
	}
	if n.Kind != yaml.AliasNode {
		d.errorf(n, "%s must be true or false, found %s", what, describe(n))
	}
	return false, false
}

func (d *decoder) integer(n *yaml.Node, what string) (int64, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err == nil {
			return v, true
		}
		d.errorf(n, "%s %s is out of range; allowed: up to %d", what, n.Value, int64(1<<63-1))
		return 0, false
	}
	if n.Kind != yaml.AliasNode {
		d.errorf(n, "%s must be an integer, found %s", what, describe(n))
	}
	return 0, false
}

// seq decodes a list, reporting an error for anything else.
func (d *decoder) seq(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Value != "" {
		// ordering: ts asc, key: region, ops: eq: one item where a list is wanted.
		d.errorf(n, "%s must be a list, found %s; write [%s]", what, describe(n), n.Value)
		return nil, false
	}
	if !d.expect(n, yaml.SequenceNode, what, "a list") {
		return nil, false
	}
	return n.Content, true
}

// describe names what a node is, for "found ..." in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	v := n.Value
	if utf8.RuneCountInString(v) > 40 {
		v = string([]rune(v)[:40]) + "..."
	}
	switch n.ShortTag() {
	case "!!str":
		return "string " + quote(v)
	case "!!int":
		return "integer " + v
	case "!!float":
		return "number " + v
	case "!!bool":
		return "boolean " + v
	case "!!null":
		return "null"
	case "!!timestamp":
		return "timestamp " + v
	case "!!binary":
		return "binary data"
	}
	return "a value tagged " + n.ShortTag()
}

// checkAliases reports the first YAML alias and how many there are, and
// says whether there is any. Specs are small and aliases would let a few
// bytes expand into a huge tree (the "billion laughs" attack), so they are
// rejected outright and the file is not decoded further: one error, not one
// per alias and per key the expansion would break. The walk does not follow
// aliases, so it is linear.
func (d *decoder) checkAliases(root *yaml.Node) bool {
	var first *yaml.Node
	n := 0
	var walk func(*yaml.Node)
	walk = func(node *yaml.Node) {
		if node.Kind == yaml.AliasNode {
			if first == nil {
				first = node
			}
			n++
			return
		}
		for _, c := range node.Content {
			walk(c)
		}
	}
	walk(root)
	switch {
	case n == 1:
		d.errorf(first, "YAML aliases (*%s) are not supported in specs; write the value out", first.Value)
	case n > 1:
		d.errorf(first, "YAML aliases (*%s and %d more) are not supported in specs; write the values out", first.Value, n-1)
	}
	return n > 0
}

// parseYAML parses data into its single document's root node. YAML syntax
// errors become positioned errors; it returns nil when there is no usable
// document.
func (d *decoder) parseYAML(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorAt(1, 1, "empty spec; expected a mapping with keys %s", list(requiredKeys("spec")))
		} else {
			d.yamlError(data, err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorAt(extra.Line, extra.Column, "a spec file holds one YAML document, found a second one; remove the --- separator and what follows")
	} else if !errors.Is(err, io.EOF) {
		d.yamlError(data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		d.errorAt(1, 1, "empty spec; expected a mapping with keys %s", list(requiredKeys("spec")))
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		d.errorf(root, "empty spec; expected a mapping with keys %s", list(requiredKeys("spec")))
		return nil
	}
	return root
}

func requiredKeys(mapping string) []string {
	var ks []string
	for _, k := range keysOf(mapping) {
		if k.required {
			ks = append(ks, k.name)
		}
	}
	return ks
}

// yamlParserErrors are the messages of yaml.v3's parser (as opposed to its
// scanner), whose line numbers it reports 0-based.
var yamlParserErrors = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError converts a yaml.v3 syntax error, which knows at most a line, into
// a positioned error. It points at the real culprit where it can find it:
// a tab in indentation (the most common mistake in hand-written YAML), a
// control character or invalid UTF-8.
func (d *decoder) yamlError(data []byte, err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if yamlParserErrors[msg] {
			// yaml.v3 adds one to 0-based lines for scanner errors only;
			// parser errors come out one line early.
			line++
		}
	}
	lines := strings.Split(string(data), "\n")
	// A tab in indentation is reported by yaml.v3 as "found character that
	// cannot start any token" or worse; say what it is instead.
	for i, l := range lines {
		if line > 0 && i >= line {
			break
		}
		for j, r := range l {
			if r == '\t' {
				d.errorAt(i+1, utf8.RuneCountInString(l[:j])+1, "tab character in indentation; YAML indents with spaces only")
				return
			}
			if r != ' ' {
				break
			}
		}
	}
	if !utf8.Valid(data) {
		l, c := position(data, firstInvalidUTF8(data))
		d.errorAt(l, c, "invalid UTF-8; a spec must be UTF-8 text")
		return
	}
	if strings.Contains(msg, "control characters") {
		for i, r := range string(data) {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
				l, c := position(data, i)
				d.errorAt(l, c, "invalid YAML: control character %U is not allowed", r)
				return
			}
		}
	}
	if line == 0 {
		line = findErrorLine(lines, err.Error())
	}
	line = min(line, len(lines)) // errors at the end of input may point past it
	col := 1
	if line >= 1 && line <= len(lines) {
		l := lines[line-1]
		trimmed := strings.TrimLeft(l, " ")
		if trimmed != "" {
			col = utf8.RuneCountInString(l) - utf8.RuneCountInString(trimmed) + 1
		}
		// For an unclosed flow collection, point at its opening bracket.
		open := map[string]string{"did not find expected ',' or '}'": "{", "did not find expected ',' or ']'": "["}[msg]
		if i := strings.Index(l, open); open != "" && i >= 0 {
			col = utf8.RuneCountInString(l[:i]) + 1
		}
	}
	if hint := yamlHints[msg]; hint != "" {
		msg += "; " + hint
	}
	d.errorAt(line, col, "invalid YAML: %s", msg)
}

// yamlHints explain yaml.v3's terse parser errors, whose line is where the
// broken construct starts rather than where the mistake is.
var yamlHints = map[string]string{
	"did not find expected ',' or '}'":               "the {...} mapping starting here is not closed",
	"did not find expected ',' or ']'":               "the [...] list starting here is not closed",
	"did not find expected '-' indicator":            "check the indentation of the list starting here",
	"did not find expected key":                      "check the indentation of the mapping starting here",
	"mapping values are not allowed in this context": `quote a value that contains ": "`,
}

// findErrorLine finds the line of a yaml.v3 error that carries none (such as
// "mapping values are not allowed in this context"): the parser stops at the
// first problem, so the shortest prefix of the file that fails with the same
// error ends on the problem's line. A binary search keeps this to a few
// parses even for a huge hostile input.
func findErrorLine(lines []string, msg string) int {
	fails := func(n int) bool {
		dec := yaml.NewDecoder(strings.NewReader(strings.Join(lines[:n], "\n")))
		for i := 0; i < 2; i++ { // the spec's document, then a second one
			var node yaml.Node
			if err := dec.Decode(&node); err != nil {
				return err.Error() == msg
			}
		}
		return false
	}
	lo, hi := 0, len(lines) // fails(hi) is assumed; fails(lo) is false
	if !fails(hi) {
		return 1
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// position converts a byte offset into a 1-based line and character column.
func position(data []byte, off int) (line, col int) {
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}
