package dev.fedgan.core.dpsgd;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer of a {@link Network}. A batch flows through {@link #forward} and {@link #backward}; a layer with
 * parameters keeps what its per-example gradients are made of until the next forward pass, so that
 * {@link #addSquaredNorms} can give every example's squared gradient norm and {@link #accumulate} the sum of the
 * per-example gradients each scaled by a factor (the clip factors for DP-SGD, ones for ordinary training).
 *
 * <p>Shapes are per batch: the first dimension is the example. Convolutional tensors are NCHW.
 */
public abstract class Layer {

    /** A short description for messages and summaries, e.g. "conv2d 1->16 8x8 s2 same". */
    public abstract String describe();

    /** The shape of one example's output for one example's input shape (no batch dimension). */
    public abstract long[] outputShape(long[] input);

    /** The number of trainable parameters. */
    public int numParams() {
        return 0;
    }

    /**
     * Gives the layer its parameters and gradient as [1, {@link #numParams()}] views of the network's flat
     * vectors; called once, before anything else.
     */
    void bind(long[] inputShape, INDArray params, INDArray gradient) {
    }

    /** Initial parameters: Glorot-uniform kernels, zero biases, unit scales (Keras' defaults). */
    void initialise(SplittableRandom rng) {
    }

    /** The batch's output; keeps what {@link #backward} and the per-example gradients need. */
    abstract INDArray forward(INDArray input);

    /**
     * Takes the gradient of the loss with respect to this layer's output, keeps it, and returns the gradient with
     * respect to its input, or null when {@code inputGradient} is false (the first layers of a network).
     */
    abstract INDArray backward(INDArray outputGradient, boolean inputGradient);

    /**
     * Adds every example's squared gradient norm over this layer's parameters to {@code squaredNorms} [n, 1]. The
     * batch's rows are n examples, or n examples of k parts each ({@link Network#addGradient(INDArray, Loss, double[],
     * boolean, int)}): row j·n + i is part j of example i, and example i's gradient is the sum of its parts'.
     */
    void addSquaredNorms(INDArray squaredNorms) {
    }

    /**
     * Adds Σᵢ scaleᵢ·∇θᵢ (example i's gradient of this layer's parameters, the sum of its parts') to the gradient
     * view; {@code scale} is an [n, 1] column, one factor per example, or null for all ones (the plain sum).
     */
    void accumulate(INDArray scale) {
    }

    /** Drops what the last batch left behind. */
    void release() {
    }

    /**
     * Per-example sums of a per-row array: {@code rows} [k·n, ...], row j·n + i part j of example i, gives [n, ...]
     * (the array itself when k = 1).
     */
    static INDArray summedParts(INDArray rows, long n) {
        long parts = rows.size(0) / n;
        if (parts == 1) {
            return rows;
        }
        long[] s = rows.shape();
        long[] split = new long[s.length + 1];
        split[0] = parts;
        System.arraycopy(s, 0, split, 1, s.length);
        split[1] = n;
        return rows.dup('c').reshape('c', split).sum(0);
    }

    /** A per-example column [n, 1] for each of {@code rows} rows [k·n, 1]: an example's factor on all its parts. */
    static INDArray perRow(INDArray scale, long rows) {
        long parts = rows / scale.size(0);
        return parts == 1 ? scale : org.nd4j.linalg.factory.Nd4j.tile(scale, (int) parts, 1);
    }

    /**
     * The rows [k·n, ...] of k-part examples as [n, ...] with each example's parts side by side along the last axis:
     * for factors [k·n, a, T] of per-example weight gradients, example i's gradient Σⱼ Lᵢⱼ·Rᵢⱼᵀ is the product of
     * [Lᵢ₀ … Lᵢₖ₋₁] and [Rᵢ₀ … Rᵢₖ₋₁]ᵀ, the factors over k·T positions.
     */
    static INDArray partsSideBySide(INDArray rows, long n) {
        long parts = rows.size(0) / n;
        if (parts == 1) {
            return rows;
        }
        long a = rows.size(1);
        long t = rows.size(2);
        return rows.reshape('c', new long[] {parts, n, a, t}).permute(1, 2, 0, 3).dup('c')
                .reshape('c', new long[] {n, a, parts * t});
    }

    /** Columns [from, to) of a [1, n] row vector: a [1, to - from] view. */
    static INDArray slice(INDArray row, long from, long to) {
        return row.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 0, true),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
    }

    static long product(long[] shape) {
        long p = 1;
        for (long s : shape) {
            p *= s;
        }
        return p;
    }

    static long[] batchShape(long batch, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** Glorot-uniform values in [-limit, limit], limit = sqrt(6 / (fanIn + fanOut)). */
    static void glorot(INDArray w, long fanIn, long fanOut, SplittableRandom rng) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        double[] v = new double[(int) w.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (2 * rng.nextDouble() - 1) * limit;
        }
        w.assign(org.nd4j.linalg.factory.Nd4j.create(v, w.shape(), 'c').castTo(w.dataType()));
    }
}
