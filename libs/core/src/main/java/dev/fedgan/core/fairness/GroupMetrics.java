package dev.fedgan.core.fairness;

/**
 * One group's classification metrics from its confusion matrix.
 *
 * <p>Precision, recall and F1 are macro averages over the classes that occur in the group's labels or predictions
 * (scikit-learn's {@code average="macro"} with {@code zero_division=0}): a class never predicted has precision 0, a
 * class predicted but absent from the labels recall 0, and F1 is 0 where precision and recall are both 0. For a
 * binary task the positive rate (the share predicted as class 1) is the demographic-parity figure; null otherwise.
 *
 * @param group        the group's name (overall, majority, minority)
 * @param examples     the group's examples
 * @param accuracy     the share predicted right
 * @param precision    macro precision
 * @param recall       macro recall
 * @param f1           macro F1
 * @param positiveRate the share predicted as class 1 (two classes only), else null
 * @param confusion    [true class][predicted class] counts
 */
public record GroupMetrics(String group, int examples, double accuracy, double precision, double recall, double f1,
                           Double positiveRate, long[][] confusion) {

    /**
     * The metrics of the examples {@code include} selects (null: all).
     *
     * @throws IllegalArgumentException if the arrays differ in length or a label or prediction is outside the classes
     */
    public static GroupMetrics of(String group, int[] labels, int[] predicted, boolean[] include, int numClasses) {
        if (labels.length != predicted.length || (include != null && include.length != labels.length)) {
            throw new IllegalArgumentException(group + ": " + labels.length + " labels, " + predicted.length
                    + " predictions" + (include == null ? "" : ", " + include.length + " group flags"));
        }
        long[][] confusion = new long[numClasses][numClasses];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            if (include != null && !include[i]) {
                continue;
            }
            if (labels[i] < 0 || labels[i] >= numClasses || predicted[i] < 0 || predicted[i] >= numClasses) {
                throw new IllegalArgumentException(group + ": example " + i + " has label " + labels[i]
                        + " and prediction " + predicted[i] + ", outside the " + numClasses + " classes");
            }
            confusion[labels[i]][predicted[i]]++;
            n++;
        }
        return of(group, confusion, n);
    }

    private static GroupMetrics of(String group, long[][] confusion, int n) {
        int k = confusion.length;
        long correct = 0;
        double precision = 0;
        double recall = 0;
        double f1 = 0;
        int classes = 0;
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c];
            long actual = 0;
            long predicted = 0;
            for (int j = 0; j < k; j++) {
                actual += confusion[c][j];
                predicted += confusion[j][c];
            }
            correct += tp;
            if (actual == 0 && predicted == 0) {
                continue;
            }
            double p = predicted == 0 ? 0 : (double) tp / predicted;
            double r = actual == 0 ? 0 : (double) tp / actual;
            precision += p;
            recall += r;
            f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
            classes++;
        }
        Double positiveRate = null;
        if (k == 2) {
            positiveRate = n == 0 ? Double.NaN : (double) (confusion[0][1] + confusion[1][1]) / n;
        }
        return new GroupMetrics(group, n, n == 0 ? Double.NaN : (double) correct / n,
                classes == 0 ? Double.NaN : precision / classes, classes == 0 ? Double.NaN : recall / classes,
                classes == 0 ? Double.NaN : f1 / classes, positiveRate, confusion);
    }
}
