package dev.fedgan.core.privacy;

import java.util.List;

/**
 * The equivalent of tensorflow_privacy's {@code compute_dp_sgd_privacy}: epsilon of T steps of the Sampled Gaussian
 * Mechanism with sampling rate q = m / N (or q given directly) and noise multiplier z, for a delta, under both
 * RDP-to-(epsilon, delta) conversions and over {@link RdpAccountant#DEFAULT_ORDERS} unless told otherwise.
 *
 * <p>For user-level DP in federated training (Poisson sampling of users, q = m/N exactly), N is the number of users,
 * m the expected clients per round, T the rounds; the default delta is min(1e-5, 1 / N^1.1): well below 1/N (a
 * mechanism that publishes one random user's data in full is (0, 1/N)-DP), and never above the customary 1e-5 for
 * small populations (N = 25 gives 1e-5, not 0.029).
 */
public final class PrivacyCalculator {

    /** The sampling every answer is computed for: Poisson, as fedgan's training samples and the accountant assumes. */
    /** The largest noise multiplier a target search tries. */
    public static final double MAX_NOISE_MULTIPLIER = 1000;

    public static final String POISSON_SAMPLING = "Poisson sampling: each user takes part in each round independently"
            + " with probability q (q = m/N, m the expected users per round), as training samples; the accountant's q"
            + " is the exact sampling rate";

    private PrivacyCalculator() {
    }

    /**
     * The default delta for N users: min(1e-5, 1 / N^1.1), so 1e-5 up to N = 35,111 and 1 / N^1.1 from N = 35,112
     * on (N = 10^6 gives 10^-6.6).
     */
    public static double defaultDelta(long population) {
        if (population < 2) {
            throw new IllegalArgumentException("the default delta min(1e-5, 1/N^1.1) needs a population N >= 2, got "
                    + population);
        }
        return Math.min(1e-5, Math.pow(population, -1.1));
    }

    /** T = ceil(epochs * N / batch), as {@code compute_dp_sgd_privacy} counts steps. */
    public static long stepsForEpochs(long population, long batch, double epochs) {
        checkPopulation(population);
        if (batch < 1 || batch > population) {
            throw new IllegalArgumentException("batch size must be in [1, N = " + population + "], got " + batch);
        }
        if (!(epochs > 0) || Double.isInfinite(epochs)) {
            throw new IllegalArgumentException("epochs must be a finite number > 0, got " + epochs);
        }
        double t = Math.ceil(epochs * population / batch);
        if (t > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("epochs too large: " + epochs);
        }
        return (long) t;
    }

    /** m of N users expected per round (Poisson, q = m/N) for T rounds, delta = min(1e-5, 1 / N^1.1). */
    public static PrivacyEstimate forPopulation(long population, int perRound, double noiseMultiplier, long rounds) {
        return estimate(population, perRound, null, noiseMultiplier, rounds, null, RdpAccountant.DEFAULT_ORDERS);
    }

    /** m of N users expected per round (Poisson, q = m/N) for T rounds. */
    public static PrivacyEstimate forPopulation(long population, int perRound, double noiseMultiplier, long rounds,
                                                double delta) {
        return estimate(population, perRound, null, noiseMultiplier, rounds, delta, RdpAccountant.DEFAULT_ORDERS);
    }

    /** Sampling rate q for T steps. */
    public static PrivacyEstimate forSamplingRate(double q, double noiseMultiplier, long steps, double delta) {
        return estimate(null, null, q, noiseMultiplier, steps, delta, RdpAccountant.DEFAULT_ORDERS);
    }

    /** Exactly {@code compute_dp_sgd_privacy(n, batch_size, noise_multiplier, epochs, delta)}. */
    public static PrivacyEstimate forEpochs(long population, int batch, double noiseMultiplier, double epochs,
                                            double delta) {
        long steps = stepsForEpochs(population, batch, epochs);
        return estimate(population, batch, null, noiseMultiplier, steps, delta, RdpAccountant.DEFAULT_ORDERS);
    }

    /**
     * The general form. Give either q, or N and m (q = m / N); N may come with q only to default delta.
     *
     * @param population      N, or null
     * @param perRound        m, or null
     * @param q               the sampling rate, or null to use m / N
     * @param noiseMultiplier z
     * @param steps           T
     * @param delta           delta, or null for min(1e-5, 1 / N^1.1)
     * @param orders          the Renyi orders, or null for {@link RdpAccountant#DEFAULT_ORDERS}
     */
    public static PrivacyEstimate estimate(Long population, Integer perRound, Double q, double noiseMultiplier,
                                           long steps, Double delta, List<Double> orders) {
        if (population != null) {
            checkPopulation(population);
        }
        double rate;
        if (q != null) {
            if (perRound != null) {
                throw new IllegalArgumentException("give either the sampling rate q or the clients per round m, not both");
            }
            RdpAccountant.checkSamplingRate(q);
            rate = q;
        } else {
            if (population == null || perRound == null) {
                throw new IllegalArgumentException("the sampling rate needs q, or both the population N and the clients per round m");
            }
            if (perRound < 1 || perRound > population) {
                throw new IllegalArgumentException("clients per round must be in [1, N = " + population + "], got " + perRound);
            }
            rate = (double) perRound / population;
        }
        RdpAccountant.checkNoiseMultiplier(noiseMultiplier);
        RdpAccountant.checkSteps(steps);
        double d;
        if (delta != null) {
            RdpAccountant.checkDelta(delta);
            d = delta;
        } else {
            if (population == null) {
                throw new IllegalArgumentException(
                        "delta not given: the default min(1e-5, 1/N^1.1) needs the population N");
            }
            d = defaultDelta(population);
        }
        List<Double> o = orders == null ? RdpAccountant.DEFAULT_ORDERS : orders;
        RdpAccountant acc = new RdpAccountant(o).addSteps(rate, noiseMultiplier, steps);
        Epsilon original = acc.epsilon(d, Conversion.ORIGINAL);
        Epsilon improved = acc.epsilon(d, Conversion.IMPROVED);
        return new PrivacyEstimate(population, perRound, rate, noiseMultiplier, steps, d, delta == null,
                original.epsilon(), original.order(), improved.epsilon(), improved.order(), acc.orders(),
                POISSON_SAMPLING);
    }

    /**
     * The smallest noise multiplier z (to a relative 1e-4, rounded up) whose T steps at sampling rate q stay within
     * {@code targetEpsilon} at {@code delta} under {@code conversion}: what a training run must use to promise the
     * target before it starts. Epsilon falls as z grows, so bisection on z finds it.
     *
     * @throws IllegalArgumentException if even z = 1000 exceeds the target
     */
    public static double noiseMultiplierFor(double q, long steps, double delta, double targetEpsilon,
                                            Conversion conversion) {
        double z = smallestNoiseMultiplier(x -> epsilonOf(q, x, steps, delta, conversion), targetEpsilon);
        if (Double.isNaN(z)) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "epsilon %.4g is out of reach: even "
                    + "noise multiplier %.0f gives more over %d steps at q = %.4g, delta = %.3g", targetEpsilon,
                    MAX_NOISE_MULTIPLIER, steps, q, delta));
        }
        return z;
    }

    /**
     * The smallest z in [0.05, {@value #MAX_NOISE_MULTIPLIER}] (to a relative 1e-4, rounded up) with
     * {@code epsilonOf(z)} within {@code targetEpsilon}, by bisection on z (epsilon falls as z grows); NaN when even
     * the largest exceeds it.
     *
     * @throws IllegalArgumentException if the target is not a finite number above 0
     */
    public static double smallestNoiseMultiplier(java.util.function.DoubleUnaryOperator epsilonOf,
            double targetEpsilon) {
        if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
            throw new IllegalArgumentException("the target epsilon must be a finite number > 0, got " + targetEpsilon);
        }
        double hi = MAX_NOISE_MULTIPLIER;
        if (epsilonOf.applyAsDouble(hi) > targetEpsilon) {
            return Double.NaN;
        }
        double lo = 0.05;
        if (epsilonOf.applyAsDouble(lo) <= targetEpsilon) {
            return lo;
        }
        while (hi / lo > 1 + 1e-4) {
            double mid = Math.sqrt(lo * hi);
            if (epsilonOf.applyAsDouble(mid) <= targetEpsilon) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    private static double epsilonOf(double q, double z, long steps, double delta, Conversion conversion) {
        return new RdpAccountant().addSteps(q, z, steps).epsilon(delta, conversion).epsilon();
    }

    static void checkPopulation(long population) {
        if (population < 1) {
            throw new IllegalArgumentException("population N must be >= 1, got " + population);
        }
    }
}
