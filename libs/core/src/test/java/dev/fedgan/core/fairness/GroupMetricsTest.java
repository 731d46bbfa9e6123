package dev.fedgan.core.fairness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Every metric against confusion matrices worked out by hand. */
class GroupMetricsTest {

    @Test
    void macroMetricsOfAThreeClassConfusionMatrix() {
        // true 0: predicted 0,0,0,1; true 1: predicted 1,0; true 2: predicted 1.
        int[] labels = {0, 0, 0, 0, 1, 1, 2};
        int[] predicted = {0, 0, 0, 1, 1, 0, 1};
        GroupMetrics m = GroupMetrics.of("overall", labels, predicted, null, 3);
        assertArrayEquals(new long[][] {{3, 1, 0}, {1, 1, 0}, {0, 1, 0}}, m.confusion());
        assertEquals(7, m.examples());
        assertEquals(4.0 / 7, m.accuracy(), 1e-15);
        // precision 3/4, 1/3, 0 (class 2 never predicted); recall 3/4, 1/2, 0; F1 3/4, 2/5, 0.
        assertEquals(13.0 / 36, m.precision(), 1e-15);
        assertEquals(5.0 / 12, m.recall(), 1e-15);
        assertEquals(23.0 / 60, m.f1(), 1e-15);
        assertNull(m.positiveRate(), "three classes: no positive rate");
    }

    @Test
    void aGroupCountsOnlyItsExamplesAndOnlyTheClassesItHas() {
        int[] labels = {0, 0, 0, 0, 1, 1, 2};
        int[] predicted = {0, 0, 0, 1, 1, 0, 1};
        boolean[] group = {true, true, false, false, true, false, false};
        GroupMetrics m = GroupMetrics.of("minority", labels, predicted, group, 3);
        assertEquals(3, m.examples());
        assertEquals(1.0, m.accuracy());
        assertEquals(1.0, m.precision(), 0, "class 2 is neither in its labels nor its predictions: left out");
        assertEquals(1.0, m.f1(), 0);
        GroupMetrics empty = GroupMetrics.of("none", labels, predicted, new boolean[7], 3);
        assertEquals(0, empty.examples());
        assertEquals(Double.NaN, empty.accuracy());
    }

    @Test
    void theBinaryPositiveRateIsTheShareOfPredictedOnes() {
        // true 0 -> 1, true 1 -> 1, true 1 -> 0, true 0 -> 0: precision (1/2 + 1/2) / 2, recall the same.
        GroupMetrics m = GroupMetrics.of("overall", new int[] {0, 1, 1, 0}, new int[] {1, 1, 0, 0}, null, 2);
        assertEquals(0.5, m.positiveRate());
        assertEquals(0.5, m.accuracy());
        assertEquals(0.5, m.precision());
        assertEquals(0.5, m.f1());
    }

    @Test
    void mismatchedOrOutOfRangeInputNamesTheGroup() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GroupMetrics.of("minority", new int[] {0, 3}, new int[] {0, 1}, null, 3));
        assertEquals("minority: example 1 has label 3 and prediction 1, outside the 3 classes", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GroupMetrics.of("g", new int[] {0}, new int[] {0, 1}, null, 2));
    }
}
