package dev.fedgan.core.privacy;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * The privacy guarantee of one training run, as every report embeds it: user-level DP of DP-FedAvg's critic updates,
 * accounted with {@link RdpAccountant}. A plain record, so it serializes to JSON (snake_case) and back.
 *
 * <p>When DP is off, {@link #notPrivate} gives a statement with {@code differentiallyPrivate = false}, epsilon
 * infinite and delta / orders NaN (JSON "Infinity" / "NaN"). Clipped updates without noise (z = 0, the private
 * sweep's non-private point) are not private either: {@code differentiallyPrivate = false}, epsilon infinite.
 *
 * @param differentiallyPrivate whether the run used clipping and noise (z > 0)
 * @param unit                  the protected unit: "user" (all of one user's examples)
 * @param accounted             what is released and accounted, in words
 * @param samplingScheme        how clients are drawn: Poisson with rate q, in words
 * @param population            N, the users the clients are drawn from
 * @param clientsPerRound       m = qN, the expected clients per round and the fixed denominator
 * @param samplingRate          q = m / N
 * @param noiseMultiplier       z: noise standard deviation on the sum of clipped deltas divided by S (with adaptive
 *                              clipping the accounted multiplier of the sum and the count together)
 * @param clipNorm              S, the L2 bound on each client's critic delta (all tensors flattened together); with
 *                              adaptive clipping the first round's
 * @param rounds                T, rounds accounted
 * @param delta                 delta of the guarantee
 * @param deltaIsDefault        whether delta is the default min(1e-5, 1 / N^1.1)
 * @param epsilonOriginal       epsilon, original 2019 conversion
 * @param bestOrderOriginal     its Renyi order
 * @param epsilonImproved       epsilon, improved 2020 conversion
 * @param bestOrderImproved     its Renyi order
 * @param accountant            the accountant, in words
 * @param secureNoise           whether the Gaussian noise came from a secure random source (false: a seeded PRNG)
 * @param adaptiveClip          how S followed a quantile of the deltas' norms, or null: S was fixed
 */
public record PrivacyStatement(boolean differentiallyPrivate, String unit, String accounted, String samplingScheme,
                               long population, int clientsPerRound, double samplingRate, double noiseMultiplier,
                               double clipNorm, long rounds, double delta, boolean deltaIsDefault,
                               double epsilonOriginal, double bestOrderOriginal, double epsilonImproved,
                               double bestOrderImproved, String accountant, boolean secureNoise,
                               AdaptiveClip adaptiveClip) {

    /** The protected unit. */
    public static final String UNIT = "user";

    /** What DP-FedAvg releases each round. */
    public static final String ACCOUNTED = "each round's critic update: the sum of the sampled clients' critic deltas,"
            + " each clipped to L2 norm S over all tensors, plus Gaussian noise N(0, (z S)^2) on every coordinate,"
            + " divided by the fixed qN = m whatever the number sampled (a round with no sampled client releases the"
            + " noise divided by m and is accounted too); the generator is trained on the server from noise only and"
            + " adds no privacy cost";

    /** The accountant. */
    public static final String ACCOUNTANT = "RDP of the Sampled Gaussian Mechanism (tensorflow_privacy rdp_accountant),"
            + " orders of compute_dp_sgd_privacy";

    /** The sampling scheme, for m expected of N: Poisson with q = m/N, exactly what the accountant assumes. */
    public static String samplingScheme(long population, int clientsPerRound) {
        return String.format(Locale.ROOT, "Poisson, q = m/N = %d/%d: each client of the population (size N = %d)"
                + " takes part in a round independently with probability q (%d expected per round); the accountant's q"
                + " is exact",
                clientsPerRound, population, population, clientsPerRound);
    }

    /**
     * The statement for T rounds of Poisson sampling with q = m/N, noise multiplier z and clip S.
     *
     * @param delta the delta, or null for min(1e-5, 1 / N^1.1)
     */
    public static PrivacyStatement of(long population, int clientsPerRound, double noiseMultiplier, double clipNorm,
                                      long rounds, Double delta, boolean secureNoise) {
        return of(population, clientsPerRound, noiseMultiplier, clipNorm, null, rounds, delta, secureNoise);
    }

    /**
     * The statement for T rounds of Poisson sampling with q = m/N, total noise multiplier z, the first round's clip S
     * and its adaptive rule (null: fixed).
     *
     * @param delta the delta, or null for min(1e-5, 1 / N^1.1)
     */
    public static PrivacyStatement of(long population, int clientsPerRound, double noiseMultiplier, double clipNorm,
                                      AdaptiveClip adaptiveClip, long rounds, Double delta, boolean secureNoise) {
        checkClip(clipNorm, adaptiveClip, noiseMultiplier);
        PrivacyEstimate e = PrivacyCalculator.estimate(population, clientsPerRound, null, noiseMultiplier, rounds, delta,
                null);
        return new PrivacyStatement(noiseMultiplier > 0, UNIT, ACCOUNTED, samplingScheme(population, clientsPerRound),
                population, clientsPerRound, e.q(), noiseMultiplier, clipNorm, rounds, e.delta(), e.deltaIsDefault(),
                e.epsilonOriginal(), e.bestOrderOriginal(), e.epsilonImproved(), e.bestOrderImproved(), ACCOUNTANT,
                secureNoise, adaptiveClip);
    }

    /**
     * The statement for the steps a training run's accountant has recorded (e.g. after a resume from a checkpoint).
     * Every recorded entry must have q = m / N and the given z: the statement describes one setting.
     *
     * @param delta the delta, or null for min(1e-5, 1 / N^1.1)
     */
    public static PrivacyStatement of(RdpAccountant accountant, long population, int clientsPerRound,
                                      double noiseMultiplier, double clipNorm, AdaptiveClip adaptiveClip, Double delta,
                                      boolean secureNoise) {
        checkClip(clipNorm, adaptiveClip, noiseMultiplier);
        PrivacyEstimate setting = PrivacyCalculator.estimate(population, clientsPerRound, null, noiseMultiplier, 0,
                delta, null);
        for (RdpAccountant.Steps s : accountant.steps()) {
            if (Double.compare(s.q(), setting.q()) != 0 || Double.compare(s.noiseMultiplier(), noiseMultiplier) != 0) {
                throw new IllegalArgumentException("the accountant holds steps with q = " + s.q() + ", z = "
                        + s.noiseMultiplier() + ", not the statement's q = " + setting.q() + ", z = " + noiseMultiplier);
            }
        }
        Epsilon original = accountant.epsilon(setting.delta(), Conversion.ORIGINAL);
        Epsilon improved = accountant.epsilon(setting.delta(), Conversion.IMPROVED);
        return new PrivacyStatement(noiseMultiplier > 0, UNIT, ACCOUNTED, samplingScheme(population, clientsPerRound),
                population, clientsPerRound, setting.q(), noiseMultiplier, clipNorm, accountant.totalSteps(), setting.delta(),
                setting.deltaIsDefault(), original.epsilon(), original.order(), improved.epsilon(), improved.order(),
                ACCOUNTANT, secureNoise, adaptiveClip);
    }

    /** The statement of a run without DP (no clipping, no noise): no guarantee. */
    public static PrivacyStatement notPrivate(long population, int clientsPerRound, long rounds) {
        PrivacyCalculator.checkPopulation(population);
        RdpAccountant.checkSteps(rounds);
        if (clientsPerRound < 1 || clientsPerRound > population) {
            throw new IllegalArgumentException("clients per round must be in [1, N = " + population + "], got "
                    + clientsPerRound);
        }
        return new PrivacyStatement(false, UNIT, "the example-weighted mean of the sampled clients' critic deltas,"
                + " unclipped and without noise", samplingScheme(population, clientsPerRound), population,
                clientsPerRound, (double) clientsPerRound / population, 0, Double.POSITIVE_INFINITY, rounds, Double.NaN,
                false, Double.POSITIVE_INFINITY, Double.NaN, Double.POSITIVE_INFINITY, Double.NaN, "none", false, null);
    }

    private static void checkClip(double clipNorm, AdaptiveClip adaptiveClip, double noiseMultiplier) {
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("clip norm must be a finite number > 0, got " + clipNorm);
        }
        if (adaptiveClip != null) {
            adaptiveClip.checkNoise(noiseMultiplier);
        }
    }

    /** The noise multiplier of the deltas' sum: z with a fixed clip, z_Δ with adaptive clipping. */
    public double updateNoiseMultiplier() {
        return AdaptiveClip.sumNoiseMultiplier(adaptiveClip, noiseMultiplier);
    }

    /** A short paragraph for humans: the guarantee, what it covers, the sampling, the noise source. */
    public String paragraph() {
        StringBuilder sb = new StringBuilder();
        if (!differentiallyPrivate && clipNorm < Double.POSITIVE_INFINITY) {
            sb.append(String.format(Locale.ROOT, "No differential privacy: %d rounds of Poisson sampling (q = %d/%d,"
                    + " %d clients expected per round), each client's critic delta clipped to L2 norm S = %s%s, but no"
                    + " noise (z = 0): epsilon is infinite. Nothing formal protects a user's data.", rounds,
                    clientsPerRound, population, clientsPerRound, number(clipNorm),
                    adaptiveClip == null ? "" : String.format(Locale.ROOT, " in the first round, then moved each round"
                            + " towards the %s quantile of the deltas' norms", plain(adaptiveClip.targetQuantile()))));
            return sb.toString();
        }
        if (!differentiallyPrivate) {
            sb.append(String.format(Locale.ROOT, "No differential privacy: %d rounds of Poisson sampling (q = %d/%d,"
                    + " %d clients expected per round), with unclipped, noise-free critic updates. Nothing formal"
                    + " protects a user's data.", rounds, clientsPerRound, population, clientsPerRound));
            return sb.toString();
        }
        sb.append(String.format(Locale.ROOT, "User-level differential privacy: (epsilon = %s, delta = %s%s) after %d"
                        + " rounds (RDP accountant, original 2019 conversion, best order %s; the improved 2020"
                        + " conversion gives epsilon = %s at order %s).",
                number(epsilonOriginal), scientific(delta), deltaIsDefault ? ", the default min(1e-5, 1/N^1.1)" : "", rounds,
                order(bestOrderOriginal), number(epsilonImproved), order(bestOrderImproved)));
        sb.append(String.format(Locale.ROOT, " The protected unit is all of one user's data. Each round, each client"
                        + " of the population (size N = %d) takes part independently with probability q = m/N = %s"
                        + " (Poisson sampling, %d"
                        + " expected per round: the sampling the accountant assumes); ",
                population, plain(samplingRate), clientsPerRound));
        if (adaptiveClip == null) {
            sb.append(String.format(Locale.ROOT, "each sampled client's critic delta is clipped to L2 norm S = %s, the"
                            + " clipped deltas are summed, Gaussian noise of standard deviation z*S = %s (noise"
                            + " multiplier z = %s) is added to every coordinate, and the result is divided by the fixed"
                            + " m = qN, however many clients were sampled.",
                    plain(clipNorm), plain(noiseMultiplier * clipNorm), plain(noiseMultiplier)));
        } else {
            sb.append(String.format(Locale.ROOT, "each sampled client's critic delta is clipped to L2 norm S_t, the"
                            + " clipped deltas are summed, Gaussian noise of standard deviation z_d*S_t (z_d = %s) is"
                            + " added to every coordinate, and the result is divided by the fixed m = qN, however many"
                            + " clients were sampled. S_t is adaptive (Andrew et al. 2021): S_1 = %s; each round the"
                            + " number of sampled clients whose delta was within S_t, shifted by one half per client,"
                            + " gets Gaussian noise of standard deviation sigma_b = %s, is divided by m and gives the"
                            + " noised fraction b within S_t, and S_t+1 = S_t * exp(-%s (b - %s)). The sum and the"
                            + " count together are one Gaussian mechanism of noise multiplier z = %s"
                            + " (1/z^2 = 1/z_d^2 + 1/(2 sigma_b)^2), which the accountant uses.",
                    plain(updateNoiseMultiplier()), plain(clipNorm), plain(adaptiveClip.countNoise()),
                    plain(adaptiveClip.learningRate()), plain(adaptiveClip.targetQuantile()), plain(noiseMultiplier)));
        }
        double eps = Math.min(epsilonOriginal, epsilonImproved);
        if (eps > 100) {
            sb.append(" At this epsilon the formal guarantee is vacuous: it bounds nothing an attacker could learn.");
        } else if (eps > 10) {
            sb.append(" An epsilon above 10 is a weak guarantee.");
        }
        sb.append(secureNoise ? " The noise came from a secure random source."
                : " The noise came from a seeded pseudo-random generator (reproducible runs): anyone who knows the"
                + " seed can subtract it, so the guarantee holds only while the seed stays secret.");
        return sb.toString();
    }

    private static String number(double x) {
        if (Double.isInfinite(x)) {
            return "infinity";
        }
        return Math.abs(x) >= 1e4 ? String.format(Locale.ROOT, "%.3e", x) : plain(x);
    }

    private static String scientific(double x) {
        return String.format(Locale.ROOT, "%.2e", x);
    }

    private static String order(double a) {
        if (Double.isInfinite(a)) {
            return "infinity";
        }
        return BigDecimal.valueOf(a).stripTrailingZeros().toPlainString();
    }

    private static String plain(double x) {
        if (!Double.isFinite(x)) {
            return Double.toString(x);
        }
        return new BigDecimal(String.format(Locale.ROOT, "%.4g", x)).stripTrailingZeros().toPlainString();
    }
}
