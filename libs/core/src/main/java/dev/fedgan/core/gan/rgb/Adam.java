package dev.fedgan.core.gan.rgb;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam (Kingma and Ba 2015) over a network's flat parameters, the DCGAN's optimiser (learning rate 2·10⁻⁴,
 * β₁ = 0.5): m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − lr·m̂ / (√v̂ + ε) with the bias-corrected m̂, v̂.
 * A step of the noised gradient is post-processing: the optimiser's state holds nothing but released gradients.
 */
final class Adam {

    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;

    private final double learningRate;
    private final double beta1;
    private final INDArray m;
    private final INDArray v;
    private int t;

    Adam(INDArray params, double learningRate, double beta1) {
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.m = Nd4j.zeros(params.dataType(), params.shape());
        this.v = Nd4j.zeros(params.dataType(), params.shape());
    }

    /** Writes the moments and the step count (the moments in the parameters' data type). */
    void write(DataOutputStream out) throws IOException {
        out.writeInt(t);
        Nd4j.write(m, out);
        Nd4j.write(v, out);
    }

    /**
     * Reads what {@link #write} wrote for parameters of this size.
     *
     * @throws IllegalArgumentException if the moments' shapes differ from this optimiser's
     */
    void read(DataInputStream in, String whose) throws IOException {
        int steps = in.readInt();
        INDArray m2 = Nd4j.read(in);
        INDArray v2 = Nd4j.read(in);
        if (steps < 0 || !java.util.Arrays.equals(m2.shape(), m.shape()) || !java.util.Arrays.equals(v2.shape(),
                v.shape())) {
            throw new IllegalArgumentException(whose + " optimiser state holds " + m2.length() + " moments after "
                    + steps + " steps, the network " + m.length() + " parameters");
        }
        t = steps;
        m.assign(m2);
        v.assign(v2);
    }

    /** One step of {@code params} along {@code gradient} (the mean gradient of the step). */
    void step(INDArray params, INDArray gradient) {
        t++;
        m.muli(beta1).addi(gradient.mul(1 - beta1));
        v.muli(BETA2).addi(gradient.mul(gradient).muli(1 - BETA2));
        double mScale = 1 / (1 - Math.pow(beta1, t));
        double vScale = 1 / (1 - Math.pow(BETA2, t));
        INDArray denominator = Transforms.sqrt(v.mul(vScale), false).addi(EPSILON);
        params.subi(m.mul(mScale * learningRate).divi(denominator));
    }
}
