package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A round's tasks spread over the partitions of round-tasks, and so over the replicas that consume them. */
class TaskPartitionsTest {

    /** Tasks per replica when {@code replicas} consumers take {@code partitions} partitions round-robin. */
    static int[] perReplica(int tasks, int round, int partitions, int replicas) {
        int[] count = new int[replicas];
        for (int k = 0; k < tasks; k++) {
            count[TaskPartitions.choose(k, round, partitions) % replicas]++;
        }
        return count;
    }

    @Test
    void everyReplicaGetsItsShareOfEveryRound() {
        for (int round = 0; round < 5; round++) {
            assertEquals("[5, 5]", Arrays.toString(perReplica(10, round, 2, 2)), "round " + round);
            assertEquals("[5, 5]", Arrays.toString(perReplica(10, round, 8, 2)), "8 partitions, round " + round);
            int[] three = perReplica(10, round, 3, 3);
            assertEquals(1, Arrays.stream(three).max().getAsInt() - Arrays.stream(three).min().getAsInt());
        }
    }

    @Test
    void theExtraTasksMoveOnEachRound() {
        assertEquals(1, TaskPartitions.choose(0, 1, 4));
        assertEquals(0, TaskPartitions.choose(3, 1, 4));
        assertEquals(3, TaskPartitions.choose(9, 2, 4));
    }

    @Test
    void unknownPartitionCountLeavesItToTheKey() {
        assertEquals(-1, TaskPartitions.choose(3, 1, 0));
    }
}
