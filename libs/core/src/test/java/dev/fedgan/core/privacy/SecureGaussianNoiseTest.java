package dev.fedgan.core.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.io.Json;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class SecureGaussianNoiseTest {

    private static final int N = 1_000_000;

    @Test
    void seededNoiseHasMeanZeroStdSigmaAndGaussianShape() {
        double sigma = 2.5;
        assertGaussianMoments(GaussianNoise.seeded(42).sample(N, sigma), sigma);
    }

    @Test
    void secureNoiseHasMeanZeroStdSigmaAndGaussianShape() {
        // The mode training uses: a fresh key per call, so each run tests other samples. The false-alarm rate of the
        // five 5-standard-error checks is about 5 * 5.7e-7.
        double sigma = 2.5;
        assertGaussianMoments(GaussianNoise.secure().sample(N, sigma), sigma);
    }

    /** Mean, std, skewness, kurtosis and the 3-sigma tail of N(0, sigma^2) samples, each within 5 standard errors. */
    private static void assertGaussianMoments(double[] x, double sigma) {
        int n = x.length;
        double mean = Arrays.stream(x).sum() / n;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        int beyond3 = 0;
        for (double v : x) {
            double d = v - mean;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
            beyond3 += Math.abs(v) > 3 * sigma ? 1 : 0;
        }
        m2 /= n;
        m3 /= n;
        m4 /= n;
        double std = Math.sqrt(m2);
        // Tolerances: 5 standard errors of each statistic for n = 1e6 normal samples.
        assertEquals(0, mean, 5 * sigma / Math.sqrt(n), "mean");                 // SE(mean) = sigma/sqrt(n)
        assertEquals(sigma, std, 5 * sigma / Math.sqrt(2.0 * n), "std");        // SE(std) = sigma/sqrt(2n)
        assertEquals(0, m3 / Math.pow(m2, 1.5), 5 * Math.sqrt(6.0 / n), "skewness"); // SE(skewness) = sqrt(6/n)
        assertEquals(3, m4 / (m2 * m2), 5 * Math.sqrt(24.0 / n), "kurtosis");   // SE(kurtosis) = sqrt(24/n)
        double p3 = 0.0026997960632601866; // P(|Z| > 3)
        assertEquals(p3 * n, beyond3, 5 * Math.sqrt(n * p3 * (1 - p3)), "samples beyond 3 sigma");
    }

    /** n for the Kolmogorov-Smirnov tests: several chunks of {@link GaussianNoise#CHUNK}, so several sub-streams. */
    private static final int KS_N = 200_000;
    /** The KS test's significance: a correct sampler fails it at most once in a million runs. */
    private static final double KS_P = 1e-6;

    @Test
    void secureNoisePassesAKolmogorovSmirnovTestAgainstTheNormal() {
        double sigma = 1.7;
        double[] x = GaussianNoise.secure().sample(KS_N, sigma);
        double d = ksStatistic(x, sigma);
        assertTrue(d < ksCritical(KS_N, KS_P), "KS D = " + d + " >= critical " + ksCritical(KS_N, KS_P));
    }

    @Test
    void seededNoisePassesAKolmogorovSmirnovTestAgainstTheNormal() {
        double sigma = 1.7;
        for (long seed : new long[] {0, 42}) {
            double d = ksStatistic(GaussianNoise.seeded(seed).sample(KS_N, sigma), sigma);
            assertTrue(d < ksCritical(KS_N, KS_P), "seed " + seed + ": KS D = " + d + " >= critical "
                    + ksCritical(KS_N, KS_P));
        }
    }

    @Test
    void theKolmogorovSmirnovTestUsesAnAccurateNormalCdfAndRejectsWrongSigmas() {
        // Phi from LogMath (Cody's rational approximations), checked against 0.5 * erfc(-x / sqrt 2) from Python's
        // math.erfc (an independent implementation), to about 1e-14 relative.
        assertEquals(0.5, phi(0), 1e-16);
        assertEquals(0.8413447460685429, phi(1), 1e-15);
        assertEquals(0.9772498680518208, phi(2), 1e-15);
        assertEquals(0.0013498980316300957, phi(-3), 1e-17);
        assertEquals(2.866515718791946e-7, phi(-5), 1e-20);
        assertEquals(0.6914624612740131, phi(0.5), 1e-15);
        // The critical value: DKW-Massart, P(D > t) <= 2 exp(-2 n t^2), so t = sqrt(-ln(p/2) / (2n)) = 0.0060226.
        assertEquals(0.0060226, ksCritical(KS_N, KS_P), 1e-7);
        // The test has power: the same samples against a 5% wrong sigma, or a mean off by 0.03 sigma, fail it
        // (sup |Phi(x) - Phi(x / 1.05)| = 0.0118, 0.03 phi(0) = 0.0120). A 1% wrong sigma (0.0024) is below its
        // resolution at this n: the moments tests catch that.
        double[] x = GaussianNoise.seeded(42).sample(KS_N, 1.0);
        assertTrue(ksStatistic(x, 1.05) > ksCritical(KS_N, KS_P), "sigma 1.05 not rejected");
        double[] shifted = Arrays.stream(x).map(v -> v + 0.03).toArray();
        assertTrue(ksStatistic(shifted, 1.0) > ksCritical(KS_N, KS_P), "mean 0.03 not rejected");
    }

    /** Phi(x), the standard normal distribution function. */
    private static double phi(double x) {
        return Math.exp(NormalDistribution.logNdtr(x));
    }

    /** D = sup |F_n(x) - Phi(x / sigma)| over the sample, from both sides of each step of the empirical CDF. */
    private static double ksStatistic(double[] sample, double sigma) {
        double[] x = sample.clone();
        Arrays.sort(x);
        int n = x.length;
        double d = 0;
        for (int i = 0; i < n; i++) {
            double f = phi(x[i] / sigma);
            d = Math.max(d, Math.max((i + 1.0) / n - f, f - (double) i / n));
        }
        return d;
    }

    /** The D above which a sample of size n is rejected at significance p (Dvoretzky-Kiefer-Wolfowitz-Massart). */
    private static double ksCritical(int n, double p) {
        return Math.sqrt(-Math.log(p / 2) / (2.0 * n));
    }

    @Test
    void seededStreamIsPinned() {
        // Regression values of the seeded stream's definition (key derivation, chunking, polar method, sum of four).
        // If they change, seeded experiment results stop being reproducible across versions: say so in the commit.
        assertArrayEquals(new double[] {-0.190221330631081, -1.719876991887158, -0.5929475343315221},
                GaussianNoise.seeded(0).sample(3, 1.0), 0.0);
        assertArrayEquals(new int[] {11, 26, 33, 35, 45, 54, 81}, ClientSampler.seeded(0).sample(0.05, 100)); // Poisson, q = 5/100
    }

    @Test
    void floatTargetsGetTheSameNoiseRoundedOnce() {
        float[] f = new float[3 * GaussianNoise.CHUNK + 5];
        Arrays.fill(f, 1.5f);
        GaussianNoise.seeded(3).addTo(f, 0.01);
        double[] d = new double[f.length];
        Arrays.fill(d, 1.5);
        GaussianNoise.seeded(3).addTo(d, 0.01);
        for (int i = 0; i < f.length; i++) {
            assertEquals((float) d[i], f[i], 0.0f, "coordinate " + i);
        }
    }

    @Test
    void seededNoiseIsDeterministicAndIndependentOfTheThreadCount() throws Exception {
        int n = 5 * GaussianNoise.CHUNK + 123;
        double[] sequential = new double[n];
        GaussianNoise.seeded(9).parallel(false).addTo(sequential, 1.0);
        double[] common = GaussianNoise.seeded(9).sample(n, 1.0);
        double[] three = new ForkJoinPool(3).submit(() -> GaussianNoise.seeded(9).sample(n, 1.0)).get();
        assertArrayEquals(sequential, common, 0.0);
        assertArrayEquals(sequential, three, 0.0);
        assertFalse(Arrays.equals(sequential, GaussianNoise.seeded(10).sample(n, 1.0)), "another seed, other noise");
        // Sub-streams differ: chunk 1 does not repeat chunk 0.
        assertNotEquals(sequential[0], sequential[GaussianNoise.CHUNK]);
    }

    @Test
    void consecutiveCallsContinueTheStreamAndStateRestoresIt() throws Exception {
        GaussianNoise g = GaussianNoise.seeded(5);
        double[] first = g.sample(1000, 1.0);
        SeededState saved = g.state();
        assertEquals(new SeededState(GaussianNoise.STREAM, 5, 1), saved);
        double[] next = g.sample(2 * GaussianNoise.CHUNK + 7, 1.0);
        double[] after = g.sample(50, 1.0);
        assertNotEquals(first[0], next[0], "a new call never reuses a sub-stream");

        SeededState roundTripped = Json.MAPPER.readValue(Json.toString(saved), SeededState.class);
        GaussianNoise resumed = GaussianNoise.restore(roundTripped);
        assertTrue(resumed.isSeeded());
        assertArrayEquals(next, resumed.sample(2 * GaussianNoise.CHUNK + 7, 1.0), 0.0);
        assertArrayEquals(after, resumed.sample(50, 1.0), 0.0);
        assertEquals(g.state(), resumed.state());

        assertThrows(IllegalArgumentException.class,
                () -> GaussianNoise.restore(new SeededState(ClientSampler.STREAM, 5, 1)));
    }

    @Test
    void secureIsTheDefaultModeAndNeverRepeats() {
        GaussianNoise g = GaussianNoise.secure();
        assertFalse(g.isSeeded());
        assertNull(g.state(), "secure mode has nothing to restore");
        assertTrue(g.description().startsWith("secure"), g.description());
        assertTrue(GaussianNoise.seeded(1).description().contains("NOT private"));
        double[] a = g.sample(10_000, 1.0);
        double[] b = g.sample(10_000, 1.0);
        assertFalse(Arrays.equals(a, b));
        double[] c = GaussianNoise.secure().sample(N, 1.0);
        assertEquals(0, Arrays.stream(c).average().orElseThrow(), 5 / Math.sqrt(N));
        double var = Arrays.stream(c).map(v -> v * v).sum() / N;
        assertEquals(1.0, Math.sqrt(var), 5 / Math.sqrt(2.0 * N));
    }

    @Test
    void zeroStdLeavesValuesAndInvalidStdIsRejected() {
        float[] x = {1f, 2f, 3f};
        GaussianNoise.secure().addTo(x, 0);
        assertArrayEquals(new float[] {1f, 2f, 3f}, x);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GaussianNoise.secure().addTo(x, -1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GaussianNoise.secure().addTo(x, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> GaussianNoise.secure().addTo(x, Double.POSITIVE_INFINITY));
    }
}
