package dev.fedgan.core.gan.rgb;

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
