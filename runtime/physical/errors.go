package physical

import "fmt"

func errPartitionRange(partition, n int) error {
	return fmt.Errorf("partition %d out of range: plan has %d partitions", partition, n)
}

func errChildren(op string, want, got int) error {
	return fmt.Errorf("%s: WithNewChildren wants %d children, got %d", op, want, got)
}
