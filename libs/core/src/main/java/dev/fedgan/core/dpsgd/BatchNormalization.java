package dev.fedgan.core.dpsgd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Batch normalisation (Ioffe and Szegedy 2015) over [batch, C, ...]: each channel normalised over the batch and
 * the positions, then scaled by γ and shifted by β, always with the batch's own statistics (no running averages, as
 * DCGAN generators are sampled). For a network that is never clipped: one example's output depends on every other
 * example of the batch, so no per-example gradient exists, and asking for per-example norms or clipped sums fails.
 * The RGB DCGAN's generator uses it (the generator sees no real image, so it is trained without clipping; Opacus'
 * DCGAN example keeps BatchNorm there too); a discriminator trained under DP takes {@link Normalization#groupNorm}.
 */
public final class BatchNormalization extends Layer {

    private long channels;
    private INDArray gamma;
    private INDArray beta;
    private INDArray gradGamma;
    private INDArray gradBeta;
    private INDArray normalised;
    private INDArray inverseStd;
    private INDArray outputGradient;
    private long[] shape;

    @Override
    public String describe() {
        return "batch-norm";
    }

    @Override
    public long[] outputShape(long[] s) {
        channels = s[0];
        return s.clone();
    }

    @Override
    public int numParams() {
        return Math.toIntExact(2 * channels);
    }

    @Override
    void bind(long[] inputShape, INDArray params, INDArray gradient) {
        outputShape(inputShape);
        gamma = slice(params, 0, channels).reshape('c', new long[] {1, channels});
        beta = slice(params, channels, 2 * channels).reshape('c', new long[] {1, channels});
        gradGamma = slice(gradient, 0, channels).reshape('c', new long[] {1, channels});
        gradBeta = slice(gradient, channels, 2 * channels).reshape('c', new long[] {1, channels});
    }

    @Override
    void initialise(java.util.SplittableRandom rng) {
        gamma.assign(1);
        beta.assign(0);
    }

    /** γ per channel, a view. */
    public INDArray scale() {
        return gamma;
    }

    /** [batch, C, positions] of {@code x}. */
    private INDArray bySample(INDArray x) {
        return x.reshape('c', new long[] {shape[0], channels, product(shape) / shape[0] / channels});
    }

    @Override
    INDArray forward(INDArray x) {
        shape = x.shape();
        if (shape[0] < 2) {
            throw new IllegalArgumentException(describe() + " normalises over the batch and needs at least 2 examples,"
                    + " got " + shape[0]);
        }
        INDArray x3 = bySample(x.dup('c'));
        INDArray centred = x3.subi(x3.mean(true, 0, 2).broadcast(x3.shape()));
        INDArray var = centred.mul(centred).mean(true, 0, 2);
        inverseStd = Transforms.pow(var.addi(Normalization.EPSILON), -0.5, false);
        normalised = centred.muli(inverseStd.broadcast(centred.shape()));
        INDArray y = Broadcast.mul(normalised, gamma.reshape(channels), normalised.ulike(), 1);
        Broadcast.add(y, beta.reshape(channels), y, 1);
        return y.reshape('c', shape);
    }

    @Override
    INDArray backward(INDArray g, boolean inputGradient) {
        outputGradient = bySample(g.dup('c'));
        if (!inputGradient) {
            return null;
        }
        INDArray gx = Broadcast.mul(outputGradient, gamma.reshape(channels), outputGradient.ulike(), 1);
        INDArray meanG = gx.mean(true, 0, 2);
        INDArray meanGx = gx.mul(normalised).mean(true, 0, 2);
        INDArray dx = gx.subi(meanG.broadcast(gx.shape())).subi(normalised.mul(meanGx.broadcast(gx.shape())))
                .muli(inverseStd.broadcast(gx.shape()));
        return dx.reshape('c', shape);
    }

    @Override
    void addSquaredNorms(INDArray squaredNorms) {
        throw new IllegalStateException(describe() + " mixes the examples of a batch, so no per-example gradient "
                + "exists: a network with it cannot be clipped per example (use group-norm)");
    }

    @Override
    void accumulate(INDArray scale) {
        if (scale != null) {
            addSquaredNorms(null);
        }
        gradGamma.addi(outputGradient.mul(normalised).sum(0, 2).reshape(1, channels));
        gradBeta.addi(outputGradient.sum(0, 2).reshape(1, channels));
    }

    @Override
    void release() {
        normalised = null;
        inverseStd = null;
        outputGradient = null;
    }
}
