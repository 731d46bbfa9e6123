package dev.fedgan.core.privacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fedgan.core.io.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renyi-DP accountant of the Sampled Gaussian Mechanism, computed exactly as tensorflow_privacy's
 * {@code rdp_accountant.py} (reference section 7; Mironov, Talwar, Zhang 2019, arXiv 1908.10530).
 *
 * <p>One step of the mechanism: each unit (here: each user) is included with probability {@code q} (Poisson
 * sampling), the included units' contributions, each clipped to L2 norm S, are summed, and Gaussian noise of
 * standard deviation {@code z * S} is added; {@code z} is the noise multiplier. The RDP of one step at order
 * alpha is ln(A_alpha) / (alpha - 1): for integer alpha a log-space sum of binomial terms, for fractional alpha
 * the two-series expansion with the normal tail. RDP composes additively over steps, also for heterogeneous steps.
 *
 * <p>The instance is the stateful accountant of a training run: {@link #addSteps} records steps, {@link #epsilon}
 * converts the composed RDP into (epsilon, delta) at the best order, and {@link #state()} / {@link #restore} give a
 * JSON-serializable state (the orders and the list of (q, z, count) entries; the RDP is recomputed from them, so a
 * restored accountant gives bit-identical answers). Thread-safe.
 */
public final class RdpAccountant {

    /**
     * The orders of tensorflow_privacy's {@code compute_dp_sgd_privacy}: 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4,
     * 4.5, the integers 5 to 63, 128, 256, 512.
     */
    public static final List<Double> DEFAULT_ORDERS;

    static {
        List<Double> o = new ArrayList<>(List.of(1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 3.5, 4.0, 4.5));
        for (int a = 5; a <= 63; a++) {
            o.add((double) a);
        }
        o.addAll(List.of(128.0, 256.0, 512.0));
        DEFAULT_ORDERS = Collections.unmodifiableList(o);
    }

    /** The largest finite order accepted (an integer order costs one term per unit of alpha). */
    public static final double MAX_ORDER = 1e6;

    /** Terms of the fractional-order series after which the computation gives up (it converges long before). */
    private static final long MAX_SERIES_TERMS = 100_000_000L;

    private static final double LOG_HALF = Math.log(0.5);

    /**
     * Steps with the same parameters, one entry of the accountant's history.
     *
     * @param q               the sampling rate of each step, in [0, 1]
     * @param noiseMultiplier z, the noise standard deviation divided by the clip norm, >= 0
     * @param count           how many steps, >= 0
     */
    public record Steps(double q, double noiseMultiplier, long count) {

        public Steps {
            checkSamplingRate(q);
            checkNoiseMultiplier(noiseMultiplier);
            checkSteps(count);
        }
    }

    /**
     * What a checkpoint stores: enough to rebuild the accountant exactly.
     *
     * @param orders the Renyi orders
     * @param steps  the history, in the order the steps were added
     */
    public record State(List<Double> orders, List<Steps> steps) {

        public State {
            if (orders == null || steps == null) {
                throw new IllegalArgumentException("accountant state needs 'orders' and 'steps'");
            }
            orders = List.copyOf(orders);
            steps = List.copyOf(steps);
        }
    }

    private record Key(double q, double noiseMultiplier) {
    }

    private final double[] orders;
    private final List<Steps> history = new ArrayList<>();
    private final Map<Key, double[]> perStep = new HashMap<>();

    /** An accountant with no steps, over {@link #DEFAULT_ORDERS}. */
    public RdpAccountant() {
        this(DEFAULT_ORDERS);
    }

    /** An accountant with no steps, over the given orders (each > 1, at most {@link #MAX_ORDER}, or infinity). */
    public RdpAccountant(List<Double> orders) {
        this.orders = checkOrders(orders);
    }

    /** Rebuilds an accountant from {@link #state()}. */
    public static RdpAccountant restore(State state) {
        RdpAccountant a = new RdpAccountant(state.orders());
        a.history.addAll(state.steps());
        return a;
    }

    /** An independent copy, with the per-step RDP already computed (to ask "what if one more round"). */
    public synchronized RdpAccountant copy() {
        RdpAccountant a = restore(state());
        a.perStep.putAll(perStep);
        return a;
    }

    /** Rebuilds an accountant from {@link #toJson()}. */
    public static RdpAccountant fromJson(String json) {
        try {
            return restore(Json.MAPPER.readValue(json, State.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a valid accountant state: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Records {@code count} steps with sampling rate {@code q} and noise multiplier {@code noiseMultiplier}.
     * Consecutive calls with the same q and z are merged into one entry.
     *
     * @return this accountant
     */
    public synchronized RdpAccountant addSteps(double q, double noiseMultiplier, long count) {
        Steps s = new Steps(q, noiseMultiplier, count);
        if (count == 0) {
            return this;
        }
        int last = history.size() - 1;
        if (last >= 0 && Double.compare(history.get(last).q(), q) == 0
                && Double.compare(history.get(last).noiseMultiplier(), noiseMultiplier) == 0) {
            history.set(last, new Steps(q, noiseMultiplier, Math.addExact(history.get(last).count(), count)));
        } else {
            history.add(s);
        }
        return this;
    }

    /** The history: one entry per run of steps with the same parameters. */
    public synchronized List<Steps> steps() {
        return List.copyOf(history);
    }

    /** The number of steps recorded. */
    public synchronized long totalSteps() {
        long n = 0;
        for (Steps s : history) {
            n += s.count();
        }
        return n;
    }

    /** The Renyi orders. */
    public List<Double> orders() {
        List<Double> o = new ArrayList<>(orders.length);
        for (double a : orders) {
            o.add(a);
        }
        return Collections.unmodifiableList(o);
    }

    /** The composed RDP at each order (same order as {@link #orders()}): the sum over entries of count * RDP. */
    public synchronized double[] rdp() {
        double[] total = new double[orders.length];
        for (Steps s : history) {
            double[] one = perStep.computeIfAbsent(new Key(s.q(), s.noiseMultiplier()),
                    k -> rdp(k.q(), k.noiseMultiplier(), 1, orders));
            if (s.count() == 0) {
                continue;
            }
            for (int i = 0; i < total.length; i++) {
                total[i] += one[i] * s.count();
            }
        }
        return total;
    }

    /** The (epsilon, delta) guarantee of all recorded steps: epsilon at the best order under {@code conversion}. */
    public Epsilon epsilon(double delta, Conversion conversion) {
        checkDelta(delta);
        return epsilon(orders, rdp(), delta, conversion);
    }

    /** The state to checkpoint. */
    public synchronized State state() {
        return new State(orders(), history);
    }

    /** The state as JSON (snake_case keys). */
    public String toJson() {
        return Json.toString(state());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The mechanism's RDP and the conversions, as static functions.

    /**
     * RDP at one order of one step of the Sampled Gaussian Mechanism: 0 when q = 0; alpha / (2 z^2) when q = 1;
     * infinite when alpha is infinite or z = 0 (and q > 0).
     */
    public static double rdp(double q, double noiseMultiplier, double order) {
        checkSamplingRate(q);
        checkNoiseMultiplier(noiseMultiplier);
        checkOrder(order);
        if (q == 0) {
            return 0;
        }
        if (noiseMultiplier == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return order / (2 * noiseMultiplier * noiseMultiplier);
        }
        if (Double.isInfinite(order)) {
            return Double.POSITIVE_INFINITY;
        }
        double logA = order == Math.rint(order) ? logAInteger(q, noiseMultiplier, (long) order)
                : logAFractional(q, noiseMultiplier, order);
        return logA / (order - 1);
    }

    /** RDP of {@code steps} identical steps at each order: steps * RDP(q, z, alpha). */
    public static double[] rdp(double q, double noiseMultiplier, long steps, double[] orders) {
        checkSteps(steps);
        double[] r = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            double one = rdp(q, noiseMultiplier, orders[i]);
            r[i] = one == 0 || steps == 0 ? 0 : one * steps;
        }
        return r;
    }

    /**
     * Converts RDP values at the given orders into epsilon for {@code delta}, minimizing over the orders (ties go
     * to the first order, as numpy's argmin does).
     */
    public static Epsilon epsilon(double[] orders, double[] rdp, double delta, Conversion conversion) {
        if (orders.length != rdp.length) {
            throw new IllegalArgumentException("orders and RDP values must have the same length, got "
                    + orders.length + " and " + rdp.length);
        }
        if (orders.length == 0) {
            throw new IllegalArgumentException("orders must not be empty");
        }
        checkDelta(delta);
        int best = -1;
        double bestEps = Double.NaN;
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            checkOrder(a);
            double r = rdp[i];
            if (Double.isNaN(r)) {
                continue;
            }
            double e = conversion == Conversion.ORIGINAL ? original(a, r, delta) : improved(a, r, delta);
            if (best < 0 || e < bestEps) {
                best = i;
                bestEps = e;
            }
        }
        if (best < 0) {
            throw new IllegalArgumentException("no order has a defined RDP value");
        }
        if (conversion == Conversion.IMPROVED) {
            bestEps = Math.max(0, bestEps);
        }
        return new Epsilon(bestEps, orders[best]);
    }

    private static double original(double a, double r, double delta) {
        if (Double.isInfinite(a)) {
            return r; // -ln(delta) / (alpha - 1) -> 0
        }
        return r - Math.log(delta) / (a - 1);
    }

    private static double improved(double a, double r, double delta) {
        r = Math.max(0, r); // RDP is >= 0; a rounding error below 0 is not a reason to fail
        if (Double.isInfinite(r)) {
            return Double.POSITIVE_INFINITY;
        }
        if (delta * delta + Math.expm1(-r) >= 0) {
            return 0; // delta <= sqrt(1 - exp(-KL)): the KL bound already gives epsilon = 0
        }
        if (Double.isInfinite(a)) {
            return r;
        }
        if (a > 1.01) {
            return r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1);
        }
        return Double.POSITIVE_INFINITY; // the rule is numerically unstable near alpha = 1 and not used there
    }

    /** ln A_alpha for integer alpha: log-space sum over i of C(alpha, i) (1-q)^(alpha-i) q^i exp((i^2 - i) / (2 z^2)). */
    private static double logAInteger(double q, double sigma, long alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * sigma * sigma;
        double logBinom = 0;
        double logA = Double.NEGATIVE_INFINITY;
        for (long i = 0; i <= alpha; i++) {
            if (i > 0) {
                logBinom += Math.log(alpha - i + 1) - Math.log(i);
            }
            double di = i;
            double term = logBinom + di * logQ + (alpha - i) * log1mQ + (di * di - di) / twoVar;
            logA = LogMath.logAdd(logA, term);
        }
        return logA;
    }

    /**
     * ln A_alpha for fractional alpha: A = A0 + A1, with generalized binomial coefficients c = C(alpha, i) (signed),
     * z0 = z^2 ln(1/q - 1) + 1/2, j = alpha - i,
     * A0 += c q^i (1-q)^j exp((i^2 - i) / (2 z^2)) erfc((i - z0) / (sqrt2 z)) / 2,
     * A1 += c q^j (1-q)^i exp((j^2 - j) / (2 z^2)) erfc((z0 - j) / (sqrt2 z)) / 2,
     * stopping once both log-terms are below -30.
     */
    private static double logAFractional(double q, double sigma, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * sigma * sigma;
        double sqrt2Sigma = Math.sqrt(2) * sigma;
        double z0 = sigma * sigma * (log1mQ - logQ) + 0.5;
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double logAbsCoef = 0;
        boolean positive = true;
        for (long i = 0; ; i++) {
            if (i > 0) {
                double factor = alpha - i + 1;
                logAbsCoef += Math.log(Math.abs(factor)) - Math.log(i);
                if (factor < 0) {
                    positive = !positive;
                }
            }
            double di = i;
            double j = alpha - di;
            double logT0 = logAbsCoef + di * logQ + j * log1mQ;
            double logT1 = logAbsCoef + j * logQ + di * log1mQ;
            double logE0 = LOG_HALF + LogMath.logErfc((di - z0) / sqrt2Sigma);
            double logE1 = LOG_HALF + LogMath.logErfc((z0 - j) / sqrt2Sigma);
            double logS0 = logT0 + (di * di - di) / twoVar + logE0;
            double logS1 = logT1 + (j * j - j) / twoVar + logE1;
            if (positive) {
                logA0 = LogMath.logAdd(logA0, logS0);
                logA1 = LogMath.logAdd(logA1, logS1);
            } else {
                logA0 = LogMath.logSub(logA0, logS0);
                logA1 = LogMath.logSub(logA1, logS1);
            }
            if (Math.max(logS0, logS1) < -30) {
                break;
            }
            if (i >= MAX_SERIES_TERMS || Double.isNaN(logS0) || Double.isNaN(logS1)) {
                throw new IllegalStateException("RDP series did not converge for q = " + q + ", noise multiplier = "
                        + sigma + ", order = " + alpha);
            }
        }
        return LogMath.logAdd(logA0, logA1);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Parameter checks, shared with the calculator.

    static void checkSamplingRate(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate q must be in [0, 1], got " + q);
        }
    }

    static void checkNoiseMultiplier(double z) {
        if (!(z >= 0)) {
            throw new IllegalArgumentException("noise multiplier must be >= 0, got " + z);
        }
        if (Double.isInfinite(z)) {
            throw new IllegalArgumentException("noise multiplier must be finite, got " + z);
        }
    }

    static void checkSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
    }

    static void checkDelta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
    }

    static void checkOrder(double order) {
        if (!(order > 1 && (order <= MAX_ORDER || order == Double.POSITIVE_INFINITY))) {
            throw new IllegalArgumentException("Renyi order must be in (1, " + (long) MAX_ORDER
                    + "] or Infinity, got " + order);
        }
    }

    static double[] checkOrders(List<Double> orders) {
        if (orders == null || orders.isEmpty()) {
            throw new IllegalArgumentException("orders must not be empty");
        }
        double[] o = new double[orders.size()];
        for (int i = 0; i < o.length; i++) {
            Double a = orders.get(i);
            if (a == null) {
                throw new IllegalArgumentException("Renyi order must be a number, got null");
            }
            checkOrder(a);
            o[i] = a;
        }
        return o;
    }
}
