package dev.fedgan.core.dpsgd;

/**
 * The sliding window of a convolution or pooling layer: kernel, stride and padding per axis, or "same" padding
 * (output = ceil(input / stride), as TensorFlow and DL4J's {@code ConvolutionMode.Same} pad).
 */
public record Window(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, boolean same) {

    public Window {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("a window needs kernel >= 1, stride >= 1 and padding >= 0, got kernel "
                    + kernelH + "x" + kernelW + " stride " + strideH + "x" + strideW + " padding " + padH + "x" + padW);
        }
        if (same && (padH != 0 || padW != 0)) {
            throw new IllegalArgumentException("'same' padding is computed; give padding 0 with it");
        }
    }

    /** A square window with explicit padding. */
    public static Window of(int kernel, int stride, int padding) {
        return new Window(kernel, kernel, stride, stride, padding, padding, false);
    }

    /** A square window with 'same' padding. */
    public static Window same(int kernel, int stride) {
        return new Window(kernel, kernel, stride, stride, 0, 0, true);
    }

    /** Output size along an axis for a convolution or pooling of an input of this size. */
    long convolvedH(long in) {
        return convolved(in, kernelH, strideH, padH);
    }

    long convolvedW(long in) {
        return convolved(in, kernelW, strideW, padW);
    }

    private long convolved(long in, int k, int s, int p) {
        long o = same ? (in + s - 1) / s : (in + 2L * p - k) / s + 1;
        if (o < 1) {
            throw new IllegalArgumentException("window " + this + " does not fit an input of size " + in);
        }
        return o;
    }

    /**
     * The padding before the first row for an input of {@code in} rows and {@code out} output rows: the explicit
     * padding, or for 'same' half the total (out - 1)·stride + kernel - in, rounded down; the rest is after the last
     * row, as TensorFlow pads.
     */
    long topPad(long in, long out) {
        return same ? Math.max(0, (out - 1) * strideH + kernelH - in) / 2 : padH;
    }

    long leftPad(long in, long out) {
        return same ? Math.max(0, (out - 1) * strideW + kernelW - in) / 2 : padW;
    }

    /** libnd4j's integer arguments kH, kW, sH, sW, pH, pW, dH, dW, same. */
    int[] args() {
        return new int[] {kernelH, kernelW, strideH, strideW, padH, padW, 1, 1, same ? 1 : 0};
    }

    @Override
    public String toString() {
        return kernelH + "x" + kernelW + " s" + strideH + (strideW != strideH ? "x" + strideW : "")
                + (same ? " same" : " p" + padH + (padW != padH ? "x" + padW : ""));
    }
}
