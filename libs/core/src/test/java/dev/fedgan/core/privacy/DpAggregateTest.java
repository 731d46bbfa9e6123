package dev.fedgan.core.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.DpFedAvgAggregate.DpConfig;
import dev.fedgan.core.privacy.ClippedSum.Outcome;
import dev.fedgan.core.privacy.DpFedAvgAggregate.Result;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DpAggregateTest {

    private static float[] random(int n, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return x;
    }

    private static double norm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    private static DpFedAvgAggregate noiseless(int n, double clip, int m) {
        return DpFedAvgAggregate.dp(n, new DpConfig(clip, 0, m), GaussianNoise.seeded(0));
    }

    @Test
    void largeDeltaIsClippedToSAlongItsDirection() {
        int n = 200_000; // several parallel blocks
        float[] delta = random(n, 0.5, 1);
        double before = norm(delta);
        assertTrue(before > 100);
        DpFedAvgAggregate agg = noiseless(n, 0.1, 1);
        assertEquals(Outcome.CLIPPED, agg.add("a", delta));
        Result r = agg.finish();
        assertEquals(0.1, norm(r.average()), 0.1 * 1e-6);
        double factor = 0.1 / before;
        for (int i = 0; i < n; i += 997) {
            assertEquals((float) (delta[i] * factor), r.average()[i], 0.0f);
        }
        assertEquals(1, r.report().clipped());
        assertEquals(before, r.report().preClipNormMax(), before * 1e-12);
    }

    @Test
    void smallDeltaIsUnchanged() {
        float[] delta = random(1000, 1e-3, 2);
        assertTrue(norm(delta) < 0.1);
        DpFedAvgAggregate agg = noiseless(delta.length, 0.1, 1);
        assertEquals(Outcome.ACCEPTED, agg.add("a", delta));
        Result r = agg.finish();
        assertArrayEquals(delta, r.average(), 0.0f);
        assertEquals(0, r.report().clipped());
    }

    @Test
    void denominatorIsTheConfiguredClientsPerRoundNotTheArrivals() {
        float[] d1 = random(500, 1e-3, 3);
        float[] d2 = random(500, 1e-3, 4);
        DpFedAvgAggregate agg = noiseless(500, 1.0, 4);
        agg.add("a", d1);
        agg.add("b", d2);
        Result r = agg.finish();
        for (int i = 0; i < 500; i++) {
            assertEquals((float) (((double) d1[i] + d2[i]) / 4), r.average()[i], 0.0f);
        }
        assertEquals(2, r.report().received());
        assertEquals(4.0, r.report().denominator());
    }

    @Test
    void nonFiniteDeltasAreRejectedCountedAndContributeZero() {
        float[] good = random(100, 1e-3, 5);
        float[] nan = random(100, 1e-3, 6);
        nan[37] = Float.NaN;
        float[] inf = random(100, 1e-3, 7);
        inf[0] = Float.NEGATIVE_INFINITY;
        DpFedAvgAggregate agg = noiseless(100, 1.0, 10);
        assertEquals(Outcome.REJECTED_NON_FINITE, agg.add("nan", nan));
        assertEquals(Outcome.ACCEPTED, agg.add("good", good));
        assertEquals(Outcome.REJECTED_NON_FINITE, agg.add("inf", inf));
        Result r = agg.finish();
        for (int i = 0; i < 100; i++) {
            assertEquals((float) (good[i] / 10.0), r.average()[i], 0.0f);
        }
        assertEquals(3, r.report().received());
        assertEquals(1, r.report().accepted());
        assertEquals(2, r.report().rejectedNonFinite());
        assertEquals(norm(good), r.report().preClipNormMedian(), 1e-12, "norms of accepted deltas only");
    }

    @Test
    void duplicateClientIsCountedOnce() {
        float[] d = random(100, 1e-3, 8);
        DpFedAvgAggregate agg = noiseless(100, 1.0, 2);
        assertEquals(Outcome.ACCEPTED, agg.add("a", d));
        assertEquals(Outcome.DUPLICATE, agg.add("a", random(100, 1e-3, 9)));
        Result r = agg.finish();
        for (int i = 0; i < 100; i++) {
            assertEquals((float) (d[i] / 2.0), r.average()[i], 0.0f);
        }
        assertEquals(1, r.report().received());
        assertEquals(1, r.report().duplicates());
    }

    @Test
    void wrongLengthNamesTheClientAndTheLengths() {
        DpFedAvgAggregate agg = noiseless(100, 1.0, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> agg.add("f0042_17", new float[99]));
        assertTrue(e.getMessage().contains("f0042_17") && e.getMessage().contains("99") && e.getMessage().contains("100"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DpConfig(0, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> new DpConfig(0.1, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> new DpConfig(0.1, 1, 0));
    }

    @Test
    void roundWithNoClientReleasesExactlyTheNoiseOverM() {
        int n = 70_000; // two blocks
        double s = 0.1;
        double z = 0.7;
        int m = 6;
        for (boolean ahead : new boolean[] {false, true}) {
            DpFedAvgAggregate agg = DpFedAvgAggregate.dp(n, new DpConfig(s, z, m), GaussianNoise.seeded(5));
            if (ahead) {
                agg.drawNoiseAhead();
            }
            Result r = agg.finish(); // nobody was sampled
            double[] noise = GaussianNoise.seeded(5).sample(n, z * s); // the seeded stream's values
            for (int i = 0; i < n; i++) {
                assertEquals((float) (noise[i] / m), r.average()[i], 0.0f, "coordinate " + i);
            }
            assertEquals(0, r.report().received());
            assertEquals(m, r.report().denominator(), 0.0);
            assertTrue(norm(r.average()) > 0, "the noise is released");
        }
    }

    @Test
    void denominatorIsMAlsoWhenMoreThanMClientsAreSampled() {
        // Poisson sampling may draw more than m = qN clients: the denominator is still m.
        int n = 300;
        DpFedAvgAggregate agg = noiseless(n, 1.0, 2);
        float[][] d = {random(n, 1e-3, 31), random(n, 1e-3, 32), random(n, 1e-3, 33)};
        for (int k = 0; k < d.length; k++) {
            agg.add("c" + k, d[k]);
        }
        Result r = agg.finish();
        for (int i = 0; i < n; i++) {
            assertEquals((float) (((double) d[0][i] + d[1][i] + d[2][i]) / 2), r.average()[i], 0.0f);
        }
        assertEquals(2, r.report().denominator(), 0.0);
        assertEquals(3, r.report().received());
    }

    @Test
    void noiseOnTheAverageHasStdZSOverM() {
        int n = 1_000_000;
        double s = 0.1;
        double z = 0.5;
        int m = 10;
        DpFedAvgAggregate agg = DpFedAvgAggregate.dp(n, new DpConfig(s, z, m), GaussianNoise.seeded(11));
        agg.add("zero", new float[n]);
        Result r = agg.finish();
        double sum = 0;
        double sq = 0;
        for (float v : r.average()) {
            sum += v;
            sq += (double) v * v;
        }
        double expected = z * s / m;
        assertEquals(0, sum / n, 5 * expected / Math.sqrt(n));
        assertEquals(expected, Math.sqrt(sq / n), 5 * expected / Math.sqrt(2.0 * n));
        assertEquals(z * s, r.report().noiseStdSum(), 1e-15);
        assertEquals(expected, r.report().noiseStdAverage(), 1e-15);
        assertTrue(r.report().noiseMode().startsWith("seeded"), r.report().noiseMode());

        DpFedAvgAggregate again = DpFedAvgAggregate.dp(n, new DpConfig(s, z, m), GaussianNoise.seeded(11));
        again.add("zero", new float[n]);
        assertArrayEquals(r.average(), again.finish().average(), 0.0f, "seeded noise is reproducible");
    }

    @Test
    void noiseDrawnAheadIsTheNoiseDrawnAtTheEnd() {
        int n = 300_000;
        DpConfig config = new DpConfig(0.1, 0.5, 3);
        float[] a = random(n, 1e-5, 1);
        float[] b = random(n, 1, 2); // clipped
        GaussianNoise atTheEnd = GaussianNoise.seeded(11);
        GaussianNoise ahead = GaussianNoise.seeded(11);
        for (int round = 0; round < 2; round++) { // the stream goes on alike
            DpFedAvgAggregate late = DpFedAvgAggregate.dp(n, config, atTheEnd);
            DpFedAvgAggregate early = DpFedAvgAggregate.dp(n, config, ahead);
            early.drawNoiseAhead();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (ahead.state().position() == atTheEnd.state().position()) { // drawn before any delta arrives
                assertTrue(System.nanoTime() < deadline, "the noise was not drawn ahead, round " + round);
                Thread.onSpinWait();
            }
            for (DpFedAvgAggregate agg : new DpFedAvgAggregate[] {late, early}) {
                agg.add("a", a);
                agg.add("b", b);
            }
            Result expected = late.finish();
            Result got = early.finish();
            assertArrayEquals(expected.average(), got.average(), 0.0f, "round " + round);
            assertEquals(expected.report().noiseStdSum(), got.report().noiseStdSum());
            assertEquals(1, got.report().clipped());
        }
        // Secure noise drawn ahead is noise: the average of zero deltas has the std z·S/m.
        DpFedAvgAggregate secure = DpFedAvgAggregate.dp(n, config, GaussianNoise.secure());
        secure.drawNoiseAhead();
        secure.add("zero", new float[n]);
        double sq = 0;
        for (float v : secure.finish().average()) {
            sq += (double) v * v;
        }
        double expected = 0.5 * 0.1 / 3;
        assertEquals(expected, Math.sqrt(sq / n), 5 * expected / Math.sqrt(2.0 * n));
    }

    @Test
    void reportSummarisesPreClipNormsAndSerialises() throws Exception {
        DpFedAvgAggregate agg = noiseless(4, 2.5, 4);
        agg.add("a", new float[] {1, 0, 0, 0});
        agg.add("b", new float[] {0, 2, 0, 0});
        agg.add("c", new float[] {0, 0, 3, 0});
        agg.add("d", new float[] {0, 0, 0, 4});
        AggregateReport rep = agg.finish().report();
        assertEquals(1.0, rep.preClipNormMin());
        assertEquals(2.5, rep.preClipNormMedian());
        assertEquals(4.0, rep.preClipNormMax());
        assertEquals(2, rep.clipped());
        String json = Json.toString(rep);
        assertTrue(json.contains("\"pre_clip_norm_median\" : 2.5"), json);
        assertEquals(rep, Json.MAPPER.readValue(json, AggregateReport.class));

        AggregateReport empty = noiseless(4, 1, 4).finish().report();
        assertNull(empty.preClipNormMedian());
        assertThrows(IllegalStateException.class, () -> agg.add("e", new float[4]));
        assertThrows(IllegalStateException.class, agg::finish);
    }

    @Test
    void withoutDpItIsTheExampleWeightedMeanWithoutClippingOrNoise() {
        float[] d1 = random(300, 10, 12);
        float[] d2 = random(300, 10, 13);
        float[] bad = random(300, 10, 14);
        bad[5] = Float.POSITIVE_INFINITY;
        DpFedAvgAggregate agg = DpFedAvgAggregate.weightedMean(300);
        assertEquals(Outcome.ACCEPTED, agg.add("a", d1, 32));
        assertEquals(Outcome.ACCEPTED, agg.add("b", d2, 96));
        assertEquals(Outcome.REJECTED_NON_FINITE, agg.add("c", bad, 1000));
        Result r = agg.finish();
        for (int i = 0; i < 300; i++) {
            assertEquals((float) ((32.0 * d1[i] + 96.0 * d2[i]) / 128), r.average()[i], 0.0f);
        }
        AggregateReport rep = r.report();
        assertFalse(rep.dp());
        assertEquals(128.0, rep.denominator());
        assertEquals(0, rep.clipped());
        assertEquals(0.0, rep.noiseStdAverage());
        assertEquals("none", rep.noiseMode());
        assertNull(rep.clipNorm());
        assertThrows(IllegalArgumentException.class, () -> DpFedAvgAggregate.weightedMean(3).add("x", new float[3], -1));

        DpFedAvgAggregate nothing = DpFedAvgAggregate.weightedMean(3);
        nothing.add("x", new float[] {Float.NaN, 0, 0}, 5);
        assertArrayEquals(new float[3], nothing.finish().average(), 0.0f);
    }
}
