package dev.fedgan.core.dpsgd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.progress.Progress;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DpSgdTrainingTest {

    private static final int N = 60;
    static final int CLASSES = 3;

    static Examples examples(String name, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 6];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(CLASSES);
            for (int j = 0; j < 6; j++) {
                x[i * 6 + j] = (float) (r.nextGaussian() + (j == y[i] ? 2 : 0));
            }
        }
        return new Examples(name, "f" + seed, new long[] {6}, x, y, CLASSES);
    }

    private static List<Layer> layers() {
        return List.of(new Dense(6, 5), new Activation(Activation.Function.TANH), new Dense(5, CLASSES));
    }

    private static DpSgdTraining.Options options(Double z, Double target, double epochs) {
        return new DpSgdTraining.Options(0.5, z, target, 1e-5, Conversion.ORIGINAL, 12, epochs, 0.1, 0, 512, 7, true,
                false);
    }

    /**
     * One step is exactly: the examples the seeded Poisson sampler draws with q = B/n, their gradients clipped to S
     * and summed, N(0, (zS)²) added from the seeded noise stream, divided by the expected batch B, times the rate.
     */
    @Test
    void aStepIsTheClippedSumPlusNoiseOverTheExpectedBatch() {
        Examples train = examples("train", N, 1);
        DpSgdTraining.Options o = options(1.3, null, 12.0 / N);
        Network trained = Network.of(new long[] {6}, DataType.FLOAT, layers(), 7);
        DpSgdTraining.Result r = DpSgdTraining.train(trained, train, examples("test", 20, 2), o, Progress.NONE);
        assertEquals(1, r.privacy().steps());

        Network manual = Network.of(new long[] {6}, DataType.FLOAT, layers(), 7);
        INDArray before = manual.params().dup();
        int[] drawn = ClientSampler.seeded(7).sample(12.0 / N, N);
        assertTrue(drawn.length > 0 && drawn.length != 12, "a Poisson draw, here not of exactly B: " + drawn.length);
        manual.clearGradient();
        manual.addGradient(train.batch(drawn, 0, drawn.length, DataType.FLOAT), train.labels(drawn, 0, drawn.length),
                0.5, false);
        float[] g = manual.gradient().toFloatVector();
        GaussianNoise.seeded(7).addTo(g, 1.3 * 0.5);
        INDArray expected = before.sub(Nd4j.create(g, before.shape(), 'c').divi(12).muli(0.1));
        assertArrayEquals(expected.toFloatVector(), trained.params().toFloatVector(), 1e-7f);
        assertTrue(before.distance2(trained.params()) > 1e-3, "the step moved the parameters");
    }

    @Test
    void perExampleBoundsClipEachExampleToItsOwnBound() {
        Examples train = examples("train", 8, 3);
        int[] all = {0, 1, 2, 3, 4, 5, 6, 7};
        double[] bounds = {0.05, 0.5, 5, 0.05, 0.5, 5, 0.05, Double.POSITIVE_INFINITY};
        Network batched = Network.of(new long[] {6}, DataType.FLOAT, layers(), 7);
        batched.clearGradient();
        double[] norms = batched.addGradient(train.batch(all, 0, 8, DataType.FLOAT), train.labels(all, 0, 8), bounds,
                false);
        Network oneByOne = Network.of(new long[] {6}, DataType.FLOAT, layers(), 7);
        oneByOne.clearGradient();
        for (int i = 0; i < 8; i++) {
            double[] n = oneByOne.addGradient(train.batch(all, i, i + 1, DataType.FLOAT), train.labels(all, i, i + 1),
                    bounds[i], true);
            assertEquals(n[0], norms[i], 1e-5 * n[0]);
        }
        assertArrayEquals(oneByOne.gradient().toFloatVector(), batched.gradient().toFloatVector(), 1e-6f);
    }

    /**
     * DPSGD-F's first step is DP-SGD's with the gradient's noise z_g·S₀ (both bounds start at S₀); its clipped counts,
     * above and within S₀, noised after the gradient's noise from the same stream, set the next bounds
     * S₀·(1 + rₖ/mean r) from each group's share above S₀.
     */
    @Test
    void groupClippingTakesTheGradientsShareOfTheNoiseAndMovesTheBoundsByTheNoisedCounts() {
        Examples train = examples("train", N, 1);
        int[] groups = new int[N];
        for (int i = 0; i < N; i++) {
            groups[i] = i % 2;
        }
        GroupClipping gc = new GroupClipping(groups, 2, 3.0);
        double zg = 1 / Math.sqrt(1 / (1.3 * 1.3) - 1 / 9.0);
        assertEquals(zg, gc.gradientNoiseMultiplier(1.3), 1e-15);
        DpSgdTraining.Options o = options(1.3, null, 12.0 / N);
        Network trained = Network.of(new long[] {6}, DataType.FLOAT, layers(), 7);
        DpSgdTraining.Result r = DpSgdTraining.train(trained, train, examples("test", 20, 2), o, gc, Progress.NONE);

        Network manual = Network.of(new long[] {6}, DataType.FLOAT, layers(), 7);
        INDArray before = manual.params().dup();
        int[] drawn = ClientSampler.seeded(7).sample(12.0 / N, N);
        manual.clearGradient();
        double[] norms = manual.addGradient(train.batch(drawn, 0, drawn.length, DataType.FLOAT),
                train.labels(drawn, 0, drawn.length), 0.5, true);
        float[] g = manual.gradient().toFloatVector();
        GaussianNoise stream = GaussianNoise.seeded(7);
        stream.addTo(g, zg * 0.5);
        INDArray expected = before.sub(Nd4j.create(g, before.shape(), 'c').divi(12).muli(0.1));
        assertArrayEquals(expected.toFloatVector(), trained.params().toFloatVector(), 1e-7f);
        double[] above = new double[2];
        double[] within = new double[2];
        for (int i = 0; i < drawn.length; i++) {
            (norms[i] > 0.5 ? above : within)[groups[drawn[i]]]++;
        }
        stream.addTo(above, 3.0);
        stream.addTo(within, 3.0);
        assertArrayEquals(GroupClipping.bounds(0.5, above, within), r.groupClips(), 1e-15);
        assertEquals(1.3, r.privacy().noiseMultiplier(), "accounted with z");
        assertTrue(r.privacy().noise().contains("DPSGD-F"), r.privacy().noise());
        // S0 (1 + r_k / mean r), r_k = above / (above + within), counts floored at 0, r = 1 for an empty group.
        // Shares 1/4 and 3/4 (mean 1/2): 1.5 and 2.5; a group of 2 all above beside 90 of 100 within: r 1 and 0.1.
        assertArrayEquals(new double[] {1.5, 2.5}, GroupClipping.bounds(1, new double[] {1, 3}, new double[] {3, 1}),
                1e-15);
        assertArrayEquals(new double[] {1 + 0.1 / 0.55, 1 + 1 / 0.55},
                GroupClipping.bounds(1, new double[] {10, 2}, new double[] {90, -0.5}), 1e-15);
        assertArrayEquals(new double[] {2, 2}, GroupClipping.bounds(1, new double[] {-1, 0}, new double[] {0, -2}),
                1e-15);
        assertThrows(IllegalArgumentException.class, () -> new GroupClipping(groups, 2, 1.0).gradientNoiseMultiplier(1.3));
    }

    @Test
    void epsilonIsTheCalculatorsForTheStepsTaken() {
        DpSgdTraining.Options o = options(0.9, null, 3);
        DpSgdTraining.Result r = DpSgdTraining.train(Network.of(new long[] {6}, DataType.FLOAT, layers(), 7),
                examples("train", N, 1), examples("test", 20, 2), o, Progress.NONE);
        DpSgdPrivacy p = r.privacy();
        assertEquals(PrivacyCalculator.stepsForEpochs(N, 12, 3), p.steps());
        assertEquals(15, p.steps());
        var calc = PrivacyCalculator.forSamplingRate(12.0 / N, 0.9, 15, 1e-5);
        assertEquals(calc.epsilonOriginal(), p.epsilonOriginal(), 1e-12);
        assertEquals(calc.epsilonImproved(), p.epsilonImproved(), 1e-12);
        assertEquals(0.2, p.q(), 0);
        assertEquals(3, r.epochs().size());
        assertEquals(calc.epsilonOriginal(), r.epochs().get(2).epsilon(), 1e-12, "the last epoch's epsilon is the total");
        assertTrue(r.epochs().get(0).epsilon() < r.epochs().get(1).epsilon());
        assertTrue(p.sampling().startsWith("Poisson sampling"), p.sampling());
        assertTrue(p.noise().startsWith("seeded"), "reproducible mode says it is seeded: " + p.noise());
        assertNull(r.stoppedEarly());
    }

    @Test
    void aTargetEpsilonPicksTheNoiseAndIsNotExceeded() {
        DpSgdTraining.Options o = options(null, 2.0, 3);
        DpSgdTraining.Result r = DpSgdTraining.train(Network.of(new long[] {6}, DataType.FLOAT, layers(), 7),
                examples("train", N, 1), examples("test", 20, 2), o, Progress.NONE);
        DpSgdPrivacy p = r.privacy();
        assertEquals(PrivacyCalculator.noiseMultiplierFor(0.2, 15, 1e-5, 2.0, Conversion.ORIGINAL), p.noiseMultiplier(), 0);
        assertTrue(p.epsilonOriginal() <= 2.0 && p.epsilonOriginal() > 1.998, "epsilon " + p.epsilonOriginal());
        assertEquals(2.0, p.targetEpsilon(), 0);
    }

    @Test
    void absurdSettingsAreRejectedBeforeTraining() {
        assertThrows(IllegalArgumentException.class, () -> options(1.0, 2.0, 1), "both z and a target");
        assertThrows(IllegalArgumentException.class, () -> options(null, null, 1), "neither z nor a target");
        assertThrows(IllegalArgumentException.class, () -> new DpSgdTraining.Options(0, 1.0, null, null, null, 12, 1,
                0.1, 0, 64, 1, true, false), "clip 0");
        assertThrows(IllegalArgumentException.class, () -> new DpSgdTraining.Options(1, 1.0, null, 2.0, null, 12, 1,
                0.1, 0, 64, 1, true, false), "delta 2");
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> DpSgdTraining.noiseMultiplier(options(1.0, null, 1), 10));
        assertTrue(big.getMessage().contains("exceeds the 10 training examples"), big.getMessage());
        DpSgdTraining.Options baseline = new DpSgdTraining.Options(1, null, null, null, null, 12, 1, 0.1, 0, 64, 1, true,
                true);
        assertThrows(IllegalArgumentException.class, () -> DpSgdTraining.noiseMultiplier(baseline, 10),
                "a non-private batch above n too");
        float[] x = new float[12];
        x[7] = Float.NaN;
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> new Examples("bad.idx", "f", new long[] {6}, x, new int[2], 3));
        assertTrue(nan.getMessage().startsWith("bad.idx: example 1 has a non-finite value"), nan.getMessage());
    }

    /** A diverged gradient cannot be clipped: the step fails naming it and leaves the parameters as they were. */
    @Test
    void aNonFiniteGradientStopsTheStep() {
        Network net = Network.of(new long[] {6}, DataType.FLOAT, layers(), 7);
        INDArray before = net.params().dup();
        float[] huge = new float[12];
        java.util.Arrays.fill(huge, 3e38f);
        INDArray x = Nd4j.create(huge, new long[] {2, 6}, 'c');
        net.clearGradient();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> net.addGradient(x, new int[] {0, 1}, 1.0, false));
        assertTrue(e.getMessage().contains("training has diverged"), e.getMessage());
        assertEquals(before, net.params());
        assertEquals(0, net.gradient().sumNumber().doubleValue(), 0, "nothing accumulated");
    }

    /** The tutorial CNN learns the bundled digits under DP-SGD in a few seconds. */
    @Test
    void theTutorialCnnLearnsTheBundledDigitsPrivately() {
        FederatedDataset allLab = DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT);
        FederatedDataset allField = DatasetLoader.load("bundled:field", WriterPartition.Options.DEFAULT);
        FederatedDataset lab = allLab.restrictTo("lab", allLab.byId().keySet().stream().limit(80).toList());
        FederatedDataset field = allField.restrictTo("field", allField.byId().keySet().stream().limit(25).toList());
        DpSgdTraining.Options o = new DpSgdTraining.Options(1.0, 0.8, null, null, null, 64, 2, 0.5, 0.5, 512, 3, true,
                false);
        PrivateClassifier.Outcome out = PrivateClassifier.train(lab, field, Dl4jModels.Model.TUTORIAL,
                Activation.Function.TANH, o, Progress.NONE);
        double acc = out.classifier().provenance().testAccuracy();
        assertTrue(acc > 0.4, "test accuracy " + acc + " (chance 0.1)");
        assertEquals(acc, out.classifier().accuracy(field), 1e-9, "the saved DL4J network classifies as the engine did");
        assertEquals(1e-5, out.classifier().provenance().privacy().delta(), 0, "default delta min(1e-5, n^-1.1)");
        assertTrue(out.classifier().provenance().privacy().deltaIsDefault());
    }
}
