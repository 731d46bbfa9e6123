package dev.fedgan.core.dpsgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch normalisation in float64: the output normalised per channel over the batch and positions (by hand), the
 * parameter and input gradients of L = Σ w·output against central finite differences, and the refusal to clip.
 */
class BatchNormalizationTest {

    private static final int BATCH = 4;
    private static final long[] EXAMPLE = {3, 2, 2};

    private static INDArray random(SplittableRandom r, long... shape) {
        double[] v = new double[Math.toIntExact(Layer.product(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return Nd4j.create(v, shape, 'c');
    }

    private static Network network(SplittableRandom r) {
        Network n = Network.of(EXAMPLE, DataType.DOUBLE, List.of(Normalization.batchNorm(), new Flatten()), 1);
        n.params().assign(random(r, 1, 6).addi(1));
        return n;
    }

    private static double loss(Network n, INDArray x, INDArray w) {
        return n.output(x).mul(w).sumNumber().doubleValue();
    }

    @Test
    void eachChannelIsNormalisedOverTheBatchAndPositions() {
        SplittableRandom r = new SplittableRandom(1);
        Network n = network(r);
        INDArray x = random(r, BATCH, 3, 2, 2).muli(3).addi(2);
        INDArray y = n.output(x).reshape(BATCH, 3, 2, 2);
        for (int c = 0; c < 3; c++) {
            double mean = 0;
            double sq = 0;
            for (int b = 0; b < BATCH; b++) {
                for (int p = 0; p < 4; p++) {
                    double v = x.getDouble(b, c, p / 2, p % 2);
                    mean += v / 16;
                    sq += v * v / 16;
                }
            }
            double sd = Math.sqrt(sq - mean * mean + 1e-5);
            double gamma = n.params().getDouble(0, c);
            double beta = n.params().getDouble(0, 3 + c);
            for (int b = 0; b < BATCH; b++) {
                double want = gamma * (x.getDouble(b, c, 1, 0) - mean) / sd + beta;
                assertEquals(want, y.getDouble(b, c, 1, 0), 1e-9, "channel " + c + " example " + b);
            }
        }
    }

    @Test
    void gradientsEqualFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(2);
        Network n = network(r);
        INDArray x = random(r, BATCH, 3, 2, 2);
        INDArray w = random(r, BATCH, 12);
        n.clearGradient();
        n.addOutputGradient(x, w);
        double h = 1e-6;
        for (int p = 0; p < 6; p++) {
            double keep = n.params().getDouble(0, p);
            n.params().putScalar(0, p, keep + h);
            double up = loss(n, x, w);
            n.params().putScalar(0, p, keep - h);
            double down = loss(n, x, w);
            n.params().putScalar(0, p, keep);
            assertEquals((up - down) / (2 * h), n.gradient().getDouble(0, p), 1e-6, "parameter " + p);
        }
        Loss fixed = z -> w.toDoubleMatrix();
        INDArray dx = n.inputGradient(x, fixed);
        for (long i = 0; i < x.length(); i += 5) {
            INDArray flat = x.reshape(x.length());
            double keep = flat.getDouble(i);
            flat.putScalar(i, keep + h);
            double up = loss(n, x, w);
            flat.putScalar(i, keep - h);
            double down = loss(n, x, w);
            flat.putScalar(i, keep);
            assertEquals((up - down) / (2 * h), dx.reshape(x.length()).getDouble(i), 1e-6, "input value " + i);
        }
    }

    @Test
    void itCannotBeClippedPerExampleNorTakeABatchOfOne() {
        SplittableRandom r = new SplittableRandom(3);
        Network n = network(r);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> n.addGradient(random(r, BATCH, 3, 2, 2), Loss.crossEntropy(new int[BATCH]), new double[] {1, 1, 1, 1},
                        false));
        assertTrue(e.getMessage().contains("no per-example gradient"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> n.output(random(r, 1, 3, 2, 2)));
    }
}
