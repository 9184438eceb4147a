package sql

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"
)

// defaultNumeric is the type of NUMERIC/DECIMAL written without precision.
// PostgreSQL's is unbounded; Arrow's decimal128 is not, so we take the
// widest precision and a scale that keeps common money and ratio values
// exact.
var defaultNumeric = &arrow.Decimal128Type{Precision: 38, Scale: 9}

// resolveType maps a SQL type name (as PostgreSQL's grammar normalises it:
// INTEGER -> pg_catalog.int4, DOUBLE PRECISION -> pg_catalog.float8, ...)
// to an Arrow type. VARCHAR(n) and CHAR(n) ignore their length: strings are
// never padded or truncated.
func (b *binder) resolveType(tn *pg.TypeName) (arrow.DataType, error) {
	if tn == nil {
		return nil, b.errorf(0, "missing type name")
	}
	names := make([]string, 0, len(tn.Names))
	for _, n := range tn.Names {
		names = append(names, n.GetString_().GetSval())
	}
	spelled := strings.Join(names, ".")
	if len(names) == 2 && names[0] == "pg_catalog" {
		names = names[1:]
	}
	if len(tn.ArrayBounds) > 0 {
		return nil, b.errorf(int(tn.Location), "array type %s[] is not supported", spelled)
	}
	if tn.Setof || tn.PctType || len(names) != 1 {
		return nil, b.errorf(int(tn.Location), "type %s is not supported", quote(spelled))
	}
	mods, err := b.typmods(tn)
	if err != nil {
		return nil, err
	}
	switch names[0] {
	case "bool", "boolean":
		return arrow.FixedWidthTypes.Boolean, b.noMods(tn, mods)
	case "int2", "smallint":
		return arrow.PrimitiveTypes.Int16, b.noMods(tn, mods)
	case "int4", "int", "integer":
		return arrow.PrimitiveTypes.Int32, b.noMods(tn, mods)
	case "int8", "bigint":
		return arrow.PrimitiveTypes.Int64, b.noMods(tn, mods)
	case "float4", "real":
		return arrow.PrimitiveTypes.Float32, b.noMods(tn, mods)
	case "float8", "double":
		// DOUBLE alone is DuckDB's and MySQL's spelling of DOUBLE PRECISION.
		return arrow.PrimitiveTypes.Float64, b.noMods(tn, mods)
	case "text", "varchar", "bpchar", "char", "character", "string":
		return arrow.BinaryTypes.String, nil
	case "bytea":
		return arrow.BinaryTypes.Binary, b.noMods(tn, mods)
	case "date":
		return arrow.FixedWidthTypes.Date32, b.noMods(tn, mods)
	case "timestamp", "timestamptz":
		unit := arrow.Microsecond
		if len(mods) > 1 {
			return nil, b.errorf(int(tn.Location), "type %s takes at most one modifier", names[0])
		}
		if len(mods) == 1 {
			p := mods[0]
			if p < 0 || p > 6 {
				return nil, b.errorf(int(tn.Location), "%s(%d) precision must be between 0 and 6", names[0], p)
			}
			unit = precisionUnit(p)
		}
		tz := ""
		if names[0] == "timestamptz" {
			tz = "UTC"
		}
		return &arrow.TimestampType{Unit: unit, TimeZone: tz}, nil
	case "numeric", "decimal":
		switch len(mods) {
		case 0:
			return defaultNumeric, nil
		case 1, 2:
			p, s := mods[0], int64(0)
			if len(mods) == 2 {
				s = mods[1]
			}
			if p < 1 || p > 38 {
				return nil, b.errorf(int(tn.Location), "NUMERIC precision %d must be between 1 and 38", p)
			}
			if s < 0 || s > p {
				return nil, b.errorf(int(tn.Location), "NUMERIC scale %d must be between 0 and precision %d", s, p)
			}
			return &arrow.Decimal128Type{Precision: int32(p), Scale: int32(s)}, nil
		}
		return nil, b.errorf(int(tn.Location), "type numeric takes at most two modifiers")
	case "interval":
		spec, err := intervalSpecOf(mods)
		if err != nil {
			return nil, b.errorf(int(tn.Location), "%v", err)
		}
		unit := arrow.Microsecond
		if spec.precision >= 0 {
			unit = precisionUnit(int64(spec.precision))
		}
		return &arrow.DurationType{Unit: unit}, nil
	}
	return nil, b.errorf(int(tn.Location), "type %s is not supported", quote(spelled))
}

func (b *binder) typmods(tn *pg.TypeName) ([]int64, error) {
	mods := make([]int64, 0, len(tn.Typmods))
	for _, m := range tn.Typmods {
		c := m.GetAConst()
		if c == nil || c.GetIval() == nil {
			return nil, b.errorf(nodeLocation(m), "type modifiers must be integer constants")
		}
		mods = append(mods, int64(c.GetIval().GetIval()))
	}
	return mods, nil
}

func (b *binder) noMods(tn *pg.TypeName, mods []int64) error {
	if len(mods) > 0 {
		return b.errorf(int(tn.Location), "type modifier is not allowed for this type")
	}
	return nil
}
