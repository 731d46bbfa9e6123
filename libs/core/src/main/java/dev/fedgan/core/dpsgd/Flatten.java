package dev.fedgan.core.dpsgd;

import org.nd4j.linalg.api.ndarray.INDArray;

/** [batch, C, H, W] to [batch, C·H·W] in 'c' order, exactly as DL4J's CnnToFeedForwardPreProcessor flattens. */
public final class Flatten extends Layer {

    private long[] shape;

    @Override
    public String describe() {
        return "flatten";
    }

    @Override
    public long[] outputShape(long[] input) {
        return new long[] {product(input)};
    }

    @Override
    INDArray forward(INDArray x) {
        shape = x.shape();
        return x.reshape('c', x.size(0), product(WindowedLayer.tail(shape)));
    }

    @Override
    INDArray backward(INDArray g, boolean inputGradient) {
        return inputGradient ? g.reshape('c', shape) : null;
    }
}
