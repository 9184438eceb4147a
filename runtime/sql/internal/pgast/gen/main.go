// Command pgastgen regenerates runtime/sql/internal/pgast from the
// pg_query.proto descriptor compiled into pg_query_go.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

func main() {
	fdp := protodesc.ToFileDescriptorProto(pg.File_pg_query_proto)
	fmt.Fprintln(os.Stderr, fdp.GetName(), fdp.GetPackage(), fdp.GetOptions().GetGoPackage())
	fdp.Package = proto.String("tpgen.pg_query")
	fdp.Name = proto.String("tpgen/pg_query.proto")
	if fdp.Options == nil {
		fdp.Options = &descriptorpb.FileOptions{}
	}
	fdp.Options.GoPackage = proto.String("github.com/tpgen/tpgen/runtime/sql/internal/pgast;pgast")
	// Type references are fully qualified: rewrite .pg_query.X to .tpgen.pg_query.X.
	for _, m := range fdp.MessageType {
		fixMsg(m)
	}
	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{fdp.GetName()},
		Parameter:      proto.String("paths=import"),
		ProtoFile:      []*descriptorProto{fdp},
	}
	in, err := proto.Marshal(req)
	if err != nil {
		panic(err)
	}
	cmd := exec.Command(os.Args[1])
	cmd.Stdin = bytes.NewReader(in)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		panic(err)
	}
	var resp pluginpb.CodeGeneratorResponse
	if err := proto.Unmarshal(out.Bytes(), &resp); err != nil {
		panic(err)
	}
	if resp.Error != nil {
		panic(*resp.Error)
	}
	for _, f := range resp.File {
		fmt.Fprintln(os.Stderr, "file", f.GetName(), len(f.GetContent()))
		os.WriteFile(os.Args[2], []byte(f.GetContent()), 0o644)
	}
}
