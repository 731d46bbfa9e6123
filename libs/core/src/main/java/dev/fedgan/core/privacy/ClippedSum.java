package dev.fedgan.core.privacy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The un-noised part of one round's aggregation over some of its clients: each delta checked, clipped (DP) and
 * summed, with the counts the round reports. It is what an aggregator shard computes over its share of a round's
 * clients; {@link #merge} adds another share, and the round's {@link DpFedAvgAggregate} adds the noise once to the
 * merged sum. It never leaves the trusted aggregator: the sum of clipped deltas without noise is not private.
 *
 * <p><b>The DP sum is exact and associative.</b> Each clipped coordinate t, at most S in magnitude, is rounded once
 * to a multiple of 2<sup>-k-36</sup> (k from S: {@link #fractionBits}), held as two 64-bit integers: t·2<sup>k</sup>
 * rounded to the nearest integer h, and the remainder times 2<sup>36</sup> rounded to the nearest integer l. The h and the l of the
 * clients are added as integers, so the sum does not depend on the order of the clients nor on how they were split
 * into shares: one aggregator or four shards, updates in any arrival order, give the same bits. (Summing doubles
 * would not: their rounding depends on the order.) The rounding step is 2<sup>-72</sup> at S = 1 and 2<sup>-53</sup>
 * at S = 10<sup>6</sup> (a clip meant not to bind), far below float precision; neither integer can overflow below
 * {@link #MAX_CLIENTS} clients.
 *
 * <p>Without DP (the example-weighted mean, nothing clipped, nothing bounded) the sum is in double: fixed point
 * needs a bound on the terms, and there is none. Shares still merge, but the last bits depend on the order.
 *
 * <p>Large arrays are processed in parallel over fixed blocks; a norm's partial sums are added in block order, so
 * results do not depend on the number of threads. Not thread-safe on its own: {@link DpFedAvgAggregate} holds it under
 * its lock.
 */
public final class ClippedSum {

    /** Outcome of {@link #add}. */
    public enum Outcome {
        /** Summed as is (norm within S, or no DP). */
        ACCEPTED,
        /** Scaled down to norm S, then summed. */
        CLIPPED,
        /** Had a NaN or infinite entry: counted, contributes zero. */
        REJECTED_NON_FINITE,
        /** The client already delivered this round: ignored. */
        DUPLICATE
    }

    /** Most clients one sum may hold with DP: the bound the fixed point is sized for (2²⁴, about 16.7 million). */
    public static final int MAX_CLIENTS = 1 << 24;
    private static final int MAGIC = 0x46475053; // "FGPS"
    private static final int VERSION = 1;
    static final int BLOCK = 1 << 16;
    /** Bits of a remainder below 2^-k: the DP sum's resolution is 2^-(k+36). */
    private static final int LOW_BITS = 36;
    private static final double LOW_SCALE = 0x1p36;

    private final int length;
    /** S, or null: the example-weighted sum without clipping. */
    private final Double clipNorm;
    /** k: the DP sum of a coordinate is high·2^-k + low·2^-(k+36). */
    private final int fractionBits;
    private final long[] high; // DP
    private final long[] low; // DP
    private final double[] weighted; // without DP
    private final Set<String> clients = new HashSet<>();
    private final List<Double> norms = new ArrayList<>();
    private double totalWeight;
    private int received;
    private int clipped;
    /** Received deltas within S (rejected ones included: they count as zero). */
    private int within;
    private int rejected;
    private int duplicates;

    private ClippedSum(int length, Double clipNorm) {
        if (length <= 0) {
            throw new IllegalArgumentException("delta length must be > 0, got " + length);
        }
        if (clipNorm != null && (!(clipNorm > 0) || Double.isInfinite(clipNorm))) {
            throw new IllegalArgumentException("clipNorm must be finite and > 0, got " + clipNorm);
        }
        this.length = length;
        this.clipNorm = clipNorm;
        this.fractionBits = clipNorm == null ? 0 : fractionBits(clipNorm);
        this.high = clipNorm == null ? null : new long[length];
        this.low = clipNorm == null ? null : new long[length];
        this.weighted = clipNorm == null ? new double[length] : null;
    }

    /** An empty DP sum: deltas clipped to L2 norm S = {@code clipNorm}, summed unweighted. */
    public static ClippedSum clipped(int length, double clipNorm) {
        return new ClippedSum(length, clipNorm);
    }

    /** An empty sum without DP: deltas summed weighted by their example counts, nothing clipped. */
    public static ClippedSum weighted(int length) {
        return new ClippedSum(length, null);
    }

    /** {@link #clipped} to {@code clipNorm}, or {@link #weighted} if it is null (no DP). */
    public static ClippedSum of(int length, Double clipNorm) {
        return new ClippedSum(length, clipNorm);
    }

    /**
     * k for clip norm S: a clipped coordinate is below 2^(e+1) in magnitude, e = {@link Math#getExponent}(S) (one more
     * bit for the rounding of the clip factor), so {@link #MAX_CLIENTS} of them times 2^k stay below 2^62; a
     * remainder is at most ½·2^-k, so the same number of them times 2^(k+36) stay below 2^59.
     */
    static int fractionBits(double clipNorm) {
        return 62 - 24 - (Math.getExponent(clipNorm) + 2);
    }

    /**
     * Adds one client's delta. The array is read, never modified. With DP a delta with a NaN or infinite entry counts
     * as a received zero; otherwise it is clipped to norm S by the factor min(1, S/‖Δ‖), the norm computed in
     * double. Without DP it is added times {@code weight} (a rejected one with weight 0).
     *
     * @param weight the client's example count: ignored with DP, finite and &ge; 0 without
     * @throws IllegalArgumentException if the delta's length is wrong, or the weight invalid
     * @throws IllegalStateException    if the sum already holds {@link #MAX_CLIENTS} clients (DP)
     */
    public Outcome add(String clientId, float[] delta, double weight) {
        Objects.requireNonNull(clientId, "clientId");
        if (delta == null || delta.length != length) {
            throw new IllegalArgumentException("client " + clientId + " sent a delta of length "
                    + (delta == null ? "null" : delta.length) + ", expected " + length);
        }
        if (clipNorm == null && (!(weight >= 0) || Double.isInfinite(weight))) {
            throw new IllegalArgumentException("client " + clientId + " weight must be finite and >= 0, got " + weight);
        }
        if (clients.contains(clientId)) {
            duplicates++;
            return Outcome.DUPLICATE;
        }
        if (clipNorm != null && clients.size() >= MAX_CLIENTS) {
            throw new IllegalStateException("a clipped sum holds at most " + MAX_CLIENTS + " clients");
        }
        clients.add(clientId);
        received++;
        double sumSquares = sumOfSquares(delta);
        if (!Double.isFinite(sumSquares)) { // a float squared in double cannot overflow, so only NaN/Inf get here
            rejected++;
            within++;
            return Outcome.REJECTED_NON_FINITE;
        }
        double norm = Math.sqrt(sumSquares);
        norms.add(norm);
        if (clipNorm == null) {
            totalWeight += weight;
            blocks().forEach(b -> {
                for (int i = b * BLOCK, end = Math.min(length, i + BLOCK); i < end; i++) {
                    weighted[i] += weight * delta[i];
                }
            });
            return Outcome.ACCEPTED;
        }
        double factor = norm > clipNorm ? clipNorm / norm : 1.0;
        Outcome outcome = factor < 1.0 ? Outcome.CLIPPED : Outcome.ACCEPTED;
        if (factor < 1.0) {
            clipped++;
        } else {
            within++;
        }
        double scale = Math.scalb(factor, fractionBits); // exact: a power of two times the factor
        blocks().forEach(b -> {
            for (int i = b * BLOCK, end = Math.min(length, i + BLOCK); i < end; i++) {
                double v = scale * delta[i]; // t·2^k, |v| < 2^38
                double h = Math.rint(v); // an intrinsic, unlike Math.round; either rounding is deterministic
                high[i] += (long) h;
                low[i] += (long) Math.rint((v - h) * LOW_SCALE); // v - h is exact: |v - h| <= 1/2, h near v
            }
        });
        return outcome;
    }

    /**
     * Adds another share of the same round: its sum, counts, norms and clients. With DP the result is the same, to
     * the bit, as if this sum had received the other's deltas itself.
     *
     * @throws IllegalArgumentException if the shares differ in length or clip norm, or a client is in both (a client's
     *                                  delta must be summed by one share only, else it would count twice)
     */
    public void merge(ClippedSum other) {
        if (other.length != length || !Objects.equals(other.clipNorm, clipNorm)) {
            throw new IllegalArgumentException("cannot merge a sum of " + other.length + " coordinates clipped to "
                    + other.clipNorm + " into one of " + length + " clipped to " + clipNorm);
        }
        for (String c : other.clients) {
            if (clients.contains(c)) {
                throw new IllegalArgumentException("client " + c + " is in both sums: its delta would count twice");
            }
        }
        clients.addAll(other.clients);
        norms.addAll(other.norms);
        totalWeight += other.totalWeight;
        received += other.received;
        clipped += other.clipped;
        within += other.within;
        rejected += other.rejected;
        duplicates += other.duplicates;
        blocks().forEach(b -> {
            for (int i = b * BLOCK, end = Math.min(length, i + BLOCK); i < end; i++) {
                if (high != null) {
                    high[i] += other.high[i];
                    low[i] += other.low[i];
                } else {
                    weighted[i] += other.weighted[i];
                }
            }
        });
    }

    /** The sum as doubles: with DP high·2^-k + low·2^-(k+36), whose rounding depends only on the exact sum. */
    double[] values() {
        if (high == null) {
            return weighted.clone();
        }
        double[] out = new double[length];
        double highUnit = Math.scalb(1.0, -fractionBits); // multiplying by a power of two is exact
        double lowUnit = Math.scalb(1.0, -fractionBits - LOW_BITS);
        blocks().forEach(b -> {
            for (int i = b * BLOCK, end = Math.min(length, i + BLOCK); i < end; i++) {
                out[i] = high[i] * highUnit + low[i] * lowUnit;
            }
        });
        return out;
    }

    /** Coordinates per delta. */
    public int length() {
        return length;
    }

    /** S, or null without DP. */
    public Double clipNorm() {
        return clipNorm;
    }

    /** The clients received, rejected ones included (a read-only view). */
    public Set<String> clients() {
        return java.util.Collections.unmodifiableSet(clients);
    }

    /** Distinct clients received, rejected ones included. */
    public int received() {
        return received;
    }

    int clippedCount() {
        return clipped;
    }

    int within() {
        return within;
    }

    int rejected() {
        return rejected;
    }

    int duplicates() {
        return duplicates;
    }

    double totalWeight() {
        return totalWeight;
    }

    /** The L2 norms before clipping of the accepted deltas, sorted. */
    double[] sortedNorms() {
        return norms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /**
     * Writes the sum (binary, big-endian: magic, version, length, S or NaN, counts, clients, norms, the sum's
     * coordinates). Trusted storage only: it is not noised.
     */
    public void writeTo(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(MAGIC);
        d.writeInt(VERSION);
        d.writeInt(length);
        d.writeDouble(clipNorm == null ? Double.NaN : clipNorm);
        d.writeDouble(totalWeight);
        d.writeInt(received);
        d.writeInt(clipped);
        d.writeInt(within);
        d.writeInt(rejected);
        d.writeInt(duplicates);
        d.writeInt(clients.size());
        for (String c : new TreeSet<>(clients)) {
            d.writeUTF(c);
        }
        d.writeInt(norms.size());
        for (double n : norms) {
            d.writeDouble(n);
        }
        for (int i = 0; i < length; i++) {
            if (high != null) {
                d.writeLong(high[i]);
                d.writeLong(low[i]);
            } else {
                d.writeDouble(weighted[i]);
            }
        }
        d.flush();
    }

    /**
     * Reads a sum {@link #writeTo written} before.
     *
     * @param where names the source in error messages
     * @throws IOException with {@code where} and the fault if the bytes are not such a sum (truncated, another
     *                     format, absurd counts)
     */
    public static ClippedSum readFrom(InputStream in, String where) throws IOException {
        DataInputStream d = new DataInputStream(in);
        try {
            if (d.readInt() != MAGIC) {
                throw new IOException(where + ": not a clipped sum (bad magic number)");
            }
            int version = d.readInt();
            if (version != VERSION) {
                throw new IOException(where + ": clipped sum version " + version + ", this build reads " + VERSION);
            }
            int length = d.readInt();
            double s = d.readDouble();
            if (length <= 0 || !(Double.isNaN(s) || s > 0 && Double.isFinite(s))) {
                throw new IOException(where + ": invalid header (length " + length + ", clip norm " + s + ")");
            }
            ClippedSum sum = new ClippedSum(length, Double.isNaN(s) ? null : s);
            sum.totalWeight = d.readDouble();
            sum.received = count(d, where);
            sum.clipped = count(d, where);
            sum.within = count(d, where);
            sum.rejected = count(d, where);
            sum.duplicates = count(d, where);
            int clients = count(d, where);
            for (int i = 0; i < clients; i++) {
                sum.clients.add(d.readUTF());
            }
            int norms = count(d, where);
            if (clients != sum.received || norms != sum.received - sum.rejected) {
                throw new IOException(where + ": inconsistent counts (" + clients + " clients, " + norms
                        + " norms, " + sum.received + " received, " + sum.rejected + " rejected)");
            }
            for (int i = 0; i < norms; i++) {
                sum.norms.add(d.readDouble());
            }
            for (int i = 0; i < length; i++) {
                if (sum.high != null) {
                    sum.high[i] = d.readLong();
                    sum.low[i] = d.readLong();
                } else {
                    sum.weighted[i] = d.readDouble();
                }
            }
            if (d.read() != -1) {
                throw new IOException(where + ": bytes after the sum's " + length + " coordinates");
            }
            return sum;
        } catch (EOFException e) {
            throw new IOException(where + ": truncated clipped sum", e);
        }
    }

    private static int count(DataInputStream d, String where) throws IOException {
        int n = d.readInt();
        if (n < 0 || n > MAX_CLIENTS) {
            throw new IOException(where + ": invalid count " + n);
        }
        return n;
    }

    IntStream blocks() {
        int n = (length + BLOCK - 1) / BLOCK;
        IntStream s = IntStream.range(0, n);
        return n > 1 ? s.parallel() : s;
    }

    private double sumOfSquares(float[] delta) {
        int n = (length + BLOCK - 1) / BLOCK;
        double[] partial = new double[n];
        blocks().forEach(b -> {
            double s = 0;
            for (int i = b * BLOCK, end = Math.min(length, i + BLOCK); i < end; i++) {
                double v = delta[i];
                s += v * v;
            }
            partial[b] = s;
        });
        double total = 0;
        for (double p : partial) {
            total += p; // in block order: independent of the thread count
        }
        return total;
    }

    @Override
    public String toString() {
        return "ClippedSum" + Arrays.asList(clipNorm == null ? "weighted" : "S=" + clipNorm, length, received);
    }
}
