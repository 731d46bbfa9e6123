package dev.fedgan.core.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The networks' sizes, and the implemented gradients against float64 central finite differences on the tiny
 * preset: the critic's input gradient (the hand-written backward pass), the gradient penalty's weight gradient
 * (the route around SameDiff's missing gradient-of-gradient), the full critic loss and the generator loss.
 */
class GanGradientTest {

    static final double H = 1e-6;
    static final double TOLERANCE = 1e-3;
    static final GanPreset P = GanPreset.TINY;
    static final int B = 4;

    @Test
    void referenceNetworksHaveThePapersParameterCounts() {
        assertEquals(13_285_217, GanPreset.REFERENCE.generatorTrainable());
        assertEquals(6_556_865, GanPreset.REFERENCE.criticTrainable());
        assertEquals(6_558_913, GanPreset.REFERENCE.criticWeights());
        assertEquals(13_285_217, GanNetworks.initialGenerator(GanPreset.REFERENCE, 1).trainableLength());
        NetworkWeights critic = GanNetworks.initialCritic(GanPreset.REFERENCE, 1);
        assertEquals(6_556_865, critic.trainableLength());
        assertEquals(6_558_913, critic.length());
        for (GanPreset p : GanPreset.ALL) {
            assertEquals(p.generatorTrainable(), GanNetworks.initialGenerator(p, 1).trainableLength(), p.name());
            assertEquals(p.criticWeights(), GanNetworks.initialCritic(p, 1).length(), p.name());
        }
    }

    static INDArray uniform(long seed, double lo, double hi, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape).muli(hi - lo).addi(lo);
    }

    /** A critic with non-trivial β and statistics, in float64. */
    /** The tiny widths without the critic's batch norm, as the private preset has it. */
    static final GanPreset NO_BATCH_NORM = new GanPreset("tiny-no-bn", 8, 16, 4, 4, 2, 2, 4, 8, false);

    static NetworkWeights critic() {
        return critic(P);
    }

    static NetworkWeights critic(GanPreset preset) {
        NetworkWeights w = GanNetworks.initialCritic(preset, 11).castTo(DataType.DOUBLE);
        w.get("d_bn_beta").assign(uniform(12, -0.3, 0.3, w.get("d_bn_beta").shape()));
        w.get("d_conv1_b").assign(uniform(13, -0.2, 0.2, w.get("d_conv1_b").shape()));
        return w;
    }

    static java.util.stream.Stream<GanPreset> critics() {
        return java.util.stream.Stream.of(P, NO_BATCH_NORM);
    }

    @ParameterizedTest
    @MethodSource("critics")
    void inputGradientIsTheDerivativeOfTheCriticSum(GanPreset preset) {
        CriticStep step = new CriticStep(preset, GanLoss.WASSERSTEIN_GP, 10, DataType.DOUBLE);
        NetworkWeights d = critic(preset);
        INDArray x = uniform(1, -1, 1, B, 1, 28, 28);
        INDArray alpha = Nd4j.zeros(DataType.DOUBLE, B, 1, 1, 1);
        // With real = fake = x the interpolates are x, and B·mean D(fake) = Σ_b D(x)_b (same batch statistics).
        INDArray implemented = step.evaluate(d, x, x, alpha, "input_gradient").get("input_gradient");
        ToDoubleFunction<INDArray> sum = in -> B * step.evaluate(d, in, in, alpha, "mean_fake").get("mean_fake").getDouble(0);
        double[] num = new double[(int) x.length()];
        double[] impl = new double[num.length];
        for (int i = 0; i < num.length; i += 7) {
            double v = x.getDouble(i);
            x.putScalar(i, v + H);
            double up = sum.applyAsDouble(x);
            x.putScalar(i, v - H);
            double down = sum.applyAsDouble(x);
            x.putScalar(i, v);
            num[i] = (up - down) / (2 * H);
            impl[i] = implemented.getDouble(i);
        }
        assertRelativeError("input gradient", impl, num);
    }

    @ParameterizedTest
    @MethodSource("critics")
    void penaltyGradientMatchesFiniteDifferencesOfThePenalty(GanPreset preset) {
        CriticStep withPenalty = new CriticStep(preset, GanLoss.WASSERSTEIN_GP, 1, DataType.DOUBLE);
        CriticStep without = new CriticStep(preset, GanLoss.WASSERSTEIN_GP, 0, DataType.DOUBLE);
        NetworkWeights d = critic(preset);
        INDArray real = uniform(2, -1, 1, B, 1, 28, 28);
        INDArray fake = uniform(3, -1, 1, B, 1, 28, 28);
        INDArray alpha = uniform(4, 0, 1, B, 1, 1, 1);
        Map<String, INDArray> g1 = withPenalty.gradients(d, real, fake, alpha);
        Map<String, INDArray> g0 = without.gradients(d, real, fake, alpha);
        for (String name : d.trainable()) {
            INDArray implemented = g1.get(name).sub(g0.get(name));
            checkGroup("penalty", name, d, implemented,
                    () -> withPenalty.evaluate(d, real, fake, alpha, "penalty").get("penalty").getDouble(0));
        }
    }

    @Test
    void criticLossGradientMatchesFiniteDifferences() {
        CriticStep step = new CriticStep(P, GanLoss.WASSERSTEIN_GP, 10, DataType.DOUBLE);
        NetworkWeights d = critic();
        INDArray real = uniform(5, -1, 1, B, 1, 28, 28);
        INDArray fake = uniform(6, -1, 1, B, 1, 28, 28);
        INDArray alpha = uniform(7, 0, 1, B, 1, 1, 1);
        Map<String, INDArray> g = step.gradients(d, real, fake, alpha);
        for (String name : d.trainable()) {
            checkGroup("critic loss", name, d, g.get(name),
                    () -> step.evaluate(d, real, fake, alpha, "loss").get("loss").getDouble(0));
        }
    }

    @Test
    void nonSaturatingCriticLossGradientMatchesFiniteDifferences() {
        CriticStep step = new CriticStep(P, GanLoss.NON_SATURATING, 0, DataType.DOUBLE);
        NetworkWeights d = critic();
        INDArray real = uniform(9, -1, 1, B, 1, 28, 28);
        INDArray fake = uniform(10, -1, 1, B, 1, 28, 28);
        Map<String, INDArray> g = step.gradients(d, real, fake, null);
        for (String name : d.trainable()) {
            checkGroup("non-saturating critic loss", name, d, g.get(name),
                    () -> step.evaluate(d, real, fake, null, "loss").get("loss").getDouble(0));
        }
    }

    @Test
    void generatorLossGradientMatchesFiniteDifferences() {
        GeneratorStep step = new GeneratorStep(P, GanLoss.WASSERSTEIN_GP, DataType.DOUBLE);
        NetworkWeights g = GanNetworks.initialGenerator(P, 21).castTo(DataType.DOUBLE);
        NetworkWeights d = critic();
        INDArray noise = uniform(8, -2, 2, B, P.noiseDim());
        Map<String, INDArray> grads = step.gradients(g, d, noise);
        for (String name : g.trainable()) {
            checkGroup("generator loss", name, g, grads.get(name), () -> step.loss(g, d, noise));
        }
    }

    /** Central differences on (up to 60 coordinates of) one tensor, compared as a group. */
    static void checkGroup(String what, String name, NetworkWeights w, INDArray implemented,
            java.util.function.DoubleSupplier f) {
        INDArray t = w.get(name);
        int n = (int) t.length();
        int stride = Math.max(1, n / 60);
        double[] num = new double[n];
        double[] impl = new double[n];
        INDArray flat = t.reshape(-1);
        INDArray implFlat = implemented.reshape(-1);
        for (int i = 0; i < n; i += stride) {
            double v = flat.getDouble(i);
            flat.putScalar(i, v + H);
            double up = f.getAsDouble();
            flat.putScalar(i, v - H);
            double down = f.getAsDouble();
            flat.putScalar(i, v);
            num[i] = (up - down) / (2 * H);
            impl[i] = implFlat.getDouble(i);
        }
        assertRelativeError(what + " / " + name, impl, num);
    }

    static void assertRelativeError(String what, double[] implemented, double[] numeric) {
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < numeric.length; i++) {
            diff += (implemented[i] - numeric[i]) * (implemented[i] - numeric[i]);
            ref += numeric[i] * numeric[i];
        }
        // Absolute floor: some gradients are exactly zero (the output bias cancels in mean D(G(z)) − mean D(x)),
        // where central differences only see rounding noise of ~1e-10.
        double rel = Math.sqrt(diff) / Math.max(Math.sqrt(ref), 1e-6);
        assertTrue(rel <= TOLERANCE, what + ": relative error " + rel + " (|numeric| = " + Math.sqrt(ref) + ")");
    }
}
