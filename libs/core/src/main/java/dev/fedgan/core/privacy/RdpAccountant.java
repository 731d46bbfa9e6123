package dev.fedgan.core.privacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fedgan.core.io.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.stream.DoubleStream;

/**
 * Renyi-DP accountant of the Sampled Gaussian Mechanism: the quantity tensorflow_privacy's {@code rdp_accountant.py}
 * computes (reference section 7; Mironov, Talwar, Zhang 2019, arXiv 1908.10530), to a relative 1e-12.
 *
 * <p>One step of the mechanism: each unit (here: each user) is included with probability {@code q} (Poisson
 * sampling), the included units' contributions, each clipped to L2 norm S, are summed, and Gaussian noise of
 * standard deviation {@code z * S} is added; {@code z} is the noise multiplier. The RDP of one step at order
 * alpha is ln(A_alpha) / (alpha - 1): for integer alpha a log-space sum of binomial terms, for fractional alpha
 * a quadrature of its defining integral (where tensorflow_privacy's series stops early). RDP composes additively over steps, also for heterogeneous steps.
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

    /**
     * ln A_alpha for integer alpha, A = sum over i of C(alpha, i) (1-q)^(alpha-i) q^i exp((i^2 - i) / (2 z^2)).
     * The weights C(alpha, i) (1-q)^(alpha-i) q^i sum to 1, so A - 1 = sum over i >= 2 of the weights times
     * expm1((i^2 - i) / (2 z^2)): all terms positive, summed in log space, then ln A = log1p(A - 1). Summing A
     * itself (as tensorflow_privacy does) loses ln A's relative precision when A is within 1e-8 of 1 (q ~ 1e-5).
     */
    private static double logAInteger(double q, double sigma, long alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * sigma * sigma;
        double logBinom = Math.log(alpha);
        double logAm1 = Double.NEGATIVE_INFINITY;
        for (long i = 2; i <= alpha; i++) {
            logBinom += Math.log(alpha - i + 1) - Math.log(i);
            double di = i;
            double term = logBinom + di * logQ + (alpha - i) * log1mQ + logExpm1((di * di - di) / twoVar);
            logAm1 = LogMath.logAdd(logAm1, term);
        }
        return log1pExp(logAm1);
    }

    /**
     * ln A_alpha for fractional alpha, from the definition: A = E[(1 + q D)^alpha] over x ~ N(0, z^2), with
     * D = exp((2x - 1) / (2 z^2)) - 1 (the likelihood ratio of the shifted Gaussian, minus 1; E[D] = 0). Hence
     * A - 1 = E[B(qD)] with B(t) = (1 + t)^alpha - 1 - alpha t >= 0 (convexity), integrated by adaptive
     * Gauss-Kronrod quadrature in log space to a relative 1e-13. tensorflow_privacy's two-series expansion stops
     * when the terms fall below e^-30, which for q > 0.01 at small z, or for A within 1e-8 of 1, leaves relative
     * errors up to 1e-5 in the RDP (the series' terms then decay only algebraically); this integral does not.
     */
    private static double logAFractional(double q, double sigma, double alpha) {
        FractionalIntegrand g = new FractionalIntegrand(q, sigma, alpha);
        double lo = -(40 * sigma + 1);
        double hi = alpha + 40 * sigma + 1;
        double kink = 0.5 + sigma * sigma * (Math.log1p(-q) - Math.log(q)); // where q D crosses 1 - q
        double[] cuts = DoubleStream.of(lo, 0, Math.min(Math.max(kink, lo), hi), alpha, hi)
                .sorted().distinct().toArray();
        // The largest log-integrand, to integrate exp(log g - shift) without overflow.
        double shift = Double.NEGATIVE_INFINITY;
        for (int k = 0; k <= 4000; k++) {
            shift = Math.max(shift, g.log(lo + (hi - lo) * k / 4000.0));
        }
        for (double c : cuts) {
            shift = Math.max(shift, g.log(c));
        }
        if (shift == Double.NEGATIVE_INFINITY) {
            return 0;
        }
        double total = Kronrod.integrate(g, shift, cuts, 32);
        return log1pExp(shift + Math.log(total));
    }

    /** log(A - 1) of the fractional order's integrand at one point: the normal density times B(qD), in logs. */
    private record FractionalIntegrand(double q, double sigma, double alpha, double logQ, double log1mQ,
                                       double logNorm) {

        FractionalIntegrand(double q, double sigma, double alpha) {
            this(q, sigma, alpha, Math.log(q), Math.log1p(-q), -Math.log(sigma * Math.sqrt(2 * Math.PI)));
        }

        double log(double x) {
            double e = (2 * x - 1) / (2 * sigma * sigma);
            double logDensity = logNorm - x * x / (2 * sigma * sigma);
            double t = q * Math.expm1(e);
            double logB;
            if (Math.abs(t) < 1e-3) {
                // B(t) = sum over k >= 2 of C(alpha, k) t^k; ten terms leave a relative 1e-24
                double c = alpha;
                double power = t;
                double b = 0;
                for (int k = 2; k <= 11; k++) {
                    c *= (alpha - k + 1) / k;
                    power *= t;
                    b += c * power;
                }
                logB = Math.log(b);
            } else if (t <= 1) {
                logB = Math.log(Math.expm1(alpha * Math.log1p(t)) - alpha * t);
            } else {
                // (1 + t)^alpha (1 - (1 + alpha t) (1 + t)^-alpha), with log(1 + t) = log(1 - q + q e^e)
                double logOnePlusT = LogMath.logAdd(log1mQ, logQ + e);
                double logAlphaT = Math.log(alpha) + logQ + logExpm1(e);
                double ratio = Math.exp(LogMath.logAdd(0, logAlphaT) - alpha * logOnePlusT);
                logB = alpha * logOnePlusT + Math.log1p(-ratio);
            }
            return logDensity + logB;
        }
    }

    /** Adaptive 7-15 point Gauss-Kronrod quadrature of exp(log g(x) - shift). */
    private static final class Kronrod {

        private static final double[] X = {0.991455371120812639, 0.949107912342758525, 0.864864423359769073,
            0.741531185599394440, 0.586087235467691130, 0.405845151377397167, 0.207784955007898468, 0};
        private static final double[] WK = {0.022935322010529225, 0.063092092629978553, 0.104790010322250184,
            0.140653259715525919, 0.169004726639267903, 0.190350578064785410, 0.204432940075298892,
            0.209482141084727828};
        private static final double[] WG = {0.129484966168869693, 0.279705391489276668, 0.381830050505118945,
            0.417959183673469388};

        /** {Kronrod estimate, |Kronrod - Gauss|} over [a, b]. */
        static double[] rule(FractionalIntegrand g, double shift, double a, double b) {
            double half = (b - a) / 2;
            double mid = (a + b) / 2;
            double fc = Math.exp(g.log(mid) - shift);
            double k = WK[7] * fc;
            double gauss = WG[3] * fc;
            for (int i = 0; i < 7; i++) {
                double f = Math.exp(g.log(mid - half * X[i]) - shift) + Math.exp(g.log(mid + half * X[i]) - shift);
                k += WK[i] * f;
                if (i % 2 == 1) {
                    gauss += WG[i / 2] * f;
                }
            }
            return new double[] {k * half, Math.abs(k - gauss) * half};
        }

        /**
         * The integral over the panels between consecutive {@code cuts}, each cut in {@code panels} equal parts,
         * refining the part with the largest error estimate until the summed estimate is below 1e-13 of the total
         * (or 4,000 parts, where only roundoff is left).
         */
        static double integrate(FractionalIntegrand g, double shift, double[] cuts, int panels) {
            PriorityQueue<double[]> parts = new PriorityQueue<>((x, y) -> Double.compare(y[3], x[3]));
            double total = 0;
            double error = 0;
            for (int c = 0; c + 1 < cuts.length; c++) {
                double w = (cuts[c + 1] - cuts[c]) / panels;
                for (int k = 0; k < panels; k++) {
                    double a = cuts[c] + k * w;
                    double b = k == panels - 1 ? cuts[c + 1] : a + w;
                    double[] r = rule(g, shift, a, b);
                    parts.add(new double[] {a, b, r[0], r[1]});
                    total += r[0];
                    error += r[1];
                }
            }
            while (error > 1e-13 * total && parts.size() < 4_000) {
                double[] worst = parts.poll();
                double m = (worst[0] + worst[1]) / 2;
                double[] left = rule(g, shift, worst[0], m);
                double[] right = rule(g, shift, m, worst[1]);
                total += left[0] + right[0] - worst[2];
                error += left[1] + right[1] - worst[3];
                parts.add(new double[] {worst[0], m, left[0], left[1]});
                parts.add(new double[] {m, worst[1], right[0], right[1]});
            }
            double sum = 0; // summed afresh: the running total carries the rounding of every update
            for (double[] part : parts) {
                sum += part[2];
            }
            return sum;
        }
    }

    /** log(e^c - 1) for c > 0. */
    private static double logExpm1(double c) {
        return c > 30 ? c + Math.log1p(-Math.exp(-c)) : Math.log(Math.expm1(c));
    }

    /** log(1 + e^x). */
    private static double log1pExp(double x) {
        return x < 0 ? Math.log1p(Math.exp(x)) : x + Math.log1p(Math.exp(-x));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Parameter checks, shared with the calculator.

    static void checkSamplingRate(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate q must be in [0, 1], got " + q);
        }
    }

    public static void checkNoiseMultiplier(double z) {
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

    public static void checkDelta(double delta) {
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
