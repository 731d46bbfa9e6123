package dev.fedgan.core.privacy;

import java.util.Locale;

/**
 * Adaptive clipping of DP-FedAvg (Andrew et al. 2021, arXiv 1905.03871; TF Privacy's
 * {@code QuantileAdaptiveClipSumQuery}, TFF's {@code DifferentiallyPrivateFactory.gaussian_adaptive}): the clip norm
 * C follows the {@code targetQuantile} γ of the sampled clients' delta norms instead of staying where it was set.
 *
 * <p>Each round, every sampled client contributes bᵢ − ½, with bᵢ = 1 when its delta's norm is within the round's
 * clip Cₜ (a rejected, non-finite delta counts as the zero delta it is replaced by: within). The aggregator sums
 * these, adds N(0, σ_b²) ({@code countNoise}) and divides by the fixed m, then adds ½ back and keeps the result in
 * [0, 1]: b̃, the noised fraction of clients within Cₜ. The next round's clip is the geometric step
 * C₍ₜ₊₁₎ = Cₜ · exp(−η (b̃ − γ)) ({@code learningRate} η): it grows while more than γ of the clients are clipped and
 * shrinks while fewer are. The shift by ½ gives the count sensitivity ½ under adding or removing a user.
 *
 * <p>Accounting (Andrew et al., section 3.1): the deltas' sum (sensitivity Cₜ, noise z_Δ·Cₜ) and the count
 * (sensitivity ½, noise σ_b) released together are one Gaussian mechanism of noise multiplier z with
 * z⁻² = z_Δ⁻² + (2σ_b)⁻². The run is accounted with the configured z, and the deltas' sum gets the larger
 * {@link #updateNoiseMultiplier z_Δ}, so adaptive clipping costs no ε; it needs 2σ_b &gt; z. Cₜ is computed from
 * released noised counts only, so it is public (post-processing) and may be printed.
 *
 * @param targetQuantile γ, the share of clients whose delta the clip should leave unclipped, in (0, 1)
 * @param learningRate   η of the geometric update, in (0, 10]
 * @param countNoise     σ_b, the standard deviation of the noise on the shifted count, &ge; 0 (0 only without noise)
 */
public record AdaptiveClip(double targetQuantile, double learningRate, double countNoise) {

    /** γ of TFF's {@code gaussian_adaptive} and Andrew et al.: the median delta norm. */
    public static final double DEFAULT_TARGET_QUANTILE = 0.5;
    /** η of TFF's {@code gaussian_adaptive} and Andrew et al. */
    public static final double DEFAULT_LEARNING_RATE = 0.2;
    /** σ_b as a share of m: TFF's default {@code clipped_count_stddev = 0.05 · clients_per_round}. */
    public static final double DEFAULT_COUNT_NOISE_SHARE = 0.05;

    public AdaptiveClip {
        if (!(targetQuantile > 0 && targetQuantile < 1)) {
            throw new IllegalArgumentException("adaptive clip's target quantile must be in (0, 1), got " + targetQuantile);
        }
        if (!(learningRate > 0 && learningRate <= 10)) {
            throw new IllegalArgumentException("adaptive clip's learning rate must be in (0, 10], got " + learningRate);
        }
        if (!(countNoise >= 0) || Double.isInfinite(countNoise)) {
            throw new IllegalArgumentException("adaptive clip's count noise must be finite and >= 0, got " + countNoise);
        }
    }

    /**
     * TFF's defaults for m expected clients per round with total noise multiplier z: γ = 0.5, η = 0.2 and
     * σ_b = max(0.05·m, 2z). TFF takes σ_b = 0.05·m; where z is large against m that leaves z_Δ far above z (or no
     * z_Δ at all below z/2), and the deltas' sum, which carries the signal, would pay for the count. At least 2z keeps
     * z_Δ within (1 − 1/16)^−½ ≈ 1.033 of z; the count's noise on the fraction, σ_b/m, then exceeds 0.05 only where
     * z/m does 0.025, and a noisier fraction only jitters the clip. Without noise (z = 0) σ_b is 0: the clip then
     * follows the exact count.
     */
    public static AdaptiveClip defaults(int clientsPerRound, double noiseMultiplier) {
        double sigma = noiseMultiplier == 0 ? 0
                : Math.max(DEFAULT_COUNT_NOISE_SHARE * clientsPerRound, 2 * noiseMultiplier);
        return new AdaptiveClip(DEFAULT_TARGET_QUANTILE, DEFAULT_LEARNING_RATE, sigma);
    }

    /** The same rule towards another quantile. */
    public AdaptiveClip withTargetQuantile(double quantile) {
        return new AdaptiveClip(quantile, learningRate, countNoise);
    }

    /**
     * z_Δ, the noise multiplier of the deltas' sum that keeps the round one Gaussian mechanism of multiplier z:
     * (z⁻² − (2σ_b)⁻²)^−½; 0 when z is 0.
     *
     * @throws IllegalArgumentException if z &gt; 0 and 2σ_b &le; z (the count alone would spend more than z allows)
     */
    public double updateNoiseMultiplier(double noiseMultiplier) {
        checkNoise(noiseMultiplier);
        if (noiseMultiplier == 0) {
            return 0;
        }
        return 1 / Math.sqrt(1 / (noiseMultiplier * noiseMultiplier) - 1 / (4 * countNoise * countNoise));
    }

    /** z_Δ of the deltas' sum under {@code rule}: z itself with a fixed clip (null). */
    public static double sumNoiseMultiplier(AdaptiveClip rule, double noiseMultiplier) {
        return rule == null ? noiseMultiplier : rule.updateNoiseMultiplier(noiseMultiplier);
    }

    /**
     * Rejects a z this rule cannot serve: z &gt; 0 needs 2σ_b &gt; z, and z = 0 needs σ_b = 0 (a noised count beside an
     * exact sum would be noise for nothing).
     */
    public void checkNoise(double noiseMultiplier) {
        if (noiseMultiplier > 0 && !(2 * countNoise > noiseMultiplier)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "adaptive clipping needs the count noise"
                    + " sigma_b above z/2: sigma_b = %s with z = %s; raise sigma_b to more than %s", countNoise,
                    noiseMultiplier, noiseMultiplier / 2));
        }
        if (noiseMultiplier == 0 && countNoise != 0) {
            throw new IllegalArgumentException("adaptive clipping without noise (z = 0) counts exactly: its count noise"
                    + " must be 0, got " + countNoise);
        }
    }

    /**
     * b̃: the noised fraction of clients within the clip, from the sum of their shifted indicators and its noise,
     * over the fixed m, kept in [0, 1].
     *
     * @param shiftedSum Σ(bᵢ − ½) over the clients whose delta arrived
     * @param noise      a draw of N(0, σ_b²)
     */
    public static double noisedFractionWithin(double shiftedSum, double noise, int clientsPerRound) {
        return Math.min(1, Math.max(0, (shiftedSum + noise) / clientsPerRound + 0.5));
    }

    /** C₍ₜ₊₁₎ = Cₜ · exp(−η (b̃ − γ)). */
    public double next(double clip, double fractionWithin) {
        return clip * Math.exp(-learningRate * (fractionWithin - targetQuantile));
    }
}
