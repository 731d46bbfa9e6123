package dev.fedgan.core.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SecureClientSamplerTest {

    @Test
    void drawsDistinctIncreasingIndicesInRange() {
        for (ClientSampler s : new ClientSampler[] {ClientSampler.secure(), ClientSampler.seeded(1)}) {
            for (int round = 0; round < 200; round++) {
                int[] pick = s.sample(ClientSampler.samplingRate(10, 3400), 3400);
                for (int k = 0; k < pick.length; k++) {
                    assertTrue(pick[k] >= 0 && pick[k] < 3400, "index " + pick[k]);
                    assertTrue(k == 0 || pick[k] > pick[k - 1], "increasing, hence distinct");
                }
            }
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, s.sample(1.0, 7), "q = 1 takes everybody");
        }
    }

    /**
     * Each client is included in a round with probability q, independently: over R rounds its count is
     * binomial(R, q), and the round's sample size is binomial(N, q). Checked within 5 standard errors.
     */
    private static void checkPoissonFrequencies(ClientSampler s, int n, int m, int rounds) {
        double q = ClientSampler.samplingRate(m, n);
        long[] counts = new long[n];
        double sizeSum = 0;
        double sizeSquares = 0;
        int empty = 0;
        for (int r = 0; r < rounds; r++) {
            int[] pick = s.sample(q, n);
            for (int i : pick) {
                counts[i]++;
            }
            sizeSum += pick.length;
            sizeSquares += (double) pick.length * pick.length;
            empty += pick.length == 0 ? 1 : 0;
        }
        double rateSe = Math.sqrt(q * (1 - q) / rounds);
        for (int i = 0; i < n; i++) {
            assertEquals(q, counts[i] / (double) rounds, 5 * rateSe, "inclusion rate of client " + i);
        }
        double mean = sizeSum / rounds;
        double variance = (sizeSquares - rounds * mean * mean) / (rounds - 1);
        double v = n * q * (1 - q); // binomial variance of the size
        assertEquals(n * q, mean, 5 * Math.sqrt(v / rounds), "mean sample size qN");
        // SE of a sample variance: sqrt((mu4 - v^2 (R-3)/(R-1)) / R), mu4 of the binomial = v (1 + 3(N-2) v / N ... )
        double mu4 = v * (1 + 3 * (n - 2) * q * (1 - q));
        assertEquals(v, variance, 5 * Math.sqrt((mu4 - v * v * (rounds - 3.0) / (rounds - 1)) / rounds),
                "variance of the sample size Nq(1-q): sizes vary");
        double pEmpty = Math.pow(1 - q, n);
        assertEquals(pEmpty, empty / (double) rounds, 5 * Math.sqrt(pEmpty * (1 - pEmpty) / rounds) + 1.0 / rounds,
                "rounds with nobody are normal");
    }

    @Test
    void seededInclusionIsPoissonWithRateQ() {
        checkPoissonFrequencies(ClientSampler.seeded(2024), 20, 5, 20_000);
        checkPoissonFrequencies(ClientSampler.seeded(7), 40, 2, 20_000); // ~ 13% of rounds empty
    }

    @Test
    void secureInclusionIsPoissonWithRateQ() {
        checkPoissonFrequencies(ClientSampler.secure(), 20, 5, 3_000); // a fresh key per round: fewer draws
    }

    @Test
    void rejectsImpossibleRequests() {
        ClientSampler s = ClientSampler.secure();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientSampler.samplingRate(11, 10));
        assertTrue(e.getMessage().contains("11") && e.getMessage().contains("10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClientSampler.samplingRate(0, 10));
        assertThrows(IllegalArgumentException.class, () -> ClientSampler.samplingRate(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> ClientSampler.samplingRate(1, 0));
        assertThrows(IllegalArgumentException.class, () -> s.sample(1.1, 10));
        assertThrows(IllegalArgumentException.class, () -> s.sample(0, 10));
        assertThrows(IllegalArgumentException.class, () -> s.sample(Double.NaN, 10));
        assertThrows(IllegalArgumentException.class, () -> s.sample(0.5, 0));
        assertEquals(0.25, ClientSampler.samplingRate(5, 20));
    }

    @Test
    void seededIsReproducibleAndStateResumesTheSameDraws() {
        ClientSampler a = ClientSampler.seeded(77);
        ClientSampler b = ClientSampler.seeded(77);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a.sample(10 / 850.0, 850), b.sample(10 / 850.0, 850));
        }
        SeededState saved = a.state();
        assertEquals(ClientSampler.STREAM, saved.stream());
        assertTrue(saved.position() > 0);
        int[][] later = {a.sample(10 / 850.0, 850), a.sample(0.6, 5), a.sample(100 / 3400.0, 3400)};
        ClientSampler resumed = ClientSampler.restore(saved);
        assertArrayEquals(later[0], resumed.sample(10 / 850.0, 850));
        assertArrayEquals(later[1], resumed.sample(0.6, 5));
        assertArrayEquals(later[2], resumed.sample(100 / 3400.0, 3400));
        assertThrows(IllegalArgumentException.class,
                () -> ClientSampler.restore(new SeededState(GaussianNoise.STREAM, 77, 0)));
    }

    @Test
    void secureModeIsDefaultLikeAndFresh() {
        ClientSampler s = ClientSampler.secure();
        assertFalse(s.isSeeded());
        assertNull(s.state());
        assertTrue(s.description().startsWith("secure"));
        assertTrue(s.description().contains("Poisson"), s.description());
        assertFalse(Arrays.equals(s.sample(0.5, 3400), s.sample(0.5, 3400)));
    }
}
