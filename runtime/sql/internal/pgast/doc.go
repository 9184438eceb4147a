// Package pgast holds the Go types of PostgreSQL's raw parse tree, as
// libpg_query serialises it (pg_query.proto): what the SQL front end
// binds.
//
// pg_query.pb.go is generated from the pg_query.proto descriptor of
// github.com/pganalyze/pg_query_go (the version go-pgquery's WebAssembly
// parser is built from, pinned in gen/go.mod), with the protobuf package
// renamed to tpgen.pg_query so that a program may also link pg_query_go
// without a registry conflict. The wire format is unchanged. Importing
// pg_query_go itself would compile its cgo parser whenever cgo is
// enabled, and tpgen's main module stays pure Go. Regenerate with
//
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	cd gen && CGO_ENABLED=0 go run . "$(go env GOPATH)/bin/protoc-gen-go" ../pg_query.pb.go
package pgast

// MakeStrNode returns a String node holding str, as the grammar builds
// for a quoted name.
func MakeStrNode(str string) *Node {
	return &Node{Node: &Node_String_{String_: &String{Sval: str}}}
}
