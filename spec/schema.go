package spec

import (
	"bytes"
	_ "embed"
)

//go:embed schema.json
var schemaJSON []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of the spec format,
// pretty-printed and stable byte for byte, for `tpgen schema` and for editors
// (yaml-language-server reads it from a `# yaml-language-server: $schema=`
// comment). The schema checks structure and spelling; only Parse checks what
// needs the whole file, such as whether a referenced column exists. Every
// spec Parse accepts is valid against the schema. The caller gets a copy it
// may modify.
func JSONSchema() []byte { return bytes.Clone(schemaJSON) }
