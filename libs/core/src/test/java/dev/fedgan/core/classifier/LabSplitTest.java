package dev.fedgan.core.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An experiment's classifier is tested on held-out lab writers, never on the users' (field) data. */
class LabSplitTest {

    @Test
    void theTestDataIsATenthOfTheLabWriters() {
        FederatedDataset[] split = ClassifierTraining.labSplit("bundled:lab", 124_578, WriterPartition.Options.DEFAULT);
        int writers = split[0].numWriters() + split[1].numWriters();
        assertEquals(Math.round(0.1 * writers), split[1].numWriters(), 1);
        assertFalse(split[1].name().contains("field"), split[1].name());
        Set<String> train = new HashSet<>(split[0].byId().keySet());
        for (String id : split[1].byId().keySet()) {
            assertTrue(train.add(id), "writer " + id + " is in both");
        }
        assertEquals(6000, split[0].numExamples() + split[1].numExamples(), "all of the lab data, nothing else");
    }
}
