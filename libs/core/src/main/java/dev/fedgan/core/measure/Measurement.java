package dev.fedgan.core.measure;

import java.util.Arrays;
import java.util.List;

/**
 * The per-writer misclassification measurement (reference section 1 step 3, {@code
 * measure_misclassification_of_users}): each writer's accuracy, a 100-bin histogram of them, their 25th and
 * 75th percentiles (the default low / high thresholds) and the overall accuracy over all examples.
 */
public record Measurement(List<WriterAccuracy> writers) {

    public static final int BINS = 100;

    public Measurement {
        if (writers.isEmpty()) {
            throw new IllegalArgumentException("a measurement needs at least one writer");
        }
        writers = List.copyOf(writers);
    }

    /** Correct over all examples of all writers (not the mean of the writers' accuracies). */
    public double overallAccuracy() {
        long c = 0;
        long t = 0;
        for (WriterAccuracy w : writers) {
            c += w.numCorrect();
            t += w.total();
        }
        return (double) c / t;
    }

    /**
     * Bin k counts writers with floor(100 * accuracy) == k, accuracy 1.0 going into bin 99. Computed in integers
     * ({@code 100 * correct / total}) so that e.g. 29/100 lands in bin 29, not 28 as float rounding would put it.
     */
    public int[] histogram() {
        int[] h = new int[BINS];
        for (WriterAccuracy w : writers) {
            h[bin(w.numCorrect(), w.total())]++;
        }
        return h;
    }

    static int bin(int correct, int total) {
        return Math.min(BINS - 1, (int) ((100L * correct) / total));
    }

    /** The q-th percentile of the writers' accuracies, linear interpolation (numpy's default). */
    public double percentile(double q) {
        double[] a = writers.stream().mapToDouble(WriterAccuracy::accuracy).sorted().toArray();
        return percentile(a, q);
    }

    static double percentile(double[] sorted, double q) {
        if (!(q >= 0 && q <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], got " + q);
        }
        double rank = (sorted.length - 1) * q / 100.0;
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }

    public double lowThreshold() {
        return percentile(25);
    }

    public double highThreshold() {
        return percentile(75);
    }

    public long numExamples() {
        return writers.stream().mapToLong(WriterAccuracy::total).sum();
    }

    public long numInverted() {
        return writers.stream().filter(WriterAccuracy::inverted).count();
    }

    @Override
    public String toString() {
        return "Measurement[" + writers.size() + " writers, overall " + overallAccuracy() + ", p25 " + lowThreshold()
                + ", p75 " + highThreshold() + ", histogram " + Arrays.toString(histogram()) + "]";
    }
}
