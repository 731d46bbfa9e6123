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

    /** Adds every example's squared gradient norm over this layer's parameters to {@code squaredNorms} [batch, 1]. */
    void addSquaredNorms(INDArray squaredNorms) {
    }

    /**
     * Adds Σᵢ scaleᵢ·∇θᵢ (example i's gradient of this layer's parameters) to the gradient view; {@code scale} is a
     * [batch, 1] column, or null for all ones (the plain sum).
     */
    void accumulate(INDArray scale) {
    }

    /** Drops what the last batch left behind. */
    void release() {
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
