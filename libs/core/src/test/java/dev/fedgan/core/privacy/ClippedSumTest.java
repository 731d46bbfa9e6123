package dev.fedgan.core.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.privacy.DpFedAvgAggregate.DpConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Shares of a round's clipped sum: exact, so any split of the clients and any order give the same bits. */
class ClippedSumTest {

    private static final int LENGTH = 70_000; // two parallel blocks
    private static final double S = 0.5;

    /** 40 clients: most within S, some far above it (clipped), one with a NaN (rejected). */
    private static List<float[]> deltas() {
        List<float[]> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(17);
        for (int c = 0; c < 40; c++) {
            double scale = c % 5 == 0 ? 0.05 : 2e-5 * (1 + c);
            float[] d = new float[LENGTH];
            for (int i = 0; i < LENGTH; i++) {
                d[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
            }
            out.add(d);
        }
        out.get(7)[123] = Float.NaN;
        return out;
    }

    /** The round's result when its clients are split into {@code shares} shares, each adding its clients shuffled. */
    private static DpFedAvgAggregate.Result inShares(List<float[]> deltas, int shares, long shuffle) {
        DpFedAvgAggregate round = DpFedAvgAggregate.dp(LENGTH, new DpConfig(S, 1.1, 30), GaussianNoise.seeded(3));
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < deltas.size(); c++) {
            order.add(c);
        }
        Collections.shuffle(order, new Random(shuffle));
        List<ClippedSum> parts = new ArrayList<>();
        for (int s = 0; s < shares; s++) {
            parts.add(round.newShare());
        }
        for (int c : order) {
            parts.get(Integer.hashCode(c * 31) % shares).add("client-" + c, deltas.get(c), 1);
        }
        Collections.shuffle(parts, new Random(shuffle + 1));
        parts.forEach(round::merge);
        return round.finish();
    }

    @Test
    void oneTwoAndFourSharesInAnyOrderGiveTheSameBits() {
        List<float[]> deltas = deltas();
        DpFedAvgAggregate whole = DpFedAvgAggregate.dp(LENGTH, new DpConfig(S, 1.1, 30), GaussianNoise.seeded(3));
        for (int c = 0; c < deltas.size(); c++) {
            whole.add("client-" + c, deltas.get(c));
        }
        DpFedAvgAggregate.Result expected = whole.finish();
        assertEquals(8, expected.report().clipped(), "clients 0, 5, ..., 35 are clipped");
        assertEquals(1, expected.report().rejectedNonFinite());
        for (int shares : new int[] {1, 2, 4}) {
            for (long shuffle = 0; shuffle < 3; shuffle++) {
                DpFedAvgAggregate.Result got = inShares(deltas, shares, shuffle);
                assertArrayEquals(expected.average(), got.average(), 0.0f, shares + " shares, order " + shuffle);
                assertEquals(expected.report(), got.report(), shares + " shares, order " + shuffle);
            }
        }
    }

    @Test
    void theMergedSumHasTheSameBitsAsOneSumOfEveryClient() {
        // Before the rounding to float, where summing doubles in another order would change the last bits.
        List<float[]> deltas = deltas();
        ClippedSum whole = ClippedSum.clipped(LENGTH, S);
        for (int c = 0; c < deltas.size(); c++) {
            whole.add("client-" + c, deltas.get(c), 1);
        }
        for (int shares : new int[] {2, 3, 4}) {
            List<ClippedSum> parts = new ArrayList<>();
            for (int s = 0; s < shares; s++) {
                parts.add(ClippedSum.clipped(LENGTH, S));
            }
            for (int c = deltas.size() - 1; c >= 0; c--) {
                parts.get(c % shares).add("client-" + c, deltas.get(c), 1);
            }
            ClippedSum merged = parts.get(shares - 1);
            for (int s = shares - 2; s >= 0; s--) {
                merged.merge(parts.get(s));
            }
            assertArrayEquals(whole.values(), merged.values(), 0.0, shares + " shares");
        }
    }

    @Test
    void theSumIsTheExactSumToFarBelowFloatPrecisionAlsoWithAClipThatDoesNotBind() {
        List<float[]> deltas = deltas();
        for (double clip : new double[] {S, 1e6}) {
            ClippedSum sum = ClippedSum.clipped(LENGTH, clip);
            int added = 0;
            for (int c = 0; c < deltas.size(); c++) {
                if (c % 5 != 0 && c != 7) { // within S: summed as they are
                    sum.add("client-" + c, deltas.get(c), 1);
                    added++;
                }
            }
            assertEquals(0, sum.clippedCount());
            double[] got = sum.values();
            // each client's coordinate is rounded once to a multiple of 2^-(k+36), then the sum once to double
            double step = Math.scalb(1.0, -ClippedSum.fractionBits(clip) - 36);
            for (int i = 0; i < LENGTH; i += 4999) {
                BigDecimal exact = BigDecimal.ZERO;
                for (int c = 0; c < deltas.size(); c++) {
                    if (c % 5 != 0 && c != 7) {
                        exact = exact.add(new BigDecimal(deltas.get(c)[i]));
                    }
                }
                assertEquals(exact.doubleValue(), got[i], added * step / 2 + Math.ulp(exact.doubleValue()),
                        "S " + clip + ", coordinate " + i);
            }
        }
    }

    @Test
    void aClientInTwoSharesOrSharesOfAnotherClipAreRefused() {
        ClippedSum a = ClippedSum.clipped(10, S);
        ClippedSum b = ClippedSum.clipped(10, S);
        a.add("x", new float[10], 1);
        b.add("x", new float[10], 1);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> a.merge(b));
        assertTrue(twice.getMessage().contains("client x is in both sums"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.merge(ClippedSum.clipped(10, 2 * S)));
        assertThrows(IllegalArgumentException.class, () -> a.merge(ClippedSum.clipped(11, S)));
        assertThrows(IllegalArgumentException.class, () -> a.merge(ClippedSum.weighted(10)));
        assertEquals(1, a.received(), "a refused merge changes nothing");
    }

    @Test
    void aWrittenShareReadsBackToTheSameSum() throws IOException {
        List<float[]> deltas = deltas();
        for (ClippedSum sum : new ClippedSum[] {ClippedSum.clipped(LENGTH, S), ClippedSum.weighted(LENGTH)}) {
            for (int c = 0; c < 5; c++) {
                sum.add("client-" + c, deltas.get(c), 3 + c);
            }
            sum.add("client-0", deltas.get(0), 1); // a duplicate, counted
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            sum.writeTo(bytes);
            ClippedSum back = ClippedSum.readFrom(new ByteArrayInputStream(bytes.toByteArray()), "test");
            assertArrayEquals(sum.values(), back.values(), 0.0);
            assertEquals(sum.clients(), back.clients());
            assertArrayEquals(sum.sortedNorms(), back.sortedNorms(), 0.0);
            assertEquals(1, back.duplicates());
            assertEquals(sum.totalWeight(), back.totalWeight(), 0.0);
            assertEquals(sum.clipNorm(), back.clipNorm());
        }
    }

    @Test
    void corruptSharesAreRefusedNamingWhereAndWhy() throws IOException {
        ClippedSum sum = ClippedSum.clipped(100, S);
        sum.add("a", new float[100], 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sum.writeTo(out);
        byte[] good = out.toByteArray();
        IOException truncated = assertThrows(IOException.class,
                () -> ClippedSum.readFrom(new ByteArrayInputStream(Arrays.copyOf(good, good.length - 3)), "s3://b/k"));
        assertEquals("s3://b/k: truncated clipped sum", truncated.getMessage());
        IOException longer = assertThrows(IOException.class,
                () -> ClippedSum.readFrom(new ByteArrayInputStream(Arrays.copyOf(good, good.length + 1)), "s3://b/k"));
        assertTrue(longer.getMessage().contains("bytes after"), longer.getMessage());
        byte[] other = good.clone();
        other[0] = 'X';
        IOException magic = assertThrows(IOException.class,
                () -> ClippedSum.readFrom(new ByteArrayInputStream(other), "s3://b/k"));
        assertTrue(magic.getMessage().startsWith("s3://b/k: not a clipped sum"), magic.getMessage());
    }
}
