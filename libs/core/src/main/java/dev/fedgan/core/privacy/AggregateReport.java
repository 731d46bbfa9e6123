package dev.fedgan.core.privacy;

/**
 * What happened in one round's aggregation, for the round log and the run report.
 *
 * @param dp                whether the DP path ran (clip, unweighted sum, noise, fixed denominator)
 * @param length            coordinates per delta
 * @param received          distinct clients whose delta arrived (including rejected ones, excluding duplicates)
 * @param accepted          deltas that entered the sum (received minus rejected)
 * @param clipped           accepted deltas whose L2 norm exceeded the clip norm and were scaled down (DP only)
 * @param rejectedNonFinite deltas with a NaN or infinite entry: replaced by zero with weight 0
 * @param duplicates        repeated deliveries from a client already counted this round: ignored
 * @param preClipNormMin    smallest L2 norm of an accepted delta before clipping; null if none was accepted
 * @param preClipNormMedian median of those norms (mean of the middle two for an even count); null if none
 * @param preClipNormMax    largest of those norms; null if none
 * @param clipNorm          S, the global L2 clip norm; null without DP
 * @param noiseMultiplier   z; null without DP
 * @param denominator       what the sum was divided by: the configured clients per round m with DP (whatever
 *                          arrived), the total example weight without DP
 * @param noiseStdSum       per-coordinate noise std added to the sum, z·S (0 without DP)
 * @param noiseStdAverage   per-coordinate noise std of the returned average, z·S/m (0 without DP)
 * @param noiseMode         the noise generator's {@link GaussianNoise#description()}, or "none"
 * @param noisedFractionWithin adaptive clipping's b̃, the noised fraction of clients within S
 *                          ({@link AdaptiveClip}); null with a fixed clip or without DP
 */
public record AggregateReport(
        boolean dp,
        int length,
        int received,
        int accepted,
        int clipped,
        int rejectedNonFinite,
        int duplicates,
        Double preClipNormMin,
        Double preClipNormMedian,
        Double preClipNormMax,
        Double clipNorm,
        Double noiseMultiplier,
        double denominator,
        double noiseStdSum,
        double noiseStdAverage,
        String noiseMode,
        Double noisedFractionWithin) {
}
