package dev.fedgan.core.dpsgd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Group normalisation and layer normalisation: each example is normalised over its own values only (never over the
 * batch), so per-example gradients exist; then scaled by γ and shifted by β. Example i's parameter gradients are
 * ∇γᵢ = Σ x̂ᵢ ⊙ gᵢ and ∇βᵢ = Σ gᵢ, summed over the positions that share a parameter (all positions of a channel for
 * GroupNorm; none for LayerNorm's per-element parameters): small, so they are materialised.
 *
 * <p>Batch normalisation (Ioffe and Szegedy 2015) normalises each channel over the batch and the positions, always
 * with the batch's own statistics (no running averages, as DCGAN generators are sampled). It has no per-example
 * gradient: one example's output depends on every other example of the batch. So it serves only networks that are
 * never clipped (a DCGAN generator, which sees no real image: Opacus' DCGAN example keeps it there); asking it for
 * per-example norms or clipped sums fails, and {@link Dl4jModels} rejects DL4J's BatchNorm.
 */
public final class Normalization extends Layer {

    static final double EPSILON = 1e-5;

    private int groups;
    private final boolean perElement;
    private final boolean overBatch;
    private long channels;
    private long features;
    private INDArray gamma;
    private INDArray beta;
    private INDArray gradGamma;
    private INDArray gradBeta;
    private INDArray normalised;
    private INDArray inverseStd;
    private INDArray outputGradient;
    private long[] shape;

    private Normalization(int groups, boolean perElement, boolean overBatch) {
        this.groups = groups;
        this.perElement = perElement;
        this.overBatch = overBatch;
    }

    /** GroupNorm(groups, C): normalise each example over groups of C / groups channels; γ, β per channel. */
    public static Normalization groupNorm(int groups) {
        if (groups < 1) {
            throw new IllegalArgumentException("group norm needs groups >= 1, got " + groups);
        }
        return new Normalization(groups, false, false);
    }

    /** LayerNorm: normalise each example over all its values; γ, β per element (PyTorch's elementwise affine). */
    public static Normalization layerNorm() {
        return new Normalization(1, true, false);
    }

    /** BatchNorm(C): each channel over the batch and positions; γ, β per channel; only in networks never clipped. */
    public static Normalization batchNorm() {
        return new Normalization(0, false, true);
    }

    @Override
    public String describe() {
        return perElement ? "layer-norm" : overBatch ? "batch-norm" : "group-norm " + groups + " groups";
    }

    /** Also fixes the parameter count, which depends on the input shape. */
    @Override
    public long[] outputShape(long[] s) {
        if (overBatch) {
            groups = Math.toIntExact(s[0]);
        }
        if (!perElement && s[0] % groups != 0) {
            throw new IllegalArgumentException(describe() + ": " + s[0] + " channels do not split into " + groups
                    + " groups");
        }
        channels = s[0];
        features = product(s);
        return s.clone();
    }

    @Override
    public int numParams() {
        return Math.toIntExact(2 * (perElement ? features : channels));
    }

    @Override
    void bind(long[] inputShape, INDArray params, INDArray gradient) {
        outputShape(inputShape);
        long n = numParams() / 2;
        gamma = slice(params, 0, n).reshape('c', new long[] {1, n});
        beta = slice(params, n, 2 * n).reshape('c', new long[] {1, n});
        gradGamma = slice(gradient, 0, n).reshape('c', new long[] {1, n});
        gradBeta = slice(gradient, n, 2 * n).reshape('c', new long[] {1, n});
    }

    /** γ, the scale per channel (or per element for LayerNorm), a view. */
    public INDArray scale() {
        return gamma;
    }

    @Override
    void initialise(java.util.SplittableRandom rng) {
        gamma.assign(1);
        beta.assign(0);
    }

    @Override
    INDArray forward(INDArray x) {
        shape = x.shape();
        long batch = shape[0];
        if (overBatch && batch < 2) {
            throw new IllegalArgumentException(describe() + " normalises over the batch and needs at least 2 examples,"
                    + " got " + batch);
        }
        INDArray grouped = x.dup('c').reshape('c', new long[] {batch, groups, features / groups});
        INDArray mean = grouped.mean(true, axes());
        INDArray centred = grouped.subi(mean.broadcast(grouped.shape()));
        INDArray var = centred.mul(centred).mean(true, axes());
        inverseStd = Transforms.pow(var.addi(EPSILON), -0.5, false);
        centred.muli(inverseStd.broadcast(centred.shape()));
        normalised = centred.reshape('c', shape);
        return affine(normalised);
    }

    /** The axes of [batch, groups, values] a group's statistics are taken over: its values, and the batch's. */
    private int[] axes() {
        return overBatch ? new int[] {0, 2} : new int[] {2};
    }

    private INDArray affine(INDArray xhat) {
        long batch = xhat.size(0);
        if (perElement) {
            return xhat.reshape('c', new long[] {batch, features}).mulRowVector(gamma).addiRowVector(beta).reshape('c', shape);
        }
        INDArray x3 = xhat.reshape('c', new long[] {batch, channels, features / channels});
        INDArray y = Broadcast.mul(x3, gamma.reshape(channels), x3.ulike(), 1);
        Broadcast.add(y, beta.reshape(channels), y, 1);
        return y.reshape('c', shape);
    }

    @Override
    INDArray backward(INDArray g, boolean inputGradient) {
        outputGradient = g.dup('c');
        if (!inputGradient) {
            return null;
        }
        long batch = shape[0];
        INDArray gx;
        if (perElement) {
            gx = outputGradient.reshape('c', new long[] {batch, features}).mulRowVector(gamma);
        } else {
            INDArray g3 = outputGradient.reshape('c', new long[] {batch, channels, features / channels});
            gx = Broadcast.mul(g3, gamma.reshape(channels), g3.ulike(), 1);
        }
        long m = features / groups;
        INDArray gr = gx.reshape('c', new long[] {batch, groups, m});
        INDArray xh = normalised.reshape('c', new long[] {batch, groups, m});
        INDArray meanG = gr.mean(true, axes());
        INDArray meanGx = gr.mul(xh).mean(true, axes());
        INDArray dx = gr.sub(meanG.broadcast(gr.shape())).subi(xh.mul(meanGx.broadcast(gr.shape())))
                .muli(inverseStd.broadcast(gr.shape()));
        return dx.reshape('c', shape);
    }

    /** Row r's gradients of γ and of β, each [rows, parameters / 2]. */
    private INDArray[] rowGradients() {
        long batch = shape[0];
        INDArray gx = outputGradient.mul(normalised);
        if (perElement) {
            return new INDArray[] {gx.reshape('c', new long[] {batch, features}), outputGradient.reshape('c', new long[] {batch, features})};
        }
        long positions = features / channels;
        return new INDArray[] {gx.reshape('c', new long[] {batch, channels, positions}).sum(2),
            outputGradient.reshape('c', new long[] {batch, channels, positions}).sum(2)};
    }

    @Override
    void addSquaredNorms(INDArray squaredNorms) {
        refuseOverBatch();
        for (INDArray p : rowGradients()) {
            INDArray e = summedParts(p, squaredNorms.size(0));
            squaredNorms.addi(e.mul(e).sum(true, 1));
        }
    }

    @Override
    void accumulate(INDArray scale) {
        if (scale != null) {
            refuseOverBatch();
        }
        INDArray[] p = rowGradients();
        INDArray s = scale == null ? null : perRow(scale, p[0].size(0)).transpose();
        gradGamma.addi(s == null ? p[0].sum(true, 0) : s.mmul(p[0]));
        gradBeta.addi(s == null ? p[1].sum(true, 0) : s.mmul(p[1]));
    }

    /** Fails over the batch: there is no per-example gradient to take a norm of or to scale. */
    private void refuseOverBatch() {
        if (overBatch) {
            throw new IllegalStateException(describe() + " mixes the examples of a batch, so no per-example gradient "
                    + "exists: a network with it cannot be clipped per example (use group-norm)");
        }
    }

    @Override
    void release() {
        normalised = null;
        inverseStd = null;
        outputGradient = null;
    }
}
