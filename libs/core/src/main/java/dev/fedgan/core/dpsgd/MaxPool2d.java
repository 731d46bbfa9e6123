package dev.fedgan.core.dpsgd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Max pooling over a window; no parameters. The gradient goes to each window's maximum. */
public final class MaxPool2d extends Layer {

    private final Window window;
    private INDArray input;

    public MaxPool2d(Window window) {
        this.window = window;
    }

    @Override
    public String describe() {
        return "max-pool " + window;
    }

    @Override
    public long[] outputShape(long[] s) {
        if (s.length != 3) {
            throw new IllegalArgumentException(describe() + " takes [C, H, W], got " + java.util.Arrays.toString(s));
        }
        return new long[] {s[0], window.convolvedH(s[1]), window.convolvedW(s[2])};
    }

    @Override
    INDArray forward(INDArray x) {
        input = x;
        INDArray y = Nd4j.create(x.dataType(), batchShape(x.size(0), outputShape(WindowedLayer.tail(x.shape()))));
        NativeOps.maxPool("maxpool2d", window, new INDArray[] {x}, y);
        return y;
    }

    @Override
    INDArray backward(INDArray g, boolean inputGradient) {
        if (!inputGradient) {
            return null;
        }
        INDArray dx = Nd4j.create(input.dataType(), input.shape());
        NativeOps.maxPool("maxpool2d_bp", window, new INDArray[] {input, g}, dx);
        return dx;
    }

    @Override
    void release() {
        input = null;
    }
}
