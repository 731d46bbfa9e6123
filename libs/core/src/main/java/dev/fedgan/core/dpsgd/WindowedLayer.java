package dev.fedgan.core.dpsgd;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a convolution and a transposed convolution share. For both, example i's weight gradient is a product of two
 * matrices over T positions, ∇Wᵢ = Lᵢ·Rᵢᵀ (Lᵢ: a × T, Rᵢ: c × T; for a convolution Lᵢ is the output gradient and
 * Rᵢ the unfolded input, for a transposed convolution Lᵢ is the input and Rᵢ the unfolded output gradient), so
 * ‖∇Wᵢ‖² is either the squared sum of the materialised product (T·a·c multiply-adds, a·c floats per example) or
 * ⟨LᵢᵀLᵢ, RᵢᵀRᵢ⟩ (the ghost norm, T²(a + c), nothing per example but two T × T Gram matrices).
 *
 * <p>Materialised per-example gradients also give the clipped sum at once (one product with the clip factors);
 * after ghost norms the clipped sum needs the weight gradient of the scaled output gradients, itself T·a·c per
 * example. So materialising is never more arithmetic than ghost norms plus book-keeping, and a layer materialises
 * unless a pass's per-example gradients would exceed {@link #MATERIALISED_BUDGET} floats (large layers and batches:
 * the DCGAN's 256→512 convolution at batch 64 is 128 M floats); then it takes the ghost norm (Li et al. 2021) and
 * the native backward op for the scaled sum (Bu et al. 2022's book-keeping).
 */
abstract class WindowedLayer extends Layer {

    final int in;
    final int out;
    final Window window;
    final boolean hasBias;
    private final long weightCount;
    INDArray w;
    INDArray b;
    private INDArray gradW;
    private INDArray gradB;
    /** How per-example norms are computed: by the memory rule, or forced (tests check both against the loop). */
    enum Norms { AUTO, GHOST, MATERIALISED }

    /** The most floats a pass may materialise for one layer's per-example gradients (256 MB). */
    static final long MATERIALISED_BUDGET = 1L << 26;

    private Norms norms = Norms.AUTO;
    INDArray input;
    INDArray outputGradient;
    private INDArray perExample;
    private INDArray perExampleBias;
    private INDArray summedW;
    private INDArray summedB;

    WindowedLayer(int in, int out, Window window, boolean hasBias) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("a convolution needs channels in, out >= 1, got " + in + ", " + out);
        }
        this.in = in;
        this.out = out;
        this.window = window;
        this.hasBias = hasBias;
        this.weightCount = (long) in * out * window.kernelH() * window.kernelW();
    }

    /** The weight shape ([out, in, kH, kW] for a convolution, [in, out, kH, kW] for a transposed one). */
    abstract long[] weightShape();

    abstract String forwardOp();

    abstract String backwardOp();

    /** The two factors [batch, a, T] and [batch, c, T] of the per-example weight gradients. */
    abstract INDArray[] factors();

    abstract long fanIn();

    abstract long fanOut();

    @Override
    public int numParams() {
        return Math.toIntExact(weightCount + (hasBias ? out : 0));
    }

    /** Forces a way of computing the norms (tests). */
    WindowedLayer norms(Norms n) {
        this.norms = n;
        return this;
    }

    /** Whether a pass of {@code batch} examples computes norms from Gram matrices rather than per-example gradients. */
    boolean ghost(long batch) {
        return batch > materialisedUpTo();
    }

    /** The largest pass that materialises per-example gradients. */
    long materialisedUpTo() {
        return norms == Norms.GHOST ? 0 : norms == Norms.MATERIALISED ? Long.MAX_VALUE : MATERIALISED_BUDGET / weightCount;
    }

    @Override
    void bind(long[] inputShape, INDArray params, INDArray gradient) {
        outputShape(inputShape);
        w = slice(params, 0, weightCount).reshape('c', weightShape());
        gradW = slice(gradient, 0, weightCount).reshape('c', weightShape());
        if (hasBias) {
            b = slice(params, weightCount, numParams()).reshape('c', new long[] {out});
            gradB = slice(gradient, weightCount, numParams()).reshape('c', new long[] {out});
        }
    }

    @Override
    void initialise(SplittableRandom rng) {
        glorot(w, fanIn(), fanOut(), rng);
        if (hasBias) {
            b.assign(0);
        }
    }

    /** The weights (a view). */
    public INDArray weights() {
        return w;
    }

    /** The bias [out] (a view), or null. */
    public INDArray bias() {
        return b;
    }

    private INDArray[] params(INDArray x) {
        return hasBias ? new INDArray[] {x, w, b} : new INDArray[] {x, w};
    }

    @Override
    INDArray forward(INDArray x) {
        input = x;
        perExample = null;
        perExampleBias = null;
        summedW = null;
        summedB = null;
        INDArray y = Nd4j.create(x.dataType(), batchShape(x.size(0), outputShape(tail(x.shape()))));
        NativeOps.conv2d(forwardOp(), window, params(x), y);
        return y;
    }

    @Override
    INDArray backward(INDArray g, boolean inputGradient) {
        outputGradient = g;
        if (!inputGradient) {
            return null;
        }
        INDArray[] grads = nativeBackward(g);
        summedW = grads[1];
        summedB = hasBias ? grads[2] : null;
        return grads[0];
    }

    private INDArray[] nativeBackward(INDArray g) {
        INDArray gi = Nd4j.create(input.dataType(), input.shape());
        INDArray gw = Nd4j.create(input.dataType(), weightShape());
        INDArray gb = hasBias ? Nd4j.create(input.dataType(), out) : null;
        INDArray[] outs = hasBias ? new INDArray[] {gi, gw, gb} : new INDArray[] {gi, gw};
        NativeOps.conv2d(backwardOp(), window, NativeOps.with(params(input), g), outs);
        return outs;
    }

    /** Example i's bias gradient: the output gradient summed over positions, [batch, out]. */
    private INDArray biasGradients() {
        INDArray g = outputGradient;
        return g.reshape('c', new long[] {g.size(0), out, g.size(2) * g.size(3)}).sum(2);
    }

    @Override
    void addSquaredNorms(INDArray squaredNorms) {
        INDArray[] lr = factors();
        long batch = squaredNorms.size(0);
        lr[0] = partsSideBySide(lr[0], batch);
        lr[1] = partsSideBySide(lr[1], batch);
        if (ghost(batch)) {
            INDArray ll = Nd4j.matmul(lr[0], lr[0], true, false, false);
            INDArray rr = Nd4j.matmul(lr[1], lr[1], true, false, false);
            squaredNorms.addi(ll.muli(rr).sum(1, 2).reshape(batch, 1));
        } else {
            perExample = Nd4j.matmul(lr[0], lr[1], false, true, false).reshape('c', new long[] {batch, weightCount});
            INDArray norms = perExample.norm2(1).reshape(batch, 1);
            squaredNorms.addi(norms.muli(norms));
        }
        if (hasBias) {
            perExampleBias = summedParts(biasGradients(), batch);
            squaredNorms.addi(perExampleBias.mul(perExampleBias).sum(true, 1));
        }
    }

    @Override
    void accumulate(INDArray scale) {
        if (scale == null && summedW != null) {
            gradW.addi(summedW);
            if (hasBias) {
                gradB.addi(summedB);
            }
            return;
        }
        if (scale != null && perExample != null) {
            gradW.addi(scale.transpose().mmul(perExample).reshape('c', weightShape()));
        } else {
            INDArray g = outputGradient;
            if (scale != null) {
                INDArray s = perRow(scale, g.size(0));
                g = g.mul(s.reshape(s.length(), 1, 1, 1));
            }
            gradW.addi(nativeBackward(g)[1]);
        }
        if (hasBias) {
            INDArray pb = perExampleBias != null ? perExampleBias : biasGradients();
            gradB.addi(scale == null ? pb.sum(0) : perRow(scale, pb.size(0)).transpose().mmul(pb).reshape(out));
        }
    }

    @Override
    void release() {
        input = null;
        outputGradient = null;
        perExample = null;
        perExampleBias = null;
        summedW = null;
        summedB = null;
    }

    static long[] tail(long[] shape) {
        return java.util.Arrays.copyOfRange(shape, 1, shape.length);
    }

    static INDArray unfold(INDArray x, Window w, long outH, long outW) {
        INDArray col = Nd4j.create(x.dataType(), x.size(0), x.size(1), w.kernelH(), w.kernelW(), outH, outW);
        org.nd4j.linalg.convolution.Convolution.im2col(x, w.kernelH(), w.kernelW(), w.strideH(), w.strideW(),
                (int) w.topPad(x.size(2), outH), (int) w.leftPad(x.size(3), outW), 1, 1, false, col);
        return col.reshape('c', new long[] {x.size(0), x.size(1) * w.kernelH() * w.kernelW(), outH * outW});
    }
}
