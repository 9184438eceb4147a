package spec

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

var (
	schemaOnce     sync.Once
	compiledSchema *jsonschema.Schema
	schemaErr      error
)

func compileSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema()))
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("schema.json", doc); err != nil {
			schemaErr = err
			return
		}
		compiledSchema, schemaErr = c.Compile("schema.json")
	})
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return compiledSchema
}

// validateYAML validates a YAML document against the JSON Schema, the way
// an editor's YAML language server does: YAML is converted to JSON values.
func validateYAML(t testing.TB, data []byte) error {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return err
	}
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return err
	}
	return compileSchema(t).Validate(inst)
}

// TestSchemaMatchesDecoder compares every mapping of the decoder's key table
// with the schema: the same properties and the same required keys, and no
// extra properties allowed anywhere.
func TestSchemaMatchesDecoder(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(JSONSchema(), &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema["$defs"].(map[string]any)
	for _, m := range mappingDefs {
		obj := schema
		if m.name != "spec" {
			o, ok := defs[m.name].(map[string]any)
			if !ok {
				t.Errorf("schema has no $defs/%s", m.name)
				continue
			}
			obj = o
		}
		var keys, required []string
		for _, k := range m.keys {
			keys = append(keys, k.name)
			if k.required {
				required = append(required, k.name)
			}
		}
		var props []string
		for p := range obj["properties"].(map[string]any) {
			props = append(props, p)
		}
		var req []string
		if r, ok := obj["required"].([]any); ok {
			for _, k := range r {
				req = append(req, k.(string))
			}
		}
		slices.Sort(keys)
		slices.Sort(props)
		slices.Sort(required)
		slices.Sort(req)
		if !slices.Equal(keys, props) {
			t.Errorf("%s: decoder keys %v, schema properties %v", m.name, keys, props)
		}
		if !slices.Equal(required, req) {
			t.Errorf("%s: decoder requires %v, schema requires %v", m.name, required, req)
		}
		if obj["additionalProperties"] != false {
			t.Errorf("%s: schema must set additionalProperties: false, as the decoder rejects unknown keys", m.name)
		}
	}
	// Every object in $defs must be one the decoder knows.
	for name, d := range defs {
		if d.(map[string]any)["type"] == "object" && keysOf(name) == nil {
			t.Errorf("schema $defs/%s is not a mapping the decoder reads", name)
		}
	}
	// The op enum is the decoder's op list, in order.
	enum := defs["filter"].(map[string]any)["properties"].(map[string]any)["ops"].(map[string]any)["items"].(map[string]any)["enum"].([]any)
	var ops []string
	for _, o := range enum {
		ops = append(ops, o.(string))
	}
	if got, want := strings.Join(ops, ", "), opList(allOps); got != want {
		t.Errorf("schema ops %s, decoder ops %s", got, want)
	}
}

// TestSchemaIsStable keeps schema.json pretty-printed in the canonical
// encoding/json layout, so `tpgen schema` output and diffs stay stable.
func TestSchemaIsStable(t *testing.T) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, JSONSchema(), "", "  "); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(JSONSchema(), &v); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(JSONSchema(), []byte("}\n")) || bytes.Contains(JSONSchema(), []byte("\t")) {
		t.Error("schema.json must end in a newline and indent with spaces")
	}
	if v.(map[string]any)["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Error("schema must declare draft 2020-12")
	}
	a := JSONSchema()
	a[0] = 'x'
	if JSONSchema()[0] != '{' {
		t.Error("JSONSchema must return a copy")
	}
}

// TestSchemaTypes checks the schema's type pattern against the parser for
// every canonical type and a few spellings, both accepted and rejected.
func TestSchemaTypes(t *testing.T) {
	types := []string{"timestamp( us , UTC )", "decimal(018, 2)", "duration(ns)"}
	for _, k := range Kinds() {
		switch k {
		case KindTimestamp:
			types = append(types, "timestamp(s)", "timestamp(ns, America/New_York)", "timestamp(ms, +01:00)")
		case KindDuration:
			types = append(types, "duration(ms)")
		case KindDecimal:
			types = append(types, "decimal(38, 0)", "decimal(1, 1)")
		default:
			types = append(types, k.String())
		}
	}
	for _, typ := range types {
		if _, err := ParseType(typ); err != nil {
			t.Errorf("ParseType(%q): %v", typ, err)
		}
		doc := "version: 1\ntable: t\ncolumns: [{name: a, type: " + quote(typ) + "}]\n"
		if err := validateYAML(t, []byte(doc)); err != nil {
			t.Errorf("schema rejects type %q: %v", typ, err)
		}
	}
	for _, typ := range []string{"strng", "decimal(39, 2)", "timestamp(sec)", "int64(1)", "Int64"} {
		doc := "version: 1\ntable: t\ncolumns: [{name: a, type: " + quote(typ) + "}]\n"
		if err := validateYAML(t, []byte(doc)); err == nil {
			t.Errorf("schema accepts type %q", typ)
		}
	}
}

// TestSchemaRejects shows the schema is not trivially permissive: the
// structural mistakes it can see, it rejects.
func TestSchemaRejects(t *testing.T) {
	bad := map[string]string{
		"unknown key":     "version: 1\ntable: t\ncolumns: [{name: a, type: int64, nulable: true}]\n",
		"missing type":    "version: 1\ntable: t\ncolumns: [{name: a}]\n",
		"version 2":       "version: 2\ntable: t\ncolumns: [{name: a, type: int64}]\n",
		"bad op":          "version: 1\ntable: t\ncolumns: [{name: a, type: int64}]\npushdown: {filters: [{column: a, ops: [between]}]}\n",
		"both partitions": "version: 1\ntable: t\ncolumns: [{name: a, type: int64}]\npartitioning: {key: [a], range: {column: a}}\n",
		"bad sort key":    "version: 1\ntable: t\ncolumns: [{name: a, type: int64}]\nordering: [a sideways]\n",
		"negative rows":   "version: 1\ntable: t\ncolumns: [{name: a, type: int64}]\nstatistics: {rows: -1}\n",
		"no columns":      "version: 1\ntable: t\ncolumns: []\n",
		"upper name":      "version: 1\ntable: T\ncolumns: [{name: a, type: int64}]\n",
	}
	for name, doc := range bad {
		if err := validateYAML(t, []byte(doc)); err == nil {
			t.Errorf("%s: schema accepts\n%s", name, doc)
		}
		if _, err := Parse("t.tpgen.yaml", []byte(doc)); err == nil {
			t.Errorf("%s: Parse accepts\n%s", name, doc)
		}
	}
}

// TestSchemaAcceptsRepositorySpecs validates every *.tpgen.yaml in the
// repository against the schema. Specs that Parse accepts must be valid;
// the intentionally bad ones in golden/errors are skipped. The testdata specs
// must parse, so they are always checked.
func TestSchemaAcceptsRepositorySpecs(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == filepath.Join("golden", "errors") || (strings.HasPrefix(d.Name(), ".") && rel != ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".tpgen.yaml") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, perr := Parse(path, data)
		if perr != nil {
			if strings.HasPrefix(rel, filepath.Join("spec", "testdata")) {
				t.Errorf("good spec %s does not parse:\n%v", rel, perr)
			}
			return nil // another package's deliberately bad input
		}
		if err := validateYAML(t, data); err != nil {
			t.Errorf("%s parses but fails the schema: %v", rel, err)
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 6 {
		t.Errorf("checked only %d specs", checked)
	}
	t.Logf("validated %d specs", checked)
}
