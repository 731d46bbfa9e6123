package dev.fedgan.core.dpsgd;

import java.util.Locale;

/**
 * DPSGD-F (Xu, Du and Wu 2021, "Removing Disparate Impact of Differentially Private Stochastic Gradient Descent on
 * Model Accuracy"): each group of examples gets its own clip bound, larger for the groups whose gradients the base
 * bound S₀ clips most, so that a minority with large gradients is not clipped (and so not left behind) as hard.
 *
 * <p>Each step clips example i of group k to Sₖ, the bounds set before the step. It also counts, per group, the
 * drawn examples whose gradient norm exceeds S₀, and releases those counts with N(0, σ₁²) each; after the step the
 * bounds become Sₖ = S₀ · (1 + õₖ / Σⱼ õⱼ), õ the noised counts floored at 0 (so each bound lies in [S₀, 2S₀]; with
 * no example clipped anywhere every bound is S₀). Using the counts of the step before, rather than the step's own,
 * keeps each step's bounds a function of released values only.
 *
 * <p>Accounting: adding or removing one example changes the gradient sum by at most S_max = maxₖ Sₖ and one count
 * by 1. The sum takes noise z_g·S_max and the counts σ₁, so together they are one Gaussian mechanism of noise
 * multiplier z with 1/z² = 1/z_g² + 1/σ₁²: the accountant charges the run's z, and the sum takes
 * z_g = (z⁻² − σ₁⁻²)^−½, which needs σ₁ &gt; z.
 *
 * @param groups      each training example's group, in [0, numGroups)
 * @param numGroups   the number of groups (&ge; 1)
 * @param countNoise  σ₁, the noise on each group's count of clipped examples
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

    /** The bounds after a step whose noised clipped counts are {@code noised}: S₀ · (1 + õₖ / Σ õ). */
    public static double[] bounds(double base, double[] noised) {
        double total = 0;
        for (double o : noised) {
            total += Math.max(0, o);
        }
        double[] out = new double[noised.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = total > 0 ? base * (1 + Math.max(0, noised[k]) / total) : base;
        }
        return out;
    }

    /** In words, for the guarantee's noise description. */
    String describe(double noiseMultiplier) {
        return String.format(Locale.ROOT, "DPSGD-F per-group clipping (%d groups): bounds S0 (1 + o_k / sum o) from the"
                + " step before's counts of examples above S0, each noised with sigma_1 = %.4g; the gradient sum takes"
                + " noise z_g S_max with z_g = %.4f, accounted with the count as z = %.4f", numGroups, countNoise,
                gradientNoiseMultiplier(noiseMultiplier), noiseMultiplier);
    }
}
