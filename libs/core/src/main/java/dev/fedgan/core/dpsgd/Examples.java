package dev.fedgan.core.dpsgd;

import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labelled examples for sample-level training, pooled over all writers of a data set (DP-SGD protects one example,
 * whoever wrote it): features of one shape in one flat array, the labels, and each example's writer when known (null
 * otherwise; groups of writers use it, training does not).
 */
public record Examples(String name, String fingerprint, long[] shape, float[] features, int[] labels, int numClasses,
                       String[] writers) {

    /** Examples whose writers are not known. */
    public Examples(String name, String fingerprint, long[] shape, float[] features, int[] labels, int numClasses) {
        this(name, fingerprint, shape, features, labels, numClasses, null);
    }

    public Examples {
        if (writers != null && writers.length != labels.length) {
            throw new IllegalArgumentException(name + ": " + writers.length + " writer ids for " + labels.length
                    + " examples");
        }
        long size = Layer.product(shape);
        if (features.length != size * labels.length) {
            throw new IllegalArgumentException(name + ": " + features.length + " feature values for " + labels.length
                    + " examples of shape " + java.util.Arrays.toString(shape));
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                throw new IllegalArgumentException(name + ": example " + i / size + " has a non-finite value ("
                        + features[i] + ")");
            }
        }
    }

    /** Every example of every writer, as [1, 28, 28] images, with its writer's id. */
    public static Examples of(FederatedDataset data) {
        String[] writers = new String[Math.toIntExact(data.numExamples())];
        int at = 0;
        for (WriterData w : data.writers()) { // the order of firstImages and allLabels
            java.util.Arrays.fill(writers, at, at + w.size(), w.id());
            at += w.size();
        }
        return new Examples(data.name(), data.fingerprint(), new long[] {1, WriterData.SIDE, WriterData.SIDE},
                data.firstImages(Math.toIntExact(data.numExamples())), data.allLabels(), data.numClasses(), writers);
    }

    public int size() {
        return labels.length;
    }

    /** {@code count} of the examples, drawn without replacement with {@code seed}, in the drawn order. */
    public Examples subset(int count, long seed) {
        if (count < 1 || count > size()) {
            throw new IllegalArgumentException("cannot take " + count + " of the " + size() + " examples of " + name);
        }
        int[] order = dev.fedgan.core.data.WriterPartition.permutation(size(), new java.util.SplittableRandom(seed));
        int per = (int) Layer.product(shape);
        float[] x = new float[count * per];
        int[] y = new int[count];
        String[] w = writers == null ? null : new String[count];
        for (int k = 0; k < count; k++) {
            System.arraycopy(features, order[k] * per, x, k * per, per);
            y[k] = labels[order[k]];
            if (w != null) {
                w[k] = writers[order[k]];
            }
        }
        return new Examples(name + " (" + count + " drawn with seed " + seed + ")", fingerprint + "/" + count + "@"
                + seed, shape, x, y, numClasses, w);
    }

    /** The examples at {@code indices[from .. to-1]} as a batch [count, shape...]. */
    INDArray batch(int[] indices, int from, int to, DataType type) {
        int size = (int) Layer.product(shape);
        float[] buf = new float[(to - from) * size];
        for (int i = from; i < to; i++) {
            System.arraycopy(features, indices[i] * size, buf, (i - from) * size, size);
        }
        return Nd4j.create(buf, Layer.batchShape(to - from, shape), 'c').castTo(type);
    }

    int[] labels(int[] indices, int from, int to) {
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            y[i - from] = labels[indices[i]];
        }
        return y;
    }
}
