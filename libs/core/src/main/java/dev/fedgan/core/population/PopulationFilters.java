package dev.fedgan.core.population;

import dev.fedgan.core.measure.Measurement;
import dev.fedgan.core.measure.WriterAccuracy;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The two ways of choosing the writers a GAN trains on (reference section 1 steps 4-5):
 * <ul>
 *   <li>by_user: writers with accuracy strictly below the low threshold, and strictly above the high one;</li>
 *   <li>by_example: per writer, its correctly / incorrectly classified examples, for writers with at least
 *       {@code minNumExamples} of them.</li>
 * </ul>
 */
public final class PopulationFilters {

    public static final String BY_USER = "by_user";
    public static final String BY_EXAMPLE = "by_example";
    public static final int DEFAULT_MIN_NUM_EXAMPLES = 5;

    /** The by_user selections, which are also the names of the two GANs trained on them. */
    public static final String LOW_ACCURACY = "low_accuracy";
    public static final String HIGH_ACCURACY = "high_accuracy";

    private PopulationFilters() {
    }

    /** The low- and high-accuracy populations, in that order. */
    public static List<Population> byUser(Measurement m, double low, double high) {
        checkThreshold("low", low);
        checkThreshold("high", high);
        return List.of(
                byUser(m, LOW_ACCURACY, byUserPath(LOW_ACCURACY, low), "accuracy < " + low, low,
                        w -> Device.inLowAccuracy(w.accuracy(), low), true),
                byUser(m, HIGH_ACCURACY, byUserPath(HIGH_ACCURACY, high), "accuracy > " + high, high,
                        w -> Device.inHighAccuracy(w.accuracy(), high), false));
    }

    /** The correctly- and incorrectly-classified example populations, in that order. */
    public static List<Population> byExample(Measurement m, int minNumExamples) {
        checkMinNumExamples(minNumExamples);
        return List.of(byExample(m, minNumExamples, true), byExample(m, minNumExamples, false));
    }

    /**
     * The name of a by_user population, as the reference's directories: {@code by_user/acc_lt0p25} for low_accuracy
     * at 0.25, {@code by_user/acc_gt0p9} for high_accuracy at 0.9. Public: the threshold is.
     */
    public static String byUserPath(String selection, double threshold) {
        return switch (selection) {
            case LOW_ACCURACY -> BY_USER + "/acc_lt" + tag(threshold);
            case HIGH_ACCURACY -> BY_USER + "/acc_gt" + tag(threshold);
            default -> throw new IllegalArgumentException("not a by_user selection: " + selection);
        };
    }

    private static Population byUser(Measurement m, String selection, String path, String rule, double threshold,
                                     Predicate<WriterAccuracy> keep, boolean expectInverted) {
        Map<String, Boolean> inversion = new LinkedHashMap<>();
        long examples = 0;
        for (WriterAccuracy w : m.writers()) {
            if (keep.test(w)) {
                inversion.put(w.writerId(), w.inverted());
                examples += w.total();
            }
        }
        String warning = inversion.isEmpty()
                ? "no writer has " + rule + " (accuracies range " + m.percentile(0) + " .. " + m.percentile(100)
                  + "); choose another threshold" : null;
        PopulationSummary s = summary(m, BY_USER, selection, rule, threshold, null, inversion, examples, expectInverted, warning);
        return new Population(path, inversion, null, s);
    }

    private static Population byExample(Measurement m, int min, boolean correct) {
        Map<String, Boolean> inversion = new LinkedHashMap<>();
        Map<String, int[]> indices = new LinkedHashMap<>();
        long examples = 0;
        for (WriterAccuracy w : m.writers()) {
            int[] idx = w.indices(correct);
            if (idx.length >= min) {
                inversion.put(w.writerId(), w.inverted());
                indices.put(w.writerId(), idx);
                examples += idx.length;
            }
        }
        String selection = correct ? "correct" : "incorrect";
        String rule = "at least " + min + " " + selection + "ly classified examples";
        String warning = inversion.isEmpty() ? "no writer has " + rule + "; lower min_num_examples" : null;
        PopulationSummary s = summary(m, BY_EXAMPLE, selection, rule, null, min, inversion, examples, !correct, warning);
        return new Population(BY_EXAMPLE + "/min_num_examples_" + min + "/" + selection, inversion, indices, s);
    }

    private static PopulationSummary summary(Measurement m, String filter, String selection, String rule, Double threshold,
                                             Integer min, Map<String, Boolean> inversion, long examples,
                                             boolean expectInverted, String warning) {
        int inverted = (int) inversion.values().stream().filter(b -> b).count();
        int hits = expectInverted ? inverted : inversion.size() - inverted;
        long expectedInField = expectInverted ? m.numInverted() : m.writers().size() - m.numInverted();
        Double precision = inversion.isEmpty() ? null : (double) hits / inversion.size();
        Double recall = expectedInField == 0 ? null : (double) hits / expectedInField;
        return new PopulationSummary(filter, selection, rule, threshold, min, inversion.size(), examples, inverted,
                expectInverted ? "inverted" : "normal", precision, recall, m.writers().size(), warning);
    }

    /** Rejects a by_example minimum outside [1, 100000], before any work starts. */
    public static void checkMinNumExamples(int minNumExamples) {
        if (minNumExamples < 1 || minNumExamples > 100_000) {
            throw new IllegalArgumentException("min_num_examples must be in [1, 100000], got " + minNumExamples);
        }
    }

    /** Rejects an accuracy threshold outside [0, 1] (NaN too), before any work starts. */
    public static void checkThreshold(String which, double t) {
        if (!(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException(which + " accuracy threshold must be in [0, 1], got " + t);
        }
    }

    /** The reference's directory tag for a threshold: 0.882 becomes {@code 0p882} (at most 4 decimals). */
    static String tag(double threshold) {
        String s = BigDecimal.valueOf(threshold).setScale(4, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
        if (!s.contains(".")) {
            s = s + ".0";
        }
        return s.replace('.', 'p');
    }
}
