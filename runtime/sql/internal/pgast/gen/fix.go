package main

import (
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

type descriptorProto = descriptorpb.FileDescriptorProto

func fixMsg(m *descriptorpb.DescriptorProto) {
	for _, f := range m.Field {
		if t := f.GetTypeName(); strings.HasPrefix(t, ".pg_query.") {
			f.TypeName = proto.String(".tpgen.pg_query." + strings.TrimPrefix(t, ".pg_query."))
		}
	}
	for _, n := range m.NestedType {
		fixMsg(n)
	}
}
