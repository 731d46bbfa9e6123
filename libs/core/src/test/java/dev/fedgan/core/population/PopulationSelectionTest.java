package dev.fedgan.core.population;

import static dev.fedgan.core.measure.MeasurementTest.writer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.measure.Measurement;
import java.util.List;
import org.junit.jupiter.api.Test;

class PopulationSelectionTest {

    final Measurement m = new Measurement(List.of(
            writer("a", 1, 10, true),     // 0.1
            writer("b", 4, 10, false),    // 0.4
            writer("c", 8, 10, false),    // 0.8
            writer("d", 9, 10, false),    // 0.9
            writer("e", 10, 10, false))); // 1.0

    @Test
    void selectsByUserAtThePercentilesThenByExample() {
        List<Population> pops = PopulationSelection.select(m, null, null, 5);
        assertEquals(4, pops.size());
        // numpy percentiles of 0.1, 0.4, 0.8, 0.9, 1.0: 0.4 and 0.9 (strict inequalities)
        assertEquals("by_user/acc_lt0p4", pops.get(0).path());
        assertEquals(List.of("a"), List.copyOf(pops.get(0).inversion().keySet()));
        assertEquals("by_user/acc_gt0p9", pops.get(1).path());
        assertEquals(List.of("e"), List.copyOf(pops.get(1).inversion().keySet()));
        assertEquals("by_example/min_num_examples_5/correct", pops.get(2).path());
        assertEquals(List.of("c", "d", "e"), List.copyOf(pops.get(2).inversion().keySet()));
        assertEquals("by_example/min_num_examples_5/incorrect", pops.get(3).path());
        assertEquals(List.of("a", "b"), List.copyOf(pops.get(3).inversion().keySet()));
    }

    @Test
    void explicitThresholdsWinAndAbsurdOnesAreRejected() {
        List<Population> pops = PopulationSelection.select(m, 0.85, 0.85, 5);
        assertEquals(List.of("a", "b", "c"), List.copyOf(pops.get(0).inversion().keySet()));
        assertEquals(List.of("d", "e"), List.copyOf(pops.get(1).inversion().keySet()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PopulationSelection.check(1.5, null, 5));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PopulationSelection.check(null, Double.NaN, 5));
        assertThrows(IllegalArgumentException.class, () -> PopulationSelection.check(null, null, 0));
    }
}
