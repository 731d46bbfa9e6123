package dev.fedgan.core.privacy;

import java.util.List;

/**
 * The privacy cost of the private population selection ({@code dev.fedgan.core.population.PrivateSelection}):
 * {@code releases} Gaussian mechanisms, each of L2 sensitivity 1 under add/remove-one-user adjacency (a user adds 1
 * to one histogram bin; a user is in at most one population) with noise N(0, z²) on every coordinate, z being the
 * selection's noise multiplier. Rényi DP of one such release at order α is α / (2 z²) (Mironov 2017, Proposition 7),
 * and RDP adds over releases, also when a release depends on an earlier one (the populations' counts are taken at
 * thresholds chosen from the histogram): {@code releases} · α / (2 z²) in all.
 *
 * <p>Meant to be composed with the GANs' accountants on the same orders: the total RDP of an experiment is this
 * curve plus, order by order, the larger of the two GANs' curves (their populations are disjoint, so a user takes
 * part in at most one: parallel composition), converted with {@link RdpAccountant#epsilon(double[], double[], double,
 * Conversion)} at the experiment's δ. {@link #epsilon} converts this curve alone.
 *
 * @param noiseMultiplier z, the noise standard deviation on each count (sensitivity 1)
 * @param releases        how many sensitivity-1 Gaussian releases were made (2: the histogram, the populations' counts)
 */
public record SelectionPrivacy(double noiseMultiplier, int releases) {

    /** The selection's releases: the accuracy histogram, then the two populations' counts. */
    public static final int RELEASES = 2;
    /**
     * The default noise multiplier: ε = 1.16 at δ = 10⁻⁵ for the two releases (improved conversion; 1.40 under the
     * original one; docs/privacy.md), with noisy counts of standard deviation 5 users.
     */
    public static final double DEFAULT_NOISE_MULTIPLIER = 5.0;
    /** Smallest noise multiplier accepted: below it a single release already costs ε in the tens. */
    public static final double MIN_NOISE_MULTIPLIER = 0.5;
    /** Largest noise multiplier accepted. */
    public static final double MAX_NOISE_MULTIPLIER = 10_000;

    public SelectionPrivacy {
        checkNoiseMultiplier(noiseMultiplier);
        if (releases < 0) {
            throw new IllegalArgumentException("releases must be >= 0, got " + releases);
        }
    }

    /** The noise multiplier to use: the one given, or {@link #DEFAULT_NOISE_MULTIPLIER} when none is. */
    public static double noiseMultiplierOrDefault(Double given) {
        return given != null ? given : DEFAULT_NOISE_MULTIPLIER;
    }

    /** The selection's cost: {@value #RELEASES} releases at noise multiplier z. */
    public static SelectionPrivacy of(double noiseMultiplier) {
        return new SelectionPrivacy(noiseMultiplier, RELEASES);
    }

    /**
     * Rejects a selection noise multiplier outside [{@value #MIN_NOISE_MULTIPLIER}, {@value #MAX_NOISE_MULTIPLIER}]
     * (NaN and infinity too), before any work starts.
     */
    public static void checkNoiseMultiplier(double z) {
        if (!(z >= MIN_NOISE_MULTIPLIER && z <= MAX_NOISE_MULTIPLIER)) {
            throw new IllegalArgumentException("selection noise multiplier must be in [" + MIN_NOISE_MULTIPLIER + ", "
                    + (long) MAX_NOISE_MULTIPLIER + "], got " + z);
        }
    }

    /** RDP at one order: releases · α / (2 z²); infinite at α = ∞. */
    public double rdp(double order) {
        RdpAccountant.checkOrder(order);
        if (releases == 0) {
            return 0;
        }
        if (Double.isInfinite(order)) {
            return Double.POSITIVE_INFINITY;
        }
        return releases * order / (2 * noiseMultiplier * noiseMultiplier);
    }

    /** RDP at each of {@code orders}, in their order (e.g. {@link RdpAccountant#orders()} of a GAN's accountant). */
    public double[] rdp(double[] orders) {
        double[] r = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            r[i] = rdp(orders[i]);
        }
        return r;
    }

    /** RDP at each of {@code orders}, in their order. */
    public double[] rdp(List<Double> orders) {
        return rdp(RdpAccountant.checkOrders(orders));
    }

    /** The selection's own (ε, δ) over {@link RdpAccountant#DEFAULT_ORDERS}, under {@code conversion}. */
    public Epsilon epsilon(double delta, Conversion conversion) {
        double[] orders = RdpAccountant.checkOrders(RdpAccountant.DEFAULT_ORDERS);
        return RdpAccountant.epsilon(orders, rdp(orders), delta, conversion);
    }
}
