package dev.fedgan.core.dpsgd;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected layer z = aW + b (W is [in, out], as DL4J stores it). Example i's weight gradient is the outer
 * product aᵢᵀgᵢ, so its squared norm is ‖aᵢ‖²·‖gᵢ‖² and the bias's ‖gᵢ‖² (the ghost norm: nothing per-example is
 * materialised); the scaled sum Σ sᵢ aᵢᵀgᵢ is one product aᵀ(s ⊙ g).
 */
public final class Dense extends Layer {

    private final int in;
    private final int out;
    private INDArray w;
    private INDArray b;
    private INDArray gradW;
    private INDArray gradB;
    private INDArray input;
    private INDArray outputGradient;

    public Dense(int in, int out) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("a dense layer needs in, out >= 1, got " + in + ", " + out);
        }
        this.in = in;
        this.out = out;
    }

    @Override
    public String describe() {
        return "dense " + in + "->" + out;
    }

    @Override
    public long[] outputShape(long[] input) {
        if (input.length != 1 || input[0] != in) {
            throw new IllegalArgumentException(describe() + " takes " + in + " features, got shape "
                    + java.util.Arrays.toString(input));
        }
        return new long[] {out};
    }

    @Override
    public int numParams() {
        return in * out + out;
    }

    @Override
    void bind(long[] inputShape, INDArray params, INDArray gradient) {
        w = slice(params, 0, (long) in * out).reshape('c', new long[] {in, out});
        b = slice(params, (long) in * out, numParams()).reshape('c', new long[] {1, out});
        gradW = slice(gradient, 0, (long) in * out).reshape('c', new long[] {in, out});
        gradB = slice(gradient, (long) in * out, numParams()).reshape('c', new long[] {1, out});
    }

    @Override
    void initialise(SplittableRandom rng) {
        glorot(w, in, out, rng);
        b.assign(0);
    }

    /** The weights [in, out] (a view). */
    public INDArray weights() {
        return w;
    }

    /** The bias [1, out] (a view). */
    public INDArray bias() {
        return b;
    }

    @Override
    INDArray forward(INDArray x) {
        input = x;
        return x.mmul(w).addiRowVector(b);
    }

    @Override
    INDArray backward(INDArray g, boolean inputGradient) {
        outputGradient = g;
        return inputGradient ? g.mmul(w.transpose()) : null;
    }

    @Override
    void addSquaredNorms(INDArray squaredNorms) {
        long n = squaredNorms.size(0);
        if (input.size(0) == n) {
            INDArray a2 = input.mul(input).sum(true, 1);
            INDArray g2 = outputGradient.mul(outputGradient).sum(true, 1);
            squaredNorms.addi(a2.addi(1).muli(g2));
            return;
        }
        // k parts: ‖Σⱼ [aⱼ 1]ᵀgⱼ‖² = Σⱼₗ ([aⱼ 1]·[aₗ 1])(gⱼ·gₗ), from the k × k Gram matrices of each example's parts
        INDArray a = partsSideBySide(input.reshape('c', input.size(0), in, 1), n);
        INDArray g = partsSideBySide(outputGradient.reshape('c', outputGradient.size(0), out, 1), n);
        INDArray aa = Nd4j.matmul(a, a, true, false, false).addi(1);
        INDArray gg = Nd4j.matmul(g, g, true, false, false);
        squaredNorms.addi(aa.muli(gg).sum(1, 2).reshape(n, 1));
    }

    @Override
    void accumulate(INDArray scale) {
        INDArray g = scale == null ? outputGradient
                : outputGradient.mulColumnVector(perRow(scale, outputGradient.size(0)));
        gradW.addi(input.transpose().mmul(g));
        gradB.addi(g.sum(true, 0));
    }

    @Override
    void release() {
        input = null;
        outputGradient = null;
    }
}
