package physical

import (
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/plan"
)

// eofStream is a stream without batches.
type eofStream struct{ schema *arrow.Schema }

func (s eofStream) Schema() *arrow.Schema     { return s.schema }
func (s eofStream) Next() (plan.Batch, error) { return plan.Batch{}, io.EOF }
func (s eofStream) Close()                    {}

// sticky remembers the first terminal result of a stream (io.EOF or an
// error) so that Next keeps returning it, as plan.RecordStream requires.
type sticky struct{ err error }

func (s *sticky) set(err error) error {
	if s.err == nil {
		s.err = err
	}
	return s.err
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
