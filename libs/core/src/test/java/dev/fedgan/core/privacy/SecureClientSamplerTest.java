package dev.fedgan.core.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecureClientSamplerTest {

    @Test
    void drawsMDistinctIndicesInRange() {
        for (ClientSampler s : new ClientSampler[] {ClientSampler.secure(), ClientSampler.seeded(1)}) {
            for (int round = 0; round < 200; round++) {
                int[] pick = s.sample(10, 3400);
                assertEquals(10, pick.length);
                Set<Integer> distinct = new HashSet<>();
                for (int i : pick) {
                    assertTrue(i >= 0 && i < 3400, "index " + i);
                    distinct.add(i);
                }
                assertEquals(10, distinct.size());
            }
            int[] all = s.sample(7, 7);
            Arrays.sort(all);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, all);
        }
    }

    @Test
    void marginalsAreUniform() {
        ClientSampler s = ClientSampler.seeded(2024);
        int n = 20;
        int m = 5;
        int draws = 20_000;
        long[] counts = new long[n];
        long[] firstPosition = new long[n];
        for (int d = 0; d < draws; d++) {
            int[] pick = s.sample(m, n);
            for (int i : pick) {
                counts[i]++;
            }
            firstPosition[pick[0]]++;
        }
        // Each index is chosen with probability p = m/n per draw; the indicators of one draw are correlated
        // (-1/(n-1) after standardising, since they sum to m), so Pearson's X = Σ(c-E)²/E satisfies
        // X·(n-1)/(n-m) ~ chi-square(n-1) under uniform sampling.
        double expected = (double) draws * m / n;
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // chi-square(19): P(> 45.6) = 0.0005.
        assertTrue(chi2 * (n - 1) / (n - m) < 45.6, "chi-square " + chi2);
        double expectedFirst = (double) draws / n;
        double chiFirst = 0;
        for (long c : firstPosition) {
            chiFirst += (c - expectedFirst) * (c - expectedFirst) / expectedFirst;
        }
        assertTrue(chiFirst < 45.6, "chi-square of the first pick " + chiFirst);
    }

    @Test
    void rejectsImpossibleRequests() {
        ClientSampler s = ClientSampler.secure();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.sample(11, 10));
        assertTrue(e.getMessage().contains("11") && e.getMessage().contains("10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.sample(0, 10));
        assertThrows(IllegalArgumentException.class, () -> s.sample(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> s.sample(1, 0));
    }

    @Test
    void seededIsReproducibleAndStateResumesTheSameDraws() {
        ClientSampler a = ClientSampler.seeded(77);
        ClientSampler b = ClientSampler.seeded(77);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a.sample(10, 850), b.sample(10, 850));
        }
        SeededState saved = a.state();
        assertEquals(ClientSampler.STREAM, saved.stream());
        assertTrue(saved.position() > 0);
        int[][] later = {a.sample(10, 850), a.sample(3, 5), a.sample(100, 3400)};
        ClientSampler resumed = ClientSampler.restore(saved);
        assertArrayEquals(later[0], resumed.sample(10, 850));
        assertArrayEquals(later[1], resumed.sample(3, 5));
        assertArrayEquals(later[2], resumed.sample(100, 3400));
        assertThrows(IllegalArgumentException.class,
                () -> ClientSampler.restore(new SeededState(GaussianNoise.STREAM, 77, 0)));
    }

    @Test
    void secureModeIsDefaultLikeAndFresh() {
        ClientSampler s = ClientSampler.secure();
        assertFalse(s.isSeeded());
        assertNull(s.state());
        assertTrue(s.description().startsWith("secure"));
        assertFalse(Arrays.equals(s.sample(10, 3400), s.sample(10, 3400)));
    }
}
