package dev.fedgan.core.gan;

import dev.fedgan.core.privacy.AdaptiveClip;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.RdpAccountant;
import dev.fedgan.core.privacy.SelectionPrivacy;
import java.util.Locale;

/**
 * What {@code fedgan debug --private} trains both GANs with, chosen from public values only (the target ε, δ, the
 * selection's noise multiplier, the populations' released sizes N̂ and the critic's size) so that the experiment's
 * total ε (selection composed with the GANs, improved conversion, as the report states it) stays within the target.
 *
 * <p>The critic's accumulated update after T rounds is the sum of T averaged clipped deltas plus noise of standard
 * deviation z·S/m·√T on each of its P weights; the plan keeps that noise small:
 * <ul>
 *   <li>For a fixed ε and T, the noise multiplier z the target allows grows more slowly than m while z is below
 *       about 2, so larger rounds give less noise on the mean: at N̂ = 1,000, T = 200 and ε 8.8, z/m is 0.0255 at
 *       m = 25 and 0.0093 at m = 200. <b>Clients per round</b> m = {@value #SAMPLING_RATE} · N̂ of the smaller
 *       population, within [{@value #MIN_CLIENTS}, {@value #MAX_CLIENTS}].</li>
 *   <li>Fewer rounds cost less noise in total (z/m·√T at m = 200: 0.041 for 50 rounds, 0.132 for 200), while the
 *       GANs need rounds to learn. <b>Rounds</b> T = {@value #ROUNDS} unless given.</li>
 *   <li><b>Noise multiplier</b> z: the smallest (to a relative 1e-4) whose T rounds at q = m/N̂ (the smaller N̂:
 *       the GANs compose in parallel, and the larger q costs more) composed with the selection stay within the
 *       target.</li>
 *   <li><b>Adaptive clipping</b> ({@link AdaptiveClip#defaults}: the median delta norm, η 0.2,
 *       σ_b = max(0.05·m, 2z)) from the run's S as the first round's clip: the clip then follows the deltas' size as
 *       the critic's training changes it, instead of depending on a guess that suits one data set. It costs no ε:
 *       the deltas' sum takes noise z_Δ·S slightly above z·S (by at most 3.3%: by 1.9% at m = 170 and z = 3.24, by 3.3% at z = 8.35)
 *       so that the sum and the count are accounted together as z. {@link #withClipRule withClipRule(null)} keeps S fixed.</li>
 * </ul>
 *
 * <p>A plan can give a verdict only if even perfectly agreeing clients could out-shout the noise: T rounds of
 * clipped deltas all pointing the same way add up to T·S, spread over P weights T·S/√P each, against noise
 * z_Δ·S/m·√T on each. {@link #signalToNoise()} is the ratio of the two, √T·m / (z_Δ·√P); a plan below 1 is <b>not
 * meaningful</b> (necessary, not sufficient: real deltas agree less). A small population cannot get there at a
 * meaningful ε; {@link #populationNeeded} computes the smallest data set that can.
 *
 * <p>The selection spends its share first: {@link #selectionNoise} gives it at most {@value #SELECTION_SHARE} of the
 * target. An infinite target plans the same clients and rounds with no noise (z = 0): the sweep's non-private point,
 * showing what the guarantee costs; its ε is infinite and the report says the run is not private.
 *
 * @param targetEpsilon   the experiment's total ε it plans for
 * @param delta           the experiment's δ
 * @param populationSize  N̂ of the smaller population
 * @param criticWeights   P, the weights a client's delta holds
 * @param clientsPerRound m
 * @param rounds          T
 * @param noiseMultiplier z
 * @param epsilon         the experiment's total ε after T rounds (improved conversion), at most the target
 * @param adaptiveClip    the clip's rule, or null: S stays fixed
 */
public record PrivatePlan(double targetEpsilon, double delta, int populationSize, long criticWeights,
        int clientsPerRound, int rounds, double noiseMultiplier, double epsilon, AdaptiveClip adaptiveClip) {

    /** The experiment's ε when none is given. */
    public static final double DEFAULT_TARGET = 10;
    public static final int ROUNDS = 100;
    public static final double SAMPLING_RATE = 0.2;
    public static final int MIN_CLIENTS = 10;
    public static final int MAX_CLIENTS = 400;
    /** Share of the data set's users each population gets when the thresholds are percentiles (25th / 75th). */
    public static final double POPULATION_SHARE = 0.25;
    /**
     * The most of the target the selection may spend. The selection's default noise (ε 1.16 at δ 1e-5) fits within
     * an eighth of the default target 10; smaller targets give the selection more noise, nearly free on thousands of
     * users (noise of standard deviation z_sel on counts of hundreds), leaving the GANs seven eighths.
     */
    public static final double SELECTION_SHARE = 0.125;

    /** The plan's file among an experiment's released files: it depends only on public values and released sizes. */
    public static final String FILE = "private_plan.json";

    /**
     * A private run's settings before the plan's clients and noise: {@value #ROUNDS} rounds, the private preset's
     * small critic, and the generator at one step of 0.01 a round so that the noisy critic stays ahead of it (at the
     * demo's 3 steps of 0.1 the generator out-ran the critic every round on Fashion-MNIST). A request's own settings
     * override these.
     */
    public static final GanTrainingConfig BASE = GanTrainingConfig.CPU_DEMO.toBuilder().preset(GanPreset.PRIVATE)
            .rounds(PrivatePlan.ROUNDS).generatorSteps(1).generatorLearningRate(0.01).build();

    private static final double[] ORDERS = RdpAccountant.DEFAULT_ORDERS.stream().mapToDouble(Double::doubleValue).toArray();

    /**
     * The plan of {@code rounds} rounds for populations whose smaller released size is {@code populationSize}, for
     * a critic of {@code criticWeights} weights.
     *
     * @throws IllegalArgumentException if the target is not above 0 (infinity plans no noise), if the selection
     *                                  alone exceeds it, or if the population is smaller than {@value #MIN_CLIENTS}
     */
    public static PrivatePlan choose(double targetEpsilon, double delta, SelectionPrivacy selection, int populationSize,
            int rounds, long criticWeights) {
        if (criticWeights < 1) {
            throw new IllegalArgumentException("the critic must have weights, got " + criticWeights);
        }
        if (rounds < 1 || rounds > 1_000_000) {
            throw new IllegalArgumentException("rounds must be in [1, 1000000], got " + rounds);
        }
        checkTarget(targetEpsilon);
        if (populationSize < MIN_CLIENTS) {
            throw new IllegalArgumentException("a population of " + populationSize + " users (noisy count) is below the "
                    + MIN_CLIENTS + " clients a private round samples at the least");
        }
        int m = (int) Math.max(MIN_CLIENTS, Math.min(MAX_CLIENTS, Math.round(SAMPLING_RATE * populationSize)));
        if (targetEpsilon == Double.POSITIVE_INFINITY) {
            return new PrivatePlan(targetEpsilon, delta, populationSize, criticWeights, m, rounds, 0,
                    Double.POSITIVE_INFINITY, AdaptiveClip.defaults(m, 0));
        }
        double[] selectionRdp = selection.rdp(ORDERS);
        double selectionEpsilon = selection.epsilon(delta, Conversion.IMPROVED).epsilon();
        if (selectionEpsilon >= targetEpsilon) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "the selection alone costs epsilon %.3g at delta"
                    + " %.3g (noise multiplier %.3g), which leaves nothing of the target %.3g for the GANs: raise"
                    + " --selection-noise or the target", selectionEpsilon, delta, selection.noiseMultiplier(),
                    targetEpsilon));
        }
        double q = (double) m / populationSize;
        double z = PrivacyCalculator.smallestNoiseMultiplier(x -> total(selectionRdp, q, x, rounds, delta), targetEpsilon);
        if (Double.isNaN(z)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "epsilon %.3g is out of reach for %d rounds at"
                    + " q = %.3g even with noise multiplier %.0f", targetEpsilon, rounds, q,
                    PrivacyCalculator.MAX_NOISE_MULTIPLIER));
        }
        return new PrivatePlan(targetEpsilon, delta, populationSize, criticWeights, m, rounds, z,
                total(selectionRdp, q, z, rounds, delta), AdaptiveClip.defaults(m, z));
    }

    /** The selection's noise multiplier for a private run: the one given, else the planned one. */
    public static Double selectionNoise(Double given, double targetEpsilon, double delta) {
        return given != null ? given : Double.valueOf(selectionNoise(targetEpsilon, delta));
    }

    /**
     * The selection's noise multiplier for a private run: the default, or more when the default would spend over
     * {@value #SELECTION_SHARE} of the target.
     *
     * @throws IllegalArgumentException if the target is not above 0, or so small that even the largest selection noise
     *                                  spends more than that share
     */
    public static double selectionNoise(double targetEpsilon, double delta) {
        checkTarget(targetEpsilon);
        double share = SELECTION_SHARE * targetEpsilon;
        double z = SelectionPrivacy.DEFAULT_NOISE_MULTIPLIER;
        if (selectionEpsilon(z, delta) <= share) {
            return z;
        }
        z = PrivacyCalculator.smallestNoiseMultiplier(x -> selectionEpsilon(x, delta), share);
        if (Double.isNaN(z)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "epsilon %.3g is too small: the selection's"
                    + " share %.3g is out of reach even with noise multiplier %.0f", targetEpsilon, share,
                    PrivacyCalculator.MAX_NOISE_MULTIPLIER));
        }
        return z;
    }

    private static double selectionEpsilon(double z, double delta) {
        return z < SelectionPrivacy.MIN_NOISE_MULTIPLIER ? Double.POSITIVE_INFINITY
                : SelectionPrivacy.of(z).epsilon(delta, Conversion.IMPROVED).epsilon();
    }

    private static void checkTarget(double targetEpsilon) {
        if (!(targetEpsilon > 0)) {
            throw new IllegalArgumentException("the target epsilon must be a number > 0 (infinity for no noise), got "
                    + targetEpsilon);
        }
    }

    /**
     * The same plan with another clip rule; null keeps S fixed (the deltas' sum then takes noise z·S).
     *
     * @throws IllegalArgumentException if the rule's count noise does not suit the plan's z
     */
    public PrivatePlan withClipRule(AdaptiveClip rule) {
        if (rule != null) {
            rule.checkNoise(noiseMultiplier);
        }
        return new PrivatePlan(targetEpsilon, delta, populationSize, criticWeights, clientsPerRound, rounds,
                noiseMultiplier, epsilon, rule);
    }

    /** Whether the plan adds noise at all (a finite target). */
    public boolean isPrivate() {
        return noiseMultiplier > 0;
    }

    /**
     * The fewest users a data set needs for a meaningful plan of {@code rounds} at this target, its populations being
     * {@value #POPULATION_SHARE} of it (percentile thresholds).
     */
    public static int populationNeeded(double targetEpsilon, double delta, SelectionPrivacy selection, int rounds,
            long criticWeights) {
        int lo = MIN_CLIENTS;
        int hi = MIN_CLIENTS;
        while (!choose(targetEpsilon, delta, selection, hi, rounds, criticWeights).meaningful()) {
            lo = hi;
            hi *= 2;
            if (hi > 100_000_000) {
                throw new IllegalArgumentException("no population below 10^8 users makes epsilon " + targetEpsilon
                        + " meaningful");
            }
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (choose(targetEpsilon, delta, selection, mid, rounds, criticWeights).meaningful()) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return (int) Math.ceil(hi / POPULATION_SHARE);
    }

    /**
     * Refuses, before the selection spends anything, a private run on {@code users} users whose populations (about
     * {@value #POPULATION_SHARE} of them each, with percentile thresholds) are too small for a meaningful plan,
     * naming the data set size that would do.
     *
     * @throws IllegalArgumentException if the plan for the expected populations is not meaningful
     */
    public static void checkLargeEnough(double targetEpsilon, double delta, SelectionPrivacy selection, int users,
            int rounds, long criticWeights) {
        int expected = (int) Math.floor(users * POPULATION_SHARE);
        PrivatePlan plan = expected < MIN_CLIENTS ? null
                : choose(targetEpsilon, delta, selection, expected, rounds, criticWeights);
        if (plan != null && plan.meaningful()) {
            return;
        }
        int needed = populationNeeded(targetEpsilon, delta, selection, rounds, criticWeights);
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%d users cannot give a verdict at epsilon <= %.3g"
                + " (delta %.3g, %d rounds): %s; it takes a data set of at least %d users (populations of %d) for"
                + " clients that all agree to out-shout the noise on the critic's %d weights", users, targetEpsilon,
                delta, rounds, plan == null
                        ? "their populations of about " + expected + " users are below the " + MIN_CLIENTS
                                + " clients a private round samples"
                        : String.format(Locale.ROOT, "their populations of about %d users each need noise z = %.3g%s on"
                                + " m = %d clients a round, and even perfectly agreeing clients would reach only %.2f of"
                                + " the noise", expected, plan.noiseMultiplier(), plan.adaptiveClip() == null ? ""
                                : String.format(Locale.ROOT, " (z_d = %.3g on the sum, with adaptive clipping)",
                                        plan.updateNoiseMultiplier()), plan.clientsPerRound(), plan.signalToNoise()),
                needed, (int) Math.floor(needed * POPULATION_SHARE), criticWeights));
    }

    /** {@code config} with this plan's clients per round, noise multiplier, rounds and clip rule. */
    public GanTrainingConfig applyTo(GanTrainingConfig config) {
        return config.toBuilder().clientsPerRound(clientsPerRound).noiseMultiplier(noiseMultiplier).rounds(rounds)
                .adaptiveClip(adaptiveClip).build();
    }

    /** z_Δ, the noise multiplier of the deltas' sum: z, or with adaptive clipping slightly more. */
    public double updateNoiseMultiplier() {
        return AdaptiveClip.sumNoiseMultiplier(adaptiveClip, noiseMultiplier);
    }

    /** The sampling rate q = m / N̂. */
    public double samplingRate() {
        return (double) clientsPerRound / populationSize;
    }

    /** The noise on the mean update per weight, in units of the clip bound: z_Δ / m. */
    public double noiseOnMean() {
        return updateNoiseMultiplier() / clientsPerRound;
    }

    /** The best case's signal over the noise on each weight after T rounds: √T·m / (z_Δ·√P). */
    public double signalToNoise() {
        return Math.sqrt(rounds) * clientsPerRound / (updateNoiseMultiplier() * Math.sqrt(criticWeights));
    }

    /** Whether perfectly agreeing clients could out-shout the noise (see the class comment). */
    public boolean meaningful() {
        return signalToNoise() >= 1;
    }

    /** What the plan chose, in one sentence. */
    public String describe() {
        if (!isPrivate()) {
            return String.format(Locale.ROOT, "non-private plan (epsilon infinite): m = %d of N̂ = %d users per round"
                    + " (q = %.4f), %d rounds, clipped deltas (%s) and NO noise, for comparison with private runs",
                    clientsPerRound, populationSize, samplingRate(), rounds, clipRule());
        }
        return String.format(Locale.ROOT, "private preset for epsilon <= %.3g (delta %.3g): m = %d of N̂ = %d users per"
                + " round (q = %.4f), z = %.4f, %d rounds: epsilon %.3f for the whole experiment; %s; noise on the"
                + " mean update z_d/m = %.4f S per weight; best-case signal to noise %.2f over the critic's %d weights",
                targetEpsilon, delta, clientsPerRound, populationSize, samplingRate(), noiseMultiplier, rounds, epsilon,
                clipRule(), noiseOnMean(), signalToNoise(), criticWeights);
    }

    private String clipRule() {
        if (adaptiveClip == null) {
            return "fixed clip";
        }
        return String.format(Locale.ROOT, "adaptive clip towards the %.2g quantile of delta norms (eta %.2g, count noise"
                + " sigma_b %.3g, sum noise z_d %.4f)", adaptiveClip.targetQuantile(), adaptiveClip.learningRate(),
                adaptiveClip.countNoise(), updateNoiseMultiplier());
    }

    private static double total(double[] selectionRdp, double q, double z, int rounds, double delta) {
        return epsilon(selectionRdp, RdpAccountant.rdp(q, z, rounds, ORDERS), delta);
    }

    private static double epsilon(double[] a, double[] b, double delta) {
        double[] sum = new double[ORDERS.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = a[i] + b[i];
        }
        return RdpAccountant.epsilon(ORDERS, sum, delta, Conversion.IMPROVED).epsilon();
    }
}
