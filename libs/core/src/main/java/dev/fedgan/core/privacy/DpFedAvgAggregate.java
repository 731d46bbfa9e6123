package dev.fedgan.core.privacy;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One round's aggregation of client critic deltas, as DP-FedAvg-GAN does it (reference section 4 step 4: TF
 * Privacy's {@code NormalizedQuery(GaussianSumQuery(l2_norm_clip=S, stddev=z·S), denominator=m)}):
 * <ol>
 * <li>a delta with any NaN or infinite entry is rejected: it counts as a zero delta with weight 0 (reference step 3);</li>
 * <li>each other delta, all tensors flattened into one array (BatchNorm moving statistics included), is clipped to
 *     global L2 norm at most S by the factor min(1, S/‖Δ‖), the norm computed in double;</li>
 * <li>the clipped deltas are summed unweighted, exactly: in fixed point, so that the sum does not depend on the
 *     order of the clients nor on how aggregator shards split them ({@link ClippedSum}, which shards use and
 *     {@link #merge} adds);</li>
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
 * <p>Results do not depend on the number of threads ({@link ClippedSum}). One instance serves one round; {@link #add} is
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

    /**
     * The round's result.
     *
     * @param average the aggregated delta to apply to the server critic (θ ← θ + average)
     * @param report  what happened
     */
    public record Result(float[] average, AggregateReport report) {
    }

    private final int length;
    private final DpConfig config; // null: weighted mean
    private final GaussianNoise noise;
    private final ClippedSum sum;
    private boolean finished;
    /** The noise drawn ahead ({@link #drawNoiseAhead}), or null: drawn in {@link #finish}. */
    private CompletableFuture<double[]> noiseAhead;

    private DpFedAvgAggregate(int length, DpConfig config, GaussianNoise noise) {
        this.length = length;
        this.config = config;
        this.noise = noise;
        this.sum = newShare();
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
    public ClippedSum.Outcome add(String clientId, float[] delta) {
        return add(clientId, delta, 1);
    }

    /**
     * Adds one client's delta. The array is read, never modified, and may be reused after the call.
     *
     * @param weight the client's example count; ignored with DP (deltas are summed unweighted), must be finite and
     *               &ge; 0 without DP
     * @throws IllegalArgumentException if the delta's length is wrong, or the weight invalid
     */
    public synchronized ClippedSum.Outcome add(String clientId, float[] delta, double weight) {
        requireOpen();
        return sum.add(clientId, delta, weight);
    }

    /**
     * Adds a share of the round summed elsewhere (an aggregator shard's {@link ClippedSum}), as if its deltas had
     * been added here: with DP the result does not depend on how the clients were split.
     *
     * @throws IllegalArgumentException if the share is of another length or clip norm, or holds a client already
     *                                  added
     */
    public synchronized void merge(ClippedSum share) {
        requireOpen();
        sum.merge(share);
    }

    /** An empty share of this round's sum, for clients summed apart and then {@link #merge merged}. */
    public ClippedSum newShare() {
        return ClippedSum.of(length, config == null ? null : config.clipNorm());
    }

    private void requireOpen() {
        if (finished) {
            throw new IllegalStateException("aggregate already finished; start a new one for the next round");
        }
    }

    /**
     * Starts drawing the noise now, in the background (on {@link java.util.concurrent.ForkJoinPool#commonPool()}), so
     * that {@link #finish} only adds it: the same N(0, (z·S)²) per coordinate, from the same stream (a seeded stream
     * gives the same values), held in memory until then. Without DP there is no noise and this does nothing; a second
     * call does nothing either.
     */
    public synchronized void drawNoiseAhead() {
        requireOpen();
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
        requireOpen();
        finished = true;
        double[] total = sum.values();
        double denominator;
        double stdSum = 0;
        Double fractionWithin = null;
        if (config != null) {
            stdSum = config.noiseStdSum();
            if (noiseAhead == null) {
                noise.addTo(total, stdSum); // advances a seeded stream even when std is 0
            } else {
                double[] drawn = noiseAhead.join();
                sum.blocks().forEach(b -> {
                    for (int i = b * ClippedSum.BLOCK, end = Math.min(length, i + ClippedSum.BLOCK); i < end; i++) {
                        total[i] += drawn[i];
                    }
                });
            }
            denominator = config.denominator(); // qN = m, not the number sampled or received
            if (config.countNoise() != null) {
                double countNoise = noise.sample(1, config.countNoise())[0]; // after the sum's: a fixed stream order
                fractionWithin = AdaptiveClip.noisedFractionWithin(sum.within() - 0.5 * sum.received(), countNoise,
                        config.clientsPerRound());
            }
        } else {
            denominator = sum.totalWeight();
        }
        float[] average = new float[length];
        if (denominator > 0) {
            double d = denominator;
            sum.blocks().forEach(b -> {
                for (int i = b * ClippedSum.BLOCK, end = Math.min(length, i + ClippedSum.BLOCK); i < end; i++) {
                    average[i] = (float) (total[i] / d);
                }
            });
        }
        double[] sorted = sum.sortedNorms();
        Double min = sorted.length == 0 ? null : sorted[0];
        Double max = sorted.length == 0 ? null : sorted[sorted.length - 1];
        Double median = sorted.length == 0 ? null : sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : 0.5 * (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]);
        int received = sum.received();
        AggregateReport report = new AggregateReport(config != null, length, received, received - sum.rejected(),
                sum.clippedCount(), sum.rejected(), sum.duplicates(), min, median, max,
                config == null ? null : config.clipNorm(),
                config == null ? null : config.noiseMultiplier(),
                denominator, stdSum, config == null ? 0 : stdSum / denominator,
                config == null ? "none" : noise.description(), fractionWithin);
        return new Result(average, report);
    }

    @Override
    public String toString() {
        return "DpFedAvgAggregate" + Arrays.asList(config == null ? "weighted mean" : config, length);
    }
}
