package dev.fedgan.core.dpsgd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 2-D convolution, weights [out, in, kH, kW] (DL4J's layout). Example i's weight gradient is Gᵢ·Aᵢᵀ: Gᵢ the
 * output gradient [out, T] and Aᵢ the unfolded input patches [in·kH·kW, T] (im2col), T the output positions.
 */
public final class Conv2d extends WindowedLayer {

    public Conv2d(int in, int out, Window window, boolean hasBias) {
        super(in, out, window, hasBias);
    }

    @Override
    public String describe() {
        return "conv2d " + in + "->" + out + " " + window + (hasBias ? "" : " no bias");
    }

    @Override
    public long[] outputShape(long[] s) {
        if (s.length != 3 || s[0] != in) {
            throw new IllegalArgumentException(describe() + " takes [" + in + ", H, W], got " + java.util.Arrays.toString(s));
        }
        return new long[] {out, window.convolvedH(s[1]), window.convolvedW(s[2])};
    }

    @Override
    long[] weightShape() {
        return new long[] {out, in, window.kernelH(), window.kernelW()};
    }

    @Override
    String forwardOp() {
        return "conv2d";
    }

    @Override
    String backwardOp() {
        return "conv2d_bp";
    }

    @Override
    INDArray[] factors() {
        INDArray g = outputGradient;
        INDArray patches = unfold(input, window, g.size(2), g.size(3));
        return new INDArray[] {g.reshape('c', new long[] {g.size(0), out, g.size(2) * g.size(3)}), patches};
    }

    @Override
    long fanIn() {
        return (long) in * window.kernelH() * window.kernelW();
    }

    @Override
    long fanOut() {
        return (long) out * window.kernelH() * window.kernelW();
    }
}
