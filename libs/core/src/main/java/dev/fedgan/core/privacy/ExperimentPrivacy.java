package dev.fedgan.core.privacy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one guarantee of a debugging experiment: the private population selection composed with the GANs trained on
 * the populations it selected, as user-level (epsilon, delta)-DP under add/remove-one-user adjacency.
 *
 * <p>The rule: the selection's releases are Gaussian mechanisms every user takes part in; each user then belongs
 * to at most one population (low accuracy below one threshold, high accuracy above another, the thresholds
 * released by the selection before anyone joins), so adding or removing a user changes the inputs of one GAN only:
 * parallel composition, the maximum of the GANs' RDP at each order. Adaptive composition adds the selection:
 * RDP_total(alpha) = RDP_selection(alpha) + max over GANs of T * RDP_SGM(q, z, alpha), converted once at the
 * experiment's delta with both conversions. Each GAN's part is recomputed from its statement (q, z and the rounds it
 * released), so the total states what the run did.
 *
 * @param differentiallyPrivate false when any GAN ran without noise (then epsilon is infinite)
 * @param delta                 the experiment's delta
 * @param epsilonOriginal       total epsilon, original conversion
 * @param bestOrderOriginal     its Renyi order
 * @param epsilonImproved       total epsilon, improved conversion (the one stated)
 * @param bestOrderImproved     its Renyi order
 * @param selectionEpsilon      the selection's epsilon alone at delta (improved conversion)
 * @param ganEpsilons           each GAN's epsilon alone at delta (improved conversion), by GAN name
 * @param composition           the rule above, in words
 */
public record ExperimentPrivacy(boolean differentiallyPrivate, double delta, double epsilonOriginal,
                                double bestOrderOriginal, double epsilonImproved, double bestOrderImproved,
                                double selectionEpsilon, Map<String, Double> ganEpsilons, String composition) {

    /** The composition rule, in words, as reports print it. */
    public static final String COMPOSITION = "selection (Gaussian histogram and counts, every user) composed with"
            + " the GANs; a user is in at most one population, so the GANs compose in parallel (the larger RDP at each"
            + " order); RDP adds over the selection and that GAN, converted once at delta";

    public ExperimentPrivacy {
        ganEpsilons = Map.copyOf(ganEpsilons);
    }

    /**
     * The total over {@link RdpAccountant#DEFAULT_ORDERS}.
     *
     * @param selection the selection's mechanism (its releases and noise multiplier)
     * @param gans      each GAN's statement, by GAN name (the populations must be disjoint)
     * @param delta     the experiment's delta, in (0, 1)
     */
    public static ExperimentPrivacy of(SelectionPrivacy selection, Map<String, PrivacyStatement> gans, double delta) {
        double[] orders = RdpAccountant.DEFAULT_ORDERS.stream().mapToDouble(Double::doubleValue).toArray();
        double[] selectionRdp = selection.rdp(orders);
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        boolean dp = true;
        double[] worstGan = new double[orders.length];
        Map<String, Double> alone = new LinkedHashMap<>();
        for (Map.Entry<String, PrivacyStatement> g : gans.entrySet()) {
            PrivacyStatement s = g.getValue();
            if (!s.differentiallyPrivate()) {
                dp = false;
                alone.put(g.getKey(), Double.POSITIVE_INFINITY);
                continue;
            }
            double[] r = RdpAccountant.rdp(s.samplingRate(), s.noiseMultiplier(), s.rounds(), orders);
            alone.put(g.getKey(), RdpAccountant.epsilon(orders, r, delta, Conversion.IMPROVED).epsilon());
            for (int i = 0; i < orders.length; i++) {
                worstGan[i] = Math.max(worstGan[i], r[i]);
            }
        }
        double selectionAlone = RdpAccountant.epsilon(orders, selectionRdp, delta, Conversion.IMPROVED).epsilon();
        if (!dp) {
            double inf = Double.POSITIVE_INFINITY;
            return new ExperimentPrivacy(false, delta, inf, Double.NaN, inf, Double.NaN, selectionAlone, alone,
                    COMPOSITION);
        }
        double[] total = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            total[i] = selectionRdp[i] + worstGan[i];
        }
        Epsilon original = RdpAccountant.epsilon(orders, total, delta, Conversion.ORIGINAL);
        Epsilon improved = RdpAccountant.epsilon(orders, total, delta, Conversion.IMPROVED);
        return new ExperimentPrivacy(true, delta, original.epsilon(), original.order(), improved.epsilon(),
                improved.order(), selectionAlone, alone, COMPOSITION);
    }

    /** One line for reports and the watch output, e.g. {@code ε = 1.06 (δ = 1e-05): selection 0.55, GANs 0.92 / 0.95}. */
    public String line(List<String> ganOrder) {
        if (!differentiallyPrivate) {
            return "no privacy guarantee: a GAN trained without noise";
        }
        StringBuilder gansPart = new StringBuilder();
        for (String g : ganOrder) {
            if (gansPart.length() > 0) {
                gansPart.append(" / ");
            }
            gansPart.append(String.format(Locale.ROOT, "%.3g", ganEpsilons.get(g)));
        }
        return String.format(Locale.ROOT, "ε = %.3g (δ = %.3g) for the whole experiment: selection %.3g composed with"
                + " the GANs %s (%s)", epsilonImproved, delta, selectionEpsilon, gansPart, String.join(" / ", ganOrder));
    }
}
