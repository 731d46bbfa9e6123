package dev.fedgan.core.population;

import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.Epsilon;
import dev.fedgan.core.privacy.RdpAccountant;
import dev.fedgan.core.privacy.SelectionPrivacy;
import java.util.List;

/**
 * Everything the private selection releases, as {@code selection/selection.json}: the noisy histogram of the users'
 * accuracies, the thresholds (given, or chosen from that histogram), the populations' noisy sizes N̂, and what it all
 * cost. Each number is either an output of an accounted Gaussian mechanism, post-processing of one, or public (the
 * number of users of the data set, the settings); no per-user value and no exact count is in it.
 *
 * @param mechanism       the mechanism, in words
 * @param users           N_field, the number of users in the data set who can train (treated as public: the app's
 *                        user count)
 * @param usersLeftOut    the data set's users with fewer examples than a client trains on, who take no part (public
 *                        as N_field)
 * @param noiseMultiplier z_sel, the standard deviation of the noise on every count (sensitivity 1)
 * @param noise           where the noise came from ({@code GaussianNoise#description()})
 * @param secureNoise     false when the noise was seeded (reproducible, not private)
 * @param histogram       the first release
 * @param thresholds      the thresholds broadcast to the devices
 * @param populations     the second release: low_accuracy first, then high_accuracy
 * @param privacy         the cost of both releases
 */
public record SelectionRelease(String mechanism, long users, long usersLeftOut, double noiseMultiplier, String noise, boolean secureNoise,
        Histogram histogram, Thresholds thresholds, List<PopulationSize> populations, Privacy privacy) {

    /** What {@link #mechanism} says. */
    public static final String MECHANISM = "Two Gaussian mechanisms of L2 sensitivity 1 under add/remove-one-user"
            + " adjacency: (1) each device adds 1 to the bin of its own accuracy, the server gets the sum of these"
            + " one-hot vectors plus N(0, z^2) per bin; (2) after the thresholds are broadcast, each device adds 1 to"
            + " the population it decides to join (at most one), the server gets the two sums plus N(0, z^2) each."
            + " Thresholds chosen from (1), the clamped and rounded sizes N and the chart are post-processing.";

    public SelectionRelease {
        populations = List.copyOf(populations);
    }

    /**
     * The noisy accuracy histogram: bin k counts the users with floor(bins · accuracy) = k (accuracy 1 in the last
     * bin), plus noise; counts are real numbers and may be negative.
     *
     * @param bins        number of equal bins over [0, 1]
     * @param binWidth    1 / bins
     * @param noisyCounts the released counts, bin 0 first
     */
    public record Histogram(int bins, double binWidth, double[] noisyCounts) {
    }

    /**
     * The thresholds sent to the devices: a device joins low_accuracy when its accuracy is &lt; low, high_accuracy
     * when it is &gt; high.
     *
     * @param low      the low threshold
     * @param lowFrom  {@code given}, or how it was chosen from the noisy histogram
     * @param high     the high threshold
     * @param highFrom {@code given}, or how it was chosen
     */
    public record Thresholds(double low, String lowFrom, double high, String highFrom) {
    }

    /**
     * One population's released size.
     *
     * @param gan            {@code low_accuracy} or {@code high_accuracy}
     * @param rule           the devices' rule, e.g. {@code accuracy < 0.25}
     * @param noisyCount     the count of members plus N(0, z²), as released
     * @param populationSize N̂ = max(1, round(noisyCount)): the N of q = m/N̂ for this population's GAN
     */
    public record PopulationSize(String gan, String rule, double noisyCount, int populationSize) {
    }

    /**
     * The selection's own privacy cost. The experiment's total adds, order by order, the larger of the two GANs' RDP
     * (docs/privacy.md).
     *
     * @param releases          Gaussian releases of sensitivity 1 (2)
     * @param delta             the experiment's δ
     * @param deltaIsDefault    whether δ is the default min(1e-5, N_field^-1.1)
     * @param epsilonOriginal   ε of the selection alone, original 2019 conversion
     * @param bestOrderOriginal its Rényi order
     * @param epsilonImproved   ε of the selection alone, improved 2020 conversion
     * @param bestOrderImproved its Rényi order
     * @param orders            the Rényi orders ({@link RdpAccountant#DEFAULT_ORDERS})
     * @param rdp               the selection's RDP at each order: releases · α / (2 z²)
     */
    public record Privacy(int releases, double delta, boolean deltaIsDefault, double epsilonOriginal,
            double bestOrderOriginal, double epsilonImproved, double bestOrderImproved, List<Double> orders,
            double[] rdp) {

        /** The cost of {@code selection} at {@code delta} over the accountant's default orders. */
        public static Privacy of(SelectionPrivacy selection, double delta, boolean deltaIsDefault) {
            Epsilon original = selection.epsilon(delta, Conversion.ORIGINAL);
            Epsilon improved = selection.epsilon(delta, Conversion.IMPROVED);
            return new Privacy(selection.releases(), delta, deltaIsDefault, original.epsilon(), original.order(),
                    improved.epsilon(), improved.order(), RdpAccountant.DEFAULT_ORDERS,
                    selection.rdp(RdpAccountant.DEFAULT_ORDERS));
        }
    }

    /** The released size of one population ({@code low_accuracy} or {@code high_accuracy}). */
    public PopulationSize population(String gan) {
        return populations.stream().filter(p -> p.gan().equals(gan)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no population " + gan + " in the selection"));
    }
}
