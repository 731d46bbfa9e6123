package dev.fedgan.core.population;

import dev.fedgan.core.measure.Measurement;
import java.util.ArrayList;
import java.util.List;

/**
 * The directory names of {@code fedgan debug --out} and the checks of the selection's parameters, and the central
 * selection of the lab tools: by_user (low, high) and by_example (correct, incorrect) populations cut from a
 * measurement of every writer. {@code fedgan debug} and the filter service select privately instead
 * ({@link PrivateSelection}); their output directory is laid out as:
 * <pre>
 * classifier/    model.zip, classifier.json           (written by whoever trains the classifier)
 * selection/     selection.json, accuracy_histogram.png (the private selection's release)
 * simulation/    measurement/, populations/, ...         (the simulation's ground truth: not released)
 * </pre>
 */
public final class PopulationSelection {

    public static final String CLASSIFIER_DIR = "classifier";
    public static final String MEASUREMENT_DIR = "measurement";
    public static final String POPULATIONS_DIR = "populations";

    private PopulationSelection() {
    }

    /**
     * Rejects absurd selection parameters before any work starts: thresholds outside [0, 1] and a by_example
     * minimum outside [1, 100000]. Null thresholds mean the measured percentiles.
     */
    public static void check(Double low, Double high, int minNumExamples) {
        if (low != null) {
            PopulationFilters.checkThreshold("low", low);
        }
        if (high != null) {
            PopulationFilters.checkThreshold("high", high);
        }
        PopulationFilters.checkMinNumExamples(minNumExamples);
    }

    /**
     * The central (lab) selection: the by_user populations at {@code low} / {@code high} (null: the measured 25th /
     * 75th percentile, exact), then the by_example populations with {@code minNumExamples}. Per-user values with no
     * privacy mechanism: simulation and lab use only.
     */
    public static List<Population> select(Measurement m, Double low, Double high, int minNumExamples) {
        List<Population> pops = new ArrayList<>(PopulationFilters.byUser(m, low != null ? low : m.lowThreshold(),
                high != null ? high : m.highThreshold()));
        pops.addAll(PopulationFilters.byExample(m, minNumExamples));
        return pops;
    }
}
