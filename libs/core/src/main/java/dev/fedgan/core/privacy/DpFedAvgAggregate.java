package dev.fedgan.core.privacy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * One round's aggregation of client critic deltas, as DP-FedAvg-GAN does it (reference section 4 step 4: TF
 * Privacy's {@code NormalizedQuery(GaussianSumQuery(l2_norm_clip=S, stddev=z·S), denominator=m)}):
 * <ol>
 * <li>a delta with any NaN or infinite entry is rejected: it counts as a zero delta with weight 0 (reference step 3);</li>
 * <li>each other delta, all tensors flattened into one array (BatchNorm moving statistics included), is clipped to
 *     global L2 norm at most S by the factor min(1, S/‖Δ‖), the norm computed in double;</li>
 * <li>the clipped deltas are summed unweighted, in double;</li>
 * <li>{@link #finish()} adds N(0, (z·S)²) to every coordinate of the sum and divides by the <b>fixed</b> denominator
 *     qN = m, the <i>expected</i> number of clients per round under Poisson sampling (McMahan et al. 2018, DP-FedAvg
 *     Algorithm 1), however many clients were sampled or returned, then rounds once to float. A round with no client
 *     at all releases the noise divided by m.</li>
 * </ol>
 * A second delta from a client id already seen this round is ignored and counted as a duplicate.
 *
 * <p>With {@link DpConfig#countNoise} set (adaptive clipping, {@link AdaptiveClip}), {@link #finish()} also releases
 * the noised fraction of clients whose delta was within S: the sum of bᵢ − ½ over the received clients (a rejected
 * delta, replaced by zero, is within), plus N(0, σ_b²) drawn after the sum's noise, over m, plus ½, kept in [0, 1].
 *
 * <p>Without DP ({@link #weightedMean(int)}, the reference's {@code use_dp=False}, TFF's MeanFactory) the result is
 * the example-weighted mean Σ wₖΔₖ / Σ wₖ with no clipping and no noise (all zeros if the total weight is 0, e.g.
 * when no client was sampled).
 *
 * <p>Large arrays are processed in parallel over fixed blocks, and the norm's partial sums are added in block
 * order, so results do not depend on the number of threads. One instance serves one round; {@link #add} is
 * synchronized and may be called from several threads.
 */
public final class DpFedAvgAggregate {

    /**
     * The DP parameters of a run.
     *
     * @param clipNorm        S: the global L2 norm each client delta is clipped to (&gt; 0)
     * @param noiseMultiplier z: noise std on the sum is z·S (&ge; 0; 0 clips without noise)
     * @param clientsPerRound m = qN: the expected number of clients per round under Poisson sampling with rate
     *                        q = m/N, and the fixed denominator (&ge; 1), whatever the number actually sampled
     * @param countNoise      σ_b of the noise on the count of clients within S (adaptive clipping), or null: no
     *                        count is released
     */
    public record DpConfig(double clipNorm, double noiseMultiplier, int clientsPerRound, Double countNoise) {

        /** A fixed clip: no count released. */
        public DpConfig(double clipNorm, double noiseMultiplier, int clientsPerRound) {
            this(clipNorm, noiseMultiplier, clientsPerRound, null);
        }

        public DpConfig {
            if (countNoise != null && (!(countNoise >= 0) || Double.isInfinite(countNoise))) {
                throw new IllegalArgumentException("countNoise must be finite and >= 0, got " + countNoise);
            }
            if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
                throw new IllegalArgumentException("clipNorm must be finite and > 0, got " + clipNorm);
            }
            if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
                throw new IllegalArgumentException("noiseMultiplier must be finite and >= 0, got " + noiseMultiplier);
            }
            if (clientsPerRound < 1) {
                throw new IllegalArgumentException("clientsPerRound must be >= 1, got " + clientsPerRound);
            }
        }

        /** The fixed denominator qN = m of DP-FedAvg's estimator: the expected, not the drawn, number of clients. */
        public double denominator() {
            return clientsPerRound;
        }

        /** z·S, the per-coordinate noise std added to the sum. */
        public double noiseStdSum() {
            return noiseMultiplier * clipNorm;
        }
    }

    /** What {@link #add} did with a delta. */
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

    /**
     * The round's result.
     *
     * @param average the aggregated delta to apply to the server critic (θ ← θ + average)
     * @param report  what happened
     */
    public record Result(float[] average, AggregateReport report) {
    }

    private static final int BLOCK = 1 << 16;

    private final int length;
    private final DpConfig config; // null: weighted mean
    private final GaussianNoise noise;
    private final double[] sum;
    private final Set<String> seen = new HashSet<>();
    private final List<Double> norms = new ArrayList<>();
    private double totalWeight;
    private int received;
    private int clipped;
    /** Received deltas within S (rejected ones included: they count as zero). */
    private int within;
    private int rejected;
    private int duplicates;
    private boolean finished;
    /** The noise drawn ahead ({@link #drawNoiseAhead}), or null: drawn in {@link #finish}. */
    private CompletableFuture<double[]> noiseAhead;

    private DpFedAvgAggregate(int length, DpConfig config, GaussianNoise noise) {
        if (length <= 0) {
            throw new IllegalArgumentException("delta length must be > 0, got " + length);
        }
        this.length = length;
        this.config = config;
        this.noise = noise;
        this.sum = new double[length];
    }

    /** The DP aggregate of deltas of {@code length} coordinates, with noise from {@code noise}. */
    public static DpFedAvgAggregate dp(int length, DpConfig config, GaussianNoise noise) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(noise, "noise");
        return new DpFedAvgAggregate(length, config, noise);
    }

    /** The non-DP aggregate: example-weighted mean, no clipping, no noise. */
    public static DpFedAvgAggregate weightedMean(int length) {
        return new DpFedAvgAggregate(length, null, null);
    }

    /** Adds a delta with weight 1 (the weight only matters without DP). */
    public Outcome add(String clientId, float[] delta) {
        return add(clientId, delta, 1);
    }

    /**
     * Adds one client's delta. The array is read, never modified, and may be reused after the call.
     *
     * @param weight the client's example count; ignored with DP (deltas are summed unweighted), must be finite and
     *               &ge; 0 without DP
     * @throws IllegalArgumentException if the delta's length is wrong, or the weight invalid
     */
    public synchronized Outcome add(String clientId, float[] delta, double weight) {
        if (finished) {
            throw new IllegalStateException("aggregate already finished; start a new one for the next round");
        }
        Objects.requireNonNull(clientId, "clientId");
        if (delta == null || delta.length != length) {
            throw new IllegalArgumentException("client " + clientId + " sent a delta of length "
                    + (delta == null ? "null" : delta.length) + ", expected " + length);
        }
        if (config == null && (!(weight >= 0) || Double.isInfinite(weight))) {
            throw new IllegalArgumentException("client " + clientId + " weight must be finite and >= 0, got " + weight);
        }
        if (!seen.add(clientId)) {
            duplicates++;
            return Outcome.DUPLICATE;
        }
        received++;
        double sumSquares = sumOfSquares(delta);
        if (!Double.isFinite(sumSquares)) { // a float squared in double cannot overflow, so only NaN/Inf get here
            rejected++;
            within++;
            return Outcome.REJECTED_NON_FINITE;
        }
        double norm = Math.sqrt(sumSquares);
        norms.add(norm);
        double factor;
        Outcome outcome = Outcome.ACCEPTED;
        if (config != null) {
            factor = norm > config.clipNorm() ? config.clipNorm() / norm : 1.0;
            if (factor < 1.0) {
                clipped++;
                outcome = Outcome.CLIPPED;
            } else {
                within++;
            }
        } else {
            factor = weight;
            totalWeight += weight;
        }
        accumulate(delta, factor);
        return outcome;
    }

    /**
     * Starts drawing the noise now, in the background (on {@link java.util.concurrent.ForkJoinPool#commonPool()}), so
     * that {@link #finish} only adds it: the same N(0, (z·S)²) per coordinate, from the same stream (a seeded stream
     * gives the same values), held in memory until then. Without DP there is no noise and this does nothing; a second
     * call does nothing either.
     */
    public synchronized void drawNoiseAhead() {
        if (finished) {
            throw new IllegalStateException("aggregate already finished");
        }
        if (config != null && noiseAhead == null) {
            double std = config.noiseStdSum();
            noiseAhead = CompletableFuture.supplyAsync(() -> noise.sample(length, std));
        }
    }

    /**
     * Adds the noise (DP), divides by the denominator (DP: the fixed qN = m; without DP: the total weight) and returns
     * the average with the round's report. Valid with no delta added: with DP the average is then noise / m.
     */
    public synchronized Result finish() {
        if (finished) {
            throw new IllegalStateException("aggregate already finished");
        }
        finished = true;
        double denominator;
        double stdSum = 0;
        Double fractionWithin = null;
        if (config != null) {
            stdSum = config.noiseStdSum();
            if (noiseAhead == null) {
                noise.addTo(sum, stdSum); // advances a seeded stream even when std is 0
            } else {
                double[] drawn = noiseAhead.join();
                blocks().forEach(b -> {
                    for (int i = b * BLOCK, end = Math.min(length, i + BLOCK); i < end; i++) {
                        sum[i] += drawn[i];
                    }
                });
            }
            denominator = config.denominator(); // qN = m, not the number sampled or received
            if (config.countNoise() != null) {
                double countNoise = noise.sample(1, config.countNoise())[0]; // after the sum's: a fixed stream order
                fractionWithin = AdaptiveClip.noisedFractionWithin(within - 0.5 * received, countNoise,
                        config.clientsPerRound());
            }
        } else {
            denominator = totalWeight;
        }
        float[] average = new float[length];
        if (denominator > 0) {
            double d = denominator;
            blocks().forEach(b -> {
                for (int i = b * BLOCK, end = Math.min(length, i + BLOCK); i < end; i++) {
                    average[i] = (float) (sum[i] / d);
                }
            });
        }
        double[] sorted = norms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Double min = sorted.length == 0 ? null : sorted[0];
        Double max = sorted.length == 0 ? null : sorted[sorted.length - 1];
        Double median = sorted.length == 0 ? null : sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : 0.5 * (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]);
        AggregateReport report = new AggregateReport(config != null, length, received, received - rejected, clipped,
                rejected, duplicates, min, median, max,
                config == null ? null : config.clipNorm(),
                config == null ? null : config.noiseMultiplier(),
                denominator, stdSum, config == null ? 0 : stdSum / denominator,
                config == null ? "none" : noise.description(), fractionWithin);
        return new Result(average, report);
    }

    private IntStream blocks() {
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

    private void accumulate(float[] delta, double factor) {
        blocks().forEach(b -> {
            for (int i = b * BLOCK, end = Math.min(length, i + BLOCK); i < end; i++) {
                sum[i] += factor * delta[i];
            }
        });
    }

    @Override
    public String toString() {
        return "DpFedAvgAggregate" + Arrays.asList(config == null ? "weighted mean" : config, length);
    }
}
