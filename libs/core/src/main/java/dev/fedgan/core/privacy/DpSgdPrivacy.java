package dev.fedgan.core.privacy;

/**
 * The sample-level guarantee of a DP-SGD run, computed from what the run did: {@code steps} steps of the Sampled
 * Gaussian Mechanism, each drawing every one of the {@code examples} training examples independently with
 * probability q = expected batch / examples (Poisson sampling), clipping each drawn example's gradient over all
 * parameters to L2 norm {@code clipNorm}, and adding N(0, (z·clipNorm)²) to every coordinate of the sum; the RDP
 * accountant over those steps, converted to (ε, δ) both ways. The unit protected is one training example.
 *
 * @param unit             what one record of the guarantee is
 * @param examples         n, the examples sampled from
 * @param expectedBatch    B, the expected batch size (the sum is divided by B, not by the drawn size)
 * @param q                the sampling rate B / n
 * @param clipNorm         S
 * @param noiseMultiplier  z; the noise standard deviation is z·S
 * @param targetEpsilon    the target the noise multiplier was chosen for, or null when z was given
 * @param steps            T, the steps taken (and charged)
 * @param delta            δ
 * @param deltaIsDefault   whether δ is the default min(1e-5, n^-1.1)
 * @param epsilonOriginal  ε under the original 2019 conversion (TF Privacy's tables)
 * @param epsilonImproved  ε under the improved 2020 conversion
 * @param sampling         how batches were drawn, in words
 * @param noise            the noise source, in words
 */
public record DpSgdPrivacy(String unit, long examples, int expectedBatch, double q, double clipNorm,
                           double noiseMultiplier, Double targetEpsilon, long steps, double delta, boolean deltaIsDefault,
                           double epsilonOriginal, double epsilonImproved, String sampling, String noise) {

    public static final String UNIT = "one training example (sample-level DP-SGD)";
}
