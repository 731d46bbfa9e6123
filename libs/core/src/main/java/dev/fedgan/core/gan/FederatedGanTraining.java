package dev.fedgan.core.gan;

import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.population.Population;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.ClippedSum;
import dev.fedgan.core.privacy.DpFedAvgAggregate;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.core.privacy.RdpAccountant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * DP-FedAvg-GAN in one JVM (reference section 4, with DP-FedAvg's Poisson sampling, McMahan et al. 2018 Algorithm
 * 1): each round includes each of the population's clients independently with probability q = m/N (m: the expected
 * clients per round, N: the population size), lets each sampled client train the broadcast critic on its own data,
 * clips every delta to global L2 ≤ S,
 * sums, adds N(0, (z·S)²) per coordinate, divides by the fixed qN = m (not the number sampled), applies the average
 * to the critic, runs the generator steps, and advances the RDP accountant by one Sampled-Gaussian step with q = m/N.
 * A round may sample nobody: it then releases noise / m, and is run and accounted like any other. Without DP (no
 * clipping, no noise) the critic gets the example-weighted mean, and a round with no client leaves it unchanged.
 *
 * <p>N, the population size that sets q, is public: the private selection's noisy count N̂ of the population's
 * members ({@code PrivateSelection}), not the number of members, which only the trusted side knows. q = m/N̂ is still
 * the exact probability with which each member is sampled, so the accountant's q is exact; N̂ only moves the expected
 * sample size (members · m/N̂) away from m. The member list may even be empty (the rounds then release noise only).
 * Without a separate N (the lab and test constructors) N is the number of members.
 *
 * <p>With {@link GanTrainingConfig#adaptiveClip} the clip S of each round is the one the previous round's noised count
 * of clients within the clip gave ({@link dev.fedgan.core.privacy.AdaptiveClip}; the first round's is the configured
 * S), the deltas' sum gets noise z_Δ·S and the accountant still takes z: the sum and the count together are one
 * Gaussian mechanism of multiplier z.
 *
 * <p>Noise and client sampling are cryptographically secure unless the run is explicitly seeded (reproducible
 * tests and demos), which every report states. The critic's client steps and the generator's noise vectors use
 * the experiment seed: they are not privacy-relevant.
 */
public final class FederatedGanTraining {

    private final GanTrainingConfig config;
    private final List<String> clientIds;
    /** N, the public population size that sets q = m/N (the selection's N̂); not necessarily clientIds.size(). */
    private final int populationSize;
    /** The clients' data when they train in this JVM; null when they train elsewhere (client-update services). */
    private final List<WriterData> localData;
    private final double delta;
    /** The clients' steps, in groups for a small critic ({@link ClientGroupTraining#groupSize}); null: none here. */
    private final ClientGroupTraining clientTraining;
    private final GeneratorStep generatorStep;
    private final GaussianNoise noise;
    private final ClientSampler sampler;
    private final NetworkWeights generator;
    private final NetworkWeights critic;
    private final RdpAccountant accountant;
    /** The clip norm S of the next round: the configured one, or where adaptive clipping has moved it. */
    private double clip;
    private int round;
    private RoundPlan pending;
    /** The pending round's updates so far: summed as they come ({@link #addUpdate}). */
    private Collected collected;

    /** A round's aggregate and what its updates report, as the updates arrive. */
    private static final class Collected {
        final DpFedAvgAggregate aggregate;
        final RoundShare.Reports reports = new RoundShare.Reports();

        Collected(DpFedAvgAggregate aggregate) {
            this.aggregate = aggregate;
        }
    }

    /** What one round did. */
    public record RoundReport(int round, List<String> clients, dev.fedgan.core.privacy.AggregateReport aggregate,
            int nonFiniteClients, int criticSteps, double criticLoss, double generatorLoss, double epsilon,
            double seconds, double clientSeconds, double aggregationSeconds, double generatorSeconds) {
    }

    /**
     * A fresh experiment on exactly these clients, N being their number (a lab run or a test).
     * {@code seededRandomness} null: secure noise and sampling (the default); otherwise the seed of a reproducible,
     * not private, run.
     *
     * @param delta the δ of the guarantee, or null for min(1e-5, N^-1.1)
     */
    public static FederatedGanTraining start(GanTrainingConfig config, List<WriterData> clients, Double delta,
            Long seededRandomness) {
        return fresh(config, clients.stream().map(WriterData::id).toList(), clients, clients.size(), delta,
                seededRandomness);
    }

    /**
     * A fresh experiment on the members of a privately selected population: q = m / {@code populationSize} (the
     * selection's public N̂, whatever the number of members), and the experiment's δ.
     *
     * @throws IllegalArgumentException if N̂ &lt; m (q would exceed 1)
     */
    public static FederatedGanTraining start(GanTrainingConfig config, List<WriterData> members, int populationSize,
            double delta, Long seededRandomness) {
        return fresh(config, members.stream().map(WriterData::id).toList(), members, populationSize, delta,
                seededRandomness);
    }

    /**
     * A fresh experiment whose clients train elsewhere, N being their number: the server knows only their ids.
     * Rounds go through {@link #beginRound} and {@link #completeRound}.
     *
     * @param delta the δ of the guarantee, or null for min(1e-5, N^-1.1)
     */
    public static FederatedGanTraining startRemote(GanTrainingConfig config, List<String> clientIds, Double delta,
            Long seededRandomness) {
        return fresh(config, clientIds, null, clientIds.size(), delta, seededRandomness);
    }

    /**
     * A fresh experiment whose members train elsewhere (the aggregator service): q = m / {@code populationSize}, the
     * public N̂ of the population, not the number of members; the experiment's δ.
     *
     * @throws IllegalArgumentException if N̂ &lt; m (q would exceed 1)
     */
    public static FederatedGanTraining startRemote(GanTrainingConfig config, List<String> memberIds, int populationSize,
            double delta, Long seededRandomness) {
        return fresh(config, memberIds, null, populationSize, delta, seededRandomness);
    }

    private static FederatedGanTraining fresh(GanTrainingConfig config, List<String> clientIds, List<WriterData> localData,
            int populationSize, Double delta, Long seededRandomness) {
        GaussianNoise noise = seededRandomness == null ? GaussianNoise.secure() : GaussianNoise.seeded(seededRandomness);
        ClientSampler sampler = seededRandomness == null ? ClientSampler.secure() : ClientSampler.seeded(seededRandomness);
        return new FederatedGanTraining(config, clientIds, localData, populationSize, delta,
                GanNetworks.initialGenerator(config.preset(), config.seed()),
                GanNetworks.initialCritic(config.preset(), config.seed() + 1), 0, config.clip(), new RdpAccountant(),
                noise, sampler);
    }

    FederatedGanTraining(GanTrainingConfig config, List<String> clients, List<WriterData> localData, int populationSize,
            Double delta, NetworkWeights generator, NetworkWeights critic, int round, double clip,
            RdpAccountant accountant, GaussianNoise noise, ClientSampler sampler) {
        if (populationSize < 1) {
            throw new IllegalArgumentException("the population size N must be >= 1, got " + populationSize
                    + (clients.isEmpty() ? " (the population has no clients)" : ""));
        }
        if (config.clientsPerRound() > populationSize) {
            throw new IllegalArgumentException("expected clients per round (" + config.clientsPerRound()
                    + ") exceeds the population size (N = " + populationSize + "): q = m/N must be <= 1");
        }
        if (!(clip > 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("the clip norm S must be finite and > 0, got " + clip);
        }
        if (delta != null && !(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        this.config = config;
        if (clients.stream().distinct().count() != clients.size()) {
            throw new IllegalArgumentException("the population lists a client twice");
        }
        this.clientIds = List.copyOf(clients);
        this.populationSize = populationSize;
        this.localData = localData == null ? null : List.copyOf(localData);
        this.delta = delta != null ? delta : PrivacyCalculator.defaultDelta(Math.max(2, populationSize));
        this.generator = generator;
        this.critic = critic;
        this.round = round;
        this.clip = clip;
        this.accountant = accountant;
        this.noise = noise;
        this.sampler = sampler;
        clientTraining = localData == null ? null : new ClientGroupTraining(config);
        generatorStep = new GeneratorStep(config.preset(), config.loss(), DataType.FLOAT);
    }

    /** The clients of a population: each writer's examples (only the kept ones for by_example), bug applied. */
    public static List<WriterData> clientsOf(Population population, FederatedDataset data) {
        List<WriterData> out = new ArrayList<>();
        for (Map.Entry<String, Boolean> e : population.inversion().entrySet()) {
            WriterData w = data.byId().get(e.getKey());
            if (w == null) {
                throw new IllegalArgumentException("population " + population.path() + " names client " + e.getKey()
                        + ", which is not in dataset " + data.name());
            }
            if (population.byExample()) {
                w = w.select(population.exampleIndices().get(e.getKey()));
            }
            out.add(e.getValue() ? w.inverted() : w);
        }
        return out;
    }

    /**
     * The clients sampled for a round (Poisson: any number from 0 to N, in population order) and the seeds of their
     * critic steps. The broadcast is the current generator and critic; the round completes with
     * {@link #completeRound}, also when no client was sampled.
     */
    public record RoundPlan(int round, List<String> clients, int[] indices, long[] clientSeeds) {
    }

    /** Runs one round with every client trained in this JVM and returns what happened. */
    public RoundReport runRound() {
        long t0 = System.nanoTime();
        RoundPlan plan = beginRound();
        for (int g = 0; g < groups(plan); g++) {
            for (ClientUpdate u : trainGroup(plan, g)) {
                addUpdate(plan, u);
            }
        }
        return completeRound(plan, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Samples the next round's clients: each client independently with probability q = m/N (secure unless seeded).
     * The plan may list no client. One round at a time.
     */
    public RoundPlan beginRound() {
        if (pending != null) {
            throw new IllegalStateException("round " + (pending.round() + 1) + " has begun and not completed");
        }
        int[] picked = clientIds.isEmpty() ? new int[0] : sampler.sample(samplingRate(), clientIds.size());
        List<String> ids = new ArrayList<>();
        long[] seeds = new long[picked.length];
        for (int k = 0; k < picked.length; k++) {
            ids.add(clientIds.get(picked[k]));
            seeds[k] = clientSeed(round, picked[k]);
        }
        pending = new RoundPlan(round, List.copyOf(ids), picked, seeds);
        int length = Math.toIntExact(critic.length());
        DpFedAvgAggregate aggregate = config.differentialPrivacy()
                ? DpFedAvgAggregate.dp(length, new DpFedAvgAggregate.DpConfig(clip, config.updateNoiseMultiplier(),
                        config.clientsPerRound(),
                        config.adaptiveClip() == null ? null : config.adaptiveClip().countNoise()), noise)
                : DpFedAvgAggregate.weightedMean(length);
        collected = new Collected(aggregate);
        return pending;
    }

    /**
     * The clients trained together: the sampled clients, in the plan's order, go in groups of this many
     * ({@link ClientGroupTraining#groupSize}: several for a small critic, else one), here and on client-update alike.
     */
    public int groupSize() {
        return ClientGroupTraining.groupSize(config.preset());
    }

    /** The plan's groups of {@link #groupSize} clients (the last may hold fewer). */
    public int groups(RoundPlan plan) {
        return (plan.clients().size() + groupSize() - 1) / groupSize();
    }

    /**
     * The critic steps of the plan's g-th group of clients, here in this JVM (a client-update service does the same
     * for a round task): the updates in the plan's order.
     */
    public List<ClientUpdate> trainGroup(RoundPlan plan, int g) {
        if (localData == null) {
            throw new IllegalStateException("the clients of this run train elsewhere: only their ids are known here");
        }
        int from = g * groupSize();
        int to = Math.min(plan.clients().size(), from + groupSize());
        if (from < 0 || from >= to) {
            throw new IllegalArgumentException("group " + g + " of a plan of " + groups(plan) + " groups");
        }
        List<WriterData> data = new ArrayList<>();
        for (int k = from; k < to; k++) {
            data.add(localData.get(plan.indices()[k]));
        }
        return clientTraining.train(plan.clients().subList(from, to), plan.round(), generator, critic, data,
                java.util.Arrays.copyOfRange(plan.clientSeeds(), from, to));
    }

    /** The k-th sampled client's update as the run computes it (its group's steps: {@link #trainGroup}). */
    public ClientUpdate trainClient(RoundPlan plan, int k) {
        return trainGroup(plan, k / groupSize()).get(k % groupSize());
    }

    /**
     * Adds one update to the round in progress as it arrives: checked, clipped and summed now (the delta is not kept).
     * An update of another round or of a client not sampled is refused; a client's second update is ignored. When
     * the clients train elsewhere, the first update also starts drawing the round's DP noise in the background: it
     * depends on nothing the clients send, and drawing it after the last update would delay the round by that much
     * (not earlier, so that it does not compete with the clients loading the round's weights).
     */
    public void addUpdate(RoundPlan plan, ClientUpdate u) {
        requirePending(plan);
        requirePartOf(plan, u);
        if (localData == null) {
            collected.aggregate.drawNoiseAhead(); // once per round
        }
        if (collected.aggregate.add(u.clientId(), u.delta(), u.nonFinite() ? 0 : u.realExamples())
                != ClippedSum.Outcome.DUPLICATE) {
            collected.reports.count(u);
        }
    }

    /**
     * An empty share of the round in progress, for some of its clients' updates summed elsewhere (an aggregator
     * shard) and then {@link #addShare added}: the round's critic length and clip norm S.
     */
    public RoundShare newShare(RoundPlan plan) {
        requirePending(plan);
        return RoundShare.of(plan.round(), Math.toIntExact(critic.length()),
                config.differentialPrivacy() ? clip : null);
    }

    /**
     * Adds a share of the round in progress: as if its updates had been {@link #addUpdate added} here, whatever
     * their order and however the round's clients were split into shares. Refused, before anything is added, if the
     * share is of another round, holds a client not sampled or already added, or was clipped to another S.
     */
    public void addShare(RoundPlan plan, RoundShare share) {
        requirePending(plan);
        if (share.round() != plan.round()) {
            throw new IllegalArgumentException("a share of round " + (share.round() + 1) + " is not part of round "
                    + (plan.round() + 1));
        }
        Set<String> sampled = new HashSet<>(plan.clients()); // not List.contains per client: m can be thousands
        for (String c : share.clients()) {
            if (!sampled.contains(c)) {
                throw new IllegalArgumentException("a share of round " + (plan.round() + 1) + " holds client " + c
                        + ", not sampled");
            }
        }
        if (localData == null) {
            collected.aggregate.drawNoiseAhead(); // once per round
        }
        collected.aggregate.merge(share.sum());
        collected.reports.add(share.reports);
    }

    /**
     * Completes the round with the updates that arrived (any number, none included: the denominator stays qN = m):
     * clips each, sums, adds the noise, divides by m, applies the average to the critic, runs the generator steps
     * and advances the accountant. Without DP, a round in which no update with a positive weight arrived leaves the
     * critic as it is (there is nothing to average) and still runs the generator steps. An update of another round or of a client not sampled is refused, before any
     * is added.
     */
    public RoundReport completeRound(RoundPlan plan, List<ClientUpdate> updates) {
        requirePending(plan);
        updates.forEach(u -> requirePartOf(plan, u));
        updates.forEach(u -> addUpdate(plan, u));
        return completeRound(plan);
    }

    /** Completes the round with the updates {@link #addUpdate added} so far, as {@link #completeRound(RoundPlan, List)}. */
    public RoundReport completeRound(RoundPlan plan) {
        return completeRound(plan, 0);
    }

    private void requirePending(RoundPlan plan) {
        if (plan != pending) {
            throw new IllegalStateException("round " + (plan.round() + 1) + " is not the round in progress");
        }
    }

    private static void requirePartOf(RoundPlan plan, ClientUpdate u) {
        if (u.round() != plan.round() || !plan.clients().contains(u.clientId())) {
            throw new IllegalArgumentException("update of client " + u.clientId() + " for round " + (u.round() + 1)
                    + " is not part of round " + (plan.round() + 1));
        }
    }

    private RoundReport completeRound(RoundPlan plan, double clientSeconds) {
        requirePending(plan);
        long t1 = System.nanoTime();
        Collected c = collected;
        DpFedAvgAggregate.Result result = c.aggregate.finish();
        if (config.differentialPrivacy() || result.report().denominator() > 0) {
            critic.add(result.average()); // with DP also when nobody was sampled: noise / m is released
        }
        if (result.report().noisedFractionWithin() != null) {
            clip = config.adaptiveClip().next(clip, result.report().noisedFractionWithin());
        }
        long t2 = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(config.seed() * 1_000_003L + round);
        double generatorLoss = Double.NaN;
        for (int s = 0; s < config.generatorSteps(); s++) {
            generatorLoss = generatorStep.step(generator, critic,
                    ClientTraining.gaussian(rnd, config.batchSize(), config.preset().noiseDim()), config.generatorLearningRate());
        }
        if (config.differentialPrivacy()) {
            accountant.addSteps(samplingRate(), config.noiseMultiplier(), 1);
        }
        round++;
        pending = null;
        collected = null;
        long t3 = System.nanoTime();
        return new RoundReport(round, plan.clients(), result.report(), c.reports.nonFinite, c.reports.criticSteps,
                result.report().received() == 0 ? 0 : c.reports.lossSum / result.report().received(), generatorLoss,
                epsilon(), clientSeconds + (t3 - t1) / 1e9, clientSeconds, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    }

    /**
     * Drops the round in progress without applying anything (too few clients answered by the deadline). Nothing
     * of it is released, so nothing is accounted; the next {@link #beginRound} draws a new sample.
     */
    public void abandonRound(RoundPlan plan) {
        requirePending(plan);
        pending = null;
        collected = null; // its noise, drawn ahead, is never used
    }

    /** True between {@link #beginRound} and {@link #completeRound}: no checkpoint can be taken then. */
    public boolean roundInProgress() {
        return pending != null;
    }

    /** ε(δ) so far under the improved conversion; infinite without DP. */
    public double epsilon() {
        if (!config.differentialPrivacy()) {
            return Double.POSITIVE_INFINITY;
        }
        return accountant.totalSteps() == 0 ? 0 : accountant.epsilon(delta, Conversion.IMPROVED).epsilon();
    }

    /** ε(δ) after one more round, to stop before exceeding a target. */
    public double epsilonAfterNextRound() {
        if (!config.differentialPrivacy()) {
            return Double.POSITIVE_INFINITY;
        }
        RdpAccountant next = accountant.copy();
        next.addSteps(samplingRate(), config.noiseMultiplier(), 1);
        return next.epsilon(delta, Conversion.IMPROVED).epsilon();
    }

    /** The privacy statement for what has run so far, with N the population size that sets q. */
    public PrivacyStatement privacy() {
        if (!config.differentialPrivacy()) {
            return PrivacyStatement.notPrivate(populationSize, config.clientsPerRound(), round);
        }
        return PrivacyStatement.of(accountant, populationSize, config.clientsPerRound(), config.noiseMultiplier(),
                config.clip(), config.adaptiveClip(), delta, !noise.isSeeded());
    }

    /**
     * q = m/N, N being the public population size (the selection's N̂), not the number of members: the probability
     * with which each member is sampled each round, and the accountant's q.
     */
    public double samplingRate() {
        return ClientSampler.samplingRate(config.clientsPerRound(), populationSize);
    }

    private long clientSeed(int r, int clientIndex) {
        return new SplittableRandom(config.seed() ^ (0x9E3779B97F4A7C15L * (r + 1))).split().nextLong() + clientIndex;
    }

    public int round() {
        return round;
    }

    /**
     * The clip norm S the next round will use: the configured one with a fixed clip; with adaptive clipping where the
     * noised counts have moved it (public: computed from released values only).
     */
    public double clip() {
        return clip;
    }

    public GanTrainingConfig config() {
        return config;
    }

    /** The population's client ids, in sampling order. */
    public List<String> clientIds() {
        return clientIds;
    }

    /** N, the public population size that sets q (the selection's N̂; the number of members in a lab run). */
    public int population() {
        return populationSize;
    }

    public double delta() {
        return delta;
    }

    public NetworkWeights generator() {
        return generator;
    }

    public NetworkWeights critic() {
        return critic;
    }

    RdpAccountant accountant() {
        return accountant;
    }

    GaussianNoise noise() {
        return noise;
    }

    ClientSampler sampler() {
        return sampler;
    }

    public String randomnessDescription() {
        return "noise: " + noise.description() + "; client sampling: " + sampler.description();
    }
}
