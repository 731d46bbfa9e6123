package dev.fedgan.core.population;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.measure.Measurement;
import dev.fedgan.core.measure.MeasurementRun;
import dev.fedgan.core.progress.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Steps 3-4 of the debugging workflow as {@code fedgan debug} and the filter service run them: measure every
 * writer with the bug, select the by_user (low, high) and by_example (correct, incorrect) populations, and write
 * everything under one output directory in the layout of {@code fedgan debug --out}:
 * <pre>
 * classifier/    model.zip, classifier.json           (written by whoever trains the classifier)
 * measurement/   per_writer_accuracy.csv, measurement.json, inverted_writers.csv, accuracy_histogram.png
 * populations/   by_user/acc_lt&lt;low&gt;/..., by_user/acc_gt&lt;high&gt;/..., by_example/min_num_examples_N/{correct,incorrect}/...
 * </pre>
 */
public final class PopulationSelection {

    public static final String CLASSIFIER_DIR = "classifier";
    public static final String MEASUREMENT_DIR = "measurement";
    public static final String POPULATIONS_DIR = "populations";

    /**
     * The measurement and the four populations, in the order low accuracy, high accuracy, correct, incorrect.
     */
    public record Result(MeasurementRun measured, List<Population> populations) {

        public Result {
            populations = List.copyOf(populations);
        }

        /** The by_user low-accuracy population (accuracy strictly below the low threshold). */
        public Population low() {
            return populations.get(0);
        }

        /** The by_user high-accuracy population (accuracy strictly above the high threshold). */
        public Population high() {
            return populations.get(1);
        }
    }

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
     * The by_user populations at {@code low} / {@code high} (null: the measured 25th / 75th percentile), then the
     * by_example populations with {@code minNumExamples}.
     */
    public static List<Population> select(Measurement m, Double low, Double high, int minNumExamples) {
        List<Population> pops = new ArrayList<>(PopulationFilters.byUser(m, low != null ? low : m.lowThreshold(),
                high != null ? high : m.highThreshold()));
        pops.addAll(PopulationFilters.byExample(m, minNumExamples));
        return pops;
    }

    /**
     * Measures (into {@code out/measurement}), selects and writes the populations (into {@code out/populations}).
     *
     * @param classifierName what the measurement summary names as the classifier
     */
    public static Result run(PrimaryClassifier classifier, String classifierName, FederatedDataset field,
                             InversionBug bug, Double low, Double high, int minNumExamples, Path out, Progress progress) {
        check(low, high, minNumExamples);
        MeasurementRun measured = MeasurementRun.run(classifier, classifierName, field, bug,
                out.resolve(MEASUREMENT_DIR), progress);
        List<Population> pops = select(measured.measurement(), low, high, minNumExamples);
        Path popDir = out.resolve(POPULATIONS_DIR);
        for (Population p : pops) {
            PopulationFiles.write(popDir, p);
        }
        return new Result(measured, pops);
    }
}
