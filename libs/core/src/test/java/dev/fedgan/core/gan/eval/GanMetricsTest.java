package dev.fedgan.core.gan.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.gan.eval.GanMetrics.Polarity;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

public class GanMetricsTest {

    private static double[][] gaussian(Random rnd, int n, int d, double scale, double shift) {
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = shift + scale * rnd.nextGaussian() + 0.3 * (j > 0 ? x[i][j - 1] : 0);
            }
        }
        return x;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).sum() / v.length;
    }

    private static double unbiasedSd(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    private static double[] column(double[][] x, int j) {
        return Arrays.stream(x).mapToDouble(r -> r[j]).toArray();
    }

    @Test
    void fcdOfABatchWithItselfIsZero() {
        Random rnd = new Random(7);
        double[][] x = gaussian(rnd, 500, 36, 3.0, 1.5);
        assertEquals(0.0, GanMetrics.frechetDistance(x, x), 1e-9);
        // fewer rows than columns: a rank-deficient covariance, eigenvalues below 1e-10 stay un-rooted
        double[][] small = gaussian(rnd, 20, 36, 2.0, 0.0);
        assertEquals(0.0, GanMetrics.frechetDistance(small, small), 1e-9);
    }

    @Test
    void oneDimensionalFcdMatchesTheClosedForm() {
        double[][] a = {{1.0}, {2.0}, {4.0}, {7.0}};
        double[][] b = {{-3.0}, {0.5}, {0.0}, {10.0}, {2.5}};
        double m1 = mean(column(a, 0));
        double m2 = mean(column(b, 0));
        double s1 = unbiasedSd(column(a, 0));
        double s2 = unbiasedSd(column(b, 0));
        double expected = (m1 - m2) * (m1 - m2) + s1 * s1 + s2 * s2 - 2 * s1 * s2;
        assertEquals(expected, GanMetrics.frechetDistance(a, b), 1e-10);
        // a biased (N) covariance would give a different number: the test can tell them apart
        double biased = (m1 - m2) * (m1 - m2) + Math.pow(s1 * Math.sqrt(3.0 / 4) - s2 * Math.sqrt(4.0 / 5), 2);
        assertTrue(Math.abs(biased - expected) > 0.1);
    }

    /**
     * Rows of a 2^3 full factorial design (every ±1 combination) have exactly zero sample correlation between
     * columns, so the covariance is diagonal and FCD = Σ(Δμ)² + Σ(σ1 − σ2)².
     */
    @Test
    void diagonalMultivariateFcdMatchesTheClosedForm() {
        double[] scaleA = {1.0, 2.5, 0.2};
        double[] shiftA = {0.0, -1.0, 3.0};
        double[] scaleB = {4.0, 0.5, 0.2};
        double[] shiftB = {1.0, 2.0, -3.0};
        double[][] a = factorial(scaleA, shiftA);
        double[][] b = factorial(scaleB, shiftB);
        double expected = 0;
        for (int j = 0; j < 3; j++) {
            double dm = mean(column(a, j)) - mean(column(b, j));
            double ds = unbiasedSd(column(a, j)) - unbiasedSd(column(b, j));
            expected += dm * dm + ds * ds;
        }
        assertEquals(expected, GanMetrics.frechetDistance(a, b), 1e-9);
        // hand value: sd of ±s over 8 rows is s*sqrt(8/7); Δμ² = 1 + 9 + 36 = 46
        double k = Math.sqrt(8.0 / 7);
        double hand = 46 + k * k * (9 + 4 + 0);
        assertEquals(hand, GanMetrics.frechetDistance(a, b), 1e-9);
    }

    private static double[][] factorial(double[] scale, double[] shift) {
        double[][] x = new double[8][3];
        for (int r = 0; r < 8; r++) {
            for (int j = 0; j < 3; j++) {
                x[r][j] = shift[j] + scale[j] * (((r >> j) & 1) == 0 ? -1 : 1);
            }
        }
        return x;
    }

    @Test
    void fcdIsSymmetricAndPositiveForDifferentCorrelatedBatches() {
        Random rnd = new Random(11);
        double[][] a = gaussian(rnd, 300, 36, 2.0, 0.0);
        double[][] b = gaussian(rnd, 200, 36, 1.0, 0.5);
        double ab = GanMetrics.frechetDistance(a, b);
        double ba = GanMetrics.frechetDistance(b, a);
        assertTrue(ab > 1, "clearly different batches: " + ab);
        assertEquals(ab, ba, 1e-9 * ab);
    }

    @Test
    void symmetricSqrtSquaresBackToTheMatrix() {
        Random rnd = new Random(3);
        double[][] x = gaussian(rnd, 100, 12, 1.0, 0.0);
        double[][] c = GanMetrics.covariance(x, new double[12]);
        double[][] r = GanMetrics.symmetricSqrt(c);
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 12; j++) {
                double v = 0;
                for (int k = 0; k < 12; k++) {
                    v += r[i][k] * r[k][j];
                }
                assertEquals(c[i][j], v, 1e-12);
            }
        }
    }

    @Test
    void fcdRejectsBadInputs() {
        double[][] ok = {{1, 2}, {3, 4}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GanMetrics.frechetDistance(ok, new double[][] {{1, 2, 3}, {4, 5, 6}}));
        assertTrue(e.getMessage().contains("widths differ"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GanMetrics.frechetDistance(new double[][] {{1, 2}}, ok));
        assertTrue(e.getMessage().contains("at least 2 rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GanMetrics.frechetDistance(ok, new double[][] {{1, 2}, {Double.NaN, 4}}));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("row 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GanMetrics.frechetDistance(ok, new double[][] {{1, 2}, {3}}));
        assertTrue(e.getMessage().contains("row 1 has width 1"), e.getMessage());
    }

    @Test
    void scoreOfIdenticalRowsIsOne() {
        double[][] l = new double[10][36];
        for (double[] row : l) {
            for (int c = 0; c < 36; c++) {
                row[c] = Math.sin(c) * 5;
            }
        }
        assertEquals(1.0, GanMetrics.classifierScore(l), 1e-12);
    }

    @Test
    void scoreOfKConfidentDistinctClassesIsK() {
        for (int k : new int[] {2, 10, 36}) {
            double[][] l = new double[k][36];
            for (int b = 0; b < k; b++) {
                l[b][b] = 50;
            }
            assertEquals(k, GanMetrics.classifierScore(l), 1e-6 * k, "K = " + k);
        }
        // huge logits: log-softmax keeps it finite
        double[][] huge = {{1e4, 0, 0}, {0, 1e4, 0}, {0, 0, 1e4}};
        assertEquals(3.0, GanMetrics.classifierScore(huge), 1e-9);
    }

    @Test
    void scoreOfAMixedBatchMatchesAHandComputation() {
        double[][] l = {{0, Math.log(3)}, {0, 0}};
        // p1 = (1/4, 3/4), p2 = (1/2, 1/2), q = (3/8, 5/8)
        double kl1 = 0.25 * Math.log(0.25 / 0.375) + 0.75 * Math.log(0.75 / 0.625);
        double kl2 = 0.5 * Math.log(0.5 / 0.375) + 0.5 * Math.log(0.5 / 0.625);
        assertEquals(Math.exp((kl1 + kl2) / 2), GanMetrics.classifierScore(l), 1e-12);
    }

    @Test
    void meanPixelAndPolarity() {
        float[] blank = new float[2 * WriterData.PIXELS];
        Arrays.fill(blank, -1f);
        assertEquals(-1.0, GanMetrics.meanPixel(blank), 0.0);
        assertEquals(Polarity.NORMAL, GanMetrics.polarity(blank));
        float[] digit = ring(-1f, 1f);
        double m = GanMetrics.meanPixel(digit);
        assertTrue(m < -0.5, "a thin ring on background: " + m);
        float[] inverted = ring(1f, -1f);
        assertEquals(-m, GanMetrics.meanPixel(inverted), 1e-12);
        assertEquals(Polarity.NORMAL, GanMetrics.polarity(digit));
        assertEquals(Polarity.INVERTED, GanMetrics.polarity(inverted));
        float[] grey = new float[WriterData.PIXELS];
        assertEquals(Polarity.UNCLEAR, GanMetrics.polarity(grey));
        assertEquals(Polarity.NORMAL, GanMetrics.polarityOf(-0.3));
        assertEquals(Polarity.INVERTED, GanMetrics.polarityOf(0.3));
        assertEquals(Polarity.UNCLEAR, GanMetrics.polarityOf(0.29));
        assertThrows(IllegalArgumentException.class, () -> GanMetrics.meanPixel(new float[783]));
        float[] nan = new float[WriterData.PIXELS];
        nan[5] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> GanMetrics.meanPixel(nan));
    }

    static float[] ring(float background, float ink) {
        float[] px = new float[WriterData.PIXELS];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                double r = Math.hypot(x - 13.5, y - 13.5);
                px[y * 28 + x] = (r > 6 && r < 9) ? ink : background;
            }
        }
        return px;
    }

    /** The thresholds follow the lab data: halfway to its mean pixel (Fashion-MNIST's -0.43), at most 0.3 (digits). */
    @Test
    void polarityFollowsTheLabData() {
        PolarityScale clothes = new PolarityScale(-0.43);
        assertEquals(0.215, clothes.bound(), 1e-12);
        assertEquals(Polarity.INVERTED, clothes.polarityOf(0.25), "+0.25 is most of the way to the negatives' +0.43");
        assertEquals(Polarity.NORMAL, clothes.polarityOf(-0.25));
        assertEquals(Polarity.UNCLEAR, clothes.polarityOf(0.2));
        assertEquals(Polarity.UNCLEAR, PolarityScale.REFERENCE.polarityOf(0.25), "digits need +0.3");
        assertEquals(0.3, new PolarityScale(-0.74).bound(), 1e-12);
        float[] lab = ring(-1f, 1f);
        assertEquals(GanMetrics.meanPixel(lab), PolarityScale.of(lab).labMeanPixel(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> PolarityScale.of(ring(1f, -1f)), "light lab data");
        assertTrue(clothes.references().startsWith("the lab data's images average -0.43, their negatives +0.43"),
                clothes.references());
    }
}
