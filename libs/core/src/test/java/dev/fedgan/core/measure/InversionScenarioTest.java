package dev.fedgan.core.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.classifier.TrainedClassifier;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.population.Population;
import dev.fedgan.core.population.PopulationFilters;
import dev.fedgan.core.population.PopulationSummary;
import dev.fedgan.core.progress.Progress;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The paper's scenario on the bundled digits: half the writers get the inversion bug; the low-accuracy population
 * must be (almost) all inverted writers and the high-accuracy one all normal writers.
 */
class InversionScenarioTest {

    static Measurement measurement;

    @BeforeAll
    static void measure() {
        PrimaryClassifier c = TrainedClassifier.get();
        FederatedDataset field = TrainedClassifier.field();
        measurement = Misclassification.measure(c, field, new InversionBug(0.5, 7), Progress.NONE);
    }

    @Test
    void theBugSplitsWritersIntoTwoHumps() {
        long inverted = measurement.numInverted();
        assertTrue(inverted > 35 && inverted < 65, "about half of 100 writers inverted: " + inverted);
        for (WriterAccuracy w : measurement.writers()) {
            if (w.inverted()) {
                assertTrue(w.accuracy() < 0.6, w.writerId() + " is inverted yet scores " + w.accuracy());
            } else {
                assertTrue(w.accuracy() > 0.85, w.writerId() + " is normal yet scores " + w.accuracy());
            }
        }
        assertTrue(measurement.highThreshold() < 1.0, "75th percentile below 1.0, so 'accuracy > p75' is not empty");
    }

    @Test
    void percentileThresholdsGivePurePopulations() {
        List<Population> pops = PopulationFilters.byUser(measurement, measurement.lowThreshold(), measurement.highThreshold());
        report("default (p25/p75)", pops);
        for (Population p : pops) {
            assertTrue(p.summary().writers() >= 10, p.path() + " has " + p.summary().writers() + " writers");
            assertTrue(p.summary().precision() >= 0.9, p.path() + " precision " + p.summary().precision());
        }
        assertEquals(1.0, pops.get(0).summary().precision(), "low-accuracy population: all inverted");
    }

    @Test
    void explicitThresholdsRecoverNearlyAllWriters() {
        List<Population> pops = PopulationFilters.byUser(measurement, 0.5, 0.9);
        report("explicit 0.5/0.9", pops);
        for (Population p : pops) {
            assertTrue(p.summary().precision() >= 0.9, p.path() + " precision " + p.summary().precision());
            assertTrue(p.summary().recall() > 0.9, p.path() + " recall " + p.summary().recall());
        }
    }

    private static void report(String what, List<Population> pops) {
        for (Population p : pops) {
            PopulationSummary s = p.summary();
            System.out.printf(Locale.ROOT, "%s %s: %d writers, precision %.3f, recall %.3f, threshold %.4f%n",
                    what, s.selection(), s.writers(), s.precision(), s.recall(), s.threshold());
        }
    }
}
