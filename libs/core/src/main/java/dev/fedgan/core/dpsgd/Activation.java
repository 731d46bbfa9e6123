package dev.fedgan.core.dpsgd;

import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** An element-wise nonlinearity; no parameters. */
public final class Activation extends Layer {

    /** The functions the engine supports. */
    public enum Function {
        RELU, TANH, SIGMOID, LEAKY_RELU, IDENTITY;

        /** Parses "relu", "tanh", "sigmoid", "leaky-relu" or "identity". */
        public static Function parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown activation '" + name + "'; expected relu, tanh, sigmoid, "
                        + "leaky-relu or identity");
            }
        }
    }

    /** LeakyReLU's slope for negative inputs (the DCGAN's 0.2). */
    public static final double LEAKY_SLOPE = 0.2;

    private final Function function;
    private INDArray input;
    private INDArray output;

    public Activation(Function function) {
        this.function = function;
    }

    public Function function() {
        return function;
    }

    @Override
    public String describe() {
        return function.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public long[] outputShape(long[] input) {
        return input.clone();
    }

    @Override
    INDArray forward(INDArray x) {
        input = x;
        output = switch (function) {
            case RELU -> Transforms.relu(x, true);
            case TANH -> Transforms.tanh(x, true);
            case SIGMOID -> Transforms.sigmoid(x, true);
            case LEAKY_RELU -> Transforms.leakyRelu(x, LEAKY_SLOPE, true);
            case IDENTITY -> x;
        };
        return output;
    }

    @Override
    INDArray backward(INDArray g, boolean inputGradient) {
        if (!inputGradient) {
            return null;
        }
        return switch (function) {
            case RELU -> input.gt(0).castTo(g.dataType()).muli(g);
            case TANH -> output.mul(output).rsubi(1).muli(g);
            case SIGMOID -> output.rsub(1).muli(output).muli(g);
            case LEAKY_RELU -> input.gt(0).castTo(g.dataType()).muli(1 - LEAKY_SLOPE).addi(LEAKY_SLOPE).muli(g);
            case IDENTITY -> g;
        };
    }

    @Override
    void release() {
        input = null;
        output = null;
    }
}
