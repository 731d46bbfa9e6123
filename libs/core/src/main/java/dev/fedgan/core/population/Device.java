package dev.fedgan.core.population;

import dev.fedgan.core.measure.WriterAccuracy;

/**
 * One user's device in the simulation of private selection: it has run the primary classifier on its own examples
 * (in the simulation {@code Misclassification} does that for every device at once) and knows only its own result.
 * From that alone it decides what it contributes: the one histogram bin its accuracy falls into, and, once the
 * thresholds are broadcast, whether it belongs to the low-accuracy population (accuracy &lt; low), the high-accuracy
 * one (accuracy &gt; high) or neither. Nothing of it leaves the device but these contributions, which the server sees
 * only summed and noised ({@link PrivateSelection}).
 *
 * @param userId      the user (writer) id, known to the trusted aggregator that sends tasks
 * @param numCorrect  examples the classifier got right on the device
 * @param numExamples examples on the device, &gt; 0
 */
public record Device(String userId, int numCorrect, int numExamples) {

    /** Which population a device joins. */
    public enum Membership { LOW_ACCURACY, HIGH_ACCURACY, NEITHER }

    public Device {
        if (numExamples < 1 || numCorrect < 0 || numCorrect > numExamples) {
            throw new IllegalArgumentException("device " + userId + ": " + numCorrect + " correct of " + numExamples
                    + " examples");
        }
    }

    /** The device of a simulated user, from the classifier's results on its examples. */
    public static Device of(WriterAccuracy w) {
        return new Device(w.writerId(), w.numCorrect(), w.total());
    }

    /** The device's own accuracy. */
    public double accuracy() {
        return (double) numCorrect / numExamples;
    }

    /**
     * The bin of an accuracy histogram with {@code bins} equal bins over [0, 1]: floor(bins · accuracy), accuracy 1
     * in the last bin. Computed in integers, so that an accuracy on a bin edge (e.g. 8/40 with 20 bins) lands in the
     * bin above the edge whatever floating-point rounding would do.
     */
    public int bin(int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("a histogram needs at least one bin, got " + bins);
        }
        return Math.min(bins - 1, (int) (((long) bins * numCorrect) / numExamples));
    }

    /** The device's decision from the broadcast thresholds (low &le; high, so it joins at most one population). */
    public Membership membership(double low, double high) {
        if (!(low <= high)) {
            throw new IllegalArgumentException("thresholds must have low <= high, got " + low + " and " + high);
        }
        double a = accuracy();
        return inLowAccuracy(a, low) ? Membership.LOW_ACCURACY
                : inHighAccuracy(a, high) ? Membership.HIGH_ACCURACY : Membership.NEITHER;
    }

    /** The low-accuracy rule, the one definition of it: accuracy strictly below the threshold. */
    public static boolean inLowAccuracy(double accuracy, double low) {
        return accuracy < low;
    }

    /** The high-accuracy rule, the one definition of it: accuracy strictly above the threshold. */
    public static boolean inHighAccuracy(double accuracy, double high) {
        return accuracy > high;
    }
}
