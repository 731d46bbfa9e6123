package dev.fedgan.core.dpsgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.dpsgd.Activation.Function;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The engine's batched per-example norms and clipped sum (float32, one pass, ghost norms or materialised gradients)
 * against a float64 batch-1 loop (one backward pass per example through the native ops' ordinary weight gradients),
 * for every supported layer type with strides, padding and several channels; and the float64 loop itself against
 * central finite differences of each example's loss, which shares no gradient code with either.
 */
public class PerExampleClippingTest {

    private static final int BATCH = 7;

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("dense", new long[] {2, 3, 3}, (Supplier<List<Layer>>) () -> List.of(
                        new Flatten(), new Dense(18, 6), new Activation(Function.TANH), new Dense(6, 4))),
                Arguments.of("conv2d same s2", new long[] {2, 9, 9}, (Supplier<List<Layer>>) () -> List.of(
                        new Conv2d(2, 3, Window.same(3, 2), true), new Activation(Function.TANH),
                        new Conv2d(3, 4, Window.of(3, 1, 1), true), new Activation(Function.TANH),
                        new Flatten(), new Dense(4 * 5 * 5, 3))),
                Arguments.of("conv2d s2 p1", new long[] {8, 4, 4}, (Supplier<List<Layer>>) () -> List.of(
                        new Conv2d(8, 16, Window.of(3, 2, 1), true), new Activation(Function.TANH),
                        new Flatten(), new Dense(16 * 2 * 2, 3))),
                Arguments.of("conv-transpose2d", new long[] {8, 2, 2}, (Supplier<List<Layer>>) () -> List.of(
                        new ConvTranspose2d(8, 4, Window.of(4, 2, 1), true), new Activation(Function.LEAKY_RELU),
                        new ConvTranspose2d(4, 3, Window.of(4, 2, 1), false), new Activation(Function.TANH),
                        new Conv2d(3, 2, Window.of(4, 2, 1), false), new Flatten(), new Dense(2 * 4 * 4, 3))),
                Arguments.of("group norm", new long[] {2, 6, 6}, (Supplier<List<Layer>>) () -> List.of(
                        new Conv2d(2, 4, Window.of(3, 1, 0), true), Normalization.groupNorm(2), new Activation(Function.TANH),
                        new Flatten(), new Dense(4 * 4 * 4, 3))),
                Arguments.of("layer norm", new long[] {10}, (Supplier<List<Layer>>) () -> List.of(
                        new Dense(10, 8), Normalization.layerNorm(), new Activation(Function.SIGMOID), new Dense(8, 3))),
                Arguments.of("tutorial CNN shape, max pooling", new long[] {1, 12, 12}, (Supplier<List<Layer>>) () -> List.of(
                        new Conv2d(1, 4, Window.same(4, 2), true), new Activation(Function.TANH),
                        new MaxPool2d(Window.of(2, 1, 0)),
                        new Conv2d(4, 6, Window.of(2, 2, 0), true), new Activation(Function.TANH),
                        new MaxPool2d(Window.of(2, 1, 0)), new Flatten(), new Dense(6, 5),
                        new Activation(Function.TANH), new Dense(5, 3))));
    }

    private static INDArray inputs(long[] shape, long seed) {
        return inputs(shape, BATCH, seed);
    }

    private static INDArray inputs(long[] shape, int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] s = Layer.batchShape(rows, shape);
        double[] v = new double[(int) Layer.product(s)];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return Nd4j.create(v, s, 'c');
    }

    private static int[] labels(int classes) {
        int[] y = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            y[i] = (i * 5 + 1) % classes;
        }
        return y;
    }

    /** Example i's gradient by a float64 batch-1 pass. */
    private static double[][] loop(Network net64, INDArray x, int[] y) {
        double[][] g = new double[BATCH][];
        for (int i = 0; i < BATCH; i++) {
            net64.clearGradient();
            net64.addGradient(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup(),
                    new int[] {y[i]}, Double.POSITIVE_INFINITY, false);
            g[i] = net64.gradient().toDoubleVector();
        }
        return g;
    }

    /** Σᵢ min(1, clip / ‖gᵢ‖)·gᵢ of the float64 per-example gradients. */
    public static double[] clippedSum(double[][] perExample, double[] norms, double clip) {
        double[] sum = new double[perExample[0].length];
        for (int i = 0; i < perExample.length; i++) {
            double c = Math.min(1, clip / norms[i]);
            for (int j = 0; j < sum.length; j++) {
                sum[j] += c * perExample[i][j];
            }
        }
        return sum;
    }

    /** {@code actual} within 10⁻⁵ of {@code expected}'s norm. */
    static void assertClose(double[] expected, double[] actual, String what) {
        assertClose(expected, actual, 1e-5, what);
    }

    /** {@code actual} within {@code relative} of {@code expected}'s norm. */
    public static void assertClose(double[] expected, double[] actual, double relative, String what) {
        double diff = 0;
        for (int j = 0; j < actual.length; j++) {
            diff += (actual[j] - expected[j]) * (actual[j] - expected[j]);
        }
        assertTrue(Math.sqrt(diff) <= relative * norm(expected),
                what + " off by " + Math.sqrt(diff) / norm(expected) + " relative");
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void batchedNormsAndClippedSumEqualTheFloat64Loop(String name, long[] shape, Supplier<List<Layer>> layers) {
        for (WindowedLayer.Norms mode : WindowedLayer.Norms.values()) {
            compare(name + " (" + mode + ")", shape, layers, mode);
        }
    }

    /** The network of {@code layers} in float32, its convolutions' norms computed the way {@code mode} says. */
    private static Network forced(long[] shape, Supplier<List<Layer>> layers, WindowedLayer.Norms mode) {
        List<Layer> forced = layers.get();
        forced.forEach(l -> {
            if (l instanceof WindowedLayer w) {
                w.norms(mode);
            }
        });
        return Network.of(shape, DataType.FLOAT, forced, 11);
    }

    private static void compare(String name, long[] shape, Supplier<List<Layer>> layers, WindowedLayer.Norms mode) {
        Network net32 = forced(shape, layers, mode);
        Network net64 = net32.withDataType(DataType.DOUBLE, layers.get());
        INDArray x = inputs(shape, 5);
        int[] y = labels(net32.numClasses());

        double[][] perExample = loop(net64, x, y);
        double[] reference = Arrays.stream(perExample).mapToDouble(PerExampleClippingTest::norm).toArray();
        double[] sorted = reference.clone();
        Arrays.sort(sorted);
        double clip = sorted[BATCH / 2];
        double[] clippedSum = clippedSum(perExample, reference, clip);

        // A smaller step first sizes the network's step memory, which the full batch must then outgrow.
        net32.addGradient(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)).castTo(DataType.FLOAT),
                Arrays.copyOf(y, 2), clip, false);
        net32.clearGradient();
        double[] norms = net32.addGradient(x.castTo(DataType.FLOAT), y, clip, false);
        for (int i = 0; i < BATCH; i++) {
            assertEquals(reference[i], norms[i], 1e-5 * reference[i], name + ": norm of example " + i);
        }
        assertClose(clippedSum, net32.gradient().toDoubleVector(), name + ": clipped sum");

        net32.clearGradient();
        double[] unclipped = net32.addGradient(x.castTo(DataType.FLOAT), y, Double.POSITIVE_INFINITY, true);
        for (int i = 0; i < BATCH; i++) {
            assertEquals(reference[i], unclipped[i], 1e-5 * reference[i], name + ": unclipped norm of example " + i);
        }
    }

    /**
     * Examples of 3 parts each (row j·n + i is part j of example i), each row's loss its cross-entropy times a weight
     * of either sign: the engine's norms and clipped sum are those of each example's sum of its parts' gradients, as a
     * float64 loop over the rows adds them up.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void examplesOfSeveralPartsAreNormedAndClippedAsTheSumOfTheirParts(String name, long[] shape,
                                                                       Supplier<List<Layer>> layers) {
        int parts = 3;
        for (WindowedLayer.Norms mode : WindowedLayer.Norms.values()) {
            Network net32 = forced(shape, layers, mode);
            Network net64 = net32.withDataType(DataType.DOUBLE, layers.get());
            INDArray x = inputs(shape, parts * BATCH, 6);
            int rows = parts * BATCH;
            int[] y = new int[rows];
            double[] w = new double[rows];
            for (int r = 0; r < rows; r++) {
                y[r] = (r * 3 + 2) % net32.numClasses();
                w[r] = (r % 2 == 0 ? 1 : -0.6) * (1 + r % 5);
            }
            Loss loss = weightedCrossEntropy(y, w);
            double[][] example = new double[BATCH][(int) net64.numParams()];
            for (int r = 0; r < rows; r++) {
                net64.clearGradient();
                net64.addGradient(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(r, r + 1)).dup(),
                        weightedCrossEntropy(new int[] {y[r]}, new double[] {w[r]}), null, false);
                double[] g = net64.gradient().toDoubleVector();
                for (int j = 0; j < g.length; j++) {
                    example[r % BATCH][j] += g[j];
                }
            }
            double[] reference = Arrays.stream(example).mapToDouble(PerExampleClippingTest::norm).toArray();
            double[] sorted = reference.clone();
            Arrays.sort(sorted);
            double[] clips = new double[BATCH];
            Arrays.fill(clips, sorted[BATCH / 2]);
            double[] clippedSum = clippedSum(example, reference, clips[0]);
            net32.clearGradient();
            double[] norms = net32.addGradient(x.castTo(DataType.FLOAT), loss, clips, false, parts);
            String what = name + " (" + mode + ")";
            assertEquals(BATCH, norms.length, what);
            for (int i = 0; i < BATCH; i++) {
                assertEquals(reference[i], norms[i], 1e-5 * reference[i], what + ": norm of example " + i);
            }
            assertClose(clippedSum, net32.gradient().toDoubleVector(), what + ": clipped sum");
        }
    }

    /** Row r's softmax cross-entropy against y[r], times w[r]. */
    private static Loss weightedCrossEntropy(int[] y, double[] w) {
        Loss ce = Loss.crossEntropy(y);
        return z -> {
            double[][] g = ce.outputGradient(z);
            for (int r = 0; r < g.length; r++) {
                for (int c = 0; c < g[r].length; c++) {
                    g[r][c] *= w[r];
                }
            }
            return g;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void theFloat64LoopEqualsFiniteDifferences(String name, long[] shape, Supplier<List<Layer>> layers) {
        Network net = Network.of(shape, DataType.DOUBLE, layers.get(), 3);
        INDArray x = inputs(shape, 9);
        int[] y = labels(net.numClasses());
        double[][] g = loop(net, x, y);
        INDArray p = net.params();
        SplittableRandom r = new SplittableRandom(1);
        double h = 1e-6;
        for (int i = 0; i < 2; i++) {
            INDArray xi = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup();
            for (int t = 0; t < 25; t++) {
                long j = r.nextLong(net.numParams());
                double v = p.getDouble(j);
                p.putScalar(j, v + h);
                double up = loss(net, xi, y[i]);
                p.putScalar(j, v - h);
                double down = loss(net, xi, y[i]);
                p.putScalar(j, v);
                double fd = (up - down) / (2 * h);
                assertEquals(fd, g[i][(int) j], 1e-6 * Math.max(1, Math.abs(fd)),
                        name + ": example " + i + ", parameter " + j);
            }
        }
    }

    private static double loss(Network net, INDArray x, int y) {
        double[] z = net.output(x).toDoubleVector();
        double max = Arrays.stream(z).max().orElseThrow();
        double s = 0;
        for (double v : z) {
            s += Math.exp(v - max);
        }
        return Math.log(s) - (z[y] - max);
    }

    @org.junit.jupiter.api.Test
    void largeLayersTakeTheGhostNormAndSmallOnesMaterialise() {
        Network net = Network.of(new long[] {256, 8, 8}, DataType.FLOAT, List.of(new Conv2d(256, 512, Window.of(4, 2, 1), false),
                new Conv2d(512, 4, Window.of(4, 1, 0), true), new Flatten(), new Dense(4, 2)), 1);
        WindowedLayer big = (WindowedLayer) net.layers().get(0);
        WindowedLayer small = (WindowedLayer) net.layers().get(1);
        assertEquals(32, big.materialisedUpTo(), "2^26 floats / (512 * 256 * 16) per example");
        assertTrue(big.ghost(64) && !big.ghost(32));
        assertFalse(small.ghost(2048), "2048 * 4 * 512 * 16 floats fit");
        assertTrue(small.ghost(4096));
        assertTrue(net.summary().get(0).endsWith("per-example gradients up to 32 examples a pass, ghost norm beyond"),
                net.summary().get(0));
    }
}
