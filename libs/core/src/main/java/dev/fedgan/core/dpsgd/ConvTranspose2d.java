package dev.fedgan.core.dpsgd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 2-D transposed convolution (the adjoint of a convolution with the same window), weights [in, out, kH, kW];
 * output size stride·(H − 1) + kernel − 2·padding. Its forward pass scatters Wᵀxᵢ over the output (col2im), so its
 * output gradient gathered back with the same window (im2col of the output gradient, Uᵢ: [out·kH·kW, T], T the
 * input positions) pairs with the input Xᵢ [in, T]: example i's weight gradient is Xᵢ·Uᵢᵀ.
 */
public final class ConvTranspose2d extends WindowedLayer {

    public ConvTranspose2d(int in, int out, Window window, boolean hasBias) {
        super(in, out, window, hasBias);
        if (window.same()) {
            throw new IllegalArgumentException("a transposed convolution takes explicit padding, not 'same'");
        }
    }

    @Override
    public String describe() {
        return "conv-transpose2d " + in + "->" + out + " " + window + (hasBias ? "" : " no bias");
    }

    @Override
    public long[] outputShape(long[] s) {
        if (s.length != 3 || s[0] != in) {
            throw new IllegalArgumentException(describe() + " takes [" + in + ", H, W], got " + java.util.Arrays.toString(s));
        }
        long h = (long) window.strideH() * (s[1] - 1) + window.kernelH() - 2L * window.padH();
        long wd = (long) window.strideW() * (s[2] - 1) + window.kernelW() - 2L * window.padW();
        if (h < 1 || wd < 1) {
            throw new IllegalArgumentException(describe() + " gives no output for input " + java.util.Arrays.toString(s));
        }
        return new long[] {out, h, wd};
    }

    @Override
    long[] weightShape() {
        return new long[] {in, out, window.kernelH(), window.kernelW()};
    }

    @Override
    String forwardOp() {
        return "deconv2d";
    }

    @Override
    String backwardOp() {
        return "deconv2d_bp";
    }

    @Override
    INDArray[] factors() {
        INDArray x = input;
        INDArray gathered = unfold(outputGradient, window, x.size(2), x.size(3));
        return new INDArray[] {x.reshape('c', new long[] {x.size(0), in, x.size(2) * x.size(3)}), gathered};
    }

    @Override
    long fanIn() {
        return (long) out * window.kernelH() * window.kernelW();
    }

    @Override
    long fanOut() {
        return (long) in * window.kernelH() * window.kernelW();
    }
}
