package dev.fedgan.core.dpsgd;

import java.util.Locale;

/**
 * DPSGD-F (Xu, Du and Wu 2021, "Removing Disparate Impact of Differentially Private Stochastic Gradient Descent on
 * Model Accuracy"): each group of examples gets its own clip bound, larger for the groups whose gradients the base
 * bound S₀ clips most often, so that a minority with large gradients is not clipped (and so not left behind) as hard.
 *
 * <p>Each step clips example i of group k to Sₖ, the bounds set before the step. It also counts, per group, the
 * drawn examples whose gradient norm exceeds S₀ (mₖ) and those within it (oₖ), and releases the 2K counts with
 * N(0, σ₁²) each. The bounds for the next step are Sₖ = S₀ · (1 + rₖ / mean_j rⱼ), rₖ = M̃ₖ / (M̃ₖ + Õₖ) the group's
 * share of examples above S₀, where M̃ and Õ are the noised counts summed over the steps so far with weight
 * {@value #DECAY}ᵃ for a step a steps back (floored at 0; a group with no count left has r = 1, as in the authors'
 * code). So each bound lies in [S₀, (1 + K)·S₀], and the group whose examples exceed S₀ most often gets the largest:
 * a share, not a count, so a small group is not outweighed by a large one. Using the counts of the steps before,
 * rather than the step's own, keeps each step's bounds a function of released values only; the decayed sum is
 * post-processing of those releases, and averages out the count noise a group of a few examples per step drowns in.
 *
 * <p>Accounting: adding or removing one example changes the gradient sum by at most S_max = maxₖ Sₖ and exactly one
 * of the 2K counts by 1. The sum takes noise z_g·S_max and the counts σ₁, so together they are one Gaussian
 * mechanism of noise multiplier z with 1/z² = 1/z_g² + 1/σ₁²: the accountant charges the run's z, and the sum takes
 * z_g = (z⁻² − σ₁⁻²)^−½, which needs σ₁ &gt; z.
 *
 * @param groups      each training example's group, in [0, numGroups)
 * @param numGroups   the number of groups (&ge; 1)
 * @param countNoise  σ₁, the noise on each group's count of examples above and within S₀
 */
public record GroupClipping(int[] groups, int numGroups, double countNoise) {

    public GroupClipping {
        if (numGroups < 1) {
            throw new IllegalArgumentException("group clipping needs at least one group, got " + numGroups);
        }
        for (int g : groups) {
            if (g < 0 || g >= numGroups) {
                throw new IllegalArgumentException("group " + g + " is outside [0, " + numGroups + ")");
            }
        }
        if (!(countNoise > 0) || Double.isInfinite(countNoise)) {
            throw new IllegalArgumentException("the count noise must be finite and > 0, got " + countNoise);
        }
    }

    /** σ₁ = max(0.05·B, 2z): at least 2z keeps z_g within 1/√(1 − 1/4) ≈ 1.155 of z. */
    public static GroupClipping of(boolean[] minority, int expectedBatch, double noiseMultiplier) {
        int[] groups = new int[minority.length];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = minority[i] ? 1 : 0;
        }
        return new GroupClipping(groups, 2, Math.max(0.05 * expectedBatch, 2 * noiseMultiplier));
    }

    /** z_g, the gradient sum's noise multiplier for an accounted z. */
    public double gradientNoiseMultiplier(double noiseMultiplier) {
        if (!(countNoise > noiseMultiplier)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "group clipping needs the count noise above"
                    + " z: sigma_1 = %s with z = %s", countNoise, noiseMultiplier));
        }
        return 1 / Math.sqrt(1 / (noiseMultiplier * noiseMultiplier) - 1 / (countNoise * countNoise));
    }

    /** The weight of a step's counts one step later, in the decayed sums the bounds come from. */
    public static final double DECAY = 0.99;

    /**
     * The bounds from the decayed sums of the noised counts above S₀ ({@code above}) and within it ({@code within}),
     * one per group: S₀ · (1 + rₖ / mean r), rₖ = above / (above + within), each floored at 0, 1 for a group with
     * no count.
     */
    public static double[] bounds(double base, double[] above, double[] within) {
        int k = above.length;
        double[] share = new double[k];
        double mean = 0;
        for (int g = 0; g < k; g++) {
            double a = Math.max(0, above[g]);
            double total = a + Math.max(0, within[g]);
            share[g] = total > 0 ? a / total : 1;
            mean += share[g] / k;
        }
        double[] out = new double[k];
        for (int g = 0; g < k; g++) {
            out[g] = mean > 0 ? base * (1 + share[g] / mean) : base;
        }
        return out;
    }

    /** In words, for the guarantee's noise description. */
    String describe(double noiseMultiplier) {
        return String.format(Locale.ROOT, "DPSGD-F per-group clipping (%d groups): bounds S0 (1 + r_k / mean r), r_k the"
                + " group's share of examples above S0 in the steps before (counts above and within S0, each noised with"
                + " sigma_1 = %.4g, summed with decay " + DECAY + "); the gradient sum takes"
                + " noise z_g S_max with z_g = %.4f, accounted with the count as z = %.4f", numGroups, countNoise,
                gradientNoiseMultiplier(noiseMultiplier), noiseMultiplier);
    }
}
